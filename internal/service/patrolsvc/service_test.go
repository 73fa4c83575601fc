package patrolsvc_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/testutil"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// Monday 2026-11-23 in Tianshui, a working day; the clock stands at 10:00.
var (
	cst = time.FixedZone("CST", 8*3600)
	t0  = time.Date(2026, 11, 23, 8, 30, 0, 0, cst)
	now = time.Date(2026, 11, 23, 10, 0, 0, 0, cst)
)

func uuid(n int) string { return fmt.Sprintf("9e1f0000-0000-4000-8000-%012d", n) }

func setup(t *testing.T, backend string) *app.App {
	a := testutil.NewApp(t, backend)
	a.Cases.Now = func() time.Time { return now }
	return a
}

// walk returns n fixes from t0, one every 15 s, each 1.8 m east of the one
// before, inside grid (0, 0).
func walk(first, n int) []patrolsvc.TrackPoint {
	var out []patrolsvc.TrackPoint
	for i := first; i < first+n; i++ {
		out = append(out, patrolsvc.TrackPoint{Point: patrol.Point{T: t0.Add(time.Duration(i) * 15 * time.Second), Lat: 34.5715, Lon: 105.7015 + float64(i)*0.00002, Acc: 6}})
	}
	return out
}

func code(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.As(err).Code
}

