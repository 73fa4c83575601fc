package patrol

import (
	"math"
	"time"
)

// Thresholds of a doubtful patrol. A doubtful patrol is flagged to leaders
// and still counts: it is never dropped.
const (
	MinDuration     = 10 * time.Minute // shorter is "too_short"
	MaxSpeedKMH     = 30.0             // faster between points is "too_fast"
	MaxOutsideShare = 0.5              // a larger share of points outside the grid is "outside_grid"
	MinMovement     = 50.0             // metres; less is "no_movement"
	// speedGap is the least time between two fixes a speed is measured over:
	// fixes a second apart differ by GPS noise more than by walking.
	speedGap = 5 * time.Second
)

// Flag names one reason a patrol is doubtful.
type Flag string

// The doubtful-patrol flags.
const (
	FlagShort   Flag = "too_short"    // under MinDuration
	FlagFast    Flag = "too_fast"     // over MaxSpeedKMH between consecutive fixes
	FlagOutside Flag = "outside_grid" // most fixes outside the grid's polygon
	FlagStill   Flag = "no_movement"  // track under MinMovement
)

// AllFlags lists the flags in the order they are shown.
var AllFlags = []Flag{FlagShort, FlagFast, FlagOutside, FlagStill}

// Flags is a set of flags, stored as a small integer (bit i is AllFlags[i])
// so that a day's flags are an aggregate query. This is the one definition
// of the bits: the store derives the SQL that filters and sums flagged
// patrols from Bit and Doubtful, never from numbers of its own.
type Flags uint8

// Bit is the flag's bit in a Flags set; 0 for an unknown flag.
func (f Flag) Bit() Flags {
	for i, a := range AllFlags {
		if a == f {
			return 1 << i
		}
	}
	return 0
}

// Doubtful is the set of every flag: a patrol whose flags meet it is doubtful.
var Doubtful = func() Flags {
	var s Flags
	for _, f := range AllFlags {
		s |= f.Bit()
	}
	return s
}()

// Has reports whether f is in the set.
func (s Flags) Has(f Flag) bool { return s&f.Bit() != 0 }

// With returns the set with f added.
func (s Flags) With(f Flag) Flags { return s | f.Bit() }

// Names lists the set's flags in AllFlags order; never nil.
func (s Flags) Names() []Flag {
	out := []Flag{}
	for i, f := range AllFlags {
		if s&(1<<i) != 0 {
			out = append(out, f)
		}
	}
	return out
}

// ParseFlag returns the flag named s, and whether there is one.
func ParseFlag(s string) (Flag, bool) {
	for _, f := range AllFlags {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

// Assessment is what a patrol's track says about it.
type Assessment struct {
	Duration time.Duration
	Points   int
	Length   float64 // metres along the track
	MaxSpeed float64 // km/h, the fastest stretch between fixes
	Outside  float64 // share of fixes outside the grid, 0..1
	Flags    Flags
}

// earthRadius is the mean radius of the Earth in metres.
const earthRadius = 6371008.8

// Distance returns the great-circle distance in metres between two WGS-84 points (haversine).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Length returns the length in metres of a track in time order.
func Length(pts []Point) float64 {
	var l float64
	for i := 1; i < len(pts); i++ {
		l += Distance(pts[i-1].Lat, pts[i-1].Lon, pts[i].Lat, pts[i].Lon)
	}
	return l
}

// MaxSpeed returns the highest speed in km/h between fixes of a track in time
// order. Fixes closer in time than a few seconds to the last one measured
// from are skipped, so that GPS noise between near-simultaneous fixes does
// not read as a sprint.
func MaxSpeed(pts []Point) float64 {
	if len(pts) < 2 {
		return 0
	}
	best := 0.0
	from := pts[0]
	for _, p := range pts[1:] {
		dt := p.T.Sub(from.T)
		if dt < speedGap {
			continue
		}
		v := Distance(from.Lat, from.Lon, p.Lat, p.Lon) / dt.Seconds() * 3.6
		best = math.Max(best, v)
		from = p
	}
	return best
}

// spread returns how far from its first fix the track ever gets, in metres.
func spread(pts []Point) float64 {
	far := 0.0
	for _, p := range pts {
		far = math.Max(far, Distance(pts[0].Lat, pts[0].Lon, p.Lat, p.Lon))
	}
	return far
}

// Assess measures a patrol from start to end (end zero: still open, measured
// to the last fix) over its track in time order, and flags it when doubtful:
// shorter than MinDuration; faster than MaxSpeedKMH between fixes; more than
// MaxOutsideShare of its fixes outside the grid (inside reports whether a
// point lies in the grid; nil skips the test); or no movement — a track
// shorter than MinMovement, or one that never leaves a MinMovement circle
// around its first fix (a phone lying still gathers length from GPS noise).
// An open patrol is not judged on its duration yet.
func Assess(start, end time.Time, pts []Point, inside func(lat, lon float64) bool) Assessment {
	a := Assessment{Points: len(pts), Length: Length(pts), MaxSpeed: MaxSpeed(pts)}
	switch {
	case !end.IsZero():
		a.Duration = end.Sub(start)
		if a.Duration < MinDuration {
			a.Flags = a.Flags.With(FlagShort)
		}
	case len(pts) > 0:
		a.Duration = pts[len(pts)-1].T.Sub(start)
	}
	if a.MaxSpeed > MaxSpeedKMH {
		a.Flags = a.Flags.With(FlagFast)
	}
	if inside != nil && len(pts) > 0 {
		out := 0
		for _, p := range pts {
			if !inside(p.Lat, p.Lon) {
				out++
			}
		}
		a.Outside = float64(out) / float64(len(pts))
		if a.Outside > MaxOutsideShare {
			a.Flags = a.Flags.With(FlagOutside)
		}
	}
	if a.Length < MinMovement || spread(pts) < MinMovement {
		a.Flags = a.Flags.With(FlagStill)
	}
	return a
}
