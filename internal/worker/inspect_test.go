package worker_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/worker"
)

// TestScheduleInspections: the worker makes this and next week's
// inspections of every community, once.
func TestScheduleInspections(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite")
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Data = t.TempDir()
	loc, _ := cfg.Validate()
	a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// A Monday in term time: this Friday and next.
	a.Inspect.Now = func() time.Time { return time.Date(2026, 9, 14, 8, 0, 0, 0, loc) }
	worker.Once(ctx, slog.New(slog.DiscardHandler), a)
	list, n, err := db.Inspections(ctx, store.InspectionFilter{All: true, Page: store.Page{Size: 100}})
	if err != nil || n != 12 {
		t.Fatalf("after one run: %d inspections (%v), want 6 communities × 2 weeks", n, err)
	}
	// Friday 2026-09-25 is the Mid-Autumn Festival: that week's inspection is on the Thursday.
	if list[0].Date != "2026-09-18" || list[len(list)-1].Date != "2026-09-24" {
		t.Errorf("dates %s … %s, want 2026-09-18 … 2026-09-24", list[0].Date, list[len(list)-1].Date)
	}
	worker.Once(ctx, slog.New(slog.DiscardHandler), a)
	if _, again, _ := db.Inspections(ctx, store.InspectionFilter{All: true}); again != 12 {
		t.Errorf("after a second run: %d inspections, want still 12", again)
	}
}
