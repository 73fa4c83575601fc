package unitsvc

import (
	"context"
	"slices"
	"strings"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// PickLimit is how many units a picker shows at once.
const PickLimit = 12

// pickScan is how many matching units are read to sort by distance.
const pickScan = 300

// Picked is a unit offered by a picker, with its distance from the point
// asked about (metres; -1 when either has no location).
type Picked struct {
	unit.Unit
	Distance float64
}

// Pick offers the active units p may see whose name, address or credit
// code contains q (all when q is empty), the nearest to (lat, lon) first
// when a point is given, otherwise by name; at most PickLimit.
func (s *Service) Pick(ctx context.Context, p *auth.Principal, q string, lat, lon float64) ([]Picked, error) {
	if !p.CanSomewhere(auth.UnitRead) {
		return nil, nil
	}
	list, _, err := s.DB.Units(ctx, store.UnitFilter{Roots: p.Scopes(auth.UnitRead), UnitIDs: p.UnitScopes(auth.UnitRead),
		Q: strings.TrimSpace(q), Status: string(unit.Active), Sort: "name", Page: store.Page{Page: 1, Size: pickScan}})
	if err != nil {
		return nil, err
	}
	out := make([]Picked, 0, len(list))
	for _, u := range list {
		d := -1.0
		if (lat != 0 || lon != 0) && u.HasLocation() {
			d = cases.Distance(lat, lon, u.Lat, u.Lon)
		}
		out = append(out, Picked{Unit: u, Distance: d})
	}
	if lat != 0 || lon != 0 {
		slices.SortStableFunc(out, func(a, b Picked) int {
			switch {
			case a.Distance < 0 && b.Distance < 0:
				return 0
			case a.Distance < 0:
				return 1
			case b.Distance < 0:
				return -1
			case a.Distance < b.Distance:
				return -1
			case a.Distance > b.Distance:
				return 1
			}
			return 0
		})
	}
	if len(out) > PickLimit {
		out = out[:PickLimit]
	}
	return out, nil
}

// Names returns the names of the units of ids that p may see, for a picker showing its current value.
func (s *Service) Names(ctx context.Context, p *auth.Principal, ids []int64) map[int64]string {
	out := map[int64]string{}
	for _, id := range ids {
		if u, err := s.Get(ctx, p, id); err == nil {
			out[id] = u.Name
		}
	}
	return out
}
