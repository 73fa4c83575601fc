// Package assess is the assessment's domain: the indicators computed from
// the records, periods, rubrics and their methods, grades, and the rule
// table of who may change rubrics and publish bulletins. No I/O.
package assess

import (
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// DateLayout is the layout of local dates.
const DateLayout = "2006-01-02"

// MaxRangeDays bounds a date-range period.
const MaxRangeDays = 400

// Period is what an assessment covers: local dates From..To inclusive,
// named by Key as written (2026-11, 2026-Q4, 2026, or 2026-11-01..2026-11-15).
type Period struct {
	Key      string
	From, To string
	Year     int
}

// Start is the first instant of the period in loc.
func (p Period) Start(loc *time.Location) time.Time {
	t, _ := time.ParseInLocation(DateLayout, p.From, loc)
	return t
}

// End is the first instant after the period in loc.
func (p Period) End(loc *time.Location) time.Time {
	t, _ := time.ParseInLocation(DateLayout, p.To, loc)
	return t.AddDate(0, 0, 1)
}

// Days lists the period's dates.
func (p Period) Days() []string {
	f, _ := time.Parse(DateLayout, p.From)
	t, _ := time.Parse(DateLayout, p.To)
	var out []string
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(DateLayout))
	}
	return out
}

// Contains reports whether the local date day lies in the period.
func (p Period) Contains(day string) bool { return day >= p.From && day <= p.To }

func validYear(y int) bool { return y >= 2000 && y <= 2100 }

// ParsePeriod reads a period: a month 2026-11, a quarter 2026-Q4, a year
// 2026, or a range of dates 2026-11-01..2026-11-15 (at most MaxRangeDays).
// Anything else is a field error on "period".
func ParsePeriod(s string) (Period, error) {
	bad := apperr.Field("period", "err.assess.period")
	s = strings.TrimSpace(s)
	date := func(v string) (time.Time, bool) {
		t, err := time.Parse(DateLayout, v)
		return t, err == nil && validYear(t.Year())
	}
	switch {
	case strings.Contains(s, ".."):
		a, b, _ := strings.Cut(s, "..")
		f, ok1 := date(a)
		t, ok2 := date(b)
		if !ok1 || !ok2 || t.Before(f) || t.Sub(f) > MaxRangeDays*24*time.Hour {
			return Period{}, bad
		}
		return Period{Key: s, From: a, To: b, Year: f.Year()}, nil
	case len(s) == 4:
		y, err := strconv.Atoi(s)
		if err != nil || !validYear(y) {
			return Period{}, bad
		}
		return Period{Key: s, From: s + "-01-01", To: s + "-12-31", Year: y}, nil
	case len(s) == 7 && (s[5] == 'Q' || s[5] == 'q') && s[4] == '-':
		y, err := strconv.Atoi(s[:4])
		q := int(s[6] - '0')
		if err != nil || !validYear(y) || q < 1 || q > 4 {
			return Period{}, bad
		}
		f := time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
		t := f.AddDate(0, 3, -1)
		return Period{Key: s[:4] + "-Q" + s[6:], From: f.Format(DateLayout), To: t.Format(DateLayout), Year: y}, nil
	case len(s) == 7 && s[4] == '-':
		f, err := time.Parse("2006-01", s)
		if err != nil || !validYear(f.Year()) {
			return Period{}, bad
		}
		return Period{Key: s, From: f.Format(DateLayout), To: f.AddDate(0, 1, -1).Format(DateLayout), Year: f.Year()}, nil
	}
	return Period{}, bad
}

// MonthOf is the month period holding t.
func MonthOf(t time.Time) Period {
	p, _ := ParsePeriod(t.Format("2006-01"))
	return p
}
