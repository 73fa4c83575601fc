package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

var tianshui = time.FixedZone("CST", 8*3600)

// personID returns a demo person's id.
func personID(t *testing.T, db *store.DB, username string) int64 {
	t.Helper()
	p, _, err := db.Credentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestPatrolRecords stores a whole patrol twice over, as a phone that resends
// everything would: each record is stored once, and ending it twice is a conflict.
func TestPatrolRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		walker := personID(t, db, "patrol01")
		actor := store.Actor{ID: walker, Name: "patrol01"}
		start := time.Date(2026, 11, 23, 8, 30, 0, 0, tianshui)
		p := patrol.Patrol{UID: "6f1c1c52-0000-4000-8000-000000000001", Grid: demo.GridCode(0, 0), PatrollerID: walker,
			Day: "2026-11-23", Window: 1, StartedAt: start}
		for i, want := range []bool{true, false} {
			again := p
			created, err := db.StartPatrol(ctx, actor, &again)
			if err != nil || created != want || again.ID == 0 || again.State != patrol.StateOpen || !again.StartedAt.Equal(start) {
				t.Fatalf("start #%d: created %v, %v, %+v; want created %v, an open patrol started at %v", i+1, created, err, again, want, start)
			}
			p = again
		}
		if n := auditCount(t, db, "patrol", p.UID); n != 1 {
			t.Fatalf("%d audit rows after starting twice, want 1", n)
		}
		// Track: a batch sent twice stores its points once; one audit row per batch that stored something.
		var pts []patrol.Point
		for i := 0; i < 300; i++ {
			pts = append(pts, patrol.Point{T: start.Add(time.Duration(i) * 10 * time.Second), Lat: 34.5722 + float64(i)*0.00002, Lon: 105.7022, Acc: 5})
		}
		for i, want := range []int{300, 0} {
			n, ended, err := db.AddTrack(ctx, actor, p, pts)
			if err != nil || n != want || ended {
				t.Fatalf("track #%d: %d new, ended %v, %v; want %d new on an open patrol", i+1, n, ended, err, want)
			}
		}
		mixed := append(slices.Clone(pts[290:]), patrol.Point{T: start.Add(3000 * time.Second), Lat: 34.5785, Lon: 105.7022})
		if n, _, err := db.AddTrack(ctx, actor, p, mixed); err != nil || n != 1 {
			t.Fatalf("overlapping batch: %d new, %v; want 1", n, err)
		}
		track, err := db.Track(ctx, p.ID)
		if err != nil || len(track) != 301 || !track[0].T.Equal(start) || track[0].Acc != 5 {
			t.Fatalf("track %d points, %v; want 301 from the start, with their accuracy", len(track), err)
		}
		// Visits and records: idempotent on their ids; an id reused on another patrol is a conflict.
		v := patrol.Visit{UID: "6f1c1c52-0000-4000-8000-000000000002", Site: patrol.SiteRef{UnitID: 6}, At: start.Add(5 * time.Minute), Lat: 34.5723, Lon: 105.7023, Note: "油烟净化器正常"}
		for i, want := range []bool{true, false} {
			again := v
			created, err := db.AddVisit(ctx, actor, p, &again)
			if err != nil || created != want || again.ID == 0 || again.Site.UnitID != 6 || again.Note != "油烟净化器正常" {
				t.Fatalf("visit #%d: created %v, %v, %+v; want created %v with its site and note", i+1, created, err, again, want)
			}
		}
		r := patrol.Record{UID: "6f1c1c52-0000-4000-8000-000000000003", Kind: patrol.KindDispute, At: start.Add(9 * time.Minute),
			Parties: "烧烤摊主与住户", Summary: "油烟扰民", Outcome: "摊主同意加装净化器"}
		for i, want := range []bool{true, false} {
			again := r
			created, err := db.AddRecord(ctx, actor, p, &again)
			if err != nil || created != want || again.Kind != patrol.KindDispute || again.Outcome != r.Outcome {
				t.Fatalf("record #%d: created %v, %v, %+v; want created %v, the dispute and its outcome", i+1, created, err, again, want)
			}
		}
		other := patrol.Patrol{UID: "6f1c1c52-0000-4000-8000-000000000009", Grid: demo.GridCode(0, 0), PatrollerID: walker, Day: "2026-11-23", StartedAt: start}
		if _, err := db.StartPatrol(ctx, actor, &other); err != nil {
			t.Fatal(err)
		}
		reused := v
		if _, err := db.AddVisit(ctx, actor, other, &reused); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("visit id reused on another patrol: %v, want a conflict", err)
		}
		// Ending measures the track; ending again is a conflict and changes nothing.
		assess := func(p patrol.Patrol, pts []patrol.Point) patrol.Assessment {
			return patrol.Assess(p.StartedAt, p.EndedAt, pts, func(lat, lon float64) bool { return lat < 34.578 })
		}
		ended, err := db.EndPatrol(ctx, actor, p.ID, start.Add(50*time.Minute), " 巡查正常 ", assess)
		if err != nil || ended.State != patrol.StateEnded || ended.Summary != "巡查正常" || ended.Points != 301 || ended.Length < 600 || ended.Flags != 0 {
			t.Fatalf("end: %v, %+v; want ended, the summary trimmed, 301 points, 600 m or more, no flags", err, ended)
		}
		if _, err := db.EndPatrol(ctx, actor, p.ID, start.Add(55*time.Minute), "", assess); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("end twice: %v, want a conflict", err)
		}
		// A late batch for an ended patrol is measured again: a jump makes it too fast.
		late := []patrol.Point{{T: start.Add(2995 * time.Second), Lat: 34.5885, Lon: 105.7022}}
		if n, ended, err := db.AddTrack(ctx, actor, p, late); err != nil || n != 1 || !ended {
			t.Fatalf("late batch: %d new, ended %v, %v; want 1 new on an ended patrol", n, ended, err)
		}
		if _, err := db.Reassess(ctx, actor, p.ID, assess); err != nil {
			t.Fatal(err)
		}
		got, err := db.PatrolByUID(ctx, p.UID)
		if err != nil || got.Points != 302 || !got.Flags.Has(patrol.FlagFast) || got.Visits != 1 || got.Records != 1 || !got.EndedAt.Equal(start.Add(50*time.Minute)) {
			t.Fatalf("after late batch: %v, %+v; want 302 points flagged too fast, 1 visit, 1 record, the end time kept", err, got)
		}
		if got.PatrollerName == "" || got.Day != "2026-11-23" || got.Window != 1 {
			t.Fatalf("patrol %+v, want its patroller's name, day 2026-11-23 and window 1", got)
		}
		// Audit: start, two batches that stored points, visit, record, end, the late batch and its measuring.
		if n := auditCount(t, db, "patrol", p.UID); n != 8 {
			t.Fatalf("%d audit rows, want 8", n)
		}
		// Lists are scoped.
		list, total, err := db.Patrols(ctx, store.PatrolFilter{Roots: []string{demo.CommunityCode(0)}, From: "2026-11-23", To: "2026-11-23"})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("community list: %d of %d, %v; want both patrols", len(list), total, err)
		}
		if _, total, _ := db.Patrols(ctx, store.PatrolFilter{Roots: []string{demo.CommunityCode(1)}}); total != 0 {
			t.Fatalf("other community sees %d patrols, want 0", total)
		}
		if _, total, _ := db.Patrols(ctx, store.PatrolFilter{Roots: []string{demo.CommunityCode(1)}, PersonID: walker, State: patrol.StateEnded, Flagged: true}); total != 1 {
			t.Fatalf("own flagged ended patrols: %d, want 1", total)
		}
		visits, _ := db.Visits(ctx, p.ID)
		records, _ := db.Records(ctx, p.ID)
		if len(visits) != 1 || len(records) != 1 {
			t.Fatalf("visits %d, records %d; want 1 and 1", len(visits), len(records))
		}
	})
}

func TestPatrolPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		g := demo.GridCode(1, 2)
		def, err := db.PatrolPlan(ctx, g)
		if err != nil || def.Stored || def.PerDay != 2 || len(def.Windows) != 2 {
			t.Fatalf("default plan %+v, %v; want the unstored default of 2 a day in 2 windows", def, err)
		}
		admin := store.Actor{ID: 1, Name: "admin"}
		p := patrol.Plan{Grid: g, PerDay: 3, Windows: []patrol.Window{{Start: 420, End: 600}, {Start: 600, End: 780}, {Start: 900, End: 1080}}, Weekends: true,
			Patrollers: []int64{personID(t, db, "patrol13")}, Points: []patrol.FreePoint{{Name: "砚房背后巷口", Lat: 34.5801, Lon: 105.7101}}}
		if err := db.SavePatrolPlan(ctx, admin, &p); err != nil {
			t.Fatal(err)
		}
		got, err := db.PatrolPlan(ctx, g)
		if err != nil || !got.Stored || got.PerDay != 3 || len(got.Windows) != 3 || got.Windows[2] != (patrol.Window{Start: 900, End: 1080}) || !got.Weekends ||
			len(got.Patrollers) != 1 || got.Points[0].Name != "砚房背后巷口" {
			t.Fatalf("stored plan %+v, %v; want the saved plan back", got, err)
		}
		p.PerDay = 1
		if err := db.SavePatrolPlan(ctx, admin, &p); err != nil {
			t.Fatal(err)
		}
		if n := auditCount(t, db, "patrol_plan", g); n != 2 {
			t.Fatalf("%d audit rows for the plan, want 2", n)
		}
		bad := patrol.Plan{Grid: g, PerDay: 2}
		if err := db.SavePatrolPlan(ctx, admin, &bad); apperr.As(err).Fields["windows"].Key == "" {
			t.Fatalf("plan without windows: %v, want a field error on windows", err)
		}
		unknown := patrol.DefaultPlan("620502004009009")
		if err := db.SavePatrolPlan(ctx, admin, &unknown); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("plan for an unknown grid: %v, want invalid", err)
		}
		all, _ := db.StoredPatrolPlans(ctx, "", "")
		if len(all) != 1 || all[g].PerDay != 1 {
			t.Fatalf("stored plans %v, want the one plan of %s at 1 a day", all, g)
		}
		sites, err := db.KeySites(ctx, demo.GridCode(1, 2))
		counts, _ := db.KeySiteCounts(ctx, demo.GridCode(0, 0), demo.GridCode(5, 4))
		if err != nil || len(sites) == 0 || counts[demo.GridCode(1, 2)] != len(sites) || len(sites[0].Tags) == 0 {
			t.Fatalf("key sites %d (count %d), %v; want some, tagged, counted alike", len(sites), counts[demo.GridCode(1, 2)], err)
		}
		grids, _ := db.GridsUnder(ctx, false, []string{demo.CommunityCode(1)})
		if len(grids) != 5 || grids[0].Code != demo.GridCode(1, 0) || grids[0].Name == "" {
			t.Fatalf("grids %v, want the 5 named grids of community 1 from %s", grids, demo.GridCode(1, 0))
		}
	})
}

