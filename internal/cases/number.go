package cases

import (
	"fmt"
	"math"
	"time"
)

// FormatNumber formats a case number such as XG-20261128-0042: the street's
// prefix, the date of day as given (pass it in the street's time zone), and
// the day's sequence number, zero-padded to at least four digits.
func FormatNumber(prefix string, day time.Time, seq int) string {
	return fmt.Sprintf("%s-%s-%04d", prefix, day.Format("20060102"), seq)
}

// Duplicate rule: an open case of the same category within DuplicateRadius
// metres and DuplicateWindow is offered for merging.
const (
	DuplicateRadius = 100.0 // metres
	DuplicateWindow = 7 * 24 * time.Hour
)

// earthRadius is the mean Earth radius in metres (IUGG).
const earthRadius = 6371008.8

// Distance is the great-circle (haversine) distance in metres between two
// WGS-84 points given in degrees.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(min(h, 1)))
}

// Around returns a latitude/longitude box that holds every point within
// metres of (lat, lon), for an indexed pre-filter before Distance.
func Around(lat, lon, metres float64) (minLat, minLon, maxLat, maxLon float64) {
	dLat := metres / earthRadius * 180 / math.Pi
	dLon := 180.0 // near a pole every longitude is close
	if c := math.Cos((math.Abs(lat) + dLat) * math.Pi / 180); c > 0 {
		dLon = min(dLat/c, 180)
	}
	return lat - dLat, lon - dLon, lat + dLat, lon + dLon
}

// IsDuplicateCandidate reports whether b should be offered as the case that
// a duplicates: b is another case, still open, of the same category, within
// DuplicateRadius of a and reported within DuplicateWindow of it (either side).
func IsDuplicateCandidate(a, b Snapshot) bool {
	if a.Number != "" && a.Number == b.Number || !b.Status.Open() || a.Category != b.Category {
		return false
	}
	if gap := a.ReportedAt.Sub(b.ReportedAt).Abs(); gap > DuplicateWindow {
		return false
	}
	return Distance(a.Lat, a.Lon, b.Lat, b.Lon) <= DuplicateRadius
}
