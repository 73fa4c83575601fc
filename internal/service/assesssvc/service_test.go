package assesssvc_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// demoApp is a demo street with a year of cases, patrols and letters, its
// clock stopped at now.
func demoApp(t *testing.T, backend string, now time.Time) *app.App {
	t.Helper()
	a := testutil.NewApp(t, backend)
	ctx := context.Background()
	clock := func() time.Time { return now }
	a.Assess.Now, a.DB.Now, a.Cases.Now = clock, clock, clock
	if _, err := demo.SeedCases(ctx, a.DB, nil, a.Loc, now); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedPatrols(ctx, a.DB, a.Loc, now); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedLetters(ctx, a.DB, nil, now.In(a.Loc)); err != nil {
		t.Fatal(err)
	}
	return a
}

type caseRow struct {
	number, community, status, merged, class, source string
	closedAt, deadline                               int64
	rework                                           int
}

// TestIndicatorsMatchTheirDefinition recomputes the case indicators of
// every community from the raw rows, by the words, and compares
// them with the store's aggregates and with the drill-down lists.
func TestIndicatorsMatchTheirDefinition(t *testing.T) {
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			a := demoApp(t, backend, now)
			ctx := context.Background()
			p, _ := testutil.As(t, a, "street")
			per, _ := assess.ParsePeriod("2026-10")
			end := per.End(a.Loc).UnixMilli()
			rows, err := a.DB.Reader().QueryContext(ctx, `SELECT number, community, status, merged_into, class, source, closed_at, deadline, rework FROM cases WHERE day BETWEEN $1 AND $2`, per.From, per.To)
			if err != nil {
				t.Fatal(err)
			}
			type tally struct{ counted, closed, onTime, reworked, closedDen, onspot, reported, valid, volunteer int }
			want := map[string]*tally{}
			for rows.Next() {
				var c caseRow
				if err := rows.Scan(&c.number, &c.community, &c.status, &c.merged, &c.class, &c.source, &c.closedAt, &c.deadline, &c.rework); err != nil {
					t.Fatal(err)
				}
				w := want[c.community]
				if w == nil {
					w = &tally{}
					want[c.community] = w
				}
				w.reported++
				if c.status != "rejected" {
					w.valid++
				}
				if c.status == "rejected" || c.merged != "" {
					continue
				}
				w.counted++
				if c.class == "onspot" {
					w.onspot++
				}
				if c.source == "volunteer" {
					w.volunteer++
				}
				if c.status == "closed" && c.closedAt < end {
					w.closed++
					w.closedDen++
					if c.deadline == 0 || c.closedAt <= c.deadline {
						w.onTime++
					}
					if c.rework > 0 {
						w.reworked++
					}
				}
			}
			rows.Close()
			list, _, err := a.Assess.Indicators(ctx, p, assesssvc.IndicatorQuery{Subject: "community", Period: "2026-10"})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(demo.Communities) {
				t.Fatalf("%d communities", len(list))
			}
			total := 0
			for _, sf := range list {
				w := want[sf.Subject.ID]
				if w == nil {
					w = &tally{}
				}
				total += w.reported
				check := func(k assess.Key, num, den int) {
					t.Helper()
					v := sf.Values[k]
					if int(v.Num) != num || int(v.Den) != den {
						t.Fatalf("%s %s = %v/%v, want %d/%d", sf.Subject.Name, k, v.Num, v.Den, num, den)
					}
					d, err := a.Assess.Records(ctx, p, assesssvc.RecordsQuery{Key: string(k), Subject: "community", ID: sf.Subject.ID, Period: "2026-10"})
					if err != nil {
						t.Fatal(err)
					}
					if len(d.Num) != num || (v.HasDen && len(d.Den) != den) || d.Kind != "case" {
						t.Fatalf("%s drill-down %d/%d, figure %d/%d", k, len(d.Num), len(d.Den), num, den)
					}
				}
				check(assess.ClosingRate, w.closed, w.counted)
				check(assess.OnTimeClosing, w.onTime, w.counted)
				check(assess.ReworkRate, w.reworked, w.closedDen)
				check(assess.OnSpotShare, w.onspot, w.counted)
				check(assess.ValidReports, w.valid, w.reported)
				check(assess.VolunteerReports, w.volunteer, 0)
				if r := sf.Values[assess.ClosingRate].Rate(); (w.counted == 0) != (r == nil) {
					t.Fatalf("rate %v with %d counted", r, w.counted)
				}
				pc := sf.Values[assess.PatrolCompletion]
				if pc.Den == 0 || pc.Num > pc.Den {
					t.Fatalf("patrol completion %v/%v", pc.Num, pc.Den)
				}
			}
			if total == 0 {
				t.Fatal("no cases in the period: the test proves nothing")
			}
		})
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestScopes: a community leader sees their community alone, a region
// outside answers 404, a unit contact their unit, a patroller themselves.
func TestScopes(t *testing.T) {
	testutil.EachApp(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		p, _ := testutil.As(t, a, "community1")
		list, _, err := a.Assess.Indicators(ctx, p, assesssvc.IndicatorQuery{Subject: "community", Period: "2026-11"})
		if err != nil || len(list) != 1 || list[0].Subject.ID != demo.CommunityCode(0) {
			t.Fatalf("community leader: %v %+v", err, list)
		}
		if _, _, err := a.Assess.Indicators(ctx, p, assesssvc.IndicatorQuery{Region: demo.CommunityCode(1)}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("outside region: %v", err)
		}
		if _, err := a.Assess.Records(ctx, p, assesssvc.RecordsQuery{Key: "closing_rate", Subject: "community", ID: demo.CommunityCode(1), Period: "2026-11"}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("drill outside: %v", err)
		}
		for _, bad := range []assesssvc.IndicatorQuery{{Period: "2026-13"}, {Subject: "planet"}} {
			if _, _, err := a.Assess.Indicators(ctx, p, bad); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("%+v: %v", bad, err)
			}
		}
		u, _ := testutil.As(t, a, "unit01")
		list, _, err = a.Assess.Indicators(ctx, u, assesssvc.IndicatorQuery{Subject: "unit"})
		if err != nil || len(list) != 1 {
			t.Fatalf("unit contact: %v %d", err, len(list))
		}
		pt, _ := testutil.As(t, a, "patrol01")
		list, _, err = a.Assess.Indicators(ctx, pt, assesssvc.IndicatorQuery{Subject: "person"})
		if err != nil || len(list) != 1 || list[0].Subject.ID != itoa(pt.PersonID) {
			t.Fatalf("patroller: %v %+v", err, list)
		}
		v, _ := testutil.As(t, a, "volunteer01")
		if _, _, err := a.Assess.Indicators(ctx, v, assesssvc.IndicatorQuery{}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("volunteer: %v", err)
		}
	})
}
