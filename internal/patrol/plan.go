package patrol

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/calendar"
)

// DefaultPerDay is how many patrols a grid needs a day unless its plan says otherwise.
const DefaultPerDay = 2

// Limits on a plan.
const (
	MaxPerDay     = 6
	MaxWindows    = 6
	MaxFreePoints = 50
	MaxPointName  = 60
)

// FreePoint is a key site that is not a unit: a corner, a bridge, a market.
type FreePoint struct {
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// Plan is what a grid's patrols must achieve. A grid without a stored plan
// follows DefaultPlan.
type Plan struct {
	Grid     string
	PerDay   int      // patrols required on a required day
	Windows  []Window // in order, not overlapping
	Weekends bool     // rest days (weekends and holidays) require patrols too
	// Patrollers may start patrols on the grid; empty means the holders of
	// the patroller role on the grid.
	Patrollers []int64
	Points     []FreePoint // key sites besides the grid's units with risk tags
	Stored     bool        // false for the default plan
	UpdatedAt  time.Time
}

// DefaultPlan is the plan of a grid that has none stored: two patrols on
// each working day of the calendar, in the default windows, by the grid's
// patrollers, checking its units with risk tags.
func DefaultPlan(grid string) Plan {
	return Plan{Grid: grid, PerDay: DefaultPerDay, Windows: DefaultWindows()}
}

// Validate returns the field errors (per_day, windows, patrollers, points)
// of a plan as an *apperr.Error, or nil. The caller checks that the named
// patrollers are the grid's.
func (p Plan) Validate() error {
	f := apperr.Fields{}
	if p.PerDay < 0 || p.PerDay > MaxPerDay {
		f.Add("per_day", MsgRange)
	}
	if len(p.Windows) > MaxWindows {
		f.Add("windows", MsgRange)
	}
	prev := -1
	for _, w := range p.Windows {
		if w.Start < 0 || w.End > 24*60 || w.Start >= w.End || w.Start < prev {
			f.Add("windows", MsgWindows)
			break
		}
		prev = w.End
	}
	if p.PerDay > 0 && len(p.Windows) == 0 {
		f.Add("windows", MsgRequired)
	}
	for _, id := range p.Patrollers {
		if id <= 0 {
			f.Add("patrollers", MsgFormat)
		}
	}
	if len(p.Points) > MaxFreePoints {
		f.Add("points", MsgRange)
	}
	for _, pt := range p.Points {
		name := strings.TrimSpace(pt.Name)
		switch {
		case name == "":
			f.Add("points", MsgRequired)
		case utf8.RuneCountInString(name) > MaxPointName:
			f.Add("points", MsgTooLong, MaxPointName)
		case !ValidCoords(pt.Lat, pt.Lon):
			f.Add("points", MsgCoords)
		}
	}
	return f.Err()
}

// Required returns how many patrols the plan requires on the local date of
// day: PerDay on working days of the calendar, and on rest days only when
// the plan covers weekends.
func (p Plan) Required(cal *calendar.Calendar, day time.Time) int {
	if !p.Weekends && !cal.IsWorkday(day) {
		return 0
	}
	return p.PerDay
}

// RequiredWindows is how many windows must be covered on a day that requires
// n patrols: one per patrol, at most every window.
func (p Plan) RequiredWindows(n int) int { return min(n, len(p.Windows)) }

// WindowOf returns the 1-based number of the window t starts in, 0 for none.
func (p Plan) WindowOf(t time.Time, loc *time.Location) int {
	m := minuteOfDay(t, loc)
	for i, w := range p.Windows {
		if w.Contains(m) {
			return i + 1
		}
	}
	return 0
}

// MayWalk reports whether person may start a patrol under this plan, given
// whether they hold the patroller role on the grid: a plan naming its
// patrollers admits exactly those; otherwise the grid's patrollers.
func (p Plan) MayWalk(person int64, isGridPatroller bool) bool {
	if len(p.Patrollers) > 0 {
		return slices.Contains(p.Patrollers, person)
	}
	return isGridPatroller
}

// SiteRef names a key site: a unit by id, or the plan's free point by its
// 1-based number.
type SiteRef struct {
	UnitID int64 `json:"unit_id,omitempty"`
	Point  int   `json:"point,omitempty"`
}

// Key is the site's stable name, "unit:12" or "point:3"; "" when the reference names nothing.
func (s SiteRef) Key() string {
	switch {
	case s.UnitID > 0 && s.Point == 0:
		return fmt.Sprintf("unit:%d", s.UnitID)
	case s.Point > 0 && s.UnitID == 0:
		return fmt.Sprintf("point:%d", s.Point)
	}
	return ""
}

// ParseSiteKey reads a key made by Key.
func ParseSiteKey(k string) SiteRef {
	var s SiteRef
	if _, err := fmt.Sscanf(k, "unit:%d", &s.UnitID); err == nil {
		return s
	}
	fmt.Sscanf(k, "point:%d", &s.Point)
	return s
}