// TestWalk walks one patrol through the service: every use case once, its
// bad input, idempotency, scope, late points and the audit trail.
func TestWalk(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			a := setup(t, backend)
			s := a.Patrols
			me, who := testutil.As(t, a, "patrol01")
			mate, whoMate := testutil.As(t, a, "patrol02") // a patroller of the same grid
			other, _ := testutil.As(t, a, "community2")    // leads another community
			grid := demo.GridCode(0, 0)
			id := uuid(1)

			p, created, err := s.Start(ctx, who, me, patrol.Start{UID: id, Grid: grid, StartedAt: t0})
			if err != nil || !created || p.State != patrol.StateOpen || p.Window != 1 || p.Day != "2026-11-23" || p.PatrollerName == "" {
				t.Fatalf("start: %v %v %+v", created, err, p)
			}
			if again, created, err := s.Start(ctx, who, me, patrol.Start{UID: id, Grid: grid, StartedAt: t0}); err != nil || created || again.ID != p.ID {
				t.Fatalf("start again: %v %v", created, err)
			}
			if _, _, err := s.Start(ctx, whoMate, mate, patrol.Start{UID: id, Grid: grid, StartedAt: t0}); apperr.As(err).Fields["id"].Key != "err.duplicate_value" {
				t.Fatalf("another's id: %v", err)
			}
			if _, _, err := s.Start(ctx, who, me, patrol.Start{UID: uuid(2), Grid: demo.GridCode(1, 0), StartedAt: t0}); !errors.Is(err, patrol.ErrForbidden) {
				t.Fatalf("start on another grid: %v", err)
			}
			if _, _, err := s.Start(ctx, who, me, patrol.Start{UID: "nope", Grid: "620502004009009", StartedAt: now.Add(time.Hour)}); len(apperr.As(err).Fields) != 3 {
				t.Fatalf("bad start: %v", err)
			}

			// Track: good points kept once, bad ones named by index with their field.
			batch := walk(0, 100)
			batch[3].Lat = 95
			batch[7].T = now.Add(time.Hour)
			batch[9].Err = patrol.MsgFormat
			res, err := s.AddTrack(ctx, who, me, id, batch)
			if err != nil || res.Accepted != 97 || res.Stored != 97 || len(res.Rejected) != 3 ||
				res.Rejected[0] != (patrolsvc.Rejected{Index: 3, Field: "location", Key: patrol.MsgCoords}) || res.Rejected[1].Field != "t" {
				t.Fatalf("track: %+v %v", res, err)
			}
			if res, err := s.AddTrack(ctx, who, me, id, batch); err != nil || res.Accepted != 97 || res.Stored != 0 {
				t.Fatalf("track again: %+v %v", res, err)
			}
			if _, err := s.AddTrack(ctx, who, me, id, walk(0, patrol.MaxBatch+1)); code(err) != apperr.TooLarge {
				t.Fatalf("a batch too large: %v", err)
			}
			if _, err := s.AddTrack(ctx, whoMate, mate, id, walk(0, 1)); code(err) != apperr.Forbidden {
				t.Fatalf("another's patrol: %v", err)
			}
			if _, err := s.AddTrack(ctx, who, other, id, walk(0, 1)); code(err) != apperr.NotFound {
				t.Fatalf("an unseen patrol: %v", err)
			}

			// A visit to one of the grid's units, not to another grid's; a record; a finding.
			plan, err := s.Plan(ctx, me, grid)
			if err != nil || len(plan.KeySites) == 0 || plan.CanEdit {
				t.Fatalf("plan as the patroller: %v %+v", err, plan)
			}
			v := patrol.Visit{UID: uuid(10), Site: patrol.SiteRef{UnitID: plan.KeySites[0].ID}, At: t0.Add(12 * time.Minute), Lat: 34.5716, Lon: 105.702}
			if _, created, err := s.Visit(ctx, who, me, id, v); err != nil || !created {
				t.Fatalf("visit: %v %v", created, err)
			}
			if _, created, err := s.Visit(ctx, who, me, id, v); err != nil || created {
				t.Fatalf("visit again: %v %v", created, err)
			}
			elsewhere, _ := s.Plan(ctx, principalOf(t, a, "street"), demo.GridCode(3, 0))
			v2 := v
			v2.UID, v2.Site = uuid(11), patrol.SiteRef{UnitID: elsewhere.KeySites[0].ID}
			if _, _, err := s.Visit(ctx, who, me, id, v2); apperr.As(err).Fields["site"].Key != patrol.MsgSite {
				t.Fatalf("a visit to another grid's unit: %v", err)
			}
			rec := patrol.Record{UID: uuid(12), Kind: patrol.KindPromotion, At: t0.Add(20 * time.Minute), Households: 15}
			if _, created, err := s.Record(ctx, who, me, id, rec); err != nil || !created {
				t.Fatalf("record: %v %v", created, err)
			}
			c, _, err := a.Cases.Report(ctx, who, me, casesvc.Report{Input: cases.Input{ClientID: uuid(20), Category: "06010", Description: "巷口暴露垃圾",
				Lat: 34.5716, Lon: 105.7021, Class: cases.ClassEscalated}})
			if err != nil {
				t.Fatal(err)
			}
			if f, created, err := s.Finding(ctx, who, me, id, patrolsvc.FindingRef{ClientID: uuid(20)}); err != nil || !created || f.Case != c.Number {
				t.Fatalf("finding: %+v %v %v", f, created, err)
			}
			// A case the patroller may not see is answered as one that does not exist.
			hidden, _, err := a.Cases.Report(ctx, store.Actor{Name: "public"}, nil, casesvc.Report{Input: cases.Input{ClientID: uuid(21), Category: "06010",
				Description: "别处的垃圾", Lat: 34.5745, Lon: 105.7125}})
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range []patrolsvc.FindingRef{{Case: hidden.Number}, {Case: "XG-20000101-0001"}} {
				if _, _, err := s.Finding(ctx, who, me, id, ref); apperr.As(err).Fields["case"].Key != "err.patrol.case_unknown" {
					t.Fatalf("finding %+v: %v", ref, err)
				}
			}

			// End: measured now; twice is 409; a point after the end is refused, a late one inside it measures it again.
			if _, err := s.End(ctx, who, me, id, patrol.End{EndedAt: t0.Add(-time.Minute)}); apperr.As(err).Fields["ended_at"].Key != patrol.MsgEndBefore {
				t.Fatalf("end before start: %v", err)
			}
			ended, err := s.End(ctx, who, me, id, patrol.End{EndedAt: t0.Add(45 * time.Minute), Summary: " 巡查正常 "})
			if err != nil || ended.State != patrol.StateEnded || ended.Summary != "巡查正常" || ended.Flags != 0 || ended.Points != 97 || ended.Duration != 45*time.Minute {
				t.Fatalf("end: %v %+v", err, ended)
			}
			if _, err := s.End(ctx, who, me, id, patrol.End{EndedAt: t0.Add(46 * time.Minute)}); !errors.Is(err, patrol.ErrState) {
				t.Fatalf("end twice: %v", err)
			}
			if res, err := s.AddTrack(ctx, who, me, id, walk(200, 1)); err != nil || res.Accepted != 0 || res.Rejected[0].Key != patrol.MsgAfterEnd {
				t.Fatalf("a point after the end: %+v %v", res, err)
			}
			jump := []patrolsvc.TrackPoint{{Point: patrol.Point{T: t0.Add(25 * time.Minute), Lat: 34.58, Lon: 105.7015}}} // 15 s after the last fix, 900 m away
			if res, err := s.AddTrack(ctx, who, me, id, jump); err != nil || res.Stored != 1 {
				t.Fatalf("a late point: %+v %v", res, err)
			}
			d, err := s.Get(ctx, me, id)
			if err != nil || !d.Flags.Has(patrol.FlagFast) || d.Points != 98 || len(d.Track) != 98 || len(d.Visits) != 1 || len(d.Records) != 1 || len(d.Findings) != 1 {
				t.Fatalf("after the late point: %v %+v", err, d.Patrol)
			}
			// Audit: start, two batches that stored points, visit, record, finding, end, and the late batch's measuring.
			if n := storetest.AuditCount(t, a.DB, "patrol", id); n != 8 {
				t.Fatalf("%d audit rows, want 8", n)
			}
			// Who sees it.
			for user, want := range map[string]apperr.Code{"community1": "", "patrol02": "", "inspector": "", "grid01": "", "community2": apperr.NotFound,
				"patrol03": apperr.NotFound, "volunteer01": apperr.NotFound} {
				if _, err := s.Get(ctx, principalOf(t, a, user), id); code(err) != want {
					t.Errorf("%s reads the patrol: %v, want %q", user, err, want)
				}
			}
			list, total, err := s.List(ctx, principalOf(t, a, "community1"), patrolsvc.Query{Flagged: true, From: "2026-11-23"})
			if err != nil || total != 1 || list[0].UID != id {
				t.Fatalf("flagged patrols: %d %v", total, err)
			}
			if _, _, err := s.List(ctx, other, patrolsvc.Query{Grid: grid}); code(err) != apperr.NotFound {
				t.Fatalf("another community's grid: %v", err)
			}
			if _, _, err := s.List(ctx, principalOf(t, a, "volunteer01"), patrolsvc.Query{}); code(err) != apperr.Forbidden {
				t.Fatalf("a volunteer's list: %v", err)
			}
		})
	}
}

