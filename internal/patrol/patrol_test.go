package patrol

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/calendar"
)

var loc = time.FixedZone("CST", 8*3600)

func at(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, loc) }

func testCalendar(t *testing.T) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.New([]calendar.Day{
		{Date: "2026-10-01", Kind: calendar.Holiday, Name: "国庆节"},
		{Date: "2026-10-10", Kind: calendar.Workday, Name: "国庆节"},
	}, loc)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tol              float64
	}{
		{"same point", 34.58, 105.72, 34.58, 105.72, 0, 1e-9},
		{"one minute of latitude is a nautical mile", 34, 105, 34 + 1.0/60, 105, 1853, 3},
		{"one degree of longitude at the equator", 0, 0, 0, 1, 111195, 5},
		{"Tianshui to Lanzhou", 34.58, 105.72, 36.06, 103.83, 236000, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Distance(tc.lat1, tc.lon1, tc.lat2, tc.lon2); math.Abs(got-tc.want) > tc.tol {
				t.Fatalf("Distance = %.1f, want %.1f ± %.1f", got, tc.want, tc.tol)
			}
		})
	}
}

// walk returns n fixes every step from start, moving dLat degrees north each time.
func walk(start time.Time, n int, step time.Duration, lat, lon, dLat float64) []Point {
	var out []Point
	for i := 0; i < n; i++ {
		out = append(out, Point{T: start.Add(time.Duration(i) * step), Lat: lat + float64(i)*dLat, Lon: lon})
	}
	return out
}

func TestAssessFlags(t *testing.T) {
	start := at(8, 30)
	// 0.0001° of latitude ≈ 11.1 m; every 15 s that is 2.7 km/h.
	normal := walk(start, 120, 15*time.Second, 34.575, 105.705, 0.0001)
	inGrid := func(lat, lon float64) bool { return lat < 34.590 }
	fastJump := slices.Clone(normal)
	fastJump[60].Lat += 0.003 // 330 m in 15 s: 80 km/h
	jitter := walk(start, 120, 15*time.Second, 34.575, 105.705, 0)
	for i := range jitter {
		jitter[i].Lat += 0.00005 * float64(i%3-1) // ±5 m of noise around one spot
	}
	burst := walk(start, 40, time.Second, 34.575, 105.705, 0)
	for i := range burst {
		burst[i].Lon += 0.0002 * float64(i%2) // 18 m of noise a second apart, then a walk
	}
	burst = append(burst, walk(start.Add(time.Minute), 60, 15*time.Second, 34.5751, 105.705, 0.0001)...)
	for _, tc := range []struct {
		name   string
		end    time.Time
		pts    []Point
		inside func(lat, lon float64) bool
		want   []Flag
	}{
		{"normal walk", start.Add(30 * time.Minute), normal, inGrid, nil},
		{"too short", start.Add(9 * time.Minute), normal[:36], inGrid, []Flag{FlagShort}},
		{"exactly ten minutes is enough", start.Add(10 * time.Minute), normal[:40], inGrid, nil},
		{"too fast between two fixes", start.Add(30 * time.Minute), fastJump, inGrid, []Flag{FlagFast}},
		{"mostly outside the grid", start.Add(30 * time.Minute), normal, func(lat, lon float64) bool { return lat < 34.5770 }, []Flag{FlagOutside}},
		{"half outside is not mostly", start.Add(30 * time.Minute), normal, func(lat, lon float64) bool { return lat < 34.575+0.0001*59.5 }, nil},
		{"no polygon, no outside test", start.Add(30 * time.Minute), normal, nil, nil},
		{"no points: no movement", start.Add(30 * time.Minute), nil, inGrid, []Flag{FlagStill}},
		{"short track", start.Add(30 * time.Minute), normal[:4], inGrid, []Flag{FlagStill}},
		{"phone lying still gathers noise", start.Add(30 * time.Minute), jitter, inGrid, []Flag{FlagStill}},
		{"fixes a second apart are not a sprint", start.Add(30 * time.Minute), burst, inGrid, nil},
		{"everything at once", start.Add(5 * time.Minute), []Point{{T: start, Lat: 34.6, Lon: 105.7}, {T: start.Add(time.Minute), Lat: 34.6, Lon: 105.7001}}, inGrid,
			[]Flag{FlagShort, FlagOutside, FlagStill}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Assess(start, tc.end, tc.pts, tc.inside)
			want := tc.want
			if want == nil {
				want = []Flag{}
			}
			if got := a.Flags.Names(); !slices.Equal(got, want) {
				t.Fatalf("flags %v, want %v (length %.0f m, max speed %.1f km/h, outside %.2f)", got, want, a.Length, a.MaxSpeed, a.Outside)
			}
			if a.Points != len(tc.pts) || a.Duration != tc.end.Sub(start) {
				t.Fatalf("points %d duration %v", a.Points, a.Duration)
			}
		})
	}
	// The normal walk: 119 steps of 11.1 m.
	a := Assess(start, start.Add(30*time.Minute), normal, inGrid)
	if math.Abs(a.Length-1323) > 5 || a.MaxSpeed < 2.5 || a.MaxSpeed > 2.9 {
		t.Fatalf("length %.1f m, speed %.2f km/h", a.Length, a.MaxSpeed)
	}
	// An open patrol is measured to its last fix and not yet judged on time.
	open := Assess(start, time.Time{}, normal[:10], inGrid)
	if open.Duration != 135*time.Second || open.Flags.Has(FlagShort) {
		t.Fatalf("open patrol: %v %v", open.Duration, open.Flags.Names())
	}
}

