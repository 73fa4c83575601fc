// Package patrol holds the rules of grid patrols (巡查): each grid's plan
// (patrols required a day, their time windows, who walks and which key sites
// to check), the checks on what a field phone sends (track points, site
// visits, records of disputes and clean-energy promotion), the doubtful-patrol
// rules, track length and speed, and the daily compliance of a grid.
//
// The package is pure: it reads no database and keeps no state. Times are
// read in the location the caller gives; distances are metres on the WGS-84
// sphere (haversine), speeds km/h.
package patrol

import (
	"fmt"
	"math"
	"time"
)

// State is where a patrol stands.
type State string

// The states of a patrol: started and walking, or ended with a summary.
const (
	StateOpen  State = "open"
	StateEnded State = "ended"
)

// Limits on what a field phone sends.
const (
	// MaxBatch is the most track points one request may carry (413 above).
	MaxBatch = 1000
	// ClockSkew is how far ahead of the server's clock a phone's time may be
	// before it counts as "in the future".
	ClockSkew = 2 * time.Minute
	// MaxSummary, MaxNote and MaxText bound free text, in characters.
	MaxSummary = 1000
	MaxNote    = 500
	MaxText    = 1000
	// MaxParties bounds a dispute's parties, in characters.
	MaxParties = 200
	// MaxHouseholds bounds the households one promotion can reach.
	MaxHouseholds = 100000
)

// Message keys of field and point errors; the API translates them.
const (
	MsgRequired    = "err.required"
	MsgFormat      = "err.format"
	MsgTooLong     = "err.too_long"
	MsgRange       = "err.out_of_range"
	MsgChoice      = "err.invalid_choice"
	MsgCoords      = "err.coords"
	MsgFuture      = "err.patrol.future"
	MsgBeforeStart = "err.patrol.before_start"
	MsgAfterEnd    = "err.patrol.after_end"
	MsgAccuracy    = "err.patrol.accuracy"
	MsgEndBefore   = "err.patrol.end_before_start"
	MsgWindows     = "err.patrol.windows"
	MsgSite        = "err.patrol.site_unknown"
)

// Patrol is one walk of a grid by a patroller, from start to end.
type Patrol struct {
	ID            int64  // store id
	UID           string // UUID chosen by the phone (idempotent offline submission)
	Grid          string
	PatrollerID   int64
	PatrollerName string
	Day           string // local date of StartedAt, YYYY-MM-DD
	Window        int    // 1-based plan window StartedAt fell in; 0 for none
	State         State
	StartedAt     time.Time
	EndedAt       time.Time // zero while open
	Summary       string
	Visits        int // site visits recorded
	Findings      int // cases linked
	Records       int // disputes and promotions recorded
	Assessment        // stored when the patrol ends; live while it is open
	UpdatedAt     time.Time
}

// Point is one GPS fix of a track.
type Point struct {
	T        time.Time
	Lat, Lon float64 // WGS-84
	Acc      float64 // accuracy radius in metres, 0 when unknown
}

// ValidCoords reports whether lat, lon can be a place on Earth; 0, 0 (a
// phone's "no fix") is refused as well.
func ValidCoords(lat, lon float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lat, 0) || math.IsInf(lon, 0) {
		return false
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return false
	}
	return lat != 0 || lon != 0
}

// CheckPoint returns the message key of what is wrong with a track point of
// a patrol started at start (and ended at end, zero while open), judged at
// now; "" when it may be stored.
func CheckPoint(p Point, start, end, now time.Time) string {
	switch {
	case p.T.IsZero():
		return MsgRequired
	case !ValidCoords(p.Lat, p.Lon):
		return MsgCoords
	case math.IsNaN(p.Acc) || p.Acc < 0 || p.Acc > 100000:
		return MsgAccuracy
	}
	return CheckTime(p.T, start, end, now)
}

// CheckTime returns the message key of what is wrong with the time of
// something recorded during a patrol: in the future, before its start or after
// its end; "" when it fits.
func CheckTime(t, start, end, now time.Time) string {
	switch {
	case t.After(now.Add(ClockSkew)):
		return MsgFuture
	case t.Before(start):
		return MsgBeforeStart
	case !end.IsZero() && t.After(end):
		return MsgAfterEnd
	}
	return ""
}

// CheckStart returns the message key of what is wrong with a patrol's start
// time judged at now; "" when it is fine.
func CheckStart(t, now time.Time) string {
	switch {
	case t.IsZero():
		return MsgRequired
	case t.After(now.Add(ClockSkew)):
		return MsgFuture
	}
	return ""
}

// CheckEnd returns the message key of what is wrong with an end time; "" when fine.
func CheckEnd(t, start, now time.Time) string {
	switch {
	case t.IsZero():
		return MsgRequired
	case t.After(now.Add(ClockSkew)):
		return MsgFuture
	case t.Before(start):
		return MsgEndBefore
	}
	return ""
}

// Day returns the local date of t as YYYY-MM-DD.
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format(DateLayout) }

// DateLayout is the layout of dates in patrols and compliance.
const DateLayout = "2006-01-02"

// Window is a span of the day in which a patrol should start, [Start, End)
// in minutes after local midnight: 08:00–12:00 is Window{480, 720}.
type Window struct {
	Start, End int
}

// DefaultWindows are the two patrol windows, 08:00–12:00 and 14:00–18:00.
func DefaultWindows() []Window { return []Window{{8 * 60, 12 * 60}, {14 * 60, 18 * 60}} }

// String formats the window as 08:00-12:00.
func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// ParseWindow reads "08:00-12:00".
func ParseWindow(s string) (Window, error) {
	var h1, m1, h2, m2 int
	if n, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil || n != 4 || len(s) != 11 {
		return Window{}, fmt.Errorf("patrol: window %q is not like 08:00-12:00", s)
	}
	w := Window{h1*60 + m1, h2*60 + m2}
	if m1 > 59 || m2 > 59 || w.Start < 0 || w.End > 24*60 || w.Start >= w.End {
		return Window{}, fmt.Errorf("patrol: window %q is not within one day", s)
	}
	return w, nil
}

// MarshalText writes the window as 08:00-12:00 (for JSON).
func (w Window) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads 08:00-12:00 (for JSON).
func (w *Window) UnmarshalText(b []byte) error {
	v, err := ParseWindow(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// Contains reports whether minute min of the day lies in the window.
func (w Window) Contains(min int) bool { return min >= w.Start && min < w.End }

// Bounds returns the window's start and end on the local date of day.
func (w Window) Bounds(day time.Time, loc *time.Location) (time.Time, time.Time) {
	y, m, d := day.In(loc).Date()
	return time.Date(y, m, d, 0, w.Start, 0, 0, loc), time.Date(y, m, d, 0, w.End, 0, 0, loc)
}

// minuteOfDay is t's minute after local midnight.
func minuteOfDay(t time.Time, loc *time.Location) int {
	l := t.In(loc)
	return l.Hour()*60 + l.Minute()
}
