package main

// Patrol benchmarks:
//
//	go run ./cmd/lantian-bench track      -db /tmp/bench-track.db -clients 32 -n 20000 -batch 100
//	go run ./cmd/lantian-bench compliance -db /tmp/bench-compliance.db -clients 32 -n 2000
//
// track starts one patrol per client (each signed in as its own demo
// patroller) and sends n batches of track points over loopback HTTP;
// compliance fills a separate database with a street of 500 grids and a year
// of ended patrols (two a working day, with site visits), then times the
// compliance of all 500 grids × 365 days in the store, the same through the
// API page by page, and n requests for a community's month (a leader's calendar).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lantian-org/lantian/internal/api"
	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// serveAPI serves the API on loopback; stop ends it.
func serveAPI(a *app.App, clients int) (base string, hc *http.Client, stop func(), err error) {
	mux := http.NewServeMux()
	api.New(a).Routes(mux)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	return "http://" + ln.Addr().String(), &http.Client{Transport: tr, Timeout: 60 * time.Second}, func() { srv.Close() }, nil
}

func signIn(base string, hc *http.Client, user string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": user, "password": demo.Password})
	resp, err := hc.Post(base+"/api/v1/tokens", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&tok)
	if tok.Token == "" {
		return "", fmt.Errorf("sign in as %s: %s", user, resp.Status)
	}
	return tok.Token, nil
}

// trackBench sends n batches of batch points from clients patrollers.
func trackBench(ctx context.Context, a *app.App, n, clients, batch int) error {
	if clients > 60 {
		return fmt.Errorf("at most 60 clients (one demo patroller each)")
	}
	base, hc, stop, err := serveAPI(a, clients)
	if err != nil {
		return err
	}
	defer stop()
	type walker struct {
		c     *client
		path  string
		start time.Time
		next  int // next point number
		lat   float64
		lon   float64
	}
	run := time.Now().UnixNano()
	walkers := make([]*walker, clients)
	for i := range walkers {
		user := fmt.Sprintf("patrol%02d", i+1)
		tok, err := signIn(base, hc, user)
		if err != nil {
			return err
		}
		g := i / 2 // patrol(2g+1) and patrol(2g+2) walk grid g = c*5+r
		grid := demo.GridCode(g/5, g%5)
		rg, err := a.DB.Region(ctx, grid)
		if err != nil {
			return err
		}
		b := rg.Geometry.Bound()
		start := time.Now().Add(-72 * time.Hour).Truncate(time.Second)
		id := fmt.Sprintf("be9c0000-%04x-4000-8000-%012x", i, uint64(run)&0xffffffffffff)
		w := &walker{c: &client{base: base, token: tok, http: hc}, path: "/api/v1/patrols/" + id, start: start,
			lat: b.Center()[1], lon: b.Center()[0]}
		body, _ := json.Marshal(map[string]string{"id": id, "grid": grid, "started_at": start.Format(time.RFC3339)})
		if status, err := w.c.do("POST", "/api/v1/patrols", body); err != nil || status != 201 {
			return fmt.Errorf("start patrol as %s: %d %v", user, status, err)
		}
		walkers[i] = w
	}
	// Each request's body is made before it is timed: the phone has it ready.
	mkBatch := func(w *walker, rnd *rand.Rand) []byte {
		var sb strings.Builder
		sb.WriteString(`{"points":[`)
		for k := 0; k < batch; k++ {
			if k > 0 {
				sb.WriteByte(',')
			}
			t := w.start.Add(time.Duration(w.next) * time.Second)
			w.next++
			w.lat += (rnd.Float64() - 0.5) * 0.00002
			w.lon += (rnd.Float64() - 0.5) * 0.00002
			fmt.Fprintf(&sb, `{"t":%q,"lat":%.6f,"lon":%.6f,"acc":%d}`, t.Format(time.RFC3339), w.lat, w.lon, 3+rnd.IntN(10))
		}
		sb.WriteString(`]}`)
		return []byte(sb.String())
	}
	lat := make([]time.Duration, n)
	var next, failures, stored atomic.Int64
	var wg sync.WaitGroup
	var ms runtime.MemStats
	begin := time.Now()
	for ci := 0; ci < clients; ci++ {
		wg.Add(1)
		go func(w *walker) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(ci), 9))
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				body := mkBatch(w, rnd)
				t := time.Now()
				req, _ := http.NewRequest("POST", w.c.base+w.path+"/track", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+w.c.token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := w.c.http.Do(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				var out struct{ Accepted, Stored int }
				json.NewDecoder(resp.Body).Decode(&out)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t)
				if resp.StatusCode != 200 || out.Accepted != batch {
					failures.Add(1)
				}
				stored.Add(int64(out.Stored))
			}
		}(walkers[ci])
	}
	wg.Wait()
	elapsed := time.Since(begin)
	runtime.ReadMemStats(&ms)
	slices.Sort(lat)
	fmt.Printf("%d batches of %d points, %d clients: %.0f points/s (%.0f req/s), p50 %v, p99 %v, max %v, failures %d, stored %d, heap in use %d MB, sys %d MB\n",
		n, batch, clients, float64(stored.Load())/elapsed.Seconds(), float64(n)/elapsed.Seconds(), lat[n/2].Round(10*time.Microsecond),
		lat[n*99/100].Round(10*time.Microsecond), lat[n-1].Round(time.Millisecond), failures.Load(), stored.Load(), ms.HeapInuse>>20, ms.Sys>>20)
	// Ending a long patrol measures its whole track.
	t := time.Now()
	w := walkers[0]
	body, _ := json.Marshal(map[string]string{"ended_at": w.start.Add(time.Duration(w.next) * time.Second).Format(time.RFC3339)})
	if status, err := w.c.do("POST", w.path+"/end", body); err != nil || status != 200 {
		return fmt.Errorf("end: %d %v", status, err)
	}
	fmt.Printf("ending a patrol of %d points took %v\n", w.next, time.Since(t).Round(time.Millisecond))
	return nil
}

