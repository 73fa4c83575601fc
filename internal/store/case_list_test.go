package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/ledgermix"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// ledgerFixture is a demo street with n cases spread over grids, statuses,
// categories, units, reporters and assignees, inserted out of report-time
// order (as back-filled and imported cases are), some reported at the same
// instant, and some pending past their deadline at now.
type ledgerFixture struct {
	db         *store.DB
	leaves     []string
	groups     []string
	units      []int64
	people     []int64
	start, now time.Time
}

func newLedgerFixture(t testing.TB, db *store.DB, n int) *ledgerFixture {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	fx := &ledgerFixture{db: db, people: []int64{2, 3, 4, 5}}
	tree, err := db.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range tree {
		fx.groups = append(fx.groups, g.Code)
		for _, c := range g.Children {
			fx.leaves = append(fx.leaves, c.Code)
		}
	}
	fx.units = storetest.ActiveUnits(t, db, demo.StreetCode)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	fx.start = time.Date(2026, 3, 1, 0, 0, 0, 0, loc)
	fx.now = fx.start.AddDate(0, 0, 45)
	rnd := rand.New(rand.NewPCG(7, 15))
	err = db.Write(ctx, store.Actor{Name: "test"}, func(tx *store.Tx) error {
		var at time.Time
		for i := 0; i < n; i++ {
			// Report times in random order; every tenth case shares the previous one's instant.
			if i%10 != 9 {
				at = fx.start.Add(time.Duration(rnd.IntN(60*24*60)) * time.Minute)
			}
			c := cases.Case{ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Description: "测试",
				Region: demo.GridCode(rnd.IntN(6), rnd.IntN(5)), Source: cases.SourcePatrol, Day: at.In(loc).Format("2006-01-02")}
			c.Category, c.Lat, c.Lon, c.ReportedAt = fx.leaves[rnd.IntN(len(fx.leaves))], 34.58, 105.72, at
			c.Status = cases.Statuses[rnd.IntN(len(cases.Statuses))]
			c.Class, c.Severity, c.Level, c.Version = cases.Classes[rnd.IntN(len(cases.Classes))], cases.SeverityMinor, cases.LevelStreet+rnd.IntN(3), 1
			c.Held, c.UpdatedAt = demo.CommunityCode(0), at
			if rnd.IntN(4) == 0 {
				c.UnitID = fx.units[rnd.IntN(len(fx.units))]
			}
			if rnd.IntN(8) == 0 {
				c.ReporterID = fx.people[rnd.IntN(len(fx.people))]
			}
			switch rnd.IntN(8) {
			case 0:
				c.Assignee = cases.AssigneeRef("person", fx.people[rnd.IntN(len(fx.people))])
			case 1:
				c.Assignee = cases.AssigneeRef("unit", fx.units[rnd.IntN(len(fx.units))])
			case 2:
				c.Assignee = cases.AssigneeRef("region", c.Region)
			}
			if c.Status.Pending() || c.Status == cases.StatusHandled {
				c.Deadline = at.Add(time.Duration(24+rnd.IntN(24*20)) * time.Hour)
			}
			ev := []cases.Event{{At: at, ActorName: "test", Action: cases.ActionReport, Status: cases.StatusReported, Level: 3}}
			if err := tx.InsertCaseHistory(ctx, "T", &c, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// scopes are the scopes people sign in with: district-wide, the street, a
// community, a grid (each with the person's own cases), two communities,
// a community and a grid in it, a unit's contact, and a person with no region.
func (fx *ledgerFixture) scopes() []store.CaseFilter {
	p := fx.people[0]
	return []store.CaseFilter{
		{All: true},
		{Roots: []string{demo.StreetCode}, PersonID: p},
		{Roots: []string{demo.CommunityCode(1)}, PersonID: p},
		{Roots: []string{demo.GridCode(2, 3)}, PersonID: p},
		{Roots: []string{demo.CommunityCode(0), demo.CommunityCode(4)}, PersonID: p},
		{Roots: []string{demo.CommunityCode(1), demo.GridCode(1, 2)}, PersonID: p}, // overlapping roots
		{UnitIDs: []int64{fx.units[0]}, PersonID: fx.people[1]},
		{PersonID: fx.people[2]},
		{Roots: []string{demo.DistrictCode}},
	}
}

// filter draws the ledger's filters at random onto scope f.
func (fx *ledgerFixture) filter(rnd *rand.Rand, f store.CaseFilter) store.CaseFilter {
	one := func(p float64) bool { return rnd.Float64() < p }
	if one(0.4) {
		f.Status = string(cases.Statuses[rnd.IntN(len(cases.Statuses))])
	}
	if one(0.2) {
		f.Class = string(cases.Classes[rnd.IntN(len(cases.Classes))])
	}
	if one(0.3) {
		if one(0.5) {
			f.Category = fx.groups[rnd.IntN(len(fx.groups))]
		} else {
			f.Category = fx.leaves[rnd.IntN(len(fx.leaves))]
		}
	}
	if one(0.15) {
		f.Level = cases.LevelStreet + rnd.IntN(3)
	}
	if one(0.4) {
		f.Region = []string{demo.StreetCode, demo.CommunityCode(rnd.IntN(6)), demo.GridCode(rnd.IntN(6), rnd.IntN(5)), demo.DistrictCode}[rnd.IntN(4)]
	}
	if one(0.1) {
		f.UnitID = fx.units[rnd.IntN(len(fx.units))]
	}
	if one(0.4) {
		d := fx.start.AddDate(0, 0, rnd.IntN(60))
		switch rnd.IntN(3) {
		case 0:
			f.From = d.Format("2006-01-02")
		case 1:
			f.To = d.Format("2006-01-02")
		default:
			f.From, f.To = d.Format("2006-01-02"), d.AddDate(0, 0, rnd.IntN(20)).Format("2006-01-02")
		}
	}
	f.Now = fx.now
	if one(0.15) {
		f.Overdue = true
	}
	if one(0.1) {
		f.AssignedTo = fx.people[rnd.IntN(len(fx.people))]
	}
	if one(0.15) {
		f.Mine = fx.mine(rnd)
	}
	f.Sort = []string{"", "", "oldest", "deadline", "number"}[rnd.IntN(5)]
	f.Page = store.Page{Page: 1 + rnd.IntN(3), Size: []int{5, 20, 50}[rnd.IntN(3)]}
	return f
}

// moveCases changes the status and level of n cases drawn at random (some
// twice), through the store's update as the services do, and checks a
// tally-served total against a count of the rows afterwards.
func (fx *ledgerFixture) moveCases(t *testing.T, rnd *rand.Rand, n int) {
	t.Helper()
	ctx := context.Background()
	all, _, err := fx.db.Cases(ctx, store.CaseFilter{All: true, ExactTotal: true, Page: store.Page{Size: 100}})
	if err != nil || len(all) == 0 {
		t.Fatalf("cases: %d, %v", len(all), err)
	}
	for i := 0; i < n; i++ {
		before, err := fx.db.CaseByNumber(ctx, all[rnd.IntN(len(all))].Number)
		if err != nil {
			t.Fatal(err)
		}
		after := before
		after.Status = cases.Statuses[rnd.IntN(len(cases.Statuses))]
		after.Level = cases.LevelStreet + rnd.IntN(3)
		after.Version++
		entry := cases.Entry{Action: cases.ActionReport, Status: after.Status, Level: after.Level, At: fx.now, Note: "test"}
		if _, err := fx.db.UpdateCase(ctx, store.Actor{Name: "test"}, store.CaseUpdate{Before: before, After: after, Entry: entry}); err != nil {
			t.Fatal(err)
		}
	}
	f := store.CaseFilter{Roots: []string{demo.CommunityCode(2)}, Status: string(cases.StatusClosed), Page: store.Page{Size: 1}}
	_, total, err := fx.db.Cases(ctx, f)
	_, want, err2 := store.CasesPlain(ctx, fx.db, f)
	if err != nil || err2 != nil || total != want || want == 0 {
		t.Fatalf("a community's closed cases after changes: %d (%v), counted %d (%v)", total, err, want, err2)
	}
	// The tally counted anew from the rows (as after a bulk load) says the same.
	totals := func() []int {
		var out []int
		for _, s := range ledgermix.Scopes() {
			for _, st := range append([]cases.Status{""}, cases.Statuses...) {
				_, n, err := fx.db.Cases(ctx, store.CaseFilter{Roots: []string{s.Region}, Status: string(st), Page: store.Page{Size: 1}})
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, n)
			}
		}
		return out
	}
	kept := totals()
	if err := fx.db.RebuildCaseTally(ctx); err != nil {
		t.Fatal(err)
	}
	if again := totals(); !slices.Equal(kept, again) {
		t.Fatalf("totals from the kept tally %v, from the rebuilt one %v", kept, again)
	}
}

// mine is "assigned to me" for someone: a person, with the grids they
// patrol or a community they lead, and a unit they are a contact of.
func (fx *ledgerFixture) mine(rnd *rand.Rand) *store.CaseMine {
	m := &store.CaseMine{PersonID: fx.people[rnd.IntN(len(fx.people))]}
	switch rnd.IntN(3) {
	case 0:
		m.Regions = []string{demo.GridCode(rnd.IntN(6), rnd.IntN(5)), demo.GridCode(rnd.IntN(6), rnd.IntN(5))}
	case 1:
		m.Regions = []string{demo.CommunityCode(rnd.IntN(6))}
	}
	if rnd.IntN(2) == 0 {
		m.UnitIDs = []int64{fx.units[rnd.IntN(len(fx.units))]}
	}
	return m
}

func numbers(list []cases.Case) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Number
	}
	return out
}

// TestCasesMatchPlainQuery compares every page Cases answers (the union of
// the scope's branches, each through its own index, the day range through
// the report time) with the plain query it replaces, over random filters.
func TestCasesMatchPlainQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newLedgerFixture(t, db, 1200)
		rnd := rand.New(rand.NewPCG(1, 2))
		fx.moveCases(t, rnd, 300) // the totals' tally must follow status and level changes
		nonEmpty := 0
		for i := 0; i < 600; i++ {
			// Besides, a contact of four units: more branches than one query is split into.
			scopes := append(fx.scopes(), store.CaseFilter{UnitIDs: fx.units[:4], PersonID: fx.people[3]})
			f := fx.filter(rnd, scopes[rnd.IntN(len(scopes))])
			got, total, err := db.Cases(ctx, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			want, wantTotal, err := store.CasesPlain(ctx, db, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			if total != wantTotal || !slices.Equal(numbers(got), numbers(want)) {
				t.Fatalf("%+v:\n got %d %v\nwant %d %v", f, total, numbers(got), wantTotal, numbers(want))
			}
			if len(got) > 0 {
				nonEmpty++
			}
		}
		if nonEmpty < 200 {
			t.Errorf("only %d of 600 pages had rows: the filters test too little", nonEmpty)
		}
	})
}

// TestCasesNewestReportedFirst: back-filled cases (inserted after newer
// ones) list by report time, the case number breaking ties the other way.
func TestCasesNewestReportedFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newLedgerFixture(t, db, 300)
		list, _, err := db.Cases(ctx, store.CaseFilter{All: true, Page: store.Page{Size: 100}})
		if err != nil {
			t.Fatal(err)
		}
		outOfIDOrder := false
		for i := 1; i < len(list); i++ {
			a, b := list[i-1], list[i]
			if a.ReportedAt.Before(b.ReportedAt) || a.ReportedAt.Equal(b.ReportedAt) && a.ID < b.ID {
				t.Fatalf("%s (%v, id %d) listed before %s (%v, id %d)", a.Number, a.ReportedAt, a.ID, b.Number, b.ReportedAt, b.ID)
			}
			if a.ID < b.ID {
				outOfIDOrder = true
			}
		}
		if !outOfIDOrder {
			t.Fatal("the fixture has no back-filled cases")
		}
		old, _, err := db.Cases(ctx, store.CaseFilter{All: true, Sort: "oldest", Page: store.Page{Size: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(old); i++ {
			if old[i].ReportedAt.Before(old[i-1].ReportedAt) {
				t.Fatalf("oldest first: %s after %s", old[i].Number, old[i-1].Number)
			}
		}
	})
}

// TestCasesTotalCap: past store.TotalCap the total says "more" (Cases
// stops counting), unless the caller asks for the exact total.
func TestCasesTotalCap(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	ctx := context.Background()
	fx := newLedgerFixture(t, db, store.TotalCap+30)
	_, total, err := db.Cases(ctx, store.CaseFilter{All: true, Page: store.Page{Size: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if !store.TotalMore(total) {
		t.Fatalf("total %d: want more than %d", total, store.TotalCap)
	}
	_, exact, err := db.Cases(ctx, store.CaseFilter{All: true, ExactTotal: true, Page: store.Page{Size: 1}})
	if err != nil || exact != store.TotalCap+30 {
		t.Fatalf("exact total %d, %v: want %d", exact, err, store.TotalCap+30)
	}
	// A smaller result is exact, through the union of branches too.
	f := store.CaseFilter{Roots: []string{demo.GridCode(0, 0)}, PersonID: fx.people[0], Status: string(cases.StatusClosed), Page: store.Page{Size: 1}}
	_, total, err = db.Cases(ctx, f)
	_, want, err2 := store.CasesPlain(ctx, db, f)
	if err != nil || err2 != nil || total != want || store.TotalMore(total) {
		t.Fatalf("grid total %d (%v), want %d (%v)", total, err, want, err2)
	}
}

// planCombos lists every combination of the filters that decide how a
// ledger query is planned: the scope, the status (none, pending, closed),
// the category (none, one, a group), the region filter's level, a unit,
// assigned to me, overdue and the sort order. The filters that only narrow
// (class, level, dates) are drawn at random onto each.
func (fx *ledgerFixture) planCombos() []store.CaseFilter {
	rnd := rand.New(rand.NewPCG(3, 4))
	var out []store.CaseFilter
	for _, scope := range fx.scopes() {
		for _, status := range []string{"", "assigned", "closed"} {
			for _, cat := range []string{"", fx.leaves[0], fx.groups[0]} {
				for _, reg := range []string{"", demo.StreetCode, demo.CommunityCode(1), demo.GridCode(1, 2)} {
					for _, unit := range []int64{0, fx.units[0]} {
						for _, mine := range []int64{0, fx.people[0]} {
							for _, overdue := range []bool{false, true} {
								for _, sort := range []string{"", "oldest", "deadline", "number"} {
									f := scope
									f.Status, f.Category, f.Region, f.UnitID, f.AssignedTo, f.Overdue, f.Sort = status, cat, reg, unit, mine, overdue, sort
									f.Now = fx.now
									if rnd.IntN(3) == 0 {
										f.Class = string(cases.ClassEscalated)
									}
									if rnd.IntN(4) == 0 {
										f.Level = cases.LevelCommunity
									}
									switch rnd.IntN(4) {
									case 0:
										f.From, f.To = "2026-03-10", "2026-03-31"
									case 1:
										f.From = "2026-04-01"
									}
									if rnd.IntN(8) == 0 {
										f.Mine = fx.mine(rnd)
									}
									f.Page = store.Page{Page: 1 + rnd.IntN(5), Size: 50}
									out = append(out, f)
								}
							}
						}
					}
				}
			}
		}
	}
	return out
}

var (
	fullScan    = regexp.MustCompile(`^SCAN c$|^SCAN cases$`)
	indexWalk   = regexp.MustCompile(`^SCAN c USING (COVERING )?INDEX (\S+)`)
	indexSearch = regexp.MustCompile(`^SEARCH c USING (COVERING )?INDEX (\S+)`)
)

// TestCasePlans plans every filter combination the ledger page and the API
// allow, the page and the count, and fails on a full scan of cases; on
// SQLite also on a walk of a whole index other than the report-time one of
// an unlimited scope (or the case numbers' for that order), and on a
// newest- or oldest-first page that sorts instead of reading an index in
// order. On PostgreSQL (with sequential scans off) a plan must not need a
// sequential scan of cases.
func TestCasePlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newLedgerFixture(t, db, 200)
		combos := fx.planCombos()
		t.Logf("%d combinations", len(combos))
		for i, f := range combos {
			if db.Dialect == store.Postgres && i%7 != 0 {
				continue // a seventh of them: PostgreSQL plans each in a round trip
			}
			list, largs, count, cargs, err := store.CaseQueries(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []struct {
				kind string
				sql  string
				args []any
			}{{"page", list, largs}, {"count", count, cargs}} {
				plan, err := store.Explain(ctx, db, q.sql, q.args)
				if err != nil {
					t.Fatalf("%s of %+v: %v\n%s", q.kind, f, err, q.sql)
				}
				if msg := checkPlan(db.Dialect, f, q.kind, plan); msg != "" {
					t.Fatalf("%s of %+v: %s\n%s\n%s", q.kind, f, msg, q.sql, showPlan(plan))
				}
			}
		}
	})
}

func showPlan(plan [][3]any) string {
	var b strings.Builder
	for _, r := range plan {
		fmt.Fprintf(&b, "%v %v %v\n", r[0], r[1], r[2])
	}
	return b.String()
}

func checkPlan(d store.Dialect, f store.CaseFilter, kind string, plan [][3]any) string {
	if d == store.Postgres {
		for _, r := range plan {
			if strings.Contains(r[2].(string), "Seq Scan on cases") {
				return "a sequential scan of cases"
			}
		}
		return ""
	}
	// Which nodes lie inside a branch (a CO-ROUTINE bN): their sorts are the branch's own.
	parent := map[int]int{}
	detail := map[int]string{}
	for _, r := range plan {
		parent[r[0].(int)], detail[r[0].(int)] = r[1].(int), r[2].(string)
	}
	inBranch := func(id int) bool {
		for p := parent[id]; p != 0; p = parent[p] {
			if strings.HasPrefix(detail[p], "CO-ROUTINE b") {
				return true
			}
		}
		return false
	}
	unlimited := f.All || slices.Contains(f.Roots, demo.DistrictCode)
	timeOrder := f.Sort == "" || f.Sort == "oldest"
	for _, r := range plan {
		id, line := r[0].(int), r[2].(string)
		if fullScan.MatchString(line) {
			return "a full scan of cases"
		}
		if m := indexWalk.FindStringSubmatch(line); m != nil {
			ok := m[2] == "cases_at" && unlimited && f.Region == "" || m[2] == "sqlite_autoindex_cases_1" && f.Sort == "number" && kind == "page"
			if !ok {
				return "a walk of the whole index " + m[2]
			}
		}
		if kind == "page" && timeOrder && strings.Contains(line, "TEMP B-TREE FOR ORDER BY") && f.Number == "" {
			branches := len(f.Roots) + 2*len(f.UnitIDs)
			if f.PersonID != 0 {
				branches += 2
			}
			if f.All {
				branches = 1
			}
			if f.Mine != nil {
				branches = 1 + len(f.Mine.Regions) + len(f.Mine.UnitIDs)
			}
			if branches == 1 || inBranch(id) {
				return "a sort instead of an index in order"
			}
		}
		_ = indexSearch
	}
	return ""
}

// BenchmarkLedgerMix lists random ledger pages (fx.filter over the scopes
// people sign in with, pages 1–3 of up to 50) with their totals, from as
// many goroutines as GOMAXPROCS×-cpu, over LANTIAN_BENCH_CASES cases
// (20,000 unless set) on each backend. No cache can answer: the count
// cache's key includes every value drawn. lantian-bench list is the same
// load through the API over a larger fill.
func BenchmarkLedgerMix(b *testing.B) {
	n := 20000
	if v := os.Getenv("LANTIAN_BENCH_CASES"); v != "" {
		fmt.Sscan(v, &n)
	}
	for _, backend := range storetest.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			db := storetest.Open(b, backend)
			fx := newLedgerFixture(b, db, n)
			ctx := context.Background()
			scopes := fx.scopes()
			var seed atomic.Uint64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rnd := rand.New(rand.NewPCG(seed.Add(1), 9))
				for pb.Next() {
					f := fx.filter(rnd, scopes[rnd.IntN(len(scopes))])
					if _, _, err := db.Cases(ctx, f); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// TestCasesDeadlineOrder pages through a community's, the street's and the
// district's cases by deadline (read per status from the deadline indexes,
// cases without a deadline last) and compares every page with the plain query.
func TestCasesDeadlineOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newLedgerFixture(t, db, 600)
		for _, scope := range []store.CaseFilter{{Roots: []string{demo.CommunityCode(1)}}, {Roots: []string{demo.StreetCode}}, {All: true}} {
			for _, status := range []string{"", string(cases.StatusClosed)} {
				for page := 1; ; page++ {
					f := scope
					f.Status, f.Sort, f.Now, f.Page = status, "deadline", fx.now, store.Page{Page: page, Size: 50}
					got, _, err := db.Cases(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					want, _, err := store.CasesPlain(ctx, db, f)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(numbers(got), numbers(want)) {
						t.Fatalf("%+v:\n got %v\nwant %v", f, numbers(got), numbers(want))
					}
					if len(want) < 50 {
						break
					}
				}
			}
		}
	})
}