func TestFlagsSet(t *testing.T) {
	var s Flags
	s = s.With(FlagOutside).With(FlagShort).With(FlagOutside)
	if !s.Has(FlagShort) || s.Has(FlagFast) || !slices.Equal(s.Names(), []Flag{FlagShort, FlagOutside}) || s != 5 {
		t.Fatalf("set %d %v", s, s.Names())
	}
	if f, ok := ParseFlag("no_movement"); !ok || f != FlagStill {
		t.Fatal("ParseFlag")
	}
	if _, ok := ParseFlag("nope"); ok {
		t.Fatal("ParseFlag accepted nope")
	}
}

func TestCheckPoint(t *testing.T) {
	start, now := at(8, 0), at(9, 0)
	ok := Point{T: at(8, 30), Lat: 34.58, Lon: 105.72, Acc: 8}
	for _, tc := range []struct {
		name string
		edit func(p *Point)
		end  time.Time
		want string
	}{
		{"fine", func(p *Point) {}, time.Time{}, ""},
		{"no time", func(p *Point) { p.T = time.Time{} }, time.Time{}, MsgRequired},
		{"latitude past the pole", func(p *Point) { p.Lat = 91 }, time.Time{}, MsgCoords},
		{"longitude out of range", func(p *Point) { p.Lon = -181 }, time.Time{}, MsgCoords},
		{"not a number", func(p *Point) { p.Lat = math.NaN() }, time.Time{}, MsgCoords},
		{"null island", func(p *Point) { p.Lat, p.Lon = 0, 0 }, time.Time{}, MsgCoords},
		{"negative accuracy", func(p *Point) { p.Acc = -1 }, time.Time{}, MsgAccuracy},
		{"a minute ahead is clock skew", func(p *Point) { p.T = now.Add(time.Minute) }, time.Time{}, ""},
		{"in the future", func(p *Point) { p.T = now.Add(3 * time.Minute) }, time.Time{}, MsgFuture},
		{"before the start", func(p *Point) { p.T = start.Add(-time.Second) }, time.Time{}, MsgBeforeStart},
		{"at the start", func(p *Point) { p.T = start }, time.Time{}, ""},
		{"after the end", func(p *Point) { p.T = at(8, 45) }, at(8, 40), MsgAfterEnd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.edit(&p)
			if got := CheckPoint(p, start, tc.end, now); got != tc.want {
				t.Fatalf("CheckPoint = %q, want %q", got, tc.want)
			}
		})
	}
	if CheckEnd(at(7, 59), start, now) != MsgEndBefore || CheckEnd(at(9, 5), start, now) != MsgFuture || CheckEnd(at(8, 40), start, now) != "" {
		t.Fatal("CheckEnd")
	}
}