func principalOf(t *testing.T, a *app.App, username string) *auth.Principal {
	p, _ := testutil.As(t, a, username)
	return p
}

// TestSyncLinksOnlyOwnPatrols checks that a case item for another's patrol
// is refused before the case is stored, and that an end sent again answers
// as before.
func TestSyncLinksOnlyOwnPatrols(t *testing.T) {
	ctx := context.Background()
	a := setup(t, "sqlite")
	s := a.Patrols
	me, who := testutil.As(t, a, "patrol01")
	mate, whoMate := testutil.As(t, a, "patrol02")
	id := uuid(100)
	end := patrol.End{EndedAt: t0.Add(30 * time.Minute)}
	items := []patrolsvc.Item{
		{Type: patrolsvc.ItemStart, Start: patrol.Start{UID: id, Grid: demo.GridCode(0, 0), StartedAt: t0}},
		{Type: patrolsvc.ItemTrack, Patrol: id, Track: walk(0, 60)},
		{Type: patrolsvc.ItemEnd, Patrol: id, End: end},
		{Type: patrolsvc.ItemEnd, Patrol: id, End: end},
		{Type: "teleport"},
		{Err: apperr.New(apperr.Invalid, "err.bad_json")},
	}
	res, err := s.Sync(ctx, who, me, items)
	if err != nil || len(res) != len(items) {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false, false, false} {
		if res[i].Err != nil || res[i].Created != want {
			t.Fatalf("item %d: %+v", i, res[i])
		}
	}
	if res[4].Err == nil || res[5].Err == nil {
		t.Fatalf("bad items: %+v", res[4:])
	}
	report := casesvc.Report{Input: cases.Input{ClientID: uuid(101), Category: "06010", Description: "暴露垃圾", Lat: 34.5716, Lon: 105.7021}}
	out, _ := s.Sync(ctx, whoMate, mate, []patrolsvc.Item{{Type: patrolsvc.ItemCase, Patrol: id, Case: report}})
	if code(out[0].Err) != apperr.Forbidden {
		t.Fatalf("a case on another's patrol: %+v", out[0])
	}
	if _, err := a.DB.CaseByClientID(ctx, uuid(101)); code(err) != apperr.NotFound {
		t.Fatalf("the refused case was stored: %v", err)
	}
	if _, err := s.Sync(ctx, who, me, make([]patrolsvc.Item, patrolsvc.MaxSyncItems+1)); code(err) != apperr.TooLarge {
		t.Fatalf("a batch too large: %v", err)
	}
}

