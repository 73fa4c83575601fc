package region

import (
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/lantian-org/lantian/internal/apperr"
)

// MaxPoints bounds the points of one geometry: a grid's outline has tens,
// a district's traced from survey data some tens of thousands.
const MaxPoints = 250_000

// Geometry is a region's outline in WGS-84: a Polygon or a MultiPolygon.
type Geometry struct {
	orb.Geometry
}

// ParseGeometry reads a GeoJSON geometry (or a Feature holding one) and validates it.
func ParseGeometry(data []byte) (*Geometry, error) {
	var probe struct {
		Type     string          `json:"type"`
		Geometry json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "err.geojson_syntax")
	}
	if probe.Type == "Feature" {
		data = probe.Geometry
	}
	var raw struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "err.geojson_syntax")
	}
	geo := &Geometry{}
	switch raw.Type {
	case "Polygon":
		var c [][][2]float64
		if err := json.Unmarshal(raw.Coordinates, &c); err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "err.geojson_syntax")
		}
		geo.Geometry = toPolygon(c)
	case "MultiPolygon":
		var c [][][][2]float64
		if err := json.Unmarshal(raw.Coordinates, &c); err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "err.geojson_syntax")
		}
		mp := orb.MultiPolygon{}
		for _, p := range c {
			mp = append(mp, toPolygon(p))
		}
		geo.Geometry = mp
	default:
		return nil, apperr.New(apperr.Invalid, "err.geojson_type")
	}
	if err := geo.Validate(); err != nil {
		return nil, err
	}
	return geo, nil
}

func toPolygon(c [][][2]float64) orb.Polygon {
	p := orb.Polygon{}
	for _, ring := range c {
		r := orb.Ring{}
		for _, pt := range ring {
			r = append(r, orb.Point(pt))
		}
		p = append(p, r)
	}
	return p
}

// MarshalJSON writes the geometry as GeoJSON.
func (g *Geometry) MarshalJSON() ([]byte, error) {
	switch t := g.Geometry.(type) {
	case orb.Polygon:
		return json.Marshal(struct {
			Type        string      `json:"type"`
			Coordinates orb.Polygon `json:"coordinates"`
		}{"Polygon", t})
	case orb.MultiPolygon:
		return json.Marshal(struct {
			Type        string           `json:"type"`
			Coordinates orb.MultiPolygon `json:"coordinates"`
		}{"MultiPolygon", t})
	}
	return []byte("null"), nil
}

// Validate rejects anything but closed, simple polygons with WGS-84
// coordinates, of at most MaxPoints points, whose rings can be checked for
// self-intersection in time linear in their points (see selfIntersects).
func (g *Geometry) Validate() error {
	var polys []orb.Polygon
	switch t := g.Geometry.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{t}
	case orb.MultiPolygon:
		polys = t
	default:
		return apperr.New(apperr.Invalid, "err.geojson_type")
	}
	if len(polys) == 0 {
		return apperr.New(apperr.Invalid, "err.geojson_empty")
	}
	if n := Points(g); n > MaxPoints {
		return apperr.New(apperr.Invalid, "err.geojson_too_many_points", MaxPoints)
	}
	for _, p := range polys {
		if len(p) == 0 {
			return apperr.New(apperr.Invalid, "err.geojson_empty")
		}
		for _, ring := range p {
			if len(ring) < 4 {
				return apperr.New(apperr.Invalid, "err.geojson_ring_short")
			}
			if !ring.Closed() {
				return apperr.New(apperr.Invalid, "err.geojson_not_closed")
			}
			for _, pt := range ring {
				if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
					return apperr.New(apperr.Invalid, "err.geojson_coords")
				}
			}
			switch selfIntersects(ring) {
			case errCrossing:
				return apperr.New(apperr.Invalid, "err.geojson_self_intersect")
			case errComplex:
				return apperr.New(apperr.Invalid, "err.geojson_complex")
			}
		}
	}
	return nil
}

// Contains reports whether the WGS-84 point (lon, lat) lies inside the geometry.
func (g *Geometry) Contains(lon, lat float64) bool {
	pt := orb.Point{lon, lat}
	switch t := g.Geometry.(type) {
	case orb.Polygon:
		return planar.PolygonContains(t, pt)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(t, pt)
	}
	return false
}

// Bound returns the bounding box.
func (g *Geometry) Bound() orb.Bound { return g.Geometry.Bound() }

