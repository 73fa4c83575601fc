package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/ledgermix"
	"github.com/lantian-org/lantian/internal/store"
)

// mixOptions reads the values the ledger's filters choose from: the
// category tree, the units, and two years of report days up to today.
func mixOptions(ctx context.Context, a *app.App) (ledgermix.Options, error) {
	var o ledgermix.Options
	tree, err := a.DB.Categories(ctx)
	if err != nil {
		return o, err
	}
	for _, g := range tree {
		o.Groups = append(o.Groups, g.Code)
		for _, c := range g.Children {
			o.Categories = append(o.Categories, c.Code)
		}
	}
	units, _, err := a.DB.Units(ctx, store.UnitFilter{Roots: []string{demo.DistrictCode}, Page: store.Page{Size: 100}})
	if err != nil {
		return o, err
	}
	for _, u := range units {
		o.Units = append(o.Units, u.ID)
	}
	o.End = time.Now()
	o.Start = o.End.AddDate(-2, 0, 0)
	return o, nil
}

// listMix sends n ledger requests from clients goroutines, each drawn at
// random (ledgermix) as one of the street's leaders or its inspector; it
// prints throughput and latency, and with shapes the slowest request shapes.
func listMix(ctx context.Context, a *app.App, n, clients int, shapes bool) error {
	opts, err := mixOptions(ctx, a)
	if err != nil {
		return err
	}
	base, hc, stop, err := serveAPI(a, clients)
	if err != nil {
		return err
	}
	defer stop()
	hc.Timeout = 30 * time.Second
	scopes := ledgermix.Scopes()
	users := make([]*client, len(scopes))
	for i, s := range scopes {
		token, err := signIn(base, hc, s.Username)
		if err != nil {
			return err
		}
		users[i] = &client{base: base, token: token, http: hc}
	}
	draw := func(i int) (*client, string, string) {
		rnd := rand.New(rand.NewPCG(15, uint64(i)))
		k := rnd.IntN(len(scopes))
		q, shape := ledgermix.Draw(rnd, scopes[k], opts)
		return users[k], "/api/v1/cases?" + q.Encode(), shape
	}
	for i := 0; i < 50; i++ { // warm up (other draws than the run's)
		c, path, _ := draw(n + i)
		c.do("GET", path, nil)
	}
	var mu sync.Mutex
	byShape := map[string][]time.Duration{}
	lat, failures, elapsed := load(clients, n, func(i int) bool {
		c, path, shape := draw(i)
		t := time.Now()
		status, err := c.do("GET", path, nil)
		if shapes {
			d := time.Since(t)
			mu.Lock()
			byShape[shape] = append(byShape[shape], d)
			mu.Unlock()
		}
		return err == nil && status < 300
	})
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("uncacheable mix: %d requests, %d clients: %.0f req/s, p50 %v, p99 %v, max %v, failures %d, heap in use %d MB, sys %d MB, %s\n",
		n, clients, float64(n)/elapsed.Seconds(), lat[n/2].Round(10*time.Microsecond), lat[n*99/100].Round(10*time.Microsecond),
		lat[n-1].Round(time.Millisecond), failures, ms.HeapInuse>>20, ms.Sys>>20, rss())
	if shapes {
		type row struct {
			shape           string
			n               int
			p50, max, total time.Duration
		}
		var rows []row
		var all time.Duration
		for s, ds := range byShape {
			slices.Sort(ds)
			r := row{shape: s, n: len(ds), p50: ds[len(ds)/2], max: ds[len(ds)-1]}
			for _, d := range ds {
				r.total += d
			}
			all += r.total
			rows = append(rows, r)
		}
		show := func(title string, less func(a, b row) bool) {
			sort.Slice(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
			fmt.Printf("%d shapes; %s:\n", len(rows), title)
			for _, r := range rows[:min(15, len(rows))] {
				fmt.Printf("  %-70s n=%-4d p50 %v max %v, %.1f%% of the time\n", r.shape, r.n, r.p50.Round(10*time.Microsecond),
					r.max.Round(10*time.Microsecond), 100*r.total.Seconds()/all.Seconds())
			}
		}
		show("the slowest by their slowest request", func(a, b row) bool { return a.max > b.max })
		show("the most time taken, all requests of a shape together", func(a, b row) bool { return a.total > b.total })
	}
	return nil
}

// rss reports the process's resident memory from /proc (Linux): anonymous
// (Go's heap and SQLite's page caches) and file pages (the database file
// mapped for reads, which is the kernel's page cache, counted once per
// connection that maps it).
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "rss unknown"
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		for _, k := range []string{"VmHWM:", "RssAnon:", "RssFile:"} {
			if strings.HasPrefix(line, k) {
				out = append(out, strings.Join(strings.Fields(line), " "))
			}
		}
	}
	return strings.Join(out, ", ")
}
