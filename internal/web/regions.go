package web

import (
	"encoding/json"
	"net/http"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

type regionNode struct {
	region.Region
	Depth int
}

type regionsPage struct {
	Page
	Nodes []regionNode
}

// visibleRegions lists the regions the user can see, without their outlines.
func (s *Server) visibleRegions(r *http.Request) ([]region.Region, error) {
	roots, err := s.app.RegionRoots(r.Context(), userOf(r))
	if err != nil {
		return nil, err
	}
	return s.app.DB.Regions(r.Context(), roots, false)
}

func (s *Server) regions(w http.ResponseWriter, r *http.Request) {
	rs, err := s.visibleRegions(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := regionsPage{Page: s.page(r, "regions.title")}
	minLevel := region.Grid
	for _, rg := range rs {
		minLevel = min(minLevel, rg.Level)
	}
	for _, rg := range rs {
		data.Nodes = append(data.Nodes, regionNode{Region: rg, Depth: int(rg.Level - minLevel)})
	}
	s.render(w, r, http.StatusOK, "regions", data)
}

// regionsMap returns the visible regions' polygons as a GeoJSON FeatureCollection for the map.
func (s *Server) regionsMap(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	roots, err := s.app.RegionRoots(ctx, userOf(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if c := r.URL.Query().Get("root"); c != "" {
		if !app.InRoots(roots, c) {
			http.NotFound(w, r)
			return
		}
		roots = []string{c}
	}
	rs, err := s.app.DB.Regions(ctx, roots, true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	fc := region.Collection(rs, false)
	w.Header().Set("Content-Type", "application/geo+json")
	json.NewEncoder(w).Encode(fc)
}

type regionPage struct {
	Page
	Region   region.Region
	Parent   *region.Region
	Children []region.Region
	Leader   *people.Person
	// LeaderMobile is the leader's mobile as the viewer may see it (auth.Principal.PersonMobile).
	LeaderMobile string
	Units        []unitRow
	Total        int
}

func (s *Server) regionDetail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userOf(r)
	code := r.PathValue("code")
	roots, err := s.app.RegionRoots(ctx, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rg, err := s.app.DB.Region(ctx, code)
	if err == nil && !app.InRoots(roots, code) {
		err = apperr.ErrNotFound
	}
	if !s.loaded(w, r, err) {
		return
	}
	data := regionPage{Page: s.page(r, "region.title"), Region: rg}
	data.Title = rg.Name
	if rg.Parent != "" && app.InRoots(roots, rg.Parent) {
		if p, err := s.app.DB.Region(ctx, rg.Parent); err == nil {
			data.Parent = &p
		}
	}
	all, err := s.app.DB.Regions(ctx, []string{code}, false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range all {
		if c.Parent == code {
			data.Children = append(data.Children, c)
		}
	}
	if rg.LeaderID != 0 {
		if p, err := s.app.DB.Person(ctx, rg.LeaderID); err == nil {
			data.Leader = &p
		}
	} else {
		// Without an explicit leader, show the first leader assigned to exactly this region.
		ps, _, err := s.app.DB.People(ctx, store.PeopleFilter{All: true, Region: code, Role: string(people.Leader), Page: store.Page{Size: 20}})
		if err == nil {
			for _, p := range ps {
				for _, a := range p.Roles {
					if a.Role == people.Leader && a.Region == code && data.Leader == nil {
						pp := p
						data.Leader = &pp
					}
				}
			}
		}
	}
	if data.Leader != nil {
		targets, err := s.app.People.Targets(ctx, *data.Leader)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.LeaderMobile = u.PersonMobile(*data.Leader, targets)
	}
	units, total, err := s.app.DB.Units(ctx, store.UnitFilter{Roots: u.Scopes(auth.UnitRead), UnitIDs: u.UnitScopes(auth.UnitRead), Region: code, Page: store.Page{Size: 10}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, un := range units {
		data.Units = append(data.Units, unitRow{Unit: un})
	}
	data.Total = total
	s.render(w, r, http.StatusOK, "region", data)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "error", errorPage{Page: s.page(r, "err.not_found"), Message: printer(r).T("err.not_found")})
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, "error", errorPage{Page: s.page(r, "err.forbidden"), Message: printer(r).T("err.forbidden")})
}

type errorPage struct {
	Page
	Message string
}