// TestCompliance sums ended patrols per grid and day against the plans, and
// sends a missed-window alert once.
func TestCompliance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		cal, err := calendar.New(nil, tianshui)
		if err != nil {
			t.Fatal(err)
		}
		walker := personID(t, db, "patrol01")
		g := demo.GridCode(0, 0)
		n := 0
		add := func(day string, h int, dur time.Duration, flags patrol.Flags, end bool) {
			n++
			d, _ := time.ParseInLocation(patrol.DateLayout, day, tianshui)
			start := d.Add(time.Duration(h) * time.Hour)
			plan := patrol.DefaultPlan(g)
			h2 := store.PatrolHistory{Patrol: patrol.Patrol{UID: "7f1c1c52-0000-4000-8000-" + fmtN(n), Grid: g, PatrollerID: walker, Day: day,
				Window: plan.WindowOf(start, tianshui), State: patrol.StateOpen, StartedAt: start, UpdatedAt: start}}
			if end {
				h2.Patrol.State, h2.Patrol.EndedAt = patrol.StateEnded, start.Add(dur)
				h2.Patrol.Assessment = patrol.Assessment{Duration: dur, Length: 1500, Flags: flags, Points: 2}
				h2.Track = []patrol.Point{{T: start, Lat: 34.5722, Lon: 105.7022}, {T: start.Add(dur), Lat: 34.5742, Lon: 105.7022}}
				h2.Visits = []patrol.Visit{{UID: "7f1c1c52-0000-4000-9000-" + fmtN(n), Site: patrol.SiteRef{Point: 1}, At: start, Lat: 34.5722, Lon: 105.7022}}
			}
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				if err := tx.InsertPatrolHistories(ctx, []store.PatrolHistory{h2}); err != nil {
					return err
				}
				return tx.RefreshPatrolDays(ctx, g, g, day, day)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// Monday: both windows; Tuesday: two mornings, one doubtful; Wednesday: one open patrol only; Saturday: one anyway.
		add("2026-11-23", 9, 40*time.Minute, 0, true)
		add("2026-11-23", 15, 35*time.Minute, 0, true)
		add("2026-11-24", 8, 5*time.Minute, patrol.Flags(0).With(patrol.FlagShort), true)
		add("2026-11-24", 10, time.Hour, 0, true)
		add("2026-11-25", 9, 0, 0, false)
		add("2026-11-28", 19, 30*time.Minute, 0, true)
		q := store.ComplianceQuery{Grids: []string{g, demo.GridCode(0, 1)}, From: "2026-11-23", To: "2026-11-29", Today: "2026-11-30", Limit: 100}
		items, total, err := db.Compliance(ctx, cal, q)
		if err != nil || total != 14 || len(items) != 14 {
			t.Fatalf("compliance: %d items of %d, %v; want 14 (2 grids × 7 days)", len(items), total, err)
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
			c := items[i]
			if c.Grid != g || c.Date != w.date || c.Required != w.required || c.Done != w.done || c.InWindow != w.inWindow || c.Status != w.status || !slices.Equal(c.Flags, w.flags) {
				t.Errorf("%s: %+v, want grid %s: %d required, %d done, %d in window, %s, flags %v", w.date, c, g, w.required, w.done, w.inWindow, w.status, w.flags)
			}
		}
		if mon := items[0]; mon.Duration != 75*time.Minute || mon.Length != 3000 || mon.SitesVisited != 1 || mon.SitesPlanned == 0 {
			t.Errorf("Monday measures %+v, want 75 min, 3000 m, 1 site visited of some planned", mon)
		}
		if items[1].Doubtful != 1 || items[7].Grid != demo.GridCode(0, 1) || items[7].Done != 0 {
			t.Errorf("Tuesday %+v, second grid %+v; want 1 doubtful patrol, and the second grid's Monday with none done", items[1], items[7])
		}
		// A page in the middle of the second grid.
		q.Offset, q.Limit = 8, 3
		page, _, err := db.Compliance(ctx, cal, q)
		if err != nil || len(page) != 3 || page[0].Grid != demo.GridCode(0, 1) || page[0].Date != "2026-11-24" {
			t.Fatalf("page %+v, %v; want 3 days of the second grid from 2026-11-24", page, err)
		}
		// Windows started (open patrols count) and a missed alert sent once.
		started, err := db.WindowsStarted(ctx, time.Date(2026, 11, 25, 0, 0, 0, 0, tianshui), time.Date(2026, 11, 26, 0, 0, 0, 0, tianshui))
		if err != nil || started[g] != 1 || len(started) != 1 {
			t.Fatalf("started %v %v", started, err)
		}
		leader := personID(t, db, "community1")
		m := store.Missed{Grid: g, Day: "2026-11-25", Window: 2, Span: patrol.Window{Start: 840, End: 1080}}
		ev := notify.Event{Kind: notify.PatrolMissed, Subject: notify.Subject{Region: g},
			Record: notify.Record{Kind: "patrol_alert", Ref: "忠武巷社区第1网格 2026-11-25 14:00-18:00"}}
		for i, want := range []bool{true, false} {
			if sent, err := db.AlertMissed(ctx, m, ev); err != nil || sent != want {
				t.Fatalf("alert #%d: %v %v", i+1, sent, err)
			}
		}
		inbox, total, err := db.Inbox(ctx, leader, true, store.Page{})
		if err != nil || total != 1 || inbox[0].Kind != "patrol_missed" || inbox[0].Number != "忠武巷社区第1网格 2026-11-25 14:00-18:00" {
			t.Fatalf("inbox %+v, %v; want one patrol_missed message for 忠武巷社区第1网格 2026-11-25 14:00-18:00", inbox, err)
		}
	})
}

func fmtN(n int) string {
	s := "000000000000" + itoaTest(n)
	return s[len(s)-12:]
}

func itoaTest(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
