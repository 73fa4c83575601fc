package inspect

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// TestDecide checks the rule table as role × state × action: every pair
// is allowed, forbidden (403) or refused for the state (409).
func TestDecide(t *testing.T) {
	actors := map[string]Cap{"inspector": CanScore, "street leader": CanScore | CanPlan | CanAck, "community leader": CanAck, "nobody": 0}
	// allowed[actor] lists "action@status" pairs that must be allowed.
	allowed := map[string][]string{
		"inspector": {"open@planned", "refresh@planned", "refresh@open", "score@planned", "score@open", "finding@planned", "finding@open",
			"photo@planned", "photo@open", "close@open", "correct@closed"},
		"street leader": {"open@planned", "refresh@planned", "refresh@open", "score@planned", "score@open", "finding@planned", "finding@open",
			"photo@planned", "photo@open", "close@open", "correct@closed", "ack@open", "move@planned", "cancel@planned", "cancel@open"},
		"community leader": {"ack@open"},
	}
	actions := []Action{ActionOpen, ActionRefresh, ActionScore, ActionFinding, ActionPhoto, ActionAck, ActionClose, ActionMove, ActionCancel, ActionCorrect}
	for name, caps := range actors {
		for _, a := range actions {
			for _, st := range Statuses {
				_, err := Decide(caps, st, a)
				want := slices.Contains(allowed[name], string(a)+"@"+string(st))
				if (err == nil) != want {
					t.Errorf("%s %s on %s: err %v, want allowed=%v", name, a, st, err, want)
				}
				if err != nil && caps == 0 && !apperr.Is(err, apperr.Forbidden) {
					t.Errorf("nobody %s on %s: %v, want 403", a, st, err)
				}
			}
		}
	}
	if to, _ := Decide(CanScore, StatusPlanned, ActionScore); to != StatusOpen {
		t.Errorf("scoring a planned inspection leaves it %s, want open", to)
	}
	if _, err := Decide(CanScore, StatusClosed, ActionClose); !apperr.Is(err, apperr.Conflict) || apperr.As(err).Msg.Key != "err.inspect.closed" {
		t.Errorf("closing twice: %v, want 409 err.inspect.closed", err)
	}
	if _, err := Decide(CanAck, StatusClosed, ActionScore); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a community leader scoring a closed inspection: %v, want 403 before 409", err)
	}
}

// days is a calendar of the dates listed as holidays (Saturdays and
// Sundays off unless listed as working days).
type days struct{ off, on map[string]bool }

func (d days) IsWorkday(t time.Time) bool {
	k := t.Format(DateLayout)
	if d.on[k] {
		return true
	}
	if d.off[k] {
		return false
	}
	return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
}

func TestScheduledDate(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	d := func(s string) time.Time { v, _ := time.ParseInLocation(DateLayout, s, loc); return v }
	cal := days{off: map[string]bool{"2026-10-01": true, "2026-10-02": true, "2026-09-25": true, "2026-03-30": true}, on: map[string]bool{"2026-10-10": true}}
	for _, tc := range []struct {
		name, monday string
		wd           time.Weekday
		want         string // "" none
	}{
		{"FridayWorks", "2026-09-14", time.Friday, "2026-09-18"},
		{"FridayOffThursday", "2026-09-21", time.Friday, "2026-09-24"},
		{"NationalDayWeekWednesday", "2026-09-28", time.Friday, "2026-09-30"},
		{"MondayOffNoneBefore", "2026-03-30", time.Monday, ""},
		{"WeekendSettingFallsBack", "2026-09-14", time.Sunday, "2026-09-18"},
		{"MakeUpSaturday", "2026-10-05", time.Saturday, "2026-10-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ScheduledDate(cal, d(tc.monday), tc.wd)
			if tc.want == "" {
				if ok {
					t.Fatalf("got %s, want none", got.Format(DateLayout))
				}
				return
			}
			if !ok || got.Format(DateLayout) != tc.want {
				t.Fatalf("got %s (%v), want %s", got.Format(DateLayout), ok, tc.want)
			}
		})
	}
	allOff := days{off: map[string]bool{"2026-10-05": true, "2026-10-06": true, "2026-10-07": true, "2026-10-08": true, "2026-10-09": true}}
	if got, ok := ScheduledDate(allOff, d("2026-10-05"), time.Friday); ok {
		t.Errorf("a week off until Friday got %s, want none", got.Format(DateLayout))
	}
	if m := Monday(d("2026-09-27")); m.Format(DateLayout) != "2026-09-21" {
		t.Errorf("Monday of Sunday 2026-09-27 = %s", m.Format(DateLayout))
	}
}

