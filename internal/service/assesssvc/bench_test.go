package assesssvc_test

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// The assessment's benchmarks run over a database filled beforehand (see
// docs/benchmarks.md), named by LANTIAN_BENCH_DB:
//
//	lantian-bench fill -db /tmp/assess-bench.db -cases 1000000
//	lantian-bench compliance -db /tmp/assess-bench.db -n 10
//	LANTIAN_BENCH_DB=/tmp/assess-bench.db go test -run - -bench . -benchtime 5x ./internal/service/assesssvc/
//
// fill puts its cases in the demo street over the last two years;
// compliance adds a street of 500 grids with a year of patrols.

func benchApp(b *testing.B) *app.App {
	b.Helper()
	dsn := os.Getenv("LANTIAN_BENCH_DB")
	if dsn == "" {
		b.Skip("LANTIAN_BENCH_DB names no filled database")
	}
	ctx := context.Background()
	cfg := config.Default()
	cfg.DB, cfg.Data = dsn, b.TempDir()
	loc, _ := cfg.Validate()
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkYearScores scores every community and every unit of the demo
// street for last year on the default rubrics (cases), and computes every
// indicator of the 50 communities of the benchmark street (patrols), once
// per iteration.
func BenchmarkYearScores(b *testing.B) {
	a := benchApp(b)
	ctx := context.Background()
	year := time.Now().Year() - 1
	rubrics, err := a.Assess.EnsureDefaults(ctx, store.Actor{Name: "bench"}, year, demo.StreetCode)
	if err != nil {
		b.Fatal(err)
	}
	admin, _ := testutil.As(b, a, "admin")
	period := strconv.Itoa(year)
	parts := map[string]time.Duration{}
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		for _, r := range rubrics {
			t := time.Now()
			sh, err := a.Assess.Scores(ctx, admin, r.ID, period)
			if err != nil || len(sh.Scores) == 0 {
				b.Fatalf("%s: %v, %d scores", r.Kind, err, len(sh.Scores))
			}
			parts[string(r.Kind)] += time.Since(t)
		}
		t := time.Now()
		list, _, err := a.Assess.Indicators(ctx, admin, assesssvc.IndicatorQuery{Subject: string(assess.Community), Region: "620502099000000", Period: period})
		if err != nil || len(list) != 50 {
			b.Fatalf("bench street: %v, %d", err, len(list))
		}
		parts["patrols"] += time.Since(t)
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	for k, d := range parts {
		b.ReportMetric(d.Seconds()/float64(b.N), k+"-s")
	}
}

// cpuTime is the CPU time the process used so far (user and system): on a
// machine shared with other work it says what the wall-clock time cannot.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDashboard has 16 street leaders open their dashboard at once and
// reports the 99th percentile of one dashboard.
func BenchmarkDashboard(b *testing.B) {
	a := benchApp(b)
	ctx := context.Background()
	if _, err := a.Assess.EnsureDefaults(ctx, store.Actor{Name: "bench"}, time.Now().Year(), demo.StreetCode); err != nil {
		b.Fatal(err)
	}
	leader, _ := testutil.As(b, a, "street")
	var mu sync.Mutex
	var took []time.Duration
	b.SetParallelism(8) // 2 cores × 8 = 16 goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t := time.Now()
			if _, err := a.Assess.Dashboard(ctx, leader); err != nil {
				b.Error(err)
				return
			}
			d := time.Since(t)
			mu.Lock()
			took = append(took, d)
			mu.Unlock()
		}
	})
	b.StopTimer()
	slices.Sort(took)
	if len(took) > 0 {
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	}
}
