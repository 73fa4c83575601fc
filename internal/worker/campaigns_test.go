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

// TestProposeCampaigns: the job proposes this month's and next month's
// clean-ups on the last-Friday rule, skips a day already past, and makes
// none the second time, on both databases.
func TestProposeCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
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
		// 28 March 2026: March's last Friday (the 27th) has passed; April's is the 24th.
		a.Campaigns.Now = func() time.Time { return time.Date(2026, 3, 28, 9, 0, 0, 0, loc) }
		n, err := worker.ProposeCampaigns(ctx, a)
		if err != nil || n != 1 {
			t.Fatalf("proposed %d (%v), want 1 (April only)", n, err)
		}
		list, _, err := db.Campaigns(ctx, store.CampaignFilter{Scope: store.AreaScope{All: true}})
		if err != nil || len(list) != 1 || list[0].Date != "2026-04-24" || !list[0].Proposed || list[0].Street != demo.StreetCode {
			t.Fatalf("proposals: %+v (%v)", list, err)
		}
		if n, err := worker.ProposeCampaigns(ctx, a); err != nil || n != 0 {
			t.Fatalf("second run proposed %d (%v)", n, err)
		}
		a.Campaigns.Now = func() time.Time { return time.Date(2026, 3, 20, 9, 0, 0, 0, loc) }
		if n, err := worker.ProposeCampaigns(ctx, a); err != nil || n != 1 {
			t.Fatalf("before March's day: proposed %d (%v), want March's", n, err)
		}
	})
}
