package demo_test

import (
	"context"
	"testing"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

func TestSeedCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loc, now := seedStreet(t, db)
		n, err := demo.SeedCases(ctx, db, photo.NewStore(t.TempDir()), loc, now)
		if err != nil {
			t.Fatal(err)
		}
		if n < 2000 || n > 5000 {
			t.Fatalf("%d demo cases, want a few thousand", n)
		}
		if again, err := demo.SeedCases(ctx, db, nil, loc, now); err != nil || again != 0 {
			t.Fatalf("second SeedCases = %d, %v", again, err)
		}
		rs, _ := db.AllRegions(ctx)
		var ix region.Index
		ix.Rebuild(rs)
		seen := map[string]bool{}
		err = db.EachCase(ctx, store.CaseFilter{All: true}, func(c cases.Case, _ string) error {
			seen["status:"+string(c.Status)] = true
			seen["class:"+string(c.Class)] = true
			seen["category:"+c.Category] = true
			seen["source:"+string(c.Source)] = true
			seen["level:"+string(rune('0'+c.Level))] = true
			if c.Rework > 0 {
				seen["rework"] = true
			}
			if c.Overdue(now) {
				seen["overdue"] = true
			}
			if g, err := ix.Lookup(c.Lat, c.Lon); err != nil || g != c.Region {
				t.Errorf("%s lies in %q, filed under %s", c.Number, g, c.Region)
			}
			if c.ReportedAt.After(now) || c.ReportedAt.Before(now.AddDate(-1, 0, -1)) {
				t.Errorf("%s reported at %v", c.Number, c.ReportedAt)
			}
			if c.Status == cases.StatusClosed && (c.ClosedAt.IsZero() || c.ClosedAt.Before(c.ReportedAt)) {
				t.Errorf("%s closed at %v", c.Number, c.ClosedAt)
			}
			if !region.Contains(c.Held, c.Region) || int(region.LevelOf(c.Held)) != c.Level {
				t.Errorf("%s held by %s at level %d", c.Number, c.Held, c.Level)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range cases.Statuses {
			if !seen["status:"+string(s)] {
				t.Errorf("no demo case is %s", s)
			}
		}
		for _, want := range []string{"class:onspot", "class:escalated", "class:committed", "level:2", "level:3", "rework", "overdue",
			"source:volunteer", "source:inspection", "source:hotline12345", "category:08004", "category:L001"} {
			if !seen[want] {
				t.Errorf("no demo case with %s", want)
			}
		}
		// Timelines are in order.
		list, _, _ := db.Cases(ctx, store.CaseFilter{All: true, Page: store.Page{Size: 50}})
		for _, c := range list {
			full, err := db.CaseByNumber(ctx, c.Number)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(full.Timeline); i++ {
				if full.Timeline[i].At.Before(full.Timeline[i-1].At) {
					t.Errorf("%s timeline goes back in time at %d", c.Number, i)
				}
			}
		}
	})
}
