package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// The pickers' data (GET /pick/units): units the user may see by name, the
// nearest to a point first, for static/js/picker.js (issue 16).

type pickItem struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	Address  string  `json:"address,omitempty"`
	Distance float64 `json:"distance"`
}

// pickUnits answers ?q=&lat=&lon= with up to 12 units, or ?ids=1,2 with those units' names.
func (s *Server) pickUnits(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userOf(r)
	q := r.URL.Query()
	items := []pickItem{}
	if v := q.Get("ids"); v != "" {
		var ids []int64
		for _, part := range strings.Split(v, ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64); err == nil && id > 0 && len(ids) < 50 {
				ids = append(ids, id)
			}
		}
		names := s.app.Units.Names(ctx, u, ids)
		for _, id := range ids {
			if n, ok := names[id]; ok {
				items = append(items, pickItem{ID: id, Name: n, Distance: -1})
			}
		}
	} else {
		lat, lon, _ := region.ParsePoint(q.Get("lat"), q.Get("lon"))
		text := q.Get("q")
		if len([]rune(text)) > 50 {
			text = string([]rune(text)[:50])
		}
		list, err := s.app.Units.Pick(ctx, u, text, lat, lon)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, p := range list {
			items = append(items, pickItem{ID: p.ID, Name: p.Name, Address: p.Address, Distance: float64(int(p.Distance))})
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
}

// unitsMap answers GET /units/map.json: the active units the user may see
// that have a location, as GeoJSON points with their names, for the maps'
// labels (at most 2,000).
func (s *Server) unitsMap(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	list, _, err := s.app.DB.Units(r.Context(), store.UnitFilter{Roots: u.Scopes(auth.UnitRead), UnitIDs: u.UnitScopes(auth.UnitRead),
		Status: "active", Sort: "name", Page: store.Page{Page: 1, Size: 2000}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	type feature struct {
		Type     string `json:"type"`
		Geometry struct {
			Type        string     `json:"type"`
			Coordinates [2]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"properties"`
	}
	out := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	if u.CanSomewhere(auth.UnitRead) {
		for _, un := range list {
			if !un.HasLocation() {
				continue
			}
			var f feature
			f.Type, f.Geometry.Type, f.Geometry.Coordinates = "Feature", "Point", [2]float64{un.Lon, un.Lat}
			f.Properties.ID, f.Properties.Name = un.ID, un.Name
			out.Features = append(out.Features, f)
		}
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "private, no-store")
	_ = json.NewEncoder(w).Encode(out)
}