// Points counts the points of a geometry's rings.
func Points(g *Geometry) int {
	n := 0
	switch t := g.Geometry.(type) {
	case orb.Polygon:
		for _, r := range t {
			n += len(r)
		}
	case orb.MultiPolygon:
		for _, p := range t {
			for _, r := range p {
				n += len(r)
			}
		}
	}
	return n
}

// Outcomes of selfIntersects other than nil (a simple ring).
var (
	errCrossing = errors.New("region: ring crosses itself")
	errComplex  = errors.New("region: ring too complex to check")
)

// selfIntersects reports whether two non-adjacent edges of a closed ring
// meet (errCrossing). Testing every pair is quadratic: a 100,000-point ring
// from a hostile file took minutes. So the edges are sorted by their left
// end and each is tested only against those that start before it ends: an
// outline, however long, overlaps a few other edges at any longitude. A
// ring that needs more than 64 tests a point plus 10,000 (a zigzag built to
// overlap everywhere) is refused as errComplex, so that checking stays
// linear in the points whatever the file.
func selfIntersects(r orb.Ring) error {
	n := len(r) - 1 // last point repeats the first
	if n < 3 {
		return nil
	}
	budget := 64*n + 10_000
	left := func(i int) float64 { return math.Min(r[i][0], r[i+1][0]) }
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(left(a), left(b)) })
	for a, i := range order {
		right := math.Max(r[i][0], r[i+1][0])
		lo, hi := math.Min(r[i][1], r[i+1][1]), math.Max(r[i][1], r[i+1][1])
		for _, j := range order[a+1:] {
			if left(j) > right {
				break
			}
			if d := i - j; d == 1 || d == -1 || d == n-1 || d == 1-n {
				continue // adjacent edges share a point
			}
			if budget--; budget < 0 {
				return errComplex
			}
			if math.Max(r[j][1], r[j+1][1]) < lo || math.Min(r[j][1], r[j+1][1]) > hi {
				continue
			}
			if segmentsIntersect(r[i], r[i+1], r[j], r[j+1]) {
				return errCrossing
			}
		}
	}
	return nil
}

func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

func onSegment(p, q, r orb.Point) bool {
	return math.Min(p[0], r[0]) <= q[0] && q[0] <= math.Max(p[0], r[0]) &&
		math.Min(p[1], r[1]) <= q[1] && q[1] <= math.Max(p[1], r[1])
}

func segmentsIntersect(p1, p2, p3, p4 orb.Point) bool {
	d1 := cross(p3, p4, p1)
	d2 := cross(p3, p4, p2)
	d3 := cross(p1, p2, p3)
	d4 := cross(p1, p2, p4)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(p3, p1, p4)) || (d2 == 0 && onSegment(p3, p2, p4)) ||
		(d3 == 0 && onSegment(p1, p3, p2)) || (d4 == 0 && onSegment(p1, p4, p2))
}

// Feature is a region as a GeoJSON feature: its outline and code, name, level and households.
type Feature struct {
	Type       string         `json:"type"`
	Geometry   *Geometry      `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// FeatureCollection is GeoJSON for a set of regions, the format "lantian import regions" reads.
type FeatureCollection struct {
	Type     string    `json:"type"`
	Features []Feature `json:"features"`
}

// Collection returns rs as a FeatureCollection; regions without an outline are left out when withEmpty is false.
func Collection(rs []Region, withEmpty bool) FeatureCollection {
	fc := FeatureCollection{Type: "FeatureCollection", Features: []Feature{}}
	for _, r := range rs {
		if r.Geometry == nil && !withEmpty {
			continue
		}
		fc.Features = append(fc.Features, Feature{"Feature", r.Geometry, map[string]any{
			"code": r.Code, "name": r.Name, "level": r.Level, "households": r.Households}})
	}
	return fc
}

// ValidPoint reports whether lat, lon is a finite WGS-84 point within range
// (NaN and ±Inf, which strconv accepts, are refused before they reach a
// query or a JSON answer).
func ValidPoint(lat, lon float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lat, 0) || math.IsInf(lon, 0) {
		return false
	}
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// ParsePoint parses a point's coordinates as typed in a form or a query
// string; ok is false when either does not parse or ValidPoint refuses them.
func ParsePoint(lat, lon string) (float64, float64, bool) {
	la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
	if err1 != nil || err2 != nil || !ValidPoint(la, lo) {
		return 0, 0, false
	}
	return la, lo, true
}
