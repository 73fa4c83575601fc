package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestSeedAssess: the demo year gets its rubrics, manual entries with
// reasons, and two published monthly bulletins; a second run adds nothing.
func TestSeedAssess(t *testing.T) {
	testutil.EachApp(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, a.Loc)
		a.Assess.Now = func() time.Time { return now }
		if _, err := demo.SeedCases(ctx, a.DB, nil, a.Loc, now); err != nil {
			t.Fatal(err)
		}
		n, err := demo.SeedAssess(ctx, a.Assess, now)
		if err != nil || n != 2 {
			t.Fatalf("bulletins %d, %v", n, err)
		}
		list, err := a.DB.Bulletins(ctx, true, nil, 10)
		if err != nil || len(list) != 2 || list[0].Period != "2026-10" || !list[0].Public || list[1].Period != "2026-09" {
			t.Fatalf("bulletins: %v %+v", err, list)
		}
		rubrics, _ := a.DB.Rubrics(ctx, 2026, true, nil)
		if len(rubrics) != 2 {
			t.Fatalf("%d rubrics", len(rubrics))
		}
		m, err := a.DB.ManualScores(ctx, rubrics[0].ID, "2026-10")
		if err != nil || len(m) == 0 {
			t.Fatalf("manual entries: %v %v", err, m)
		}
		if n, err := demo.SeedAssess(ctx, a.Assess, now); err != nil || n != 0 {
			t.Fatalf("second run: %d %v", n, err)
		}
	})
}
