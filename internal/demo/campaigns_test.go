package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestSeedCampaigns checks the demo's year of clean-ups, its store, events
// and handouts on both databases: monthly campaigns with results and
// photos, a store whose ledger adds up and never went below zero, events at
// the named units, and two handouts with partial coverage.
func TestSeedCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loc := time.FixedZone("CST", 8*3600)
		now := time.Date(2026, 6, 15, 10, 0, 0, 0, loc)
		if _, err := demo.Seed(ctx, db); err != nil {
			t.Fatal(err)
		}
		n, err := demo.SeedCampaigns(ctx, db, photo.NewStore(t.TempDir()), loc, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != 13 {
			t.Errorf("%d campaigns, want 12 held and the coming one", n)
		}
		all := store.AreaScope{All: true}
		list, _, err := db.Campaigns(ctx, store.CampaignFilter{Scope: all, Page: store.Page{Size: 100}})
		if err != nil {
			t.Fatal(err)
		}
		closed, planned := 0, 0
		for _, c := range list {
			switch c.Status {
			case campaign.Closed:
				closed++
				full, err := db.Campaign(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				r := campaign.Summarize(full, nil, 0)
				if r.Tasks != 12 || r.TasksDone == 0 || r.Counts.People == 0 || len(r.UnitsPresent) == 0 {
					t.Errorf("campaign %s: %+v", c.Date, r)
				}
				photos, err := db.CampaignPhotos(ctx, c.ID)
				if err != nil || len(photos) == 0 {
					t.Errorf("campaign %s has no photos (%v)", c.Date, err)
				}
			case campaign.Planned:
				planned++
				if c.Date <= "2026-06-15" {
					t.Errorf("a past campaign %s is still planned", c.Date)
				}
			}
		}
		if closed != 12 || planned != 1 {
			t.Errorf("%d closed and %d planned", closed, planned)
		}
		mats, total, err := db.Materials(ctx, all, store.Page{Size: 100})
		if err != nil || total != 6 {
			t.Fatalf("%d materials (%v)", total, err)
		}
		for _, m := range mats {
			moves, _, err := db.Moves(ctx, m.ID, store.Page{Size: 100})
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, mv := range moves {
				sum += mv.Delta
				if mv.StockAfter < 0 {
					t.Errorf("%s went to %d", m.Name, mv.StockAfter)
				}
			}
			if sum != m.Stock {
				t.Errorf("%s: ledger sums to %d, stock %d", m.Name, sum, m.Stock)
			}
		}
		events, total, tot, err := func() ([]campaign.Publicity, int, store.PublicityTotals, error) {
			f := store.PublicityFilter{Scope: all, Page: store.Page{Size: 100}}
			l, n, err := db.Publicities(ctx, f)
			if err != nil {
				return nil, 0, store.PublicityTotals{}, err
			}
			tt, err := db.PublicityTotals(ctx, f)
			return l, n, tt, err
		}()
		if err != nil || total != 24 || tot.Reach == 0 || len(tot.Materials) != 2 || events[0].UnitID == 0 {
			t.Errorf("publicity: %d events, totals %+v (%v)", total, tot, err)
		}
		hs, total, err := db.Handouts(ctx, all, store.Page{})
		if err != nil || total != 2 {
			t.Fatalf("%d handouts (%v)", total, err)
		}
		for _, h := range hs {
			reached, err := db.ReachedByRegion(ctx, h.ID)
			if err != nil || len(reached) == 0 || len(reached) == 30 {
				t.Errorf("%s reached %d of 30 grids (%v): want part of the street", h.Title, len(reached), err)
			}
		}
		if n, err := demo.SeedCampaigns(ctx, db, nil, loc, now); err != nil || n != 0 {
			t.Errorf("second run: %d, %v", n, err)
		}
	})
}

// BenchmarkSeedCampaigns measures what the campaigns add to `lantian demo` (SQLite, with photos).
func BenchmarkSeedCampaigns(b *testing.B) {
	ctx := context.Background()
	loc := time.FixedZone("CST", 8*3600)
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, "sqlite")
		if _, err := demo.Seed(ctx, db); err != nil {
			b.Fatal(err)
		}
		ps := photo.NewStore(b.TempDir())
		b.StartTimer()
		if _, err := demo.SeedCampaigns(ctx, db, ps, loc, time.Date(2026, 6, 15, 10, 0, 0, 0, loc)); err != nil {
			b.Fatal(err)
		}
	}
}
