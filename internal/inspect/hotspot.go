package inspect

import (
	"cmp"
	"math"
	"slices"
	"strconv"
)

// HotspotKind is how a hotspot shows in the records.
type HotspotKind string

// The kinds of hotspot.
const (
	KindPlace    HotspotKind = "place"    // cases of one category close together
	KindUnit     HotspotKind = "unit"     // cases about one unit
	KindStubborn HotspotKind = "stubborn" // a case reopened or reworked again and again
)

// The thresholds of issue 10.
const (
	PlaceRadius    = 150.0 // metres: every pair of a place hotspot's cases lies this close
	MinCases       = 3     // cases that make a place or unit hotspot
	StubbornTimes  = 2     // reopenings plus reworks that make a case stubborn
	DefaultWeeks   = 8     // the window, in weeks of report dates
	MaxWeeks       = 52
	earthRadiusM   = 6371000.0
	metresPerDegLa = earthRadiusM * math.Pi / 180
)

// CasePoint is what the hotspot search reads of a case.
type CasePoint struct {
	ID        int64
	Number    string
	Category  string
	Lat, Lon  float64
	UnitID    int64
	Community string
	Rework    int
	Reopens   int
	Day       string // the local date it was reported
}

// Hotspot is a repeat problem found in the records.
type Hotspot struct {
	ID        string      `json:"id"`
	Kind      HotspotKind `json:"kind"`
	Category  string      `json:"category"`
	Lat       float64     `json:"lat"`
	Lon       float64     `json:"lon"`
	UnitID    int64       `json:"unit_id,omitempty"`
	Community string      `json:"community"`
	Cases     []string    `json:"cases"`
	Last      string      `json:"last"` // the newest case's report date
}

