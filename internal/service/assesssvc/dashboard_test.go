package assesssvc_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestDashboardMatchesRecords recomputes every figure of a street leader's
// dashboard (open cases by level and timer, overdue by community, reported
// and closed per day) from the raw case rows and compares.
func TestDashboardMatchesRecords(t *testing.T) {
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			a := demoApp(t, backend, now)
			ctx := context.Background()
			p, _ := testutil.As(t, a, "street")
			d, err := a.Assess.Dashboard(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if d.Root == "" {
				t.Fatal("a street leader's dashboard without a root")
			}
			ms := now.UnixMilli()
			rows, err := a.DB.Reader().QueryContext(ctx, `SELECT community, level, status, deadline, deadline_from, day, closed_at FROM cases WHERE street = $1`, d.Root)
			if err != nil {
				t.Fatal(err)
			}
			open := map[store.LevelTimer]int{}
			over := map[string]int{}
			reported := map[string]int{}
			closed := map[string]int{}
			for rows.Next() {
				var comm, status, day string
				var level int
				var deadline, from, closedAt int64
				if err := rows.Scan(&comm, &level, &status, &deadline, &from, &day, &closedAt); err != nil {
					t.Fatal(err)
				}
				reported[day]++
				if status == "closed" {
					closed[time.UnixMilli(closedAt).In(a.Loc).Format(assess.DateLayout)]++
				}
				if !slices.Contains([]string{"reported", "filed", "assigned", "handled"}, status) {
					continue
				}
				timer := "green"
				switch {
				case deadline == 0:
					timer = "none"
				case ms > deadline:
					timer = "red"
					over[comm]++
				case float64(ms-from) >= 0.8*float64(deadline-from):
					timer = "yellow"
				}
				open[store.LevelTimer{Level: level, Timer: timer}]++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			got := map[store.LevelTimer]int{}
			for _, o := range d.Open {
				got[store.LevelTimer{Level: o.Level, Timer: o.Timer}] += o.N
			}
			colours := map[string]bool{}
			for k, n := range open {
				if got[k] != n {
					t.Errorf("open at level %d %s: %d, the rows say %d", k.Level, k.Timer, got[k], n)
				}
				colours[k.Timer] = true
				delete(got, k)
			}
			for k, n := range got {
				t.Errorf("open at level %d %s: %d, the rows say none", k.Level, k.Timer, n)
			}
			if len(colours) < 3 {
				t.Fatalf("the demo's open cases show only %v: the test proves little", colours)
			}
			overTotal := 0
			for _, o := range d.Overdue {
				if o.N != over[o.Subject.ID] {
					t.Errorf("overdue in %s: %d, the rows say %d", o.Subject.Name, o.N, over[o.Subject.ID])
				}
				overTotal += o.N
				delete(over, o.Subject.ID)
			}
			if len(over) > 0 || overTotal == 0 {
				t.Errorf("overdue left out %v (total shown %d)", over, overTotal)
			}
			if len(d.Days) != 90 || d.Days[89].Day != d.Today {
				t.Fatalf("%d days ending %v", len(d.Days), d.Days[len(d.Days)-1].Day)
			}
			var rep, clo int
			for _, f := range d.Days {
				if f.Reported != reported[f.Day] || f.Closed != closed[f.Day] {
					t.Errorf("%s: reported %d closed %d, the rows say %d and %d", f.Day, f.Reported, f.Closed, reported[f.Day], closed[f.Day])
				}
				rep += f.Reported
				clo += f.Closed
			}
			if rep == 0 || clo == 0 {
				t.Fatalf("reported %d, closed %d over the chart: the test proves nothing", rep, clo)
			}
		})
	}
}
