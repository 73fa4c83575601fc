package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/demo"
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

// write runs fn in one transaction, failing the test on error.
func write(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Write(context.Background(), store.System, fn); err != nil {
		t.Fatal(err)
	}
}

// TestPatrolRecords stores a whole patrol twice over through the write
// primitives, as a phone that resends everything would: each record is
// stored once, and ending it twice is a conflict.
func TestPatrolRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		walker := personID(t, db, "patrol01")
		start := time.Date(2026, 11, 23, 8, 30, 0, 0, tianshui)
		p := patrol.Patrol{UID: "6f1c1c52-0000-4000-8000-000000000001", Grid: demo.GridCode(0, 0), PatrollerID: walker,
			Day: "2026-11-23", Window: 1, StartedAt: start}
		for i, want := range []bool{true, false} {
			again := p
			write(t, db, func(tx *store.Tx) error {
				created, err := tx.InsertPatrol(ctx, &again)
				if err == nil && !created {
					again, err = tx.PatrolByUID(ctx, again.UID)
				}
				if err != nil || created != want || again.ID == 0 || again.State != patrol.StateOpen || !again.StartedAt.Equal(start) {
					t.Fatalf("start #%d: created %v %v %+v", i+1, created, err, again)
				}
				return nil
			})
			p = again
		}
		// Track: a batch sent twice stores its points once and counts them on the patrol.
		var pts []patrol.Point
		for i := 0; i < 300; i++ {
			pts = append(pts, patrol.Point{T: start.Add(time.Duration(i) * 10 * time.Second), Lat: 34.5722 + float64(i)*0.00002, Lon: 105.7022, Acc: 5})
		}
		track := func(pts []patrol.Point) (n int, ended bool) {
			write(t, db, func(tx *store.Tx) (err error) {
				n, ended, err = tx.InsertTrack(ctx, p, pts)
				return err
			})
			return n, ended
		}
		for i, want := range []int{300, 0} {
			if n, ended := track(pts); n != want || ended {
				t.Fatalf("track #%d: %d new", i+1, n)
			}
		}
		mixed := append(slices.Clone(pts[290:]), patrol.Point{T: start.Add(3000 * time.Second), Lat: 34.5785, Lon: 105.7022})
		if n, _ := track(mixed); n != 1 {
			t.Fatalf("overlapping batch: %d new", n)
		}
		got, err := db.Track(ctx, p.ID)
		if err != nil || len(got) != 301 || !got[0].T.Equal(start) || got[0].Acc != 5 {
			t.Fatalf("track %d points, %v", len(got), err)
		}
		// Visits and records: idempotent on their ids; an id reused on another patrol is a conflict.
		v := patrol.Visit{UID: "6f1c1c52-0000-4000-8000-000000000002", Site: patrol.SiteRef{UnitID: 6}, At: start.Add(5 * time.Minute), Lat: 34.5723, Lon: 105.7023, Note: "油烟净化器正常"}
		for i, want := range []bool{true, false} {
			again := v
			write(t, db, func(tx *store.Tx) error {
				created, err := tx.InsertVisit(ctx, p, &again)
				if err != nil || created != want || again.ID == 0 || again.Site.UnitID != 6 || again.Note != "油烟净化器正常" {
					t.Fatalf("visit #%d: %v %v %+v", i+1, created, err, again)
				}
				return nil
			})
		}
		r := patrol.Record{UID: "6f1c1c52-0000-4000-8000-000000000003", Kind: patrol.KindDispute, At: start.Add(9 * time.Minute),
			Parties: "烧烤摊主与住户", Summary: "油烟扰民", Outcome: "摊主同意加装净化器"}
		for i, want := range []bool{true, false} {
			again := r
			write(t, db, func(tx *store.Tx) error {
				created, err := tx.InsertRecord(ctx, p, &again)
				if err != nil || created != want || again.Kind != patrol.KindDispute || again.Outcome != r.Outcome {
					t.Fatalf("record #%d: %v %v %+v", i+1, created, err, again)
				}
				return nil
			})
		}
		other := patrol.Patrol{UID: "6f1c1c52-0000-4000-8000-000000000009", Grid: demo.GridCode(0, 0), PatrollerID: walker, Day: "2026-11-23", StartedAt: start}
		write(t, db, func(tx *store.Tx) error { _, err := tx.InsertPatrol(ctx, &other); return err })
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { reused := v; _, err := tx.InsertVisit(ctx, other, &reused); return err })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("visit id reused on another patrol: %v", err)
		}
		// Ending stores the measures once; a second end is a conflict and changes nothing.
		end := p
		end.State, end.EndedAt, end.Summary = patrol.StateEnded, start.Add(50*time.Minute), " 巡查正常 "
		end.Assessment = patrol.Assessment{Duration: 50 * time.Minute, Points: 301, Length: 700}
		write(t, db, func(tx *store.Tx) error { return tx.EndPatrol(ctx, end) })
		late := end
		late.EndedAt = start.Add(55 * time.Minute)
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.EndPatrol(ctx, late) }); !errors.Is(err, store.ErrPatrolEnded) {
			t.Fatalf("end twice: %v", err)
		}
		// A late batch for an ended patrol says so; its measures are stored anew.
		if n, ended := track([]patrol.Point{{T: start.Add(2995 * time.Second), Lat: 34.5885, Lon: 105.7022}}); n != 1 || !ended {
			t.Fatalf("late batch: %d %v", n, ended)
		}
		end.Assessment.Flags = patrol.FlagFast.Bit()
		end.Assessment.Points = 302
		write(t, db, func(tx *store.Tx) error { return tx.SaveAssessment(ctx, end) })
		got1, err := db.PatrolByUID(ctx, p.UID)
		if err != nil || got1.Points != 302 || !got1.Flags.Has(patrol.FlagFast) || got1.Visits != 1 || got1.Records != 1 ||
			!got1.EndedAt.Equal(start.Add(50*time.Minute)) || got1.Summary != "巡查正常" || got1.State != patrol.StateEnded {
			t.Fatalf("after late batch: %v %+v", err, got1)
		}
		if got1.PatrollerName == "" || got1.Day != "2026-11-23" || got1.Window != 1 {
			t.Fatalf("patrol %+v", got1)
		}
		// Lists are scoped; the flag filter takes the domain's bits.
		list, total, err := db.Patrols(ctx, store.PatrolFilter{Roots: []string{demo.CommunityCode(0)}, From: "2026-11-23", To: "2026-11-23"})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("community list: %d %v", total, err)
		}
		if _, total, _ := db.Patrols(ctx, store.PatrolFilter{Roots: []string{demo.CommunityCode(1)}}); total != 0 {
			t.Fatalf("other community sees %d patrols", total)
		}
		for _, tc := range []struct {
			flags patrol.Flags
			want  int
		}{{patrol.Doubtful, 1}, {patrol.FlagFast.Bit(), 1}, {patrol.FlagShort.Bit() | patrol.FlagStill.Bit(), 0}} {
			if _, total, _ := db.Patrols(ctx, store.PatrolFilter{Roots: []string{demo.CommunityCode(1)}, PersonID: walker, State: patrol.StateEnded, Flags: tc.flags}); total != tc.want {
				t.Fatalf("own ended patrols flagged %v: %d, want %d", tc.flags.Names(), total, tc.want)
			}
		}
		visits, _ := db.Visits(ctx, p.ID)
		records, _ := db.Records(ctx, p.ID)
		if len(visits) != 1 || len(records) != 1 {
			t.Fatalf("visits %d records %d", len(visits), len(records))
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
			t.Fatalf("default plan %+v %v", def, err)
		}
		p := patrol.Plan{Grid: g, PerDay: 3, Windows: []patrol.Window{{Start: 420, End: 600}, {Start: 600, End: 780}, {Start: 900, End: 1080}}, Weekends: true,
			Patrollers: []int64{personID(t, db, "patrol13")}, Points: []patrol.FreePoint{{Name: "砚房背后巷口", Lat: 34.5801, Lon: 105.7101}}}
		save := func(p *patrol.Plan) (before *patrol.Plan, err error) {
			err = db.Write(ctx, store.System, func(tx *store.Tx) (err error) {
				before, err = tx.SavePatrolPlan(ctx, p)
				return err
			})
			return before, err
		}
		if before, err := save(&p); err != nil || before != nil || !p.Stored {
			t.Fatalf("first save: %v %v", before, err)
		}
		got, err := db.PatrolPlan(ctx, g)
		if err != nil || !got.Stored || got.PerDay != 3 || len(got.Windows) != 3 || got.Windows[2] != (patrol.Window{Start: 900, End: 1080}) || !got.Weekends ||
			len(got.Patrollers) != 1 || got.Points[0].Name != "砚房背后巷口" {
			t.Fatalf("stored plan %+v %v", got, err)
		}
		p.PerDay = 1
		if before, err := save(&p); err != nil || before == nil || before.PerDay != 3 {
			t.Fatalf("second save: replaced %+v, %v", before, err)
		}
		unknown := patrol.DefaultPlan("620502004009009")
		if _, err := save(&unknown); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("plan for an unknown grid: %v", err)
		}
		all, _ := db.StoredPatrolPlans(ctx, "", "")
		if len(all) != 1 || all[g].PerDay != 1 {
			t.Fatalf("stored plans %v", all)
		}
		sites, err := db.KeySites(ctx, demo.GridCode(1, 2))
		counts, _ := db.KeySiteCounts(ctx, demo.GridCode(0, 0), demo.GridCode(5, 4))
		if err != nil || len(sites) == 0 || counts[demo.GridCode(1, 2)] != len(sites) || len(sites[0].Tags) == 0 {
			t.Fatalf("key sites %d (count %d) %v", len(sites), counts[demo.GridCode(1, 2)], err)
		}
		grids, _ := db.GridsUnder(ctx, false, []string{demo.CommunityCode(1)})
		if len(grids) != 5 || grids[0].Code != demo.GridCode(1, 0) || grids[0].Name == "" {
			t.Fatalf("grids %v", grids)
		}
	})
}