func TestApplyScores(t *testing.T) {
	items := DefaultChecklist(2026).Sheet()
	got, err := ApplyScores(items, []Score{{Key: "patrol", Score: 18, Note: " 缺两天 "}, {Key: "ledger", Score: 22.5}})
	if err != nil || *got[0].Score != 18 || got[0].Note != "缺两天" || *got[1].Score != 22.5 || got[2].Score != nil {
		t.Fatalf("ApplyScores = %+v, %v", got, err)
	}
	if items[0].Score != nil {
		t.Error("ApplyScores changed its input")
	}
	if s := Total(got); s == nil || *s != 40.5 {
		t.Errorf("Total = %v, want 40.5", s)
	}
	for _, tc := range []struct {
		name string
		in   []Score
		key  string
	}{
		{"AboveMax", []Score{{Key: "patrol", Score: 21}}, "err.inspect.score_range"},
		{"Negative", []Score{{Key: "onspot", Score: -0.5}}, "err.inspect.score_range"},
		{"NaN", []Score{{Key: "onspot", Score: math.NaN()}}, "err.inspect.score_range"},
		{"TwoDecimals", []Score{{Key: "onspot", Score: 10.25}}, "err.inspect.score_step"},
		{"UnknownKey", []Score{{Key: "patrol", Score: 1}, {Key: "nope", Score: 1}}, "err.inspect.item_unknown"},
		{"LongNote", []Score{{Key: "patrol", Score: 1, Note: strings.Repeat("字", MaxNote+1)}}, "err.inspect.note_long"},
		{"None", nil, "err.required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ApplyScores(items, tc.in)
			if e := apperr.As(err); err == nil || e.Fields["items"].Key != tc.key {
				t.Fatalf("err = %v, want items: %s", err, tc.key)
			}
			if Total(out) != nil {
				t.Error("a refused call applied scores")
			}
		})
	}
}

func TestChecklistValidate(t *testing.T) {
	if err := DefaultChecklist(2026).Validate(); err != nil || DefaultChecklist(2026).Max() != 100 {
		t.Fatalf("the default checklist: %v, max %d", err, DefaultChecklist(2026).Max())
	}
	mod := func(f func(c *Checklist)) Checklist {
		c := DefaultChecklist(2026)
		c.Items = slices.Clone(c.Items)
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name  string
		c     Checklist
		field string
	}{
		{"Total99", mod(func(c *Checklist) { c.Items[0].Max = 19 }), "items"},
		{"KeyTwice", mod(func(c *Checklist) { c.Items[1].Key = "patrol" }), "items"},
		{"BadKey", mod(func(c *Checklist) { c.Items[1].Key = "Ledger!" }), "items"},
		{"NoTitle", mod(func(c *Checklist) { c.Items[2].Title = " " }), "items"},
		{"Empty", mod(func(c *Checklist) { c.Items = nil }), "items"},
		{"Year", mod(func(c *Checklist) { c.Year = 1999 }), "year"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Validate(); err == nil || apperr.As(err).Fields[tc.field].Key == "" {
				t.Fatalf("err = %v, want a field error on %s", err, tc.field)
			}
		})
	}
}

// offset returns the point metres north and east of (lat, lon).
func offset(lat, lon, north, east float64) (float64, float64) {
	return lat + north/metresPerDegLa, lon + east/(metresPerDegLa*math.Cos(lat*math.Pi/180))
}

