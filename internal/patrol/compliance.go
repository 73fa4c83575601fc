package patrol

import (
	"math/bits"
	"time"

	"github.com/lantian-org/lantian/internal/calendar"
)

// Tally is what a grid's ended patrols add up to on one local date (the date
// they started); the store sums it in one aggregate query.
type Tally struct {
	Grid, Date string
	Done       int    // ended patrols
	Windows    uint32 // bit i-1 set when one of them started in window i
	Doubtful   int    // how many carry a flag
	Flags      Flags  // every flag among them
	Duration   time.Duration
	Length     float64 // metres
	Sites      int     // distinct key sites visited
}

// Status sums up a grid's day for a calendar colour.
type Status string

// The statuses of a compliance day.
const (
	StatusRest    Status = "rest"    // nothing required and nothing done
	StatusMet     Status = "met"     // enough patrols, covering enough windows
	StatusPartial Status = "partial" // some, but not enough
	StatusMissed  Status = "missed"  // required and none done
	StatusPending Status = "pending" // today or later, not met yet
)

// Compliance is one grid's day against its plan: one cell of the leaders'
// calendar and one item of GET /api/v1/compliance.
type Compliance struct {
	Grid, Date   string
	Required     int // patrols the plan requires
	Done         int // ended patrols started that date
	InWindow     int // required windows covered by a patrol started inside them
	WindowsNeed  int // required windows
	Flags        []Flag
	Doubtful     int
	Duration     time.Duration
	Length       float64
	SitesVisited int
	SitesPlanned int
	Status       Status
}

// Comply judges a grid's tally for the local date day (YYYY-MM-DD) against
// its plan and the calendar; today is the current local date, so that days
// not over yet read as pending rather than missed. sitesPlanned is how many
// key sites the grid has.
func Comply(plan Plan, cal *calendar.Calendar, day string, t Tally, sitesPlanned int, today string) Compliance {
	d, _ := time.ParseInLocation(DateLayout, day, cal.Location())
	c := Compliance{Grid: plan.Grid, Date: day, Required: plan.Required(cal, d.Add(12*time.Hour)), Done: t.Done,
		Flags: t.Flags.Names(), Doubtful: t.Doubtful, Duration: t.Duration, Length: t.Length,
		SitesVisited: t.Sites, SitesPlanned: sitesPlanned}
	c.WindowsNeed = plan.RequiredWindows(c.Required)
	mask := t.Windows
	if n := len(plan.Windows); n < 32 {
		mask &= 1<<n - 1
	}
	c.InWindow = min(bits.OnesCount32(mask), c.WindowsNeed)
	met := c.Done >= c.Required && c.InWindow >= c.WindowsNeed
	switch {
	case c.Required == 0 && c.Done == 0:
		c.Status = StatusRest
	case met:
		c.Status = StatusMet
	case day >= today:
		c.Status = StatusPending
	case c.Done == 0:
		c.Status = StatusMissed
	default:
		c.Status = StatusPartial
	}
	return c
}

// Rate is done over required for a set of days (the assessment's patrol
// completion rate), capped at each day's requirement; ok is false when
// nothing was required (no data, not 100 %).
func Rate(days []Compliance) (rate float64, ok bool) {
	var done, req int
	for _, d := range days {
		req += d.Required
		done += min(d.Done, d.Required)
	}
	if req == 0 {
		return 0, false
	}
	return float64(done) / float64(req), true
}
