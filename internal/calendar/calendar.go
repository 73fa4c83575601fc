// Package calendar is Lantian's working-day calendar: public holidays and
// make-up working days (调休) as data per year, working hours within a day,
// and the arithmetic on them that case deadlines and timers need.
//
// A date listed as a holiday is a rest day and a date listed as a workday is a
// working day; every other Saturday and Sunday is a rest day and every other
// weekday a working day. A year with no data therefore falls back to plain
// weekends; HasYear and MissingYears let the UI warn admins about it.
//
// The package is pure: it reads no database and keeps no global state
// besides the embedded default schedule. A Calendar is immutable after New and
// safe for concurrent use.
package calendar

import (
	"fmt"
	"time"
)

// Kind says whether a listed date is a rest day or a working day.
type Kind string

// The kinds of listed dates.
const (
	// Holiday is a public holiday (or a weekday given as rest in exchange for a make-up day).
	Holiday Kind = "holiday"
	// Workday is a make-up working day (调休上班), usually a Saturday or Sunday.
	Workday Kind = "workday"
)

// Valid reports whether k is Holiday or Workday.
func (k Kind) Valid() bool { return k == Holiday || k == Workday }

// DateLayout is the layout of Day.Date.
const DateLayout = "2006-01-02"

// Day is one listed date of the schedule.
type Day struct {
	Date string // YYYY-MM-DD
	Kind Kind
	Name string // the holiday it belongs to, e.g. 国庆节; may be empty
}

// Validate checks the date and the kind.
func (d Day) Validate() error {
	if _, err := time.Parse(DateLayout, d.Date); err != nil {
		return fmt.Errorf("calendar: date %q is not a date like 2026-10-01", d.Date)
	}
	if !d.Kind.Valid() {
		return fmt.Errorf("calendar: %s: kind %q is neither %q nor %q", d.Date, d.Kind, Holiday, Workday)
	}
	return nil
}

// Calendar answers which days are working days and counts working time.
type Calendar struct {
	loc   *time.Location
	days  map[int]Day // keyed by dateKey
	years map[int]bool
	hours Hours
}

// dateKey packs a date into an int such as 20261001.
func dateKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

// New builds a calendar from listed days in the given time zone (nil means
// UTC), with DefaultHours. It fails on an invalid day or on a date listed twice.
func New(days []Day, loc *time.Location) (*Calendar, error) {
	if loc == nil {
		loc = time.UTC
	}
	c := &Calendar{loc: loc, days: make(map[int]Day, len(days)), years: map[int]bool{}, hours: DefaultHours()}
	for _, d := range days {
		if err := d.Validate(); err != nil {
			return nil, err
		}
		t, _ := time.Parse(DateLayout, d.Date)
		k := dateKey(t.Date())
		if _, dup := c.days[k]; dup {
			return nil, fmt.Errorf("calendar: %s is listed twice", d.Date)
		}
		c.days[k] = d
		c.years[t.Year()] = true
	}
	return c, nil
}

// WithHours returns a copy of the calendar with other working hours.
func (c *Calendar) WithHours(h Hours) (*Calendar, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	cp := *c
	cp.hours = append(Hours(nil), h...)
	return &cp, nil
}

// Hours returns a copy of the calendar's working hours.
func (c *Calendar) Hours() Hours { return append(Hours(nil), c.hours...) }

// Location returns the time zone in which the calendar's dates are read.
func (c *Calendar) Location() *time.Location { return c.loc }

// Listed returns the listed entry for the local date of t, if any (for
// showing "国庆节" beside a date).
func (c *Calendar) Listed(t time.Time) (Day, bool) {
	d, ok := c.days[dateKey(t.In(c.loc).Date())]
	return d, ok
}

// IsWorkday reports whether the local date of t is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	return c.isWorkday(t.In(c.loc).Date())
}

func (c *Calendar) isWorkday(y int, m time.Month, d int) bool {
	if day, ok := c.days[dateKey(y, m, d)]; ok {
		return day.Kind == Workday
	}
	wd := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// HasYear reports whether any date of year is listed. A year without data
// falls back to plain weekends, which is almost certainly wrong in China.
func (c *Calendar) HasYear(year int) bool { return c.years[year] }

// MissingYears returns, in order, the years from..to (inclusive) that have no data.
func (c *Calendar) MissingYears(from, to int) []int {
	var out []int
	for y := from; y <= to; y++ {
		if !c.years[y] {
			out = append(out, y)
		}
	}
	return out
}