func TestFindHotspots(t *testing.T) {
	const lat0, lon0 = 34.575, 105.71
	n := 0
	pt := func(cat string, north, east float64, unit int64) CasePoint {
		n++
		lat, lon := offset(lat0, lon0, north, east)
		return CasePoint{ID: int64(n), Number: fmt.Sprintf("XG-20260901-%04d", n), Category: cat, Lat: lat, Lon: lon, UnitID: unit, Community: "c1", Day: "2026-09-01"}
	}
	t.Run("PlaceWithin150m", func(t *testing.T) {
		n = 0
		pts := []CasePoint{pt("06027", 0, 0, 0), pt("06027", 60, 40, 0), pt("06027", -50, 70, 0), pt("06010", 10, 10, 0), pt("06027", 2000, 0, 0)}
		hs := FindHotspots(pts)
		if len(hs) != 1 || hs[0].Kind != KindPlace || hs[0].Category != "06027" || len(hs[0].Cases) != 3 {
			t.Fatalf("hotspots = %+v, want one place of three 06027 cases", hs)
		}
		if hs[0].ID != "place:06027:XG-20260901-0001" || hs[0].Community != "c1" {
			t.Errorf("id %s community %s", hs[0].ID, hs[0].Community)
		}
	})
	t.Run("ChainIsNotAPlace", func(t *testing.T) {
		n = 0
		// Each within 140 m of the next, the ends 280 m apart: not all within 150 m of one another.
		hs := FindHotspots([]CasePoint{pt("06027", 0, 0, 0), pt("06027", 0, 140, 0), pt("06027", 0, 280, 0)})
		if len(hs) != 0 {
			t.Fatalf("a chain made hotspots %+v", hs)
		}
	})
	t.Run("TwoGroupsAcrossCells", func(t *testing.T) {
		n = 0
		var pts []CasePoint
		for i := range 4 {
			pts = append(pts, pt("L005", float64(i)*30, 149, 0)) // straddles a cell edge
		}
		for i := range 3 {
			pts = append(pts, pt("L005", 1000+float64(i)*20, 0, 0))
		}
		hs := FindHotspots(pts)
		if len(hs) != 2 || len(hs[0].Cases) != 4 || len(hs[1].Cases) != 3 {
			t.Fatalf("hotspots = %+v, want groups of 4 and 3", hs)
		}
	})
	t.Run("UnitAndStubborn", func(t *testing.T) {
		n = 0
		pts := []CasePoint{pt("06027", 0, 0, 7), pt("06010", 900, 0, 7), pt("L006", 0, 900, 7), pt("06010", 500, 500, 8)}
		pts[3].Rework, pts[3].Reopens = 1, 1
		hs := FindHotspots(pts)
		if len(hs) != 2 || hs[0].Kind != KindUnit || hs[0].UnitID != 7 || len(hs[0].Cases) != 3 || hs[1].Kind != KindStubborn || hs[1].Cases[0] != pts[3].Number {
			t.Fatalf("hotspots = %+v, want unit 7 then one stubborn", hs)
		}
	})
	t.Run("SameInputSameAnswer", func(t *testing.T) {
		n = 0
		var pts []CasePoint
		for i := range 200 {
			pts = append(pts, pt("06010", float64(i%20)*37, float64(i/20)*41, 0))
		}
		a, b := FindHotspots(pts), FindHotspots(slices.Clone(pts))
		if fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
			t.Fatalf("two runs differ or found nothing: %d vs %d", len(a), len(b))
		}
		seen := map[string]bool{}
		for _, h := range a {
			for _, c := range h.Cases {
				if seen[c] {
					t.Fatalf("case %s in two hotspots", c)
				}
				seen[c] = true
			}
		}
	})
}

func TestDecideProblem(t *testing.T) {
	for _, tc := range []struct {
		name string
		rel  Cap
		from ProblemStatus
		act  ProblemAction
		note string
		want ProblemStatus
		code apperr.Code
	}{
		{"OwnerNotes", ByOwner, ProblemOpen, ProblemNote, "已约谈", ProblemOpen, ""},
		{"OwnerResolves", ByOwner, ProblemOpen, ProblemResolve, "已整改", ProblemResolved, ""},
		{"OwnerCannotClose", ByOwner, ProblemResolved, ProblemClose, "好了", "", apperr.Forbidden},
		{"LeaderCloses", ByLeader, ProblemResolved, ProblemClose, "装了净化器", ProblemClosed, ""},
		{"CloseNeedsNote", ByLeader, ProblemOpen, ProblemClose, " ", "", apperr.Invalid},
		{"ClosedStaysClosed", ByLeader, ProblemClosed, ProblemNote, "再看看", "", apperr.Conflict},
		{"InspectorReopens", ByInspector, ProblemResolved, ProblemReopen, "复查仍有油烟", ProblemOpen, ""},
		{"NobodyNotes", 0, ProblemOpen, ProblemNote, "x", "", apperr.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecideProblem(tc.rel, tc.from, tc.act, tc.note)
			if tc.code != "" {
				if !apperr.Is(err, tc.code) {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	if err := (Adoption{Title: "油烟", OwnerID: 1, Due: "2026-10-01"}).Validate(); apperr.As(err).Fields["cases"].Key != "err.inspect.no_cases" {
		t.Errorf("adopting no cases: %v", err)
	}
}