func TestWindows(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Window
		ok   bool
	}{
		{"08:00-12:00", Window{480, 720}, true},
		{"14:30-18:00", Window{870, 1080}, true},
		{"00:00-24:00", Window{0, 1440}, true},
		{"12:00-08:00", Window{}, false},
		{"8:00-12:00", Window{}, false},
		{"08:60-12:00", Window{}, false},
		{"08:00-25:00", Window{}, false},
		{"morning", Window{}, false},
	} {
		got, err := ParseWindow(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseWindow(%q) = %v, %v", tc.in, got, err)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
	p := DefaultPlan("620502004001001")
	for _, tc := range []struct {
		t    time.Time
		want int
	}{
		{at(7, 59), 0}, {at(8, 0), 1}, {at(11, 59), 1}, {at(12, 0), 0}, {at(14, 0), 2}, {at(17, 59), 2}, {at(18, 0), 0},
		// The same instant in UTC is still read in the grid's time zone.
		{at(9, 0).UTC(), 1},
	} {
		if got := p.WindowOf(tc.t, loc); got != tc.want {
			t.Errorf("WindowOf(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
	from, to := p.Windows[1].Bounds(at(20, 0), loc)
	if !from.Equal(at(14, 0)) || !to.Equal(at(18, 0)) {
		t.Fatalf("Bounds = %v %v", from, to)
	}
}

func TestPlan(t *testing.T) {
	cal := testCalendar(t)
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(DateLayout, s, loc)
		return d.Add(10 * time.Hour)
	}
	weekends := DefaultPlan("g")
	weekends.Weekends, weekends.PerDay = true, 3
	for _, tc := range []struct {
		name string
		plan Plan
		day  string
		want int
	}{
		{"Monday", DefaultPlan("g"), "2026-11-23", 2},
		{"Saturday", DefaultPlan("g"), "2026-11-28", 0},
		{"National Day holiday on a Thursday", DefaultPlan("g"), "2026-10-01", 0},
		{"make-up working Saturday", DefaultPlan("g"), "2026-10-10", 2},
		{"weekends required", weekends, "2026-11-28", 3},
		{"holiday required too", weekends, "2026-10-01", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.plan.Required(cal, day(tc.day)); got != tc.want {
				t.Fatalf("Required = %d, want %d", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		edit func(p *Plan)
		want map[string]string // field → message key
	}{
		{"default", func(p *Plan) {}, nil},
		{"no patrols, no windows", func(p *Plan) { p.PerDay, p.Windows = 0, nil }, nil},
		{"too many a day", func(p *Plan) { p.PerDay = 7 }, map[string]string{"per_day": MsgRange}},
		{"windows needed", func(p *Plan) { p.Windows = nil }, map[string]string{"windows": MsgRequired}},
		{"overlapping windows", func(p *Plan) { p.Windows = []Window{{480, 720}, {700, 800}} }, map[string]string{"windows": MsgWindows}},
		{"bad patroller id", func(p *Plan) { p.Patrollers = []int64{0} }, map[string]string{"patrollers": MsgFormat}},
		{"free point without a name", func(p *Plan) { p.Points = []FreePoint{{Lat: 34.58, Lon: 105.72}} }, map[string]string{"points": MsgRequired}},
		{"free point off the Earth", func(p *Plan) { p.Points = []FreePoint{{Name: "桥头", Lat: 95, Lon: 105.72}} }, map[string]string{"points": MsgCoords}},
		{"free point's name too long", func(p *Plan) { p.Points = []FreePoint{{Name: strings.Repeat("桥", 61), Lat: 34.58, Lon: 105.72}} }, map[string]string{"points": MsgTooLong}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPlan("g")
			tc.edit(&p)
			got := fieldKeys(p.Validate())
			if len(got) != len(tc.want) {
				t.Fatalf("Validate = %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("Validate = %v, want %v", got, tc.want)
				}
			}
		})
	}
	named := DefaultPlan("g")
	named.Patrollers = []int64{7}
	if !named.MayWalk(7, false) || named.MayWalk(8, true) || !DefaultPlan("g").MayWalk(8, true) || DefaultPlan("g").MayWalk(8, false) {
		t.Fatal("MayWalk")
	}
	for _, s := range []SiteRef{{UnitID: 12}, {Point: 3}} {
		if ParseSiteKey(s.Key()) != s {
			t.Errorf("site key %q does not read back", s.Key())
		}
	}
	if (SiteRef{UnitID: 1, Point: 1}).Key() != "" || (SiteRef{}).Key() != "" {
		t.Fatal("an ambiguous or empty site has a key")
	}
}

func TestComply(t *testing.T) {
	cal := testCalendar(t)
	plan := DefaultPlan("g")
	three := DefaultPlan("g")
	three.PerDay = 3
	one := DefaultPlan("g")
	one.PerDay = 1
	today := "2026-11-25"
	for _, tc := range []struct {
		name     string
		plan     Plan
		day      string
		tally    Tally
		required int
		inWindow int
		status   Status
	}{
		{"both windows", plan, "2026-11-23", Tally{Done: 2, Windows: 0b11}, 2, 2, StatusMet},
		{"two in the morning", plan, "2026-11-23", Tally{Done: 2, Windows: 0b01}, 2, 1, StatusPartial},
		{"one", plan, "2026-11-23", Tally{Done: 1, Windows: 0b10}, 2, 1, StatusPartial},
		{"none", plan, "2026-11-23", Tally{}, 2, 0, StatusMissed},
		{"outside every window", plan, "2026-11-23", Tally{Done: 2}, 2, 0, StatusPartial},
		{"rest day, nothing done", plan, "2026-11-28", Tally{}, 0, 0, StatusRest},
		{"rest day, one done anyway", plan, "2026-11-28", Tally{Done: 1, Windows: 1}, 0, 0, StatusMet},
		{"holiday", plan, "2026-10-01", Tally{}, 0, 0, StatusRest},
		{"three a day, two windows", three, "2026-11-23", Tally{Done: 3, Windows: 0b11}, 3, 2, StatusMet},
		{"one a day covers one window", one, "2026-11-23", Tally{Done: 1, Windows: 0b10}, 1, 1, StatusMet},
		{"a window the plan no longer has", plan, "2026-11-23", Tally{Done: 2, Windows: 0b101}, 2, 1, StatusPartial},
		{"today, not met yet", plan, today, Tally{Done: 1, Windows: 1}, 2, 1, StatusPending},
		{"today, met", plan, today, Tally{Done: 2, Windows: 3}, 2, 2, StatusMet},
		{"tomorrow", plan, "2026-11-26", Tally{}, 2, 0, StatusPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.tally.Flags = Flags(0).With(FlagFast)
			c := Comply(tc.plan, cal, tc.day, tc.tally, 4, today)
			if c.Required != tc.required || c.InWindow != tc.inWindow || c.Status != tc.status || c.Done != tc.tally.Done {
				t.Fatalf("got required %d in_window %d status %s, want %d %d %s", c.Required, c.InWindow, c.Status, tc.required, tc.inWindow, tc.status)
			}
			if c.Date != tc.day || c.SitesPlanned != 4 || !slices.Equal(c.Flags, []Flag{FlagFast}) {
				t.Fatalf("cell %+v", c)
			}
		})
	}
	days := []Compliance{{Required: 2, Done: 3}, {Required: 2, Done: 1}, {Required: 0, Done: 1}}
	if r, ok := Rate(days); !ok || r != 0.75 {
		t.Fatalf("Rate = %v %v", r, ok)
	}
	if _, ok := Rate([]Compliance{{Done: 2}}); ok {
		t.Fatal("a rate without anything required")
	}
}

func TestRecordsAndVisits(t *testing.T) {
	p := Patrol{StartedAt: at(8, 0)}
	now := at(9, 0)
	const id = "5b0c0a52-6f7e-4c43-8d1c-3a1e2b7f9001"
	for _, tc := range []struct {
		name string
		r    Record
		want []string
	}{
		{"dispute", Record{UID: id, Kind: KindDispute, At: at(8, 20), Parties: "烧烤摊与住户", Summary: "油烟", Outcome: "已调解"}, nil},
		{"dispute without outcome", Record{UID: id, Kind: KindDispute, At: at(8, 20), Parties: "甲乙", Summary: "油烟"}, []string{"outcome"}},
		{"promotion", Record{UID: id, Kind: KindPromotion, At: at(8, 20), Households: 12, Note: "清洁取暖宣传"}, nil},
		{"promotion reaching nobody", Record{UID: id, Kind: KindPromotion, At: at(8, 20)}, []string{"households"}},
		{"unknown kind, bad id, future", Record{UID: "x", Kind: "party", At: at(10, 0)}, []string{"id", "kind", "t"}},
		{"before the patrol", Record{UID: id, Kind: KindPromotion, At: at(7, 0), Households: 1}, []string{"t"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldKeys(tc.r.Validate(p, now))
			if len(got) != len(tc.want) {
				t.Fatalf("Validate = %v, want fields %v", got, tc.want)
			}
			for _, f := range tc.want {
				if got[f] == "" {
					t.Fatalf("Validate = %v, want fields %v", got, tc.want)
				}
			}
		})
	}
	v := Visit{UID: id, Site: SiteRef{UnitID: 3}, At: at(8, 10), Lat: 34.58, Lon: 105.72}
	if err := v.Validate(p, now); err != nil {
		t.Fatalf("visit: %v", err)
	}
	v.Site, v.Lat = SiteRef{}, 200
	if f := fieldKeys(v.Validate(p, now)); f["site"] != MsgRequired || f["lat"] != MsgCoords {
		t.Fatalf("bad visit: %v", f)
	}
	if f := fieldKeys((Start{UID: id, Grid: "g", StartedAt: at(9, 3)}).Validate(now)); f["started_at"] != MsgFuture {
		t.Fatalf("future start: %v", f)
	}
	// A text too long names its limit, so the message can say it.
	long := Record{UID: id, Kind: KindDispute, At: at(8, 20), Parties: strings.Repeat("甲", MaxParties+1), Summary: "油烟", Outcome: "已调解"}
	if e := apperr.As(long.Validate(p, now)); e.Code != apperr.Invalid || e.Fields["parties"].Key != MsgTooLong ||
		len(e.Fields["parties"].Args) != 1 || e.Fields["parties"].Args[0] != MaxParties {
		t.Fatalf("parties too long: %v", e)
	}
	end := End{EndedAt: at(8, 50), Summary: strings.Repeat("巡", MaxSummary+1)}
	if f := fieldKeys(end.Validate(p, now)); len(f) != 1 || f["summary"] != MsgTooLong {
		t.Fatalf("summary too long: %v", f)
	}
	if f := fieldKeys((End{EndedAt: at(7, 50)}).Validate(p, now)); len(f) != 1 || f["ended_at"] != MsgEndBefore {
		t.Fatalf("end before start: %v", f)
	}
	if err := (End{EndedAt: at(8, 50), Summary: "正常"}).Validate(p, now); err != nil {
		t.Fatalf("end: %v", err)
	}
}

// fieldKeys returns an error's fields as field → message key; nil for no error.
func fieldKeys(err error) map[string]string {
	if err == nil {
		return nil
	}
	out := map[string]string{}
	for k, m := range apperr.As(err).Fields {
		out[k] = m.Key
	}
	return out
}
