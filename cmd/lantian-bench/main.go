// Command lantian-bench measures Lantian on this machine: it fills a
// database with generated cases and drives the JSON API over real loopback
// HTTP with concurrent clients, printing throughput and latency percentiles.
// Figures go to docs/benchmarks.md; nothing here is a test.
//
//	go run ./cmd/lantian-bench fill   -db /tmp/bench.db -cases 1000000
//	go run ./cmd/lantian-bench create -db /tmp/bench.db -clients 32 -n 20000
//	go run ./cmd/lantian-bench list   -db /tmp/bench.db -clients 32 -n 5000 [-shapes] [-mix-only]
//	go run ./cmd/lantian-bench export -db /tmp/bench.db -cases 100000
//	go run ./cmd/lantian-bench track  -db /tmp/bench-track.db -clients 32 -n 20000 -batch 100
//	go run ./cmd/lantian-bench compliance -db /tmp/bench-compliance.db -n 2000
//	go run ./cmd/lantian-bench uploads -db /tmp/bench-uploads.db -clients 20 -n 400
//	go run ./cmd/lantian-bench inspect -db /tmp/bench.db -n 100
//	go run ./cmd/lantian-bench city -db postgres://…/lantian_city -cases 10000000   (city.go)
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/store"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: lantian-bench fill|create|list|export|track|compliance|uploads|inspect|city|city-list|city-create [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dsn := fs.String("db", "/tmp/lantian-bench.db", "database (SQLite file or postgres:// URL)")
	n := fs.Int("n", 20000, "requests to send")
	clients := fs.Int("clients", 32, "concurrent clients")
	total := fs.Int("cases", 1000000, "cases to generate (fill) or export (export)")
	filter := fs.String("filter", "", "list: one query string to send instead of the mix")
	batch := fs.Int("batch", 100, "track: points per request")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	url := fs.String("url", "", "uploads: the server to target instead of one in this process")
	pid := fs.String("pid", "", "uploads: with -url, the server's process id, for its peak memory")
	user := fs.String("user", "admin", "uploads: who uploads")
	password := fs.String("password", "", "uploads: their password (default the demo's)")
	servers := fs.Int("servers", 1, "city-list, city-create: API servers in this process over the same database")
	who := fs.String("who", "street", "city-list: street or community leaders")
	leaders := fs.Int("leaders", 40, "city-list, city-create: leaders signed in, drawn at random")
	shapes := fs.Bool("shapes", false, "list: print the slowest request shapes of the mix")
	mixOnly := fs.Bool("mix-only", false, "list: the uncacheable mix alone, without the six fixed filters")
	fs.Parse(os.Args[2:])
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	if os.Args[1] == "uploads" {
		// Its own server (with a fresh photo folder), or another process's.
		if err := uploadsBench(ctx, *dsn, *url, *pid, *user, *password, *n, *clients); err != nil {
			pprof.StopCPUProfile()
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if os.Args[1] == "city-list" || os.Args[1] == "city-create" {
		if err := cityBench(ctx, *dsn, os.Args[1], *servers, *leaders, *who, *n, *clients); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	a, err := open(ctx, *dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer a.DB.Close()
	switch os.Args[1] {
	case "fill":
		err = fill(ctx, a, *total)
	case "city":
		err = cityFill(ctx, a, *dsn, *total)
	case "create":
		err = drive(a, *n, *clients, createCase)
	case "list":
		// The uncacheable mix first, then (as a second line) the six fixed filters, or one given filter alone.
		if *filter != "" {
			err = drive(a, *n, *clients, func(c *client, i int) (int, error) { return c.do("GET", "/api/v1/cases?page_size=50&"+*filter, nil) })
			break
		}
		if err = listMix(ctx, a, *n, *clients, *shapes); err == nil && !*mixOnly {
			fmt.Print("six fixed filters: ")
			err = drive(a, *n, *clients, listCases)
		}
	case "export":
		err = export(ctx, a, *total)
	case "track":
		err = trackBench(ctx, a, *n, *clients, *batch)
	case "compliance":
		err = complianceBench(ctx, a, *n, *clients)
	case "inspect":
		err = inspectBench(ctx, a, *n)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func open(ctx context.Context, dsn string) (*app.App, error) {
	cfg := config.Default()
	cfg.DB, cfg.Data = dsn, os.TempDir()
	loc, _ := cfg.Validate()
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		return nil, err
	}
	if _, err := demo.Seed(ctx, db); err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
}

// fill inserts generated cases in batches of 5,000 per transaction.
func fill(ctx context.Context, a *app.App, total int) error {
	_, have, err := a.DB.Cases(ctx, store.CaseFilter{All: true, ExactTotal: true, Page: store.Page{Size: 1}})
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	codes := []string{"06010", "L005", "06012", "06027", "L006", "06020", "08004", "08012", "06014", "06029"}
	statuses := []cases.Status{cases.StatusClosed, cases.StatusClosed, cases.StatusClosed, cases.StatusAssigned, cases.StatusHandled, cases.StatusReported, cases.StatusFiled, cases.StatusRejected}
	classes := []cases.Class{cases.ClassOnSpot, cases.ClassEscalated, cases.ClassCommitted}
	start := time.Now()
	base := time.Now().AddDate(-2, 0, 0)
	for done := have; done < total; {
		batch := min(5000, total-done)
		err := a.DB.Write(ctx, store.Actor{Name: "bench"}, func(tx *store.Tx) error {
			for i := 0; i < batch; i++ {
				col, row := rnd.IntN(6), rnd.IntN(5)
				at := base.Add(time.Duration(float64(done+i) / float64(total) * float64(2*365*24*time.Hour)))
				c := cases.Case{ClientID: fmt.Sprintf("%08x-0000-4000-8000-%012d", rnd.Uint32(), done+i), Description: "批量生成的测试问题",
					Region: demo.GridCode(col, row), Source: cases.SourcePatrol, Day: at.Format("2006-01-02")}
				c.Category, c.Lat, c.Lon, c.ReportedAt = codes[rnd.IntN(len(codes))], 34.571+rnd.Float64()*0.018, 105.701+rnd.Float64()*0.038, at
				c.Status, c.Class, c.Severity, c.Level, c.Version = statuses[rnd.IntN(len(statuses))], classes[rnd.IntN(3)], cases.SeverityMinor, 3, 1
				c.Held = demo.CommunityCode(col)
				c.UpdatedAt = at
				if c.Status.Pending() {
					c.Deadline = at.Add(48 * time.Hour)
				}
				ev := []cases.Event{{At: at, ActorName: "bench", Action: cases.ActionReport, Status: cases.StatusReported, Level: 3}}
				if err := tx.InsertCaseHistory(ctx, "BM", &c, ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += batch
		if done%100000 == 0 || done == total {
			fmt.Printf("%d cases, %.0f/s\n", done, float64(done-have)/time.Since(start).Seconds())
		}
	}
	// PostgreSQL plans the ledger with its statistics: gather them after a
	// bulk load rather than waiting for autovacuum. (SQLite's ledger
	// queries name their indexes and need none.)
	return a.DB.Analyze(ctx, "cases")
}

type target func(c *client, i int) (int, error)

type client struct {
	base  string
	token string
	http  *http.Client
}

func (c *client) do(method, path string, body []byte) (int, error) {
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

var seq atomic.Int64

func createCase(c *client, i int) (int, error) {
	n := seq.Add(1)
	body := fmt.Sprintf(`{"client_id":"%08x-%04x-4000-8000-%012d","category":"06010","description":"基准测试上报","lat":%f,"lon":%f,"class":"escalated"}`,
		uint32(time.Now().UnixNano()), n%65536, n, 34.572+float64(n%100)*0.0001, 105.702+float64(n%97)*0.0001)
	return c.do("POST", "/api/v1/cases", []byte(body))
}

func listCases(c *client, i int) (int, error) {
	filters := []string{"status=closed", "status=assigned&sort=deadline", "class=onspot", "category=06010", "region=620502004002000&status=closed", "level=3&from=2025-06-01&to=2025-12-31"}
	return c.do("GET", "/api/v1/cases?page_size=50&"+filters[i%len(filters)], nil)
}

// drive serves the API on loopback and sends n requests from clients goroutines.
func drive(a *app.App, n, clients int, fn target) error {
	base, hc, stop, err := serveAPI(a, clients)
	if err != nil {
		return err
	}
	defer stop()
	hc.Timeout = 30 * time.Second
	token, err := signIn(base, hc, "admin")
	if err != nil {
		return err
	}
	c := &client{base: base, token: token, http: hc}
	// Warm up.
	for i := 0; i < 50; i++ {
		fn(c, i)
	}
	lat, failures, elapsed := load(clients, n, func(i int) bool {
		status, err := fn(c, i)
		return err == nil && status < 300
	})
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("%d requests, %d clients: %.0f req/s, p50 %v, p99 %v, max %v, failures %d, heap in use %d MB, sys %d MB\n",
		n, clients, float64(n)/elapsed.Seconds(), lat[n/2].Round(10*time.Microsecond), lat[n*99/100].Round(10*time.Microsecond),
		lat[n-1].Round(time.Millisecond), failures, ms.HeapInuse>>20, ms.Sys>>20)
	return nil
}

// load calls do(0) … do(n-1) from clients goroutines at once; do reports
// whether its call succeeded. It returns the calls' latencies, sorted, how
// many failed, and how long they all took.
func load(clients, n int, do func(i int) bool) ([]time.Duration, int64, time.Duration) {
	lat := make([]time.Duration, n)
	var next, failures atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t := time.Now()
				ok := do(i)
				lat[i] = time.Since(t)
				if !ok {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return lat, failures.Load(), elapsed
}

// export writes the first total cases as Excel to a discarding writer and reports time and memory.
func export(ctx context.Context, a *app.App, total int) error {
	names, err := a.RegionNames(ctx)
	if err != nil {
		return err
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak := uint64(0)
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	start := time.Now()
	f := store.CaseFilter{All: true, Sort: "oldest"}
	cw := &countWriter{}
	// Limit to total rows by filtering on the first days that hold them.
	list, _, err := a.DB.Cases(ctx, store.CaseFilter{All: true, Sort: "oldest", Page: store.Page{Page: total / 100, Size: 100}})
	if err != nil || len(list) == 0 {
		return fmt.Errorf("not enough cases for %d rows: %v", total, err)
	}
	f.To = list[len(list)-1].Day
	err = a.Cases.ExportXLSX(ctx, cw, locale.New("zh-CN"), f, names)
	close(stop)
	if err != nil {
		return err
	}
	_, rows, _ := a.DB.Cases(ctx, store.CaseFilter{All: true, To: f.To, ExactTotal: true, Page: store.Page{Size: 1}})
	fmt.Printf("exported %d rows in %v, %d MB written, peak heap in use %d MB\n", rows, time.Since(start).Round(10*time.Millisecond), cw.n>>20, peak>>20)
	return nil
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
