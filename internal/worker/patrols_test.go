package worker_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/testutil"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/worker"
)

func person(t *testing.T, a *app.App, username string) int64 {
	p, _ := testutil.As(t, a, username)
	return p.PersonID
}

// TestMissedPatrols moves the clock through a Monday and a Saturday: at the
// end of each window a grid without a patrol started in it alerts its
// community leader, once.
func TestMissedPatrols(t *testing.T) {
	testutil.EachApp(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		monday := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, a.Loc) }
		// Grid (0, 0) is walked in the morning; grid (0, 1) needs one patrol a day only.
		a.Cases.Now = func() time.Time { return monday(9, 30) }
		walker, who := testutil.As(t, a, "patrol01")
		if _, _, err := a.Patrols.Start(ctx, who, walker, patrol.Start{UID: "4c1d0000-0000-4000-8000-000000000001", Grid: demo.GridCode(0, 0),
			StartedAt: monday(9, 0)}); err != nil {
			t.Fatal(err)
		}
		admin, whoA := testutil.As(t, a, "admin")
		one, two := 1, 2
		windows := []string{"08:00-12:00", "14:00-18:00"}
		for grid, in := range map[string]patrolsvc.PlanInput{
			demo.GridCode(0, 1): {PerDay: &one, Windows: windows},
			demo.GridCode(0, 2): {PerDay: &two, Windows: windows, Weekends: true},
		} {
			if _, err := a.Patrols.SetPlan(ctx, whoA, admin, grid, in); err != nil {
				t.Fatal(err)
			}
		}
		leader := person(t, a, "community1")
		unread := func() int {
			n, err := a.DB.Unread(ctx, leader)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, step := range []struct {
			name   string
			at     time.Time
			alerts int
			inbox  int // community1's unread notices so far: one per window and date, listing its grids
		}{
			// Grid (0, 2) of community 1 walks weekends too: its Sunday windows ended within the last day.
			{"during the morning window", monday(11, 59), 2, 2},
			// 30 grids: (0, 0) walked, (0, 1) may still walk in the afternoon.
			{"morning window ended", monday(12, 0), 28, 3},
			{"a minute later, nothing again", monday(12, 1), 0, 3},
			// All 30 miss the afternoon; (0, 1) has now missed its one patrol.
			{"afternoon window ended", monday(18, 5), 30, 4},
			{"next morning, nothing again", monday(7, 0).AddDate(0, 0, 1), 0, 4},
			// The server was off until Saturday morning: Friday's windows, which ended within the last day, alert now.
			{"back on Saturday morning", time.Date(2026, 11, 28, 11, 0, 0, 0, a.Loc), 59, 6},
			// Saturday itself: only the grid whose plan covers weekends.
			{"Saturday noon", time.Date(2026, 11, 28, 12, 0, 0, 0, a.Loc), 1, 7},
			{"Saturday evening", time.Date(2026, 11, 28, 18, 0, 0, 0, a.Loc), 1, 8},
		} {
			a.Cases.Now = func() time.Time { return step.at }
			n, err := worker.MissedPatrols(ctx, a, a.Cases.Now())
			if err != nil || n != step.alerts {
				t.Fatalf("%s: %d alerts, %v; want %d", step.name, n, err, step.alerts)
			}
			if got := unread(); got != step.inbox {
				t.Fatalf("%s: community1 has %d notices, want %d", step.name, got, step.inbox)
			}
		}
		items, _, err := a.DB.Inbox(ctx, leader, true, store.Page{Size: 1})
		if err != nil || items[0].Kind != "patrol_missed" || items[0].Number != "忠武巷社区 2026-11-28 14:00-18:00 第3网格" {
			t.Fatalf("latest notice %+v %v", items, err)
		}
		// Once runs it too: on the next Monday at noon, grid (0, 2)'s Sunday and four of community 1's mornings.
		a.Cases.Now = func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, a.Loc) }
		worker.Once(ctx, slog.New(slog.DiscardHandler), a)
		if got := unread(); got != 11 {
			t.Fatalf("after Once on Monday noon: %d notices, want 11", got)
		}
	})
}
