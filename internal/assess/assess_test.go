package assess

import (
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
)

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in, from, to string
		ok           bool
	}{
		{"2026-11", "2026-11-01", "2026-11-30", true},
		{"2026-02", "2026-02-01", "2026-02-28", true},
		{"2026-Q4", "2026-10-01", "2026-12-31", true},
		{"2026-q1", "2026-01-01", "2026-03-31", true},
		{"2026", "2026-01-01", "2026-12-31", true},
		{"2026-11-03..2026-11-09", "2026-11-03", "2026-11-09", true},
		{"2026-13", "", "", false},
		{"2026-Q5", "", "", false},
		{"1999", "", "", false},
		{"2026-11-09..2026-11-03", "", "", false},
		{"2025-01-01..2026-12-31", "", "", false},
		{"", "", "", false},
		{"November", "", "", false},
	} {
		p, err := ParsePeriod(tc.in)
		if (err == nil) != tc.ok {
			t.Fatalf("%q: err %v", tc.in, err)
		}
		if !tc.ok {
			if e := apperr.As(err); e.Code != apperr.Invalid || e.Fields["period"].Key != "err.assess.period" {
				t.Fatalf("%q: %v", tc.in, e)
			}
			continue
		}
		if p.From != tc.from || p.To != tc.to {
			t.Fatalf("%q: %s..%s", tc.in, p.From, p.To)
		}
	}
}

func TestGrade(t *testing.T) {
	for total, want := range map[float64]string{100: "A", 90: "A", 89.99: "B", 75: "B", 74.9: "C", 60: "C", 59: "D", 40: "D", 39.99: "E", 0: "E"} {
		if g := Grade(total); g != want {
			t.Fatalf("Grade(%v) = %s, want %s", total, g, want)
		}
	}
}

func TestDefaultsValid(t *testing.T) {
	for _, k := range []SubjectKind{Community, Unit} {
		r := Rubric{Year: 2026, Kind: k, Title: "t", Items: DefaultItems(k)}
		for i := range r.Items {
			r.Items[i].Name = r.Items[i].Key
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", k, apperr.As(err).Fields)
		}
	}
}

func TestValidate(t *testing.T) {
	base := func() Rubric {
		return Rubric{Year: 2026, Kind: Community, Title: "t", Items: []Item{
			{Key: "a", Name: "A", Max: 60, Method: MethodRate, Indicator: ClosingRate},
			{Key: "b", Name: "B", Max: 40, Method: MethodManual},
		}}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Rubric)
		field string
		key   string
	}{
		{"OK", func(*Rubric) {}, "", ""},
		{"ErrTotal", func(r *Rubric) { r.Items[1].Max = 30 }, "items", "err.assess.total"},
		{"ErrKind", func(r *Rubric) { r.Kind = Street }, "kind", "err.invalid_choice"},
		{"ErrDuplicate", func(r *Rubric) { r.Items[1].Key = "a" }, "items", "err.assess.item_duplicate"},
		{"ErrIndicatorForKind", func(r *Rubric) { r.Kind = Person }, "items", "err.assess.item_indicator"},
		{"ErrRateOfCount", func(r *Rubric) { r.Items[0].Indicator = VolunteerReports }, "items", "err.assess.item_indicator"},
		{"ErrBandsAscending", func(r *Rubric) {
			r.Items[0].Method, r.Items[0].Bands = MethodBands, []Band{{0.5, 0.5}, {0.9, 1}}
		}, "items", "err.assess.item_bands"},
		{"ErrPer", func(r *Rubric) { r.Items[0].Method, r.Items[0].Indicator = MethodDeduct, OverdueCases }, "items", "err.assess.item_per"},
		{"ErrNoTitle", func(r *Rubric) { r.Title = " " }, "title", "err.required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			tc.edit(&r)
			err := r.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e := apperr.As(err); e.Fields[tc.field].Key != tc.key {
				t.Fatalf("got %v", e.Fields)
			}
		})
	}
}

func f(v float64) *float64 { return &v }

