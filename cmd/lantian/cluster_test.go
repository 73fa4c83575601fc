package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// lockedBuffer is a child's output, written by its process and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// clusterServer is one "lantian serve" child process.
type clusterServer struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	base string
}

var listening = regexp.MustCompile(`Lantian listening on (http://\S+)`)

// startServer starts "lantian serve" as a child process named name (its
// PostgreSQL application_name), running the jobs every second, and waits until it listens.
func startServer(t *testing.T, name, dsn, data string) *clusterServer {
	t.Helper()
	args := strings.Join([]string{"serve", "--db", dsn + "&application_name=lantian-" + name, "--addr", "127.0.0.1:0",
		"--data", data, "--jobs-every", "1s"}, "\x1f")
	s := &clusterServer{name: name, out: &lockedBuffer{}}
	s.cmd = exec.Command(os.Args[0], "-test.run=^TestServeChild$")
	s.cmd.Env = append(os.Environ(), childEnv+"="+args)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Signal(syscall.SIGTERM)
			s.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server %s:\n%s", name, s.out)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listening.FindStringSubmatch(s.out.String()); m != nil {
			s.base = m[1]
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("server %s did not start:\n%s", name, s.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call sends a JSON request and returns the status and the decoded body.
func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func signIn(t *testing.T, base, user, password string) (int, string) {
	t.Helper()
	status, out := call(t, "POST", base+"/api/v1/tokens", "", map[string]string{"username": user, "password": password})
	tok, _ := out["token"].(string)
	return status, tok
}

// waitUntil polls cond every 50 ms until it holds or limit passes.
func waitUntil(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// TestCluster runs three servers as child processes against one fresh
// PostgreSQL schema, with requests spread over them: (c) six wrong
// passwords over the three lock the account; (a) 200 overdue cases are
// escalated exactly once each while all three run their jobs; (b) a grid's
// polygon changed elsewhere places a new case reported through C within 5
// seconds; (d) SIGKILL of the server running the jobs loses no acknowledged
// case and another server takes the jobs over.
func TestCluster(t *testing.T) {
	if os.Getenv("LANTIAN_TEST_POSTGRES") == "" {
		if storetest.Required() {
			t.Fatal("LANTIAN_TEST_REQUIRE=1 but LANTIAN_TEST_POSTGRES is not set")
		}
		t.Skip("needs PostgreSQL (LANTIAN_TEST_POSTGRES)")
	}
	if testing.Short() {
		t.Skip("starts three servers")
	}
	ctx := context.Background()
	dsn := storetest.DSN(t, "postgres")
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir() // the photo folder all three share
	servers := []*clusterServer{startServer(t, "A", dsn, data)}
	// A started first, so it holds the job lock; check, then start B and C.
	if !waitUntil(10*time.Second, func() bool { return jobLeader(t, db) == "lantian-A" }) {
		t.Fatalf("A does not run the jobs: leader %q", jobLeader(t, db))
	}
	servers = append(servers, startServer(t, "B", dsn, data), startServer(t, "C", dsn, data))
	a, b, c := servers[0], servers[1], servers[2]

	t.Run("ThrottleAcrossServers", func(t *testing.T) {
		for i := range 6 {
			s := servers[i%3]
			status, _ := signIn(t, s.base, "community2", "wrong-password")
			want := http.StatusUnauthorized
			if i == 5 {
				want = http.StatusTooManyRequests
			}
			if status != want {
				t.Fatalf("wrong password %d through %s: %d, want %d", i+1, s.name, status, want)
			}
		}
		for _, s := range servers {
			if status, _ := signIn(t, s.base, "community2", demo.Password); status != http.StatusTooManyRequests {
				t.Errorf("right password through %s after six wrong ones: %d, want 429 (locked)", s.name, status)
			}
		}
	})

	_, token := signIn(t, b.base, "street", demo.Password)
	if token == "" {
		t.Fatal("street leader cannot sign in")
	}

	t.Run("EscalatedOnce", func(t *testing.T) {
		ids := insertOverdue(t, db, "ONCE", 200)
		if !waitUntil(30*time.Second, func() bool { return countAtStreet(t, db, ids) == len(ids) }) {
			t.Fatalf("%d of %d overdue cases escalated", countAtStreet(t, db, ids), len(ids))
		}
		time.Sleep(2500 * time.Millisecond) // two more job runs, which must find nothing to do
		checkEscalatedOnce(t, db, ids)
	})

	t.Run("PolygonSeenWithin5s", func(t *testing.T) {
		lat, lon := 34.6000, 105.7500 // north-east of the demo street: in no grid
		report := func(n int) (int, map[string]any) {
			return call(t, "POST", c.base+"/api/v1/cases", token, map[string]any{
				"client_id": fmt.Sprintf("6c1a9d0e-0000-4000-8000-%012d", n), "category": "06010",
				"description": "新网格里的问题", "lat": lat, "lon": lon, "class": "escalated"})
		}
		if status, _ := report(1); status != http.StatusUnprocessableEntity {
			t.Fatalf("report outside every grid through C: %d, want 422", status)
		}
		grid := demo.GridCode(5, 4)
		rg, err := db.Region(ctx, grid)
		if err != nil {
			t.Fatal(err)
		}
		rg.Geometry, err = region.ParseGeometry([]byte(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}`,
			lon-0.002, lat-0.002, lon+0.002, lat-0.002, lon+0.002, lat+0.002, lon-0.002, lat+0.002, lon-0.002, lat-0.002)))
		if err != nil {
			t.Fatal(err)
		}
		// The polygon is changed the way "lantian import regions" changes
		// it: by another process writing to the database.
		if err := db.SaveRegion(ctx, store.System, rg); err != nil {
			t.Fatal(err)
		}
		changed := time.Now()
		n := 1
		var got map[string]any
		ok := waitUntil(5*time.Second, func() bool {
			n++
			var status int
			status, got = report(n)
			return status == http.StatusCreated
		})
		if !ok {
			t.Fatalf("C still refuses a report in the moved grid %v after the change", time.Since(changed).Round(time.Millisecond))
		}
		if got["region"] != grid {
			t.Errorf("case placed in %v, want %s", got["region"], grid)
		}
		t.Logf("C placed the case in the new polygon %v after the change", time.Since(changed).Round(time.Millisecond))
	})

	t.Run("KillLosesNothing", func(t *testing.T) {
		var mu sync.Mutex
		acked := map[string]string{} // client id → server that acknowledged it
		var stop atomic.Bool
		var wg sync.WaitGroup
		var seq atomic.Int64
		for _, s := range servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					n := seq.Add(1)
					id := fmt.Sprintf("9d2b0c7e-0000-4000-8000-%012d", n)
					status, _ := call(t, "POST", s.base+"/api/v1/cases", token, map[string]any{
						"client_id": id, "category": "06010", "description": "宕机测试", "lat": 34.5722 + float64(n%50)*0.0002, "lon": 105.7022, "class": "escalated"})
					if status == http.StatusCreated {
						mu.Lock()
						acked[id] = s.name
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(1500 * time.Millisecond)
		if err := a.cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown
			t.Fatal(err)
		}
		killed := time.Now()
		a.cmd.Wait()
		time.Sleep(1500 * time.Millisecond)
		stop.Store(true)
		wg.Wait()
		byServer := map[string]int{}
		for id, s := range acked {
			byServer[s]++
			if _, err := db.CaseByClientID(ctx, id); err != nil {
				t.Errorf("case %s acknowledged by %s is not stored: %v", id, s, err)
			}
		}
		t.Logf("acknowledged cases by server: %v", byServer)
		if byServer["A"] == 0 || byServer["B"] == 0 {
			t.Fatalf("writes did not spread over the servers: %v", byServer)
		}

		if !waitUntil(60*time.Second, func() bool { l := jobLeader(t, db); return l == "lantian-B" || l == "lantian-C" }) {
			t.Fatalf("no server took the jobs over: leader %q", jobLeader(t, db))
		}
		t.Logf("%s took the jobs over %v after the kill", jobLeader(t, db), time.Since(killed).Round(time.Millisecond))
		ids := insertOverdue(t, db, "AFTR", 20)
		if !waitUntil(30*time.Second, func() bool { return countAtStreet(t, db, ids) == len(ids) }) {
			t.Fatalf("after the kill, %d of %d overdue cases escalated", countAtStreet(t, db, ids), len(ids))
		}
		checkEscalatedOnce(t, db, ids)
	})
}

// jobLeader names the server (its application_name) that holds the job lock, "" when none does.
func jobLeader(t *testing.T, db *store.DB) string {
	t.Helper()
	var name string
	err := db.Reader().QueryRowContext(context.Background(), `SELECT COALESCE(MAX(a.application_name), '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`, db.JobKey()).Scan(&name)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// insertOverdue stores n assigned community cases whose deadline passed
// five hours ago (the grace is four), and returns their ids.
func insertOverdue(t *testing.T, db *store.DB, tag string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	var ids []int64
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		for i := range n {
			col, row := i%6, (i/6)%5
			at := now.Add(-30 * time.Hour)
			c := cases.Case{ClientID: fmt.Sprintf("%s-%04d-4000-8000-%012d", strings.ToLower(tag), i, i), Description: "逾期未办",
				Region: demo.GridCode(col, row), Source: cases.SourcePatrol, Day: at.Format("2006-01-02"), UpdatedAt: at}
			c.Category, c.Lat, c.Lon, c.ReportedAt = "06010", 34.572, 105.702, at
			c.Status, c.Class, c.Severity, c.Level, c.Version = cases.StatusAssigned, cases.ClassEscalated, cases.SeverityMinor, 3, 1
			c.Held, c.Deadline, c.DeadlineFrom = demo.CommunityCode(col), now.Add(-5*time.Hour), at
			ev := []cases.Event{{At: at, ActorName: "test", Action: cases.ActionReport, Status: cases.StatusReported, Level: 3}}
			if err := tx.InsertCaseHistory(ctx, tag, &c, ev); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func countAtStreet(t *testing.T, db *store.DB, ids []int64) int {
	t.Helper()
	n := 0
	for _, id := range ids {
		var level int
		if err := db.Reader().QueryRowContext(context.Background(), `SELECT level FROM cases WHERE id = $1`, id).Scan(&level); err != nil {
			t.Fatal(err)
		}
		if level == 2 {
			n++
		}
	}
	return n
}

// checkEscalatedOnce checks that each case has exactly one escalation on its timeline.
func checkEscalatedOnce(t *testing.T, db *store.DB, ids []int64) {
	t.Helper()
	for _, id := range ids {
		var n int
		if err := db.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND action = 'escalate'`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("case %d has %d escalations on its timeline, want 1", id, n)
		}
	}
}
