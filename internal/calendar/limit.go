package calendar

import (
	"fmt"
	"time"
)

// The units of a Limit.
const (
	UnitHours = "hours" // working hours
	UnitDays  = "days"  // working days
)

// Limit is a time limit such as "4 working hours" or "3 working days".
type Limit struct {
	N    int
	Unit string // UnitHours or UnitDays
}

// Validate checks that N is positive and Unit known.
func (l Limit) Validate() error {
	if l.N < 1 {
		return fmt.Errorf("calendar: time limit %d must be at least 1", l.N)
	}
	if l.Unit != UnitHours && l.Unit != UnitDays {
		return fmt.Errorf("calendar: time limit unit %q is neither %q nor %q", l.Unit, UnitHours, UnitDays)
	}
	return nil
}

// String formats the limit as "3 days".
func (l Limit) String() string { return fmt.Sprintf("%d %s", l.N, l.Unit) }

// Deadline is the instant the limit runs out for something started at start:
// N working hours later (AddWorkingHours), or the end of the Nth working day
// after the date of start (AddWorkingDays).
func (l Limit) Deadline(cal *Calendar, start time.Time) (time.Time, error) {
	if err := l.Validate(); err != nil {
		return time.Time{}, err
	}
	if l.Unit == UnitHours {
		return cal.AddWorkingHours(start, time.Duration(l.N)*time.Hour), nil
	}
	return cal.AddWorkingDays(start, l.N), nil
}

// The colours of a timer.
const (
	Green  = "green"  // below 80 % of the time limit used
	Yellow = "yellow" // from 80 % up to and including the deadline
	Red    = "red"    // past the deadline
)

// YellowFrom is the share of the limit, in percent, from which a timer turns yellow.
const YellowFrom = 80.0

// Timer tells how much of the working time from start to deadline has been
// used at now, in percent, and the colour to show. Red means now is past the
// deadline (the percentage is then at least 100); yellow means at least 80 %
// is used; green otherwise. A zero deadline means no timer: (0, "").
// When start to deadline holds no working time at all, the timer reads 0
// until the deadline and 100 after it.
func Timer(cal *Calendar, start, deadline, now time.Time) (pct float64, colour string) {
	if deadline.IsZero() {
		return 0, ""
	}
	total := cal.WorkingDuration(start, deadline)
	switch {
	case total > 0:
		pct = 100 * float64(cal.WorkingDuration(start, now)) / float64(total)
	case now.After(deadline):
		pct = 100
	}
	switch {
	case now.After(deadline):
		return pct, Red
	case pct >= YellowFrom:
		return pct, Yellow
	default:
		return pct, Green
	}
}
