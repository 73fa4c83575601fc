package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

type keySiteJSON struct {
	UnitID int64    `json:"unit_id"`
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	Tags   []string `json:"tags"`
	Lat    *float64 `json:"lat"`
	Lon    *float64 `json:"lon"`
}

type freePointJSON struct {
	Point int     `json:"point"` // its number, for visits' site.point
	Name  string  `json:"name"`
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
}

type planJSON struct {
	Grid              string          `json:"grid"`
	Name              string          `json:"name"`
	PerDay            int             `json:"per_day"`
	Windows           []patrol.Window `json:"windows"`
	Weekends          bool            `json:"weekends"`
	Patrollers        []personRef     `json:"patrollers"`
	PatrollersDefault bool            `json:"patrollers_default"`
	KeySites          []keySiteJSON   `json:"key_sites"`
	Points            []freePointJSON `json:"points"`
	Stored            bool            `json:"stored"`
	UpdatedAt         *string         `json:"updated_at"`
}

// planOut builds a plan's answer with its patrollers' names and its key sites.
func (a *API) planOut(ctx context.Context, g store.GridRef, p patrol.Plan) (planJSON, error) {
	out := planJSON{Grid: g.Code, Name: g.Name, PerDay: p.PerDay, Windows: p.Windows, Weekends: p.Weekends, Stored: p.Stored,
		Patrollers: []personRef{}, KeySites: []keySiteJSON{}, Points: []freePointJSON{}, PatrollersDefault: len(p.Patrollers) == 0}
	if out.Windows == nil {
		out.Windows = []patrol.Window{}
	}
	if p.Stored {
		s := a.rfc(p.UpdatedAt)
		out.UpdatedAt = &s
	}
	holders, _, err := a.app.DB.People(ctx, store.PeopleFilter{All: true, Region: g.Code, Role: string(people.Patroller), Page: store.Page{Size: 100}})
	if err != nil {
		return out, err
	}
	for _, h := range holders {
		if out.PatrollersDefault || slices.Contains(p.Patrollers, h.ID) {
			out.Patrollers = append(out.Patrollers, personRef{h.ID, h.Name})
		}
	}
	sites, err := a.app.DB.KeySites(ctx, g.Code)
	if err != nil {
		return out, err
	}
	for _, u := range sites {
		k := keySiteJSON{UnitID: u.ID, Name: u.Name, Kind: string(u.Kind), Tags: u.Tags}
		if u.HasLocation() {
			lat, lon := u.Lat, u.Lon
			k.Lat, k.Lon = &lat, &lon
		}
		out.KeySites = append(out.KeySites, k)
	}
	for i, fp := range p.Points {
		out.Points = append(out.Points, freePointJSON{Point: i + 1, Name: fp.Name, Lat: fp.Lat, Lon: fp.Lon})
	}
	return out, nil
}

func (a *API) listPlans(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	all, roots, err := patrolRoots(userOf(r), r.URL.Query().Get("region"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	grids, err := a.app.DB.GridsUnder(ctx, all, roots)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pg := pageOf(r)
	total := len(grids)
	grids = grids[min(pg.Offset(), total):min(pg.Offset()+pg.Size, total)]
	plans := map[string]patrol.Plan{}
	if len(grids) > 0 {
		if plans, err = a.app.DB.StoredPatrolPlans(ctx, grids[0].Code, grids[len(grids)-1].Code); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	items := make([]planJSON, 0, len(grids))
	for _, g := range grids {
		p, ok := plans[g.Code]
		if !ok {
			p = patrol.DefaultPlan(g.Code)
		}
		out, err := a.planOut(ctx, g, p)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		items = append(items, out)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

// planGrid finds the grid of the path for p: 404 unless it is a grid p may read.
func (a *API) planGrid(ctx context.Context, p *auth.Principal, code string) (store.GridRef, error) {
	if region.LevelOf(code) != region.Grid || !p.Can(auth.PatrolRead, auth.Target{Region: code}) {
		return store.GridRef{}, apperr.ErrNotFound
	}
	rg, err := a.app.DB.Region(ctx, code)
	if err != nil {
		return store.GridRef{}, err
	}
	return store.GridRef{Code: rg.Code, Name: rg.Name}, nil
}

func (a *API) getPlan(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	g, err := a.planGrid(ctx, userOf(r), r.PathValue("grid"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.app.DB.PatrolPlan(ctx, g.Code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.planOut(ctx, g, p)
	a.answer(w, r, http.StatusOK, out, err)
}

// planInput is the body of PUT /api/v1/patrol-plans/{grid}: the whole plan.
type planInput struct {
	PerDay     *int               `json:"per_day"`
	Windows    []string           `json:"windows"`
	Weekends   bool               `json:"weekends"`
	Patrollers []int64            `json:"patrollers"`
	Points     []patrol.FreePoint `json:"points"`
}

func (a *API) putPlan(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userOf(r)
	g, err := a.planGrid(ctx, u, r.PathValue("grid"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !u.Can(auth.PatrolPlan, auth.Target{Region: g.Code}) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	var in planInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p := patrol.Plan{Grid: g.Code, Weekends: in.Weekends, Patrollers: in.Patrollers, Points: in.Points}
	f := apperr.Fields{}
	if in.PerDay == nil {
		f.Add("per_day", "err.required")
	} else {
		p.PerDay = *in.PerDay
	}
	for _, s := range in.Windows {
		win, err := patrol.ParseWindow(s)
		if err != nil {
			f.Add("windows", patrol.MsgWindows)
			break
		}
		p.Windows = append(p.Windows, win)
	}
	for k, key := range p.Validate() {
		if k == "points" && key == patrol.MsgTooLong {
			f.Add(k, key, patrol.MaxPointName)
			continue
		}
		f.Add(k, key)
	}
	if len(p.Patrollers) > 0 {
		holders, err := a.app.DB.PeopleWithRole(ctx, string(people.Patroller), g.Code)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		for _, id := range p.Patrollers {
			if !slices.Contains(holders, id) {
				f.Add("patrollers", "err.patrol.not_patroller")
			}
		}
	}
	if err := f.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.app.DB.SavePatrolPlan(ctx, a.actor(r), &p); err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.planOut(ctx, g, p)
	a.answer(w, r, http.StatusOK, out, err)
}
