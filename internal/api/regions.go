package api

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

type regionJSON struct {
	Code       string           `json:"code"`
	Name       string           `json:"name"`
	Level      region.Level     `json:"level"`
	Parent     *string          `json:"parent"`
	Households int              `json:"households"`
	Geometry   *region.Geometry `json:"geometry,omitempty"`
}

func toRegionJSON(r region.Region) regionJSON {
	out := regionJSON{Code: r.Code, Name: r.Name, Level: r.Level, Households: r.Households, Geometry: r.Geometry}
	if r.Parent != "" {
		p := r.Parent
		out.Parent = &p
	}
	return out
}

func (a *API) listRegions(w http.ResponseWriter, r *http.Request) {
	roots, err := a.app.RegionRoots(r.Context(), userOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rs, err := a.app.DB.Regions(r.Context(), roots, false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]regionJSON, 0, len(rs))
	for _, rg := range rs {
		items = append(items, toRegionJSON(rg))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) getRegion(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	roots, err := a.app.RegionRoots(r.Context(), userOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !region.ValidCode(code) || !app.InRoots(roots, code) {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	rg, err := a.app.DB.Region(r.Context(), code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toRegionJSON(rg))
}

// lookupRegion answers which grid holds a point; 422 when it lies in none.
func (a *API) lookupRegion(w http.ResponseWriter, r *http.Request) {
	lat, lon, err := pointOf(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	code, err := a.app.Index.Lookup(lat, lon)
	if err != nil {
		a.fail(w, r, apperr.Field("lat", apperr.As(err).Msg.Key))
		return
	}
	rg, err := a.app.DB.Region(r.Context(), code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rg.Geometry = nil
	writeJSON(w, http.StatusOK, toRegionJSON(rg))
}
