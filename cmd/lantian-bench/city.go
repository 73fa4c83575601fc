package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lantian-org/lantian/internal/api"
	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// A city on PostgreSQL: 200 streets in four districts, each street with 5
// communities of 4 grids, a street leader per street and a community leader
// per community, and cases loaded with COPY. Then the ledger and creation
// are driven through one or three API servers in this process, each with
// its own connection pool, as three Lantian servers behind a balancer.
//
//	lantian-bench city      -db postgres://…/lantian_city -cases 10000000
//	lantian-bench city-list -db postgres://…/lantian_city -who street -servers 3 -n 5000
//	lantian-bench city-create -db postgres://…/lantian_city -servers 3 -n 5000

const (
	cityStreets     = 200
	cityCommunities = 5
	cityGrids       = 4
	cityYears       = 3
)

var cityDistricts = []string{"620502", "620503", "620521", "620522"}

// cityStreet is the code of street s (0 … 199).
func cityStreet(s int) string {
	return fmt.Sprintf("%s%03d000000", cityDistricts[s/50], 100+s%50)
}

func cityCommunity(s, c int) string { return cityStreet(s)[:9] + fmt.Sprintf("%03d000", c+1) }

func cityGrid(s, c, g int) string { return cityStreet(s)[:9] + fmt.Sprintf("%03d%03d", c+1, g+1) }

// cityCell is the box of grid (s, c, g): streets tile 35–36 N, 104–106 E
// in a 20 × 10 lattice of 0.1°, communities are columns, grids rows.
func cityCell(s, c, g int) (south, west, north, east float64) {
	west = 104 + float64(s%20)*0.1 + float64(c)*0.02
	south = 35 + float64(s/20)*0.1 + float64(g)*0.025
	return south, west, south + 0.025, west + 0.02
}

func box(south, west, north, east float64) *region.Geometry {
	g, err := region.ParseGeometry(fmt.Appendf(nil, `{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}`,
		west, south, east, south, east, north, west, north, west, south))
	if err != nil {
		panic(err)
	}
	return g
}