// Codes of the generated street of the compliance benchmark: 50 communities of 10 grids.
const benchStreet = "620502099000000"

func benchCommunity(c int) string { return fmt.Sprintf("620502099%03d000", c+1) }
func benchGrid(c, g int) string   { return fmt.Sprintf("620502099%03d%03d", c+1, g+1) }

// fillCompliance makes the generated street and a year of its patrols, unless done before.
func fillCompliance(ctx context.Context, a *app.App, days int) error {
	if ok, err := a.DB.RegionExists(ctx, benchStreet); err != nil || ok {
		return err
	}
	begin := time.Now()
	err := a.DB.Write(ctx, store.Actor{Name: "bench"}, func(tx *store.Tx) error {
		if err := tx.InsertRegion(ctx, region.Region{Code: benchStreet, Name: "基准街道", Level: region.Street, Parent: demo.DistrictCode}); err != nil {
			return err
		}
		for c := 0; c < 50; c++ {
			if err := tx.InsertRegion(ctx, region.Region{Code: benchCommunity(c), Name: fmt.Sprintf("基准社区%d", c+1), Level: region.Community, Parent: benchStreet}); err != nil {
				return err
			}
			for g := 0; g < 10; g++ {
				if err := tx.InsertRegion(ctx, region.Region{Code: benchGrid(c, g), Name: fmt.Sprintf("基准社区%d第%d网格", c+1, g+1), Level: region.Grid, Parent: benchCommunity(c)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cal, err := a.Cases.Calendar(ctx)
	if err != nil {
		return err
	}
	var admin int64
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT id FROM people WHERE username = 'admin'`).Scan(&admin); err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(5, 5))
	plan := patrol.DefaultPlan("")
	first := time.Now().In(a.Loc).AddDate(0, 0, -days)
	const perStmt = 100
	const patrolCols = 15
	var rowsP, rowsV []any
	seq := 0
	flush := func(tx *store.Tx, final bool) error {
		for len(rowsP) >= perStmt*patrolCols || (final && len(rowsP) > 0) {
			k := min(perStmt, len(rowsP)/patrolCols)
			if _, err := tx.ExecContext(ctx, multiInsert(`INSERT INTO patrols (uid, grid, patroller_id, day, win, state, started_at, ended_at,
				points, duration_s, length_m, max_speed, flags, created_at, updated_at) VALUES `, patrolCols, k), rowsP[:k*patrolCols]...); err != nil {
				return err
			}
			rowsP = rowsP[k*patrolCols:]
		}
		for len(rowsV) >= perStmt*8 || (final && len(rowsV) > 0) {
			k := min(perStmt, len(rowsV)/8)
			// Visits point at the first patrol: compliance reads their grid and day only.
			if _, err := tx.ExecContext(ctx, multiInsert(`INSERT INTO patrol_visits (uid, patrol_id, grid, day, site, at, lat, lon, created_at) VALUES `, 8, k, "(SELECT MIN(id) FROM patrols)"),
				rowsV[:k*8]...); err != nil {
				return err
			}
			rowsV = rowsV[k*8:]
		}
		return nil
	}
	for d := 0; d < days; d++ {
		day := first.AddDate(0, 0, d)
		date := patrol.Day(day, a.Loc)
		err := a.DB.Write(ctx, store.Actor{Name: "bench"}, func(tx *store.Tx) error {
			for c := 0; c < 50; c++ {
				for g := 0; g < 10; g++ {
					grid := benchGrid(c, g)
					for w := range plan.Required(cal, day) {
						if rnd.IntN(100) < 4 {
							continue
						}
						from, _ := plan.Windows[w].Bounds(day, a.Loc)
						start := from.Add(time.Duration(rnd.IntN(180)) * time.Minute)
						dur := time.Duration(20+rnd.IntN(50)) * time.Minute
						flags := 0
						if rnd.IntN(100) == 0 {
							flags = int(patrol.AllFlags[rnd.IntN(len(patrol.AllFlags))].Bit())
						}
						seq++
						rowsP = append(rowsP, fmt.Sprintf("be9d0000-0000-4000-8000-%012d", seq), grid, admin, date, w+1, "ended",
							start.UnixMilli(), start.Add(dur).UnixMilli(), 30, int64(dur/time.Second), 800+rnd.IntN(1500), 4.5, flags, start.UnixMilli(), start.UnixMilli())
						rowsV = append(rowsV, fmt.Sprintf("be9e0000-0000-4000-8000-%012d", seq), grid, date, fmt.Sprintf("point:%d", 1+rnd.IntN(3)),
							start.UnixMilli(), 34.58, 105.72, start.UnixMilli())
					}
				}
			}
			if err := flush(tx, true); err != nil {
				return err
			}
			return tx.RefreshPatrolDays(ctx, benchStreet, benchGrid(49, 9), date, date)
		})
		if err != nil {
			return err
		}
	}
	fmt.Printf("generated 500 grids × %d days: %d patrols with a visit each in %v\n", days, seq, time.Since(begin).Round(time.Millisecond))
	return nil
}

// multiInsert builds "prefix (…), (…)" for k rows of cols placeholders; fixed
// values are put after the first placeholder of each row.
func multiInsert(prefix string, cols, k int, fixed ...string) string {
	var b strings.Builder
	b.WriteString(prefix)
	n := 0
	for r := 0; r < k; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			fmt.Fprintf(&b, "$%d", n)
			if c == 0 {
				for _, f := range fixed {
					b.WriteString(", " + f)
				}
			}
		}
		b.WriteString(")")
	}
	return b.String()
}

// complianceBench times compliance for the generated street's 500 grids over a year.
func complianceBench(ctx context.Context, a *app.App, n, clients int) error {
	const days = 365
	if err := fillCompliance(ctx, a, days); err != nil {
		return err
	}
	// The service first, as the admin: what the pages and the API both call.
	who, _, err := a.DB.Credentials(ctx, "admin")
	if err != nil {
		return err
	}
	admin := &auth.Principal{PersonID: who.ID, Username: who.Username, Name: who.Name, Roles: who.Roles}
	grids, err := a.DB.GridsUnder(ctx, false, []string{benchStreet})
	if err != nil {
		return err
	}
	codes := make([]string, len(grids))
	for i, g := range grids {
		codes[i] = g.Code
	}
	today := time.Now().In(a.Loc)
	from, to := patrol.Day(today.AddDate(0, 0, -days), a.Loc), patrol.Day(today.AddDate(0, 0, -1), a.Loc)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for round := 1; round <= 3; round++ {
		t := time.Now()
		res, err := a.Patrols.Compliance(ctx, admin, patrolsvc.ComplianceQuery{Region: benchStreet, From: from, To: to, All: true})
		if err != nil {
			return err
		}
		runtime.ReadMemStats(&after)
		rate, _ := patrol.Rate(res.Items)
		fmt.Printf("service, round %d: %d grids × %d days = %d items in %v (completion %.1f %%), heap in use %d MB\n",
			round, len(codes), res.Total/len(codes), len(res.Items), time.Since(t).Round(time.Millisecond), rate*100, after.HeapInuse>>20)
	}
	base, hc, stop, err := serveAPI(a, clients)
	if err != nil {
		return err
	}
	defer stop()
	tok, err := signIn(base, hc, "admin")
	if err != nil {
		return err
	}
	c := &client{base: base, token: tok, http: hc}
	t := time.Now()
	pages := 0
	for page := 1; ; page++ {
		status, err := c.do("GET", fmt.Sprintf("/api/v1/compliance?region=%s&from=%s&to=%s&page=%d&page_size=5000", benchStreet, from, to, page), nil)
		if err != nil || status != 200 {
			return fmt.Errorf("page %d: %d %v", page, status, err)
		}
		pages++
		if page*5000 >= len(codes)*days {
			break
		}
	}
	fmt.Printf("API: the street's year in %d pages of 5,000 items: %v\n", pages, time.Since(t).Round(time.Millisecond))
	// A leader's calendar: one community's 10 grids over a month, from clients at once.
	month := patrol.Day(today.AddDate(0, -1, 0), a.Loc)
	lat, failures, elapsed := load(clients, n, func(i int) bool {
		status, err := c.do("GET", fmt.Sprintf("/api/v1/compliance?region=%s&from=%s&to=%s", benchCommunity(i%50), month, to), nil)
		return err == nil && status == 200
	})
	fmt.Printf("API: a community's month (10 grids × 31 days), %d requests, %d clients: %.0f req/s, p50 %v, p99 %v, failures %d\n",
		n, clients, float64(n)/elapsed.Seconds(), lat[n/2].Round(10*time.Microsecond), lat[n*99/100].Round(10*time.Microsecond), failures)
	return nil
}
