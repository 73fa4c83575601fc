package demo_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

func TestSeedPatrols(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loc, now := seedStreet(t, db)
		if _, err := demo.SeedCases(ctx, db, nil, loc, now); err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		n, err := demo.SeedPatrols(ctx, db, loc, now)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d demo patrols in %v", n, time.Since(began).Round(time.Millisecond))
		// 30 grids, about 250 working days, two a day, a few missed.
		if n < 13000 || n > 16500 {
			t.Fatalf("%d demo patrols, want about 15,000", n)
		}
		if again, err := demo.SeedPatrols(ctx, db, loc, now); err != nil || again != 0 {
			t.Fatalf("second SeedPatrols = %d, %v", again, err)
		}
		seen := map[string]int{}
		for page := 1; ; page++ {
			list, total, err := db.Patrols(ctx, store.PatrolFilter{All: true, Flags: patrol.Doubtful, Page: store.Page{Page: page, Size: 100}})
			if err != nil {
				t.Fatal(err)
			}
			seen["flagged"] = total
			for _, p := range list {
				for _, f := range p.Flags.Names() {
					seen[string(f)]++
				}
			}
			if page*100 >= total {
				break
			}
		}
		for _, f := range patrol.AllFlags {
			if seen[string(f)] == 0 {
				t.Errorf("no demo patrol is %s", f)
			}
		}
		if seen["flagged"] > n/20 {
			t.Errorf("%d of %d demo patrols are doubtful: too many", seen["flagged"], n)
		}
		// Recent patrols have their tracks, old ones their measures only; every patrol has visits or findings somewhere.
		recent, _, _ := db.Patrols(ctx, store.PatrolFilter{All: true, From: "2026-11-20", To: "2026-11-27", State: patrol.StateEnded, Page: store.Page{Size: 5}})
		old, _, _ := db.Patrols(ctx, store.PatrolFilter{All: true, From: "2026-01-05", To: "2026-01-09", State: patrol.StateEnded, Page: store.Page{Size: 5}})
		if len(recent) == 0 || len(old) == 0 {
			t.Fatal("no recent or old patrols")
		}
		for _, p := range recent {
			track, _ := db.Track(ctx, p.ID)
			if len(track) < 6 || len(track) != p.Points || track[0].T.Before(p.StartedAt) || track[len(track)-1].T.After(p.EndedAt) {
				t.Errorf("recent patrol %s: %d points stored, %d counted", p.UID, len(track), p.Points)
			}
		}
		for _, p := range old {
			if track, _ := db.Track(ctx, p.ID); len(track) != 0 || p.Points < 6 || p.Length == 0 {
				t.Errorf("old patrol %s: %d points stored, measures %+v", p.UID, len(track), p.Assessment)
			}
		}
		_, open, _ := db.Patrols(ctx, store.PatrolFilter{All: true, State: patrol.StateOpen})
		_, withFindings, _ := db.Patrols(ctx, store.PatrolFilter{All: true, From: "2026-11-01", Page: store.Page{Size: 1}})
		if open > 30 || withFindings == 0 {
			t.Errorf("%d open patrols; %d this month", open, withFindings)
		}
		// Compliance, as the admin sees it: most working days met, some missed, weekends at rest except the square's grid.
		cfg := config.Default()
		cfg.Data = t.TempDir()
		a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		a.Cases.Now = func() time.Time { return now }
		who, _, err := db.Credentials(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		admin := &auth.Principal{PersonID: who.ID, Username: who.Username, Roles: who.Roles}
		res, err := a.Patrols.Compliance(ctx, admin, patrolsvc.ComplianceQuery{From: "2025-12-01", To: "2026-11-27", All: true})
		items, total := res.Items, res.Total
		if err != nil || total != 30*362 || len(items) != total {
			t.Fatalf("compliance %d of %d, %v", len(items), total, err)
		}
		status := map[patrol.Status]int{}
		for _, c := range items {
			status[c.Status]++
			if c.Grid == demo.GridCode(4, 2) && c.Required == 0 {
				t.Fatalf("the square's grid rests on %s", c.Date)
			}
		}
		if status[patrol.StatusMet] < total/2 || status[patrol.StatusPartial] == 0 || status[patrol.StatusMissed] == 0 || status[patrol.StatusRest] == 0 {
			t.Fatalf("compliance statuses %v", status)
		}
		if r, ok := patrol.Rate(items); !ok || r < 0.9 || r > 0.99 {
			t.Fatalf("completion rate %.3f", r)
		}
	})
}
