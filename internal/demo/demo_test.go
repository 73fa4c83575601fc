package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded, err := demo.Seed(ctx, db)
		if err != nil || !seeded {
			t.Fatalf("Seed = %v, %v", seeded, err)
		}
		again, err := demo.Seed(ctx, db)
		if err != nil || again {
			t.Fatalf("second Seed = %v, %v; want false, nil", again, err)
		}
		rs, err := db.AllRegions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var grids []region.Region
		for _, r := range rs {
			if r.Level == region.Grid {
				grids = append(grids, r)
			}
		}
		if len(grids) != 30 {
			t.Fatalf("%d grids, want 30", len(grids))
		}
		var ix region.Index
		ix.Rebuild(rs)
		// Every unit lies in the grid it is filed under, found from its point.
		units, total, err := db.Units(ctx, store.UnitFilter{Roots: []string{demo.DistrictCode}, Page: store.Page{Size: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if total < 60 {
			t.Fatalf("%d units, want 60+", total)
		}
		for _, u := range units {
			g, err := ix.Lookup(u.Lat, u.Lon)
			if err != nil || g != u.Region {
				t.Errorf("unit %s at %v,%v: lookup %q, %v; filed under %s", u.Name, u.Lat, u.Lon, g, err, u.Region)
			}
		}
		// Grids do not overlap: each grid's centre-ish points map back to itself only.
		for _, g := range grids {
			c := g.Geometry.Bound().Center()
			if got, err := ix.Lookup(c[1], c[0]); err != nil || got != g.Code {
				t.Errorf("centre of %s looks up as %q, %v", g.Code, got, err)
			}
		}
		// Demo accounts sign in with demo-pass and hold their roles.
		for _, a := range demo.Accounts() {
			p, hash, err := db.Credentials(ctx, a.Username)
			if err != nil {
				t.Fatalf("%s: %v", a.Username, err)
			}
			if !people.CheckPassword(hash, demo.Password) {
				t.Errorf("%s: demo password rejected", a.Username)
			}
			if !p.HasRole(people.Role(a.Role)) {
				t.Errorf("%s: roles %v, want %s", a.Username, p.Roles, a.Role)
			}
		}
		// A community leader sees only their own community's units.
		p, _, _ := db.Credentials(ctx, "community1")
		pr := auth.Principal{PersonID: p.ID, Roles: p.Roles}
		mine, n, err := db.Units(ctx, store.UnitFilter{Roots: pr.Scopes(auth.UnitRead), Page: store.Page{Size: 100}})
		if err != nil || n == 0 || n >= total {
			t.Fatalf("community1 sees %d of %d units (%v)", n, total, err)
		}
		for _, u := range mine {
			if !region.Contains(demo.CommunityCode(0), u.Region) {
				t.Errorf("community1 sees unit %s in %s", u.Name, u.Region)
			}
		}
		_, nPeople, err := db.People(ctx, store.PeopleFilter{All: true})
		if err != nil || nPeople < 200 {
			t.Fatalf("%d people (%v), want 200+", nPeople, err)
		}
	})
}

// seedStreet seeds the demo street and its holiday calendar for the tests
// of the demo's histories; it returns the street's zone and the moment the
// histories run up to.
func seedStreet(t *testing.T, db *store.DB) (*time.Location, time.Time) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := db.EnsureCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return loc, time.Date(2026, 11, 28, 12, 0, 0, 0, loc)
}
