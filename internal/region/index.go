package region

import (
	"sync"

	"github.com/paulmach/orb"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Index answers "which grid holds this point" from polygons held in memory.
// It is rebuilt whole when polygons change; lookups take a read lock only.
type Index struct {
	mu    sync.RWMutex
	grids []indexed
}

type indexed struct {
	code  string
	bound orb.Bound
	geom  *Geometry
}

// Rebuild replaces the index with the grids (level 4 regions with a geometry) among rs.
func (ix *Index) Rebuild(rs []Region) {
	var grids []indexed
	for _, r := range rs {
		if r.Level == Grid && r.Geometry != nil {
			grids = append(grids, indexed{r.Code, r.Geometry.Bound(), r.Geometry})
		}
	}
	ix.mu.Lock()
	ix.grids = grids
	ix.mu.Unlock()
}

// ErrOutside is returned when a point lies in no grid.
var ErrOutside = apperr.New(apperr.Invalid, "err.point_outside")

// Lookup returns the code of the grid holding (lat, lon), or ErrOutside.
func (ix *Index) Lookup(lat, lon float64) (string, error) {
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return "", apperr.New(apperr.Invalid, "err.coords")
	}
	pt := orb.Point{lon, lat}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, g := range ix.grids {
		if g.bound.Contains(pt) && g.geom.Contains(lon, lat) {
			return g.code, nil
		}
	}
	return "", ErrOutside
}

// Len returns how many grids are indexed.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.grids)
}

// Geometry returns the polygon of grid code as indexed, nil when it has none.
func (ix *Index) Geometry(code string) *Geometry {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, g := range ix.grids {
		if g.code == code {
			return g.geom
		}
	}
	return nil
}