func TestApply(t *testing.T) {
	r := Rubric{Items: []Item{
		{Key: "rate", Max: 20, Method: MethodRate, Indicator: ClosingRate},
		{Key: "inv", Max: 10, Method: MethodRate, Indicator: ReworkRate},
		{Key: "bands", Max: 20, Method: MethodBands, Indicator: OnTimeClosing, Bands: bandsClosing},
		{Key: "deduct", Max: 10, Method: MethodDeduct, Indicator: OverdueCases, Per: 2},
		{Key: "bonus", Max: 5, Method: MethodBonus, Indicator: VolunteerReports, Per: 0.5},
		{Key: "nodata", Max: 15, Method: MethodRate, Indicator: PatrolCompletion},
		{Key: "manual", Max: 10, Method: MethodManual},
		{Key: "manual2", Max: 10, Method: MethodManual},
	}}
	vals := map[Key]Value{
		ClosingRate:      {Num: 9, Den: 10, HasDen: true},
		ReworkRate:       {Num: 1, Den: 4, HasDen: true},
		OnTimeClosing:    {Num: 86, Den: 100, HasDen: true},
		OverdueCases:     {Num: 7},
		VolunteerReports: {Num: 30},
		PatrolCompletion: {HasDen: true},
	}
	s := Apply(r, Subject{Kind: Community, ID: "x"}, vals, map[string]Manual{"manual": {Points: 6, Reason: "late reports"}})
	want := map[string]float64{"rate": 18, "inv": 7.5, "bands": 16, "deduct": 0, "bonus": 5, "nodata": 15, "manual": 6, "manual2": 10}
	for _, it := range s.Items {
		if it.Points != want[it.Key] {
			t.Fatalf("%s: %v, want %v", it.Key, it.Points, want[it.Key])
		}
	}
	if s.Total != 77.5 || s.Grade != "B" {
		t.Fatalf("total %v grade %s", s.Total, s.Grade)
	}
	if s.Items[5].Basis.Rate != nil || !s.Items[5].Basis.NoData {
		t.Fatalf("no data: %+v", s.Items[5].Basis)
	}
	if s.Items[6].Basis.Reason != "late reports" || !s.Items[6].Basis.Manual {
		t.Fatalf("manual basis %+v", s.Items[6].Basis)
	}
}

func TestRank(t *testing.T) {
	s := []Score{{Total: 70}, {Total: 90}, {Total: 70}, {Total: 95}}
	Rank(s)
	got := []int{s[0].Rank, s[1].Rank, s[2].Rank, s[3].Rank}
	if got[0] != 1 || got[1] != 2 || got[2] != 3 || got[3] != 3 || s[0].Total != 95 {
		t.Fatalf("ranks %v %+v", got, s)
	}
}

func TestCheckManual(t *testing.T) {
	it := Item{Max: 5}
	for _, tc := range []struct {
		m     Manual
		field string
	}{
		{Manual{Points: 3, Reason: "ok"}, ""},
		{Manual{Points: 3}, "reason"},
		{Manual{Points: 6, Reason: "x"}, "points"},
		{Manual{Points: -1, Reason: "x"}, "points"},
	} {
		err := CheckManual(it, tc.m)
		if tc.field == "" {
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, ok := apperr.As(err).Fields[tc.field]; !ok {
			t.Fatalf("%+v: %v", tc.m, err)
		}
	}
}

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Action
		s    State
		key  string
	}{
		{"EditFree", ActionEditRubric, State{}, ""},
		{"EditPublished", ActionEditRubric, State{Published: true}, "err.assess.rubric_published"},
		{"ManualPublished", ActionManual, State{Published: true, Existing: 3}, ""},
		{"PublishFirst", ActionPublish, State{}, ""},
		{"PublishTwice", ActionPublish, State{Existing: 3}, "err.assess.bulletin_exists"},
		{"PublishReplacing", ActionPublish, State{Existing: 3, Supersedes: 3}, ""},
		{"PublishReplacingOther", ActionPublish, State{Existing: 3, Supersedes: 2}, "err.assess.supersedes"},
		{"PublishReplacingNothing", ActionPublish, State{Supersedes: 2}, "err.assess.supersedes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Decide(tc.a, tc.s)
			if tc.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e := apperr.As(err); e.Code != apperr.Conflict || e.Msg.Key != tc.key {
				t.Fatalf("got %v", e)
			}
		})
	}
}

func TestParseAirCSV(t *testing.T) {
	ok := "\ufeff监测日期,AQI,首要污染物,PM2.5(μg/m3),PM10(μg/m3)\n2026/11/3,85,PM10,40,120\n2026-11-04 00:00,132,PM2.5,—,150\n"
	days, err := ParseAirCSV(strings.NewReader(ok))
	if err != nil || len(days) != 2 || days[0].Day != "2026-11-03" || !days[0].Good() || days[1].Good() || days[1].PM25 != nil || *days[1].PM10 != 150 {
		t.Fatalf("%v %+v", err, days)
	}
	for name, in := range map[string]string{
		"ErrNoAQIColumn": "日期,PM10\n2026-11-03,1\n",
		"ErrBadDate":     "日期,AQI\n2026-13-03,50\n",
		"ErrBadAQI":      "日期,AQI\n2026-11-03,x\n",
		"ErrTwice":       "日期,AQI\n2026-11-03,50\n2026/11/3,60\n",
		"ErrEmpty":       "日期,AQI\n",
	} {
		if _, err := ParseAirCSV(strings.NewReader(in)); err == nil || apperr.As(err).Fields["file"].Key == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
