package calendar

import (
	"errors"
	"fmt"
	"time"
)

// Span is a stretch of working time within a day, [Start, End) in minutes
// after local midnight: 08:30–12:00 is Span{510, 720}.
type Span struct {
	Start, End int
}

// String formats the span as 08:30-12:00.
func (s Span) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60)
}

// Hours are the working spans of a working day, in order.
type Hours []Span

// DefaultHours returns the usual office hours, 08:30–12:00 and 14:00–17:30.
func DefaultHours() Hours {
	return Hours{{8*60 + 30, 12 * 60}, {14 * 60, 17*60 + 30}}
}

// Validate checks that there is at least one span, that every span lies
// within the day and is not empty, and that spans are in order without overlap.
func (h Hours) Validate() error {
	if len(h) == 0 {
		return errors.New("calendar: working hours need at least one span")
	}
	prev := 0
	for i, s := range h {
		if s.Start < 0 || s.End > 24*60 || s.Start >= s.End {
			return fmt.Errorf("calendar: working span %d (%d-%d minutes) is not within one day", i+1, s.Start, s.End)
		}
		if s.Start < prev {
			return fmt.Errorf("calendar: working span %s overlaps or precedes the one before", s)
		}
		prev = s.End
	}
	return nil
}

// PerDay is the working time of one working day.
func (h Hours) PerDay() time.Duration {
	var d time.Duration
	for _, s := range h {
		d += time.Duration(s.End-s.Start) * time.Minute
	}
	return d
}

// at is minute min of the local date y-m-d.
func (c *Calendar) at(y int, m time.Month, d, min int) time.Time {
	return time.Date(y, m, d, min/60, min%60, 0, 0, c.loc)
}

// nextDate returns the date after y-m-d.
func nextDate(y int, m time.Month, d int) (int, time.Month, int) {
	return time.Date(y, m, d+1, 12, 0, 0, 0, time.UTC).Date()
}

// AddWorkingHours returns the instant at which d of working time has passed
// since start. Time outside working spans and on rest days does not count, so
// the result always lies at the end of, or inside, a working span. A d of
// zero or less returns start unchanged.
func (c *Calendar) AddWorkingHours(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	t := start.In(c.loc)
	y, m, day := t.Date()
	for {
		if c.isWorkday(y, m, day) {
			for _, s := range c.hours {
				from, to := c.at(y, m, day, s.Start), c.at(y, m, day, s.End)
				if !to.After(t) {
					continue
				}
				if from.Before(t) {
					from = t
				}
				avail := to.Sub(from)
				if d <= avail {
					return from.Add(d)
				}
				d -= avail
			}
		}
		y, m, day = nextDate(y, m, day)
	}
}

// AddWorkingDays returns the deadline n working days after start: the end of
// the last working span of the nth working day after the date of start, so a
// case reported on any day with a one-day limit is due at the close of the
// next working day. An n below 1 gives the end of the working day containing
// start, or of the next working day when start is a rest day or after hours.
func (c *Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	t := start.In(c.loc)
	y, m, d := t.Date()
	end := c.hours[len(c.hours)-1].End
	if n < 1 {
		if c.isWorkday(y, m, d) && t.Before(c.at(y, m, d, end)) {
			return c.at(y, m, d, end)
		}
		n = 1
	}
	for n > 0 {
		y, m, d = nextDate(y, m, d)
		if c.isWorkday(y, m, d) {
			n--
		}
	}
	return c.at(y, m, d, end)
}

// WorkingDuration returns the working time between from and to; zero when
// to is not after from.
func (c *Calendar) WorkingDuration(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	f, t := from.In(c.loc), to.In(c.loc)
	y, m, day := f.Date()
	var total time.Duration
	for c.at(y, m, day, 0).Before(t) {
		if c.isWorkday(y, m, day) {
			for _, s := range c.hours {
				a, b := c.at(y, m, day, s.Start), c.at(y, m, day, s.End)
				if a.Before(f) {
					a = f
				}
				if b.After(t) {
					b = t
				}
				if b.After(a) {
					total += b.Sub(a)
				}
			}
		}
		y, m, day = nextDate(y, m, day)
	}
	return total
}