// FindHotspots finds the hotspots among pts (the cases of one window):
//
//   - place: at least MinCases cases of one category whose points all lie
//     within PlaceRadius of one another;
//   - unit: at least MinCases cases about one unit;
//   - stubborn: a case reopened or reworked StubbornTimes times or more.
//
// Place groups are found per category over a grid of cells PlaceRadius on a
// side, so that each point is compared with the points of its own and the
// eight neighbouring cells only; groups are grown greedily from the point
// with most neighbours, each point in one group at most. The result is
// ordered by kind, then most cases first, and is the same for the same input.
func FindHotspots(pts []CasePoint) []Hotspot {
	var out []Hotspot
	out = append(out, placeHotspots(pts)...)
	out = append(out, unitHotspots(pts)...)
	for _, p := range pts {
		if p.Rework+p.Reopens >= StubbornTimes {
			out = append(out, Hotspot{ID: "stubborn:" + p.Number, Kind: KindStubborn, Category: p.Category, Lat: p.Lat, Lon: p.Lon,
				UnitID: p.UnitID, Community: p.Community, Cases: []string{p.Number}, Last: p.Day})
		}
	}
	kindOrder := map[HotspotKind]int{KindPlace: 0, KindUnit: 1, KindStubborn: 2}
	slices.SortStableFunc(out, func(a, b Hotspot) int {
		return cmp.Or(cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]), cmp.Compare(len(b.Cases), len(a.Cases)), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// planar is a point in metres on a plane tangent near the points.
type planar struct {
	x, y float64
	i    int // index into the category's points
}

type cell struct{ cx, cy int32 }

func placeHotspots(pts []CasePoint) []Hotspot {
	if len(pts) == 0 {
		return nil
	}
	byCat := map[string][]int{}
	var cats []string
	for i, p := range pts {
		if _, ok := byCat[p.Category]; !ok {
			cats = append(cats, p.Category)
		}
		byCat[p.Category] = append(byCat[p.Category], i)
	}
	slices.Sort(cats)
	// One reference latitude for the whole set: a street spans a few
	// kilometres, where the plane's error is far below a metre.
	lat0 := pts[0].Lat
	kx := metresPerDegLa * math.Cos(lat0*math.Pi/180)
	var out []Hotspot
	r2 := PlaceRadius * PlaceRadius
	for _, cat := range cats {
		idx := byCat[cat]
		if len(idx) < MinCases {
			continue
		}
		ps := make([]planar, len(idx))
		cells := make(map[cell][]int32, len(idx)/4+1)
		cellOf := make([]cell, len(idx))
		for j, i := range idx {
			p := pts[i]
			ps[j] = planar{x: p.Lon * kx, y: p.Lat * metresPerDegLa, i: i}
			c := cell{int32(math.Floor(ps[j].x / PlaceRadius)), int32(math.Floor(ps[j].y / PlaceRadius))}
			cellOf[j] = c
			cells[c] = append(cells[c], int32(j))
		}
		// each calls fn with the points within the radius of point j, from
		// the 3 × 3 cells around it.
		each := func(j int32, fn func(k int32, d2 float64)) {
			p, c := ps[j], cellOf[j]
			for dx := int32(-1); dx <= 1; dx++ {
				for dy := int32(-1); dy <= 1; dy++ {
					for _, k := range cells[cell{c.cx + dx, c.cy + dy}] {
						if k == j {
							continue
						}
						q := ps[k]
						if d2 := (p.x-q.x)*(p.x-q.x) + (p.y-q.y)*(p.y-q.y); d2 <= r2 {
							fn(k, d2)
						}
					}
				}
			}
		}
		// Count the neighbours first; the lists are made only for the seeds.
		count := make([]int32, len(ps))
		order := make([]int32, 0, len(ps))
		for j := range ps {
			each(int32(j), func(int32, float64) { count[j]++ })
			if count[j] >= MinCases-1 {
				order = append(order, int32(j))
			}
		}
		slices.SortFunc(order, func(a, b int32) int {
			return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(pts[ps[a].i].ID, pts[ps[b].i].ID))
		})
		used := make([]bool, len(ps))
		type near struct {
			k  int32
			d2 float64
		}
		var cand []near
		var group []int32
		for _, seed := range order {
			if used[seed] {
				continue
			}
			// Candidates: the seed's free neighbours, nearest first.
			cand = cand[:0]
			each(seed, func(k int32, d2 float64) {
				if !used[k] {
					cand = append(cand, near{k, d2})
				}
			})
			if len(cand) < MinCases-1 {
				continue
			}
			slices.SortFunc(cand, func(a, b near) int { return cmp.Or(cmp.Compare(a.d2, b.d2), cmp.Compare(a.k, b.k)) })
			group = append(group[:0], seed)
			for _, c := range cand {
				q := ps[c.k]
				ok := true
				for _, g := range group[1:] {
					m := ps[g]
					if ddx, ddy := q.x-m.x, q.y-m.y; ddx*ddx+ddy*ddy > r2 {
						ok = false
						break
					}
				}
				if ok {
					group = append(group, c.k)
				}
			}
			if len(group) < MinCases {
				continue
			}
			members := make([]int, len(group))
			for gi, g := range group {
				used[g] = true
				members[gi] = ps[g].i
			}
			out = append(out, groupHotspot(KindPlace, cat, pts, members))
		}
	}
	return out
}

func unitHotspots(pts []CasePoint) []Hotspot {
	byUnit := map[int64][]int{}
	var units []int64
	for i, p := range pts {
		if p.UnitID == 0 {
			continue
		}
		if _, ok := byUnit[p.UnitID]; !ok {
			units = append(units, p.UnitID)
		}
		byUnit[p.UnitID] = append(byUnit[p.UnitID], i)
	}
	slices.Sort(units)
	var out []Hotspot
	for _, u := range units {
		if m := byUnit[u]; len(m) >= MinCases {
			h := groupHotspot(KindUnit, "", pts, m)
			h.UnitID = u
			out = append(out, h)
		}
	}
	return out
}

// groupHotspot makes a hotspot of the cases members: its point is their
// centroid, its category theirs (the commonest, for a unit), its community
// the one most of them lie in, its id from its kind and first case.
func groupHotspot(kind HotspotKind, category string, pts []CasePoint, members []int) Hotspot {
	slices.SortFunc(members, func(a, b int) int { return cmp.Compare(pts[a].Number, pts[b].Number) })
	h := Hotspot{Kind: kind, Category: category}
	cats, comms := map[string]int{}, map[string]int{}
	for _, i := range members {
		p := pts[i]
		h.Lat += p.Lat
		h.Lon += p.Lon
		h.Cases = append(h.Cases, p.Number)
		cats[p.Category]++
		comms[p.Community]++
		if p.Day > h.Last {
			h.Last = p.Day
		}
	}
	n := float64(len(members))
	h.Lat, h.Lon = math.Round(h.Lat/n*1e6)/1e6, math.Round(h.Lon/n*1e6)/1e6
	if h.Category == "" {
		h.Category = commonest(cats)
	}
	h.Community = commonest(comms)
	switch kind {
	case KindUnit:
		h.ID = "unit:" + strconv.FormatInt(pts[members[0]].UnitID, 10)
	default:
		h.ID = string(kind) + ":" + h.Category + ":" + h.Cases[0]
	}
	return h
}

// commonest returns the key counted most often (the smallest such key on a tie).
func commonest(m map[string]int) string {
	best, n := "", -1
	for k, c := range m {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}