// TestPlans sets plans through the service: its field errors name their
// limits, and only leaders and admins over the grid may set one.
func TestPlans(t *testing.T) {
	ctx := context.Background()
	a := setup(t, "sqlite")
	s := a.Patrols
	grid := demo.GridCode(0, 0)
	leader, who := testutil.As(t, a, "community1")
	two := 2
	points := []patrol.FreePoint{{Name: strings.Repeat("桥", patrol.MaxPointName+1), Lat: 34.57, Lon: 105.70}}
	_, err := s.SetPlan(ctx, who, leader, grid, patrolsvc.PlanInput{PerDay: &two, Windows: []string{"12:00-08:00"}, Patrollers: []int64{1}, Points: &points})
	e := apperr.As(err)
	if e.Fields["windows"].Key != patrol.MsgWindows || e.Fields["patrollers"].Key != "err.patrol.not_patroller" ||
		e.Fields["points"].Key != patrol.MsgTooLong || !slices.Equal(e.Fields["points"].Args, []any{patrol.MaxPointName}) {
		t.Fatalf("bad plan: %v", err)
	}
	if _, err := s.SetPlan(ctx, who, leader, grid, patrolsvc.PlanInput{Windows: []string{"08:00-12:00"}}); apperr.As(err).Fields["per_day"].Key != "err.required" {
		t.Fatalf("no per_day: %v", err)
	}
	mate := principalOf(t, a, "patrol02")
	v, err := s.SetPlan(ctx, who, leader, grid, patrolsvc.PlanInput{PerDay: &two, Windows: []string{"08:00-12:00", "14:00-18:00"}, Patrollers: []int64{mate.PersonID}})
	if err != nil || !v.Stored || !v.CanEdit || len(v.Patrollers) != 2 {
		t.Fatalf("plan: %v %+v", err, v)
	}
	for _, pt := range v.Patrollers {
		if pt.Named != (pt.ID == mate.PersonID) {
			t.Fatalf("patrollers %+v", v.Patrollers)
		}
	}
	if n := storetest.AuditCount(t, a.DB, "patrol_plan", grid); n != 1 {
		t.Fatalf("%d audit rows", n)
	}
	for user, want := range map[string]apperr.Code{"patrol01": apperr.Forbidden, "inspector": apperr.Forbidden, "community2": apperr.NotFound, "admin": ""} {
		p, w := testutil.As(t, a, user)
		if _, err := s.SetPlan(ctx, w, p, grid, patrolsvc.PlanInput{PerDay: &two, Windows: []string{"08:00-12:00"}}); code(err) != want {
			t.Errorf("%s sets the plan: %v, want %q", user, err, want)
		}
	}
	// Now only patrol02 may start among the grid's patrollers; its leaders still may.
	me, whoMe := testutil.As(t, a, "patrol01")
	if _, err := s.SetPlan(ctx, who, leader, grid, patrolsvc.PlanInput{PerDay: &two, Windows: []string{"08:00-12:00"}, Patrollers: []int64{mate.PersonID}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Start(ctx, whoMe, me, patrol.Start{UID: uuid(300), Grid: grid, StartedAt: t0}); !errors.Is(err, patrol.ErrForbidden) {
		t.Fatalf("a patroller the plan does not name starts: %v", err)
	}
	g, whoG := testutil.As(t, a, "grid01")
	if _, _, err := s.Start(ctx, whoG, g, patrol.Start{UID: uuid(301), Grid: grid, StartedAt: t0}); err != nil {
		t.Fatalf("the grid's leader starts: %v", err)
	}
}

// TestRulesAgreeWithPolicy checks the rule table against the one permission
// policy for every demo account of the list and a few grids: reading a grid
// and setting its plan are decided alike, and whoever may start a patrol
// holds auth.PatrolWrite there.
func TestRulesAgreeWithPolicy(t *testing.T) {
	ctx := context.Background()
	a := setup(t, "sqlite")
	grids := []string{demo.GridCode(0, 0), demo.GridCode(0, 4), demo.GridCode(1, 0), demo.GridCode(5, 4)}
	n := 0
	for _, acc := range demo.Accounts() {
		p := principalOf(t, a, acc.Username)
		for _, g := range grids {
			_, err := a.Patrols.Plan(ctx, p, g)
			if (err == nil) != p.Can(auth.PatrolRead, auth.Target{Region: g}) {
				t.Errorf("%s reads grid %s: %v, policy %v", acc.Username, g, err, p.Can(auth.PatrolRead, auth.Target{Region: g}))
			}
			if err == nil {
				v, _ := a.Patrols.Plan(ctx, p, g)
				if v.CanEdit != p.Can(auth.PatrolPlan, auth.Target{Region: g}) {
					t.Errorf("%s may edit grid %s's plan: %v, policy disagrees", acc.Username, g, v.CanEdit)
				}
			}
			n++
			_, created, err := a.Patrols.Start(ctx, store.System, p, patrol.Start{UID: uuid(500 + n), Grid: g, StartedAt: t0})
			if (err == nil) != (created && p.Can(auth.PatrolWrite, auth.Target{Region: g})) || err != nil && !errors.Is(err, patrol.ErrForbidden) {
				t.Errorf("%s starts a patrol on %s: %v, policy %v", acc.Username, g, err, p.Can(auth.PatrolWrite, auth.Target{Region: g}))
			}
		}
	}
}

// TestCompliance judges a grid's week through the service, pages it, and
// sends a missed-window alert once.
func TestCompliance(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			a := setup(t, backend)
			a.Cases.Now = func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, cst) }
			s := a.Patrols
			walker := principalOf(t, a, "patrol01").PersonID
			g := demo.GridCode(0, 0)
			n := 0
			add := func(day string, h int, dur time.Duration, flags patrol.Flags, end bool) {
				n++
				d, _ := time.ParseInLocation(patrol.DateLayout, day, cst)
				storetest.AddWalk(t, a.DB, storetest.Walk{N: n, Grid: g, Walker: walker, Start: d.Add(time.Duration(h) * time.Hour), Dur: dur, Flags: flags, Open: !end})
			}
			// Monday: both windows; Tuesday: two mornings, one doubtful; Wednesday: one open patrol only; Saturday: one anyway.
			add("2026-11-23", 9, 40*time.Minute, 0, true)
			add("2026-11-23", 15, 35*time.Minute, 0, true)
			add("2026-11-24", 8, 5*time.Minute, patrol.FlagShort.Bit(), true)
			add("2026-11-24", 10, time.Hour, 0, true)
			add("2026-11-25", 9, 0, 0, false)
			add("2026-11-28", 19, 30*time.Minute, 0, true)
			leader := principalOf(t, a, "community1")
			q := patrolsvc.ComplianceQuery{Region: demo.CommunityCode(0), From: "2026-11-23", To: "2026-11-29", Size: 100}
			res, err := s.Compliance(ctx, leader, q)
			if err != nil || res.Total != 35 || len(res.Items) != 35 || len(res.Grids) != 5 {
				t.Fatalf("compliance: %d items of %d, %v", len(res.Items), res.Total, err)
			}
			want := []struct {
				date                     string
				required, done, inWindow int
				status                   patrol.Status
				flags                    []patrol.Flag
			}{
				{"2026-11-23", 2, 2, 2, patrol.StatusMet, []patrol.Flag{}},
				{"2026-11-24", 2, 2, 1, patrol.StatusPartial, []patrol.Flag{patrol.FlagShort}},
				{"2026-11-25", 2, 0, 0, patrol.StatusMissed, []patrol.Flag{}},
				{"2026-11-26", 2, 0, 0, patrol.StatusMissed, []patrol.Flag{}},
				{"2026-11-27", 2, 0, 0, patrol.StatusMissed, []patrol.Flag{}},
				{"2026-11-28", 0, 1, 0, patrol.StatusMet, []patrol.Flag{}},
				{"2026-11-29", 0, 0, 0, patrol.StatusRest, []patrol.Flag{}},
			}
			for i, w := range want {
				c := res.Items[i]
				if c.Grid != g || c.Date != w.date || c.Required != w.required || c.Done != w.done || c.InWindow != w.inWindow || c.Status != w.status || !slices.Equal(c.Flags, w.flags) {
					t.Errorf("%s: %+v", w.date, c)
				}
			}
			if mon := res.Items[0]; mon.Duration != 75*time.Minute || mon.Length != 3000 || mon.SitesVisited != 1 || mon.SitesPlanned == 0 {
				t.Errorf("Monday measures %+v", mon)
			}
			if res.Items[1].Doubtful != 1 || res.Items[7].Grid != demo.GridCode(0, 1) || res.Items[7].Done != 0 {
				t.Errorf("Tuesday %+v, second grid %+v", res.Items[1], res.Items[7])
			}
			// A page in the middle of the second grid.
			q.Page, q.Size = 3, 4
			page, err := s.Compliance(ctx, leader, q)
			if err != nil || len(page.Items) != 4 || page.Items[0].Grid != demo.GridCode(0, 1) || page.Items[0].Date != "2026-11-24" {
				t.Fatalf("page %+v %v", page.Items, err)
			}
			// Defaults, ranges and scope.
			if def, err := s.Compliance(ctx, leader, patrolsvc.ComplianceQuery{Region: g}); err != nil || def.From != "2026-11-24" || def.To != "2026-11-30" || def.Total != 7 {
				t.Fatalf("default week %s..%s (%d), %v", def.From, def.To, def.Total, err)
			}
			for _, bad := range []patrolsvc.ComplianceQuery{{From: "2026-11-30", To: "2026-11-01"}, {From: "2025-01-01", To: "2026-11-23"}, {From: "30-11-2026"}} {
				if _, err := s.Compliance(ctx, leader, bad); code(err) != apperr.Invalid {
					t.Errorf("%+v: %v", bad, err)
				}
			}
			if _, err := s.Compliance(ctx, principalOf(t, a, "community2"), patrolsvc.ComplianceQuery{Region: g}); code(err) != apperr.NotFound {
				t.Errorf("another community's grid: %v", err)
			}
		})
	}
}