// cityRegions writes the districts, streets, communities and grids and
// their leaders, unless the first street exists already.
func cityRegions(ctx context.Context, db *store.DB) error {
	if ok, err := db.RegionExists(ctx, cityStreet(0)); err != nil || ok {
		return err
	}
	hash, err := people.HashPassword(demo.Password)
	if err != nil {
		return err
	}
	mobile := 0
	person := func(tx *store.Tx, username, code string) error {
		mobile++
		p := people.Person{Username: username, Name: "测试" + username, Mobile: fmt.Sprintf("1390%07d", mobile), Active: true,
			Roles: []people.Assignment{{Role: people.Leader, Region: code}}}
		return tx.CreatePerson(ctx, &p, hash)
	}
	return db.Write(ctx, store.Actor{Name: "bench"}, func(tx *store.Tx) error {
		for _, d := range cityDistricts {
			code := d + "000000000"
			if ok, err := db.RegionExists(ctx, code); err != nil {
				return err
			} else if !ok {
				if err := tx.InsertRegion(ctx, region.Region{Code: code, Name: "区" + d, Level: region.District}); err != nil {
					return err
				}
			}
		}
		for s := range cityStreets {
			st := cityStreet(s)
			if err := tx.InsertRegion(ctx, region.Region{Code: st, Name: fmt.Sprintf("街道%03d", s), Level: region.Street, Parent: st[:6] + "000000000"}); err != nil {
				return err
			}
			if err := person(tx, fmt.Sprintf("st%03d", s), st); err != nil {
				return err
			}
			// Each street numbers its cases with its own prefix (AA, AB, …), as a city would set them.
			set := region.Unset(st)
			set.CasePrefix = string(rune('A'+s/26)) + string(rune('A'+s%26))
			if err := tx.SaveStreetSettings(ctx, region.Unset(st), set); err != nil {
				return err
			}
			for c := range cityCommunities {
				cm := cityCommunity(s, c)
				so, we, _, _ := cityCell(s, c, 0)
				_, _, no, ea := cityCell(s, c, cityGrids-1)
				if err := tx.InsertRegion(ctx, region.Region{Code: cm, Name: fmt.Sprintf("社区%03d-%d", s, c), Level: region.Community, Parent: st, Geometry: box(so, we, no, ea)}); err != nil {
					return err
				}
				if err := person(tx, fmt.Sprintf("cm%03d_%d", s, c), cm); err != nil {
					return err
				}
				for g := range cityGrids {
					so, we, no, ea := cityCell(s, c, g)
					if err := tx.InsertRegion(ctx, region.Region{Code: cityGrid(s, c, g), Name: fmt.Sprintf("网格%03d-%d-%d", s, c, g), Level: region.Grid, Parent: cm, Geometry: box(so, we, no, ea)}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// cityFill loads cases (and one timeline entry each) with COPY until there are total.
func cityFill(ctx context.Context, a *app.App, dsn string, total int) error {
	if a.DB.Dialect != store.Postgres {
		return errors.New("city works on PostgreSQL only")
	}
	start := time.Now()
	if err := cityRegions(ctx, a.DB); err != nil {
		return err
	}
	fmt.Printf("regions and leaders ready in %v\n", time.Since(start).Round(time.Millisecond))
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var have, maxID int64
	if err := conn.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM cases`).Scan(&have, &maxID); err != nil {
		return err
	}
	if int(have) >= total {
		fmt.Printf("%d cases already\n", have)
		return nil
	}
	// Secondary indexes are built once after the load (a sort each) rather
	// than kept up row by row; foreign keys are not checked row by row
	// either (session_replication_role = replica): the rows are made valid.
	rows, err := conn.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename IN ('cases', 'case_events')
		AND indexname NOT IN (SELECT conname FROM pg_constraint)`)
	if err != nil {
		return err
	}
	var names, defs []string
	for rows.Next() {
		var n, d string
		if err := rows.Scan(&n, &d); err != nil {
			return err
		}
		names, defs = append(names, n), append(defs, d)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, set := range []string{`SET session_replication_role = replica`, `SET synchronous_commit = off`, `SET maintenance_work_mem = '1GB'`} {
		if _, err := conn.Exec(ctx, set); err != nil {
			return err
		}
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, `DROP INDEX `+pgx.Identifier{n}.Sanitize()); err != nil {
			return err
		}
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now()
	base := now.AddDate(-cityYears, 0, 0)
	span := now.Sub(base)
	rnd := rand.New(rand.NewPCG(uint64(have)+7, 11))
	codes := []string{"06010", "L005", "06012", "06027", "L006", "06020", "08004", "08012", "06014", "06029"}
	classes := []string{"onspot", "escalated", "committed"}
	cols := []string{"id", "number", "client_id", "category", "description", "lat", "lon", "region", "community", "street", "source",
		"class", "severity", "status", "level", "held", "deadline", "deadline_from", "reported_at", "closed_at", "day", "version", "updated_at"}
	evCols := []string{"case_id", "at", "actor_name", "action", "status", "level"}
	const chunk = 200000
	loadStart := time.Now()
	for done := int(have); done < total; {
		n := min(chunk, total-done)
		caseRows := make([][]any, 0, n)
		evRows := make([][]any, 0, n)
		for i := range n {
			k := done + i
			id := maxID + int64(i) + 1
			at := base.Add(time.Duration(float64(k) / float64(total) * float64(span)))
			s, c, g := rnd.IntN(cityStreets), rnd.IntN(cityCommunities), rnd.IntN(cityGrids)
			so, we, _, _ := cityCell(s, c, g)
			lat, lon := so+0.001+rnd.Float64()*0.023, we+0.001+rnd.Float64()*0.018
			status, level, held := "closed", 3, cityCommunity(s, c)
			closed, deadline := at.Add(time.Duration(6+rnd.IntN(60))*time.Hour).UnixMilli(), int64(0)
			if now.Sub(at) < 30*24*time.Hour {
				status = []string{"reported", "filed", "assigned", "assigned", "handled", "closed", "closed"}[rnd.IntN(7)]
			} else if rnd.IntN(12) == 0 {
				status = "rejected"
			}
			if status != "closed" {
				closed = 0
			}
			if status != "closed" && status != "rejected" {
				deadline = at.Add(48 * time.Hour).UnixMilli()
			}
			if rnd.IntN(7) == 0 {
				level, held = 2, cityStreet(s)
			}
			day := at.In(loc)
			caseRows = append(caseRows, []any{id, fmt.Sprintf("C%03d-%s-%07d", s, day.Format("20060102"), k), fmt.Sprintf("city-%09d", k),
				codes[rnd.IntN(len(codes))], "城市规模测试问题", lat, lon, cityGrid(s, c, g), cityCommunity(s, c), cityStreet(s), "patrol",
				classes[rnd.IntN(3)], "minor", status, level, held, deadline, at.UnixMilli(), at.UnixMilli(), closed, day.Format("2006-01-02"), 1, at.UnixMilli()})
			evRows = append(evRows, []any{id, at.UnixMilli(), "bench", "report", "reported", 3})
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"cases"}, cols, pgx.CopyFromRows(caseRows)); err != nil {
			return fmt.Errorf("copy cases: %w", err)
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"case_events"}, evCols, pgx.CopyFromRows(evRows)); err != nil {
			return fmt.Errorf("copy case events: %w", err)
		}
		done += n
		maxID += int64(n)
		el := time.Since(loadStart).Seconds()
		fmt.Printf("%d cases, %.0f/s\n", done, float64(done-int(have))/el)
	}
	if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT MAX(id) FROM cases))`); err != nil {
		return err
	}
	fmt.Printf("loaded in %v; building %d indexes\n", time.Since(loadStart).Round(time.Second), len(defs))
	for i, d := range defs {
		t := time.Now()
		if _, err := conn.Exec(ctx, d); err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		fmt.Printf("  %s: %v\n", names[i], time.Since(t).Round(100*time.Millisecond))
	}
	t := time.Now()
	if err := a.DB.RebuildCaseTally(ctx); err != nil { // COPY wrote the cases past the store
		return err
	}
	fmt.Printf("  case tally: %v\n", time.Since(t).Round(100*time.Millisecond))
	t = time.Now()
	if _, err := conn.Exec(ctx, `ANALYZE cases; ANALYZE case_events`); err != nil {
		return err
	}
	fmt.Printf("analyze %v; total %v\n", time.Since(t).Round(100*time.Millisecond), time.Since(start).Round(time.Second))
	var size string
	conn.QueryRow(ctx, `SELECT pg_size_pretty(pg_database_size(current_database()))`).Scan(&size)
	fmt.Printf("database size %s\n", size)
	return nil
}

// cityServers starts n API servers on loopback, each over its own store
// (its own connection pool), and signs in the leaders of the kind who.
type cityRig struct {
	bases  []string
	apps   []*app.App
	tokens []string   // one per leader
	scopes [][]string // the streets whose points each leader may report in (creation)
	hc     *http.Client
	close  func()
}

func cityStart(ctx context.Context, dsn string, servers, leaders int, who string, clients int) (*cityRig, error) {
	rig := &cityRig{}
	var closers []func()
	rig.close = func() {
		for _, c := range closers {
			c()
		}
	}
	for range servers {
		cfg := config.Default()
		cfg.DB, cfg.Data = dsn, os.TempDir()
		loc, _ := cfg.Validate()
		db, err := store.Open(ctx, dsn, nil)
		if err != nil {
			rig.close()
			return nil, err
		}
		a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
		if err != nil {
			rig.close()
			return nil, err
		}
		lctx, cancel := context.WithCancel(ctx)
		go db.Listen(lctx)
		mux := http.NewServeMux()
		api.New(a).Routes(mux)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			cancel()
			rig.close()
			return nil, err
		}
		srv := &http.Server{Handler: mux}
		go srv.Serve(ln)
		closers = append(closers, func() { srv.Close(); cancel(); db.Close() })
		rig.bases = append(rig.bases, "http://"+ln.Addr().String())
		rig.apps = append(rig.apps, a)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	rig.hc = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	rnd := rand.New(rand.NewPCG(3, 5))
	for i := range leaders {
		s := rnd.IntN(cityStreets)
		user := fmt.Sprintf("st%03d", s)
		if who == "community" {
			user = fmt.Sprintf("cm%03d_%d", s, rnd.IntN(cityCommunities))
		}
		body, _ := json.Marshal(map[string]string{"username": user, "password": demo.Password})
		resp, err := rig.hc.Post(rig.bases[i%len(rig.bases)]+"/api/v1/tokens", "application/json", bytes.NewReader(body))
		if err != nil {
			rig.close()
			return nil, err
		}
		var tok struct{ Token string }
		json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		if tok.Token == "" {
			rig.close()
			return nil, fmt.Errorf("sign-in of %s failed: %d", user, resp.StatusCode)
		}
		rig.tokens = append(rig.tokens, tok.Token)
		rig.scopes = append(rig.scopes, []string{fmt.Sprint(s)})
	}
	return rig, nil
}

// cityDrive sends n requests from clients goroutines, each from a random
// leader to a random server, and prints the figures.
func cityDrive(rig *cityRig, n, clients int, req func(rnd *rand.Rand, leader int) (method, path string, body []byte)) error {
	var seed atomic.Uint64
	do := func(i int) bool {
		rnd := rand.New(rand.NewPCG(seed.Add(1), uint64(i)))
		l := rnd.IntN(len(rig.tokens))
		method, path, body := req(rnd, l)
		hr, _ := http.NewRequest(method, rig.bases[rnd.IntN(len(rig.bases))]+path, bytes.NewReader(body))
		hr.Header.Set("Authorization", "Bearer "+rig.tokens[l])
		hr.Header.Set("Content-Type", "application/json")
		resp, err := rig.hc.Do(hr)
		if err != nil {
			return false
		}
		var sink bytes.Buffer
		sink.ReadFrom(resp.Body)
		resp.Body.Close()
		return resp.StatusCode < 300
	}
	for i := range 100 {
		do(i)
	}
	lat, failures, elapsed := load(clients, n, do)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("%d requests, %d clients, %d server(s): %.0f req/s, p50 %v, p99 %v, max %v, failures %d, heap in use %d MB (all servers)\n",
		n, clients, len(rig.bases), float64(n)/elapsed.Seconds(), lat[n/2].Round(10*time.Microsecond), lat[n*99/100].Round(10*time.Microsecond),
		lat[n-1].Round(time.Millisecond), failures, ms.HeapInuse>>20)
	return nil
}

// cityListQuery is a ledger page a leader opens: a filter drawn from the
// ones people use, over their own scope, 50 rows with the total.
func cityListQuery(rnd *rand.Rand, _ int) (string, string, []byte) {
	from := time.Now().AddDate(0, -rnd.IntN(30), -rnd.IntN(28))
	filters := []string{
		"", "status=closed", "status=assigned&sort=deadline", "class=onspot", "category=06010", "category=L005&status=closed",
		"level=2", "overdue=1", "from=" + from.Format("2006-01-02") + "&to=" + from.AddDate(0, 1, 0).Format("2006-01-02"),
		"status=closed&from=" + from.Format("2006-01-02"),
	}
	return "GET", "/api/v1/cases?page_size=50&" + filters[rnd.IntN(len(filters))], nil
}

var citySeq atomic.Int64

// cityCreate reports a case at a random point in the leader's street.
func cityCreate(rig *cityRig) func(rnd *rand.Rand, leader int) (string, string, []byte) {
	return func(rnd *rand.Rand, leader int) (string, string, []byte) {
		var s int
		fmt.Sscan(rig.scopes[leader][0], &s)
		c, g := rnd.IntN(cityCommunities), rnd.IntN(cityGrids)
		so, we, _, _ := cityCell(s, c, g)
		n := citySeq.Add(1)
		body := fmt.Sprintf(`{"client_id":"%08x-%04x-4000-8000-%012d","category":"06010","description":"城市规模基准上报","lat":%f,"lon":%f,"class":"escalated"}`,
			uint32(time.Now().UnixNano()), n%65536, n, so+0.001+rnd.Float64()*0.02, we+0.001+rnd.Float64()*0.015)
		return "POST", "/api/v1/cases", []byte(body)
	}
}

// cityBench runs city-list or city-create.
func cityBench(ctx context.Context, dsn, cmd string, servers, leaders int, who string, n, clients int) error {
	if cmd == "city-create" {
		who = "street"
	}
	rig, err := cityStart(ctx, dsn, servers, leaders, who, clients)
	if err != nil {
		return err
	}
	defer rig.close()
	if cmd == "city-create" {
		return cityDrive(rig, n, clients, cityCreate(rig))
	}
	return cityDrive(rig, n, clients, cityListQuery)
}
