package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/people"
)

// inspectBench times, over the cases fill made, the hotspot search of the
// whole street (8 weeks of report dates) and of one community, and the
// agenda of a community drawn at random for each run (issue 10: agenda ≤ 200 ms).
func inspectBench(ctx context.Context, a *app.App, n int) error {
	admin := &auth.Principal{PersonID: 1, Roles: []people.Assignment{{Role: people.Admin, Region: demo.DistrictCode}}}
	rnd := rand.New(rand.NewPCG(7, 10))
	timeIt := func(what string, runs int, fn func(i int) (int, error)) error {
		lat := make([]time.Duration, runs)
		items := 0
		var ms runtime.MemStats
		cpu0 := cpuTime()
		for i := range runs {
			t := time.Now()
			k, err := fn(i)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			lat[i], items = time.Since(t), k
		}
		// CPU time per run says what the work costs whatever else the
		// machine is doing; wall-clock percentiles also hold the waiting.
		cpu := (cpuTime() - cpu0) / time.Duration(runs)
		runtime.ReadMemStats(&ms)
		slices.Sort(lat)
		fmt.Printf("%-34s %4d runs: p50 %v, p99 %v, max %v; CPU %v a run; %d items; heap in use %d MB\n", what, runs,
			lat[runs/2].Round(100*time.Microsecond), lat[runs*99/100].Round(100*time.Microsecond), lat[runs-1].Round(time.Millisecond),
			cpu.Round(100*time.Microsecond), items, ms.HeapInuse>>20)
		return nil
	}
	var comms []string
	for c := range 6 {
		comms = append(comms, demo.CommunityCode(c))
	}
	pts, err := a.DB.HotspotPoints(ctx, comms, time.Now().AddDate(0, 0, -56).Format("2006-01-02"))
	if err != nil {
		return err
	}
	fmt.Printf("cases in the street's 8-week window: %d\n", len(pts))
	runs := max(3, min(n, 20))
	if err := timeIt("hotspots, street (8 weeks)", runs, func(int) (int, error) {
		hs, err := a.Inspect.Hotspots(ctx, admin, demo.StreetCode, 8)
		return len(hs), err
	}); err != nil {
		return err
	}
	if err := timeIt("hotspots, one community (8 weeks)", runs, func(int) (int, error) {
		hs, err := a.Inspect.Hotspots(ctx, admin, demo.CommunityCode(rnd.IntN(6)), 8)
		return len(hs), err
	}); err != nil {
		return err
	}
	return timeIt("agenda, a random community", max(10, min(n, 100)), func(int) (int, error) {
		ag, err := a.Inspect.Agenda(ctx, demo.CommunityCode(rnd.IntN(6)))
		return ag.Totals.Overdue + ag.Totals.Hotspots, err
	})
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
