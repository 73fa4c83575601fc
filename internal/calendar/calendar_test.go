package calendar

import (
	"strings"
	"testing"
	"time"
)

// cst is China Standard Time, fixed so the tests need no tzdata.
var cst = time.FixedZone("CST", 8*60*60)

// at parses "2006-01-02 15:04" in CST.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseCSV(t *testing.T) {
	days, err := ParseCSV(strings.NewReader("\ufeffdate,kind,name\n2026-10-01, holiday ,国庆节\n\n2026-10-10,workday,\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Day{{"2026-10-01", Holiday, "国庆节"}, {"2026-10-10", Workday, ""}}
	if len(days) != len(want) || days[0] != want[0] || days[1] != want[1] {
		t.Fatalf("got %+v, want %+v", days, want)
	}

	bad := []struct {
		name, in, want string
	}{
		{"empty", "", "line 1: empty"},
		{"header columns", "date,kind\n", "line 1: header has 2 columns"},
		{"header name", "date,type,name\n", `line 1, column 2: header "type", want "kind"`},
		{"bad date", "date,kind,name\n2026-10-01,holiday,国庆节\n2026-13-01,holiday,x\n", "line 3, column 1 (date)"},
		{"bad kind", "date,kind,name\n2026-10-01,rest,国庆节\n", `line 2, column 2 (kind): "rest"`},
		{"columns", "date,kind,name\n2026-10-01,holiday\n", "line 2: 2 columns"},
		{"duplicate", "date,kind,name\n2026-10-01,holiday,a\n2026-10-02,holiday,a\n2026-10-01,workday,b\n", "line 4, column 1 (date): 2026-10-01 is already listed on line 2"},
		{"quote", "date,kind,name\n2026-10-01,holiday,a\"b\n", "line 2, column"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestDefaultData(t *testing.T) {
	days := DefaultDays()
	if len(days) != 72 {
		t.Errorf("embedded schedule has %d days, want 72 (33 in 2025, 39 in 2026)", len(days))
	}
	days[0].Name = "changed" // a copy: must not affect the calendar
	c := Default(cst)
	if d, ok := c.Listed(at(t, "2025-01-01 10:00")); !ok || d.Name != "元旦" {
		t.Errorf("Listed(2025-01-01) = %+v, %v", d, ok)
	}
	for y, want := range map[int]bool{2024: false, 2025: true, 2026: true, 2027: false} {
		if got := c.HasYear(y); got != want {
			t.Errorf("HasYear(%d) = %v, want %v", y, got, want)
		}
	}
	if got := c.MissingYears(2024, 2028); len(got) != 3 || got[0] != 2024 || got[1] != 2027 || got[2] != 2028 {
		t.Errorf("MissingYears(2024, 2028) = %v", got)
	}
	if got := c.MissingYears(2025, 2026); got != nil {
		t.Errorf("MissingYears(2025, 2026) = %v, want none", got)
	}
}

func TestNewRejects(t *testing.T) {
	for _, days := range [][]Day{
		{{Date: "2026-02-30", Kind: Holiday}},
		{{Date: "2026-10-01", Kind: "rest"}},
		{{Date: "2026-10-01", Kind: Holiday}, {Date: "2026-10-01", Kind: Workday}},
	} {
		if _, err := New(days, cst); err == nil {
			t.Errorf("New(%v) accepted", days)
		}
	}
}

func TestIsWorkday(t *testing.T) {
	c := Default(cst)
	tests := []struct {
		when string
		want bool
	}{
		{"2026-09-30 10:00", true},  // Wednesday before National Day
		{"2026-10-01 10:00", false}, // National Day, Thursday
		{"2026-10-05 10:00", false}, // Monday inside the holiday
		{"2026-10-07 10:00", false}, // last holiday, Wednesday
		{"2026-10-08 10:00", true},  // Thursday, back to work
		{"2026-10-10 10:00", true},  // Saturday, make-up workday
		{"2026-10-11 10:00", false}, // plain Sunday
		{"2026-09-19 10:00", false}, // plain Saturday
		{"2026-09-20 10:00", true},  // Sunday, make-up workday
		{"2025-01-26 10:00", true},  // Sunday, Spring Festival make-up workday
		{"2025-01-27 10:00", true},  // Monday, not listed
		{"2025-01-28 10:00", false}, // Spring Festival eve
		{"2025-02-04 10:00", false}, // last day of Spring Festival
		{"2025-02-05 10:00", true},  // back to work
		{"2025-02-08 10:00", true},  // Saturday, make-up workday
		{"2027-01-01 10:00", true},  // no 2027 data: a plain Friday
		{"2027-01-02 10:00", false}, // no 2027 data: a plain Saturday
	}
	for _, tc := range tests {
		if got := c.IsWorkday(at(t, tc.when)); got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tc.when, got, tc.want)
		}
	}
	// The date is read in the calendar's zone, not in the instant's.
	if c.IsWorkday(time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC)) { // 2026-10-01 00:30 CST
		t.Error("2026-09-30T16:30Z is National Day in Beijing")
	}
	if !c.IsWorkday(time.Date(2026, 9, 30, 15, 59, 0, 0, time.UTC)) { // 2026-09-30 23:59 CST
		t.Error("2026-09-30T15:59Z is still a Wednesday in Beijing")
	}
}

func TestHours(t *testing.T) {
	if got := DefaultHours().PerDay(); got != 7*time.Hour {
		t.Errorf("PerDay = %v, want 7h", got)
	}
	bad := []Hours{
		nil,
		{{600, 600}},
		{{-1, 600}},
		{{600, 24*60 + 1}},
		{{600, 720}, {700, 800}},
		{{800, 900}, {600, 700}},
	}
	for _, h := range bad {
		if _, err := Default(cst).WithHours(h); err == nil {
			t.Errorf("WithHours(%v) accepted", h)
		}
	}
	if _, err := Default(cst).WithHours(Hours{{0, 24 * 60}}); err != nil {
		t.Errorf("round-the-clock hours: %v", err)
	}
}

func TestAddWorkingHours(t *testing.T) {
	c := Default(cst)
	tests := []struct {
		start string
		d     time.Duration
		want  string
	}{
		{"2026-09-29 08:00", time.Hour, "2026-09-29 09:30"},                  // before work starts
		{"2026-09-29 11:30", time.Hour, "2026-09-29 14:30"},                  // over lunch
		{"2026-09-29 11:00", time.Hour, "2026-09-29 12:00"},                  // ends exactly at lunch
		{"2026-09-29 12:00", 0, "2026-09-29 12:00"},                          // nothing to add
		{"2026-09-29 12:30", 30 * time.Minute, "2026-09-29 14:30"},           // from lunch
		{"2026-09-29 08:30", 7 * time.Hour, "2026-09-29 17:30"},              // one full day
		{"2026-09-29 08:30", 8 * time.Hour, "2026-09-30 09:30"},              // into the next day
		{"2026-09-30 16:00", 2 * time.Hour, "2026-10-08 09:00"},              // over National Day
		{"2026-10-03 10:00", time.Hour, "2026-10-08 09:30"},                  // started inside the holiday
		{"2026-10-09 17:00", time.Hour, "2026-10-10 09:00"},                  // into the make-up Saturday
		{"2026-09-18 17:30", time.Hour, "2026-09-20 09:30"},                  // Friday evening to make-up Sunday
		{"2025-01-27 17:00", 7 * time.Hour, "2025-02-05 17:00"},              // over Spring Festival 2025
		{"2025-01-24 17:30", 90 * time.Minute, "2025-01-26 10:00"},           // make-up Sunday before it
		{"2027-01-01 17:00", time.Hour, "2027-01-04 09:00"},                  // no data: plain weekend
		{"2026-09-28 08:30", 35 * time.Hour, "2026-10-09 17:30"},             // five working days
		{"2026-09-28 08:30", 35*time.Hour + time.Minute, "2026-10-10 08:31"}, // and a minute
	}
	for _, tc := range tests {
		got := c.AddWorkingHours(at(t, tc.start), tc.d)
		if want := at(t, tc.want); !got.Equal(want) {
			t.Errorf("AddWorkingHours(%s, %v) = %s, want %s", tc.start, tc.d, got.In(cst).Format("2006-01-02 15:04"), tc.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := Default(cst)
	tests := []struct {
		start string
		n     int
		want  string
	}{
		{"2026-09-29 10:00", 1, "2026-09-30 17:30"},
		{"2026-09-30 10:00", 1, "2026-10-08 17:30"}, // National Day in between
		{"2026-09-30 10:00", 3, "2026-10-10 17:30"}, // 8th, 9th and the make-up Saturday
		{"2026-09-30 23:59", 1, "2026-10-08 17:30"},
		{"2026-09-18 09:00", 1, "2026-09-20 17:30"}, // Friday: make-up Sunday is next
		{"2026-09-19 09:00", 2, "2026-09-21 17:30"}, // Saturday: Sunday then Monday
		{"2025-01-27 09:00", 1, "2025-02-05 17:30"}, // Spring Festival 2025
		{"2025-01-24 09:00", 1, "2025-01-26 17:30"},
		{"2027-01-01 09:00", 1, "2027-01-04 17:30"}, // no data: plain weekend
		{"2026-09-29 10:00", 0, "2026-09-29 17:30"}, // end of today
		{"2026-09-29 18:00", 0, "2026-09-30 17:30"}, // after hours: end of next working day
		{"2026-10-01 10:00", 0, "2026-10-08 17:30"}, // holiday: next working day
	}
	for _, tc := range tests {
		got := c.AddWorkingDays(at(t, tc.start), tc.n)
		if want := at(t, tc.want); !got.Equal(want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.start, tc.n, got.In(cst).Format("2006-01-02 15:04"), tc.want)
		}
	}
	custom, err := c.WithHours(Hours{{9 * 60, 17 * 60}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := custom.AddWorkingDays(at(t, "2026-09-29 10:00"), 1), at(t, "2026-09-30 17:00"); !got.Equal(want) {
		t.Errorf("with 09:00-17:00 hours: %v, want %v", got, want)
	}
}

func TestWorkingDuration(t *testing.T) {
	c := Default(cst)
	tests := []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-09-29 08:00", "2026-09-29 18:00", 7 * time.Hour},
		{"2026-09-29 11:00", "2026-09-29 15:00", 2 * time.Hour},
		{"2026-09-29 12:10", "2026-09-29 13:50", 0},
		{"2026-09-29 15:00", "2026-09-29 11:00", 0}, // reversed
		{"2026-09-30 17:00", "2026-10-08 09:00", time.Hour},
		{"2026-09-28 00:00", "2026-10-12 00:00", 6 * 7 * time.Hour},           // National Day fortnight: 6 working days
		{"2027-01-04 00:00", "2027-01-11 00:00", 5 * 7 * time.Hour},           // a plain week
		{"2025-01-20 00:00", "2025-02-10 00:00", (5 + 2 + 4) * 7 * time.Hour}, // Spring Festival 2025
	}
	for _, tc := range tests {
		if got := c.WorkingDuration(at(t, tc.from), at(t, tc.to)); got != tc.want {
			t.Errorf("WorkingDuration(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	// WorkingDuration undoes AddWorkingHours.
	for _, s := range []string{"2026-09-30 16:00", "2026-10-03 10:00", "2025-01-24 12:30", "2026-12-31 17:29"} {
		for _, d := range []time.Duration{time.Minute, 3 * time.Hour, 7 * time.Hour, 100 * time.Hour} {
			start := at(t, s)
			if got := c.WorkingDuration(start, c.AddWorkingHours(start, d)); got != d {
				t.Errorf("WorkingDuration(%s, AddWorkingHours(%s, %v)) = %v", s, s, d, got)
			}
		}
	}
}

func TestLimitDeadline(t *testing.T) {
	c := Default(cst)
	start := at(t, "2026-09-30 16:00")
	tests := []struct {
		l    Limit
		want string
	}{
		{Limit{2, UnitHours}, "2026-10-08 09:00"},
		{Limit{24, UnitHours}, "2026-10-12 10:00"}, // 1.5 h + 3 × 7 h on 8th, 9th, 10th + 1.5 h
		{Limit{1, UnitDays}, "2026-10-08 17:30"},
		{Limit{5, UnitDays}, "2026-10-13 17:30"},
	}
	for _, tc := range tests {
		got, err := tc.l.Deadline(c, start)
		if err != nil || !got.Equal(at(t, tc.want)) {
			t.Errorf("%v.Deadline = %v, %v; want %s", tc.l, got, err, tc.want)
		}
	}
	for _, l := range []Limit{{0, UnitDays}, {3, "weeks"}, {-1, UnitHours}} {
		if _, err := l.Deadline(c, start); err == nil {
			t.Errorf("%v accepted", l)
		}
	}
}

func TestTimer(t *testing.T) {
	c := Default(cst)
	start := at(t, "2026-09-30 14:00")    // 3.5 h left that day
	deadline := at(t, "2026-10-08 17:30") // 10.5 working hours later
	tests := []struct {
		now    string
		pct    float64
		colour string
	}{
		{"2026-09-30 14:00", 0, Green},
		{"2026-09-30 17:30", 100.0 / 3, Green},
		{"2026-10-05 10:00", 100.0 / 3, Green},        // holiday: the clock stands still
		{"2026-10-08 14:00", 100.0 * 7 / 10.5, Green}, // 66.7 %
		{"2026-10-08 15:00", 100.0 * 8 / 10.5, Green}, // 76.2 %
		{"2026-10-08 15:24", 80, Yellow},
		{"2026-10-08 17:30", 100, Yellow},
		{"2026-10-08 17:31", 100, Red}, // after hours, yet past the deadline
		{"2026-10-09 09:33", 100 * 11.55 / 10.5, Red},
	}
	for _, tc := range tests {
		pct, colour := Timer(c, start, deadline, at(t, tc.now))
		if colour != tc.colour || pct < tc.pct-0.01 || pct > tc.pct+0.01 {
			t.Errorf("Timer at %s = %.2f %s, want %.2f %s", tc.now, pct, colour, tc.pct, tc.colour)
		}
	}
	if pct, colour := Timer(c, start, time.Time{}, deadline); pct != 0 || colour != "" {
		t.Errorf("no deadline: %v %q", pct, colour)
	}
	// A deadline with no working time before it.
	sat, sun := at(t, "2026-10-03 09:00"), at(t, "2026-10-04 09:00")
	if _, colour := Timer(c, sat, sun, at(t, "2026-10-03 12:00")); colour != Green {
		t.Errorf("empty span before deadline: %s", colour)
	}
	if pct, colour := Timer(c, sat, sun, at(t, "2026-10-04 12:00")); colour != Red || pct != 100 {
		t.Errorf("empty span past deadline: %v %s", pct, colour)
	}
}