// TestPatrolDays sums ended patrols per grid and day (the SQL derives the
// flag bits from the patrol package), and records a missed window once.
func TestPatrolDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		walker := personID(t, db, "patrol01")
		g := demo.GridCode(0, 0)
		n := 0
		add := func(day string, h int, dur time.Duration, flags patrol.Flags, end bool) {
			n++
			d, _ := time.ParseInLocation(patrol.DateLayout, day, tianshui)
			storetest.AddWalk(t, db, storetest.Walk{N: n, Grid: g, Walker: walker, Start: d.Add(time.Duration(h) * time.Hour), Dur: dur, Flags: flags, Open: !end})
		}
		// Monday: both windows; Tuesday: three, two doubtful in different ways; Wednesday: one open patrol only.
		add("2026-11-23", 9, 40*time.Minute, 0, true)
		add("2026-11-23", 15, 35*time.Minute, 0, true)
		add("2026-11-24", 8, 5*time.Minute, patrol.FlagShort.Bit(), true)
		add("2026-11-24", 10, time.Hour, 0, true)
		add("2026-11-24", 11, time.Hour, patrol.FlagStill.Bit()|patrol.FlagOutside.Bit(), true)
		add("2026-11-25", 9, 0, 0, false)
		tallies, err := db.Tallies(ctx, g, demo.GridCode(0, 1), "2026-11-23", "2026-11-29")
		if err != nil || len(tallies) != 2 {
			t.Fatalf("tallies %v %v", tallies, err)
		}
		mon, tue := tallies[[2]string{g, "2026-11-23"}], tallies[[2]string{g, "2026-11-24"}]
		if mon.Done != 2 || mon.Windows != 0b11 || mon.Doubtful != 0 || mon.Flags != 0 || mon.Duration != 75*time.Minute || mon.Length != 3000 || mon.Sites != 1 {
			t.Errorf("Monday %+v", mon)
		}
		if want := patrol.FlagShort.Bit() | patrol.FlagStill.Bit() | patrol.FlagOutside.Bit(); tue.Done != 3 || tue.Windows != 0b01 || tue.Doubtful != 2 || tue.Flags != want {
			t.Errorf("Tuesday %+v: flags %v, want %v", tue, tue.Flags.Names(), want.Names())
		}
		// Windows started (open patrols count) and a missed window recorded once.
		started, err := db.WindowsStarted(ctx, time.Date(2026, 11, 25, 0, 0, 0, 0, tianshui), time.Date(2026, 11, 26, 0, 0, 0, 0, tianshui))
		if err != nil || started[g] != 1 || len(started) != 1 {
			t.Fatalf("started %v %v", started, err)
		}
		m := store.Missed{Grid: g, Day: "2026-11-25", Window: 2}
		for i, want := range []bool{true, false} {
			write(t, db, func(tx *store.Tx) error {
				if sent, err := tx.InsertPatrolAlert(ctx, m); err != nil || sent != want {
					t.Fatalf("alert #%d: %v %v", i+1, sent, err)
				}
				return nil
			})
		}
	})
}
