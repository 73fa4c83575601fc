package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestSeedInspections: a year of weekly inspections of the six
// communities, the past ones closed with plausible scores, some findings,
// and tracked problems in each status; a second run adds nothing.
func TestSeedInspections(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite")
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 9, 23, 10, 0, 0, 0, loc)
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedCases(ctx, db, nil, loc, now); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	n, err := demo.SeedInspections(ctx, db, loc, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d inspections in %v", n, time.Since(start))
	if n < 6*48 || n%6 != 0 {
		t.Fatalf("made %d inspections, want about a year for six communities", n)
	}
	closed, total, findings := 0, 0, 0
	lo, hi := 101.0, -1.0
	if err := db.EachInspection(ctx, store.InspectionFilter{All: true}, func(in inspect.Inspection) error {
		total++
		if in.Status == inspect.StatusClosed {
			closed++
			findings += len(in.Findings)
			lo, hi = min(lo, *in.Score), max(hi, *in.Score)
			if !in.Ack.Signed() || !in.Scored() {
				t.Errorf("closed inspection %d is not acknowledged or not fully scored", in.ID)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if closed < total-6 || findings == 0 || lo < 60 || hi > 100 || hi-lo < 5 {
		t.Errorf("%d of %d closed, %d findings, scores %.1f..%.1f", closed, total, findings, lo, hi)
	}
	for _, st := range inspect.ProblemStatuses {
		if _, n, err := db.Problems(ctx, store.ProblemFilter{All: true, Status: string(st)}); err != nil || n == 0 {
			t.Errorf("no %s problem (%v)", st, err)
		}
	}
	if again, err := demo.SeedInspections(ctx, db, loc, now); err != nil || again != 0 {
		t.Errorf("a second run made %d (%v)", again, err)
	}
}
