package api

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
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

// toPlanJSON writes a plan with the patrollers who may walk it (those it
// names, or all of the grid's) and its key sites.
func (a *API) toPlanJSON(v patrolsvc.PlanView) planJSON {
	out := planJSON{Grid: v.Grid.Code, Name: v.Grid.Name, PerDay: v.PerDay, Windows: v.Windows, Weekends: v.Weekends, Stored: v.Stored,
		Patrollers: []personRef{}, KeySites: []keySiteJSON{}, Points: []freePointJSON{}, PatrollersDefault: len(v.Plan.Patrollers) == 0}
	if out.Windows == nil {
		out.Windows = []patrol.Window{}
	}
	if v.Stored {
		s := a.rfc(v.UpdatedAt)
		out.UpdatedAt = &s
	}
	for _, h := range v.Patrollers {
		if out.PatrollersDefault || h.Named {
			out.Patrollers = append(out.Patrollers, personRef{h.ID, h.Name})
		}
	}
	for _, u := range v.KeySites {
		k := keySiteJSON{UnitID: u.ID, Name: u.Name, Kind: string(u.Kind), Tags: u.Tags}
		if u.HasLocation() {
			lat, lon := u.Lat, u.Lon
			k.Lat, k.Lon = &lat, &lon
		}
		out.KeySites = append(out.KeySites, k)
	}
	for i, fp := range v.Points {
		out.Points = append(out.Points, freePointJSON{Point: i + 1, Name: fp.Name, Lat: fp.Lat, Lon: fp.Lon})
	}
	return out
}

func (a *API) listPlans(w http.ResponseWriter, r *http.Request) {
	list, total, err := a.app.Patrols.Plans(r.Context(), userOf(r), r.URL.Query().Get("region"), pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeList(w, list, total, a.toPlanJSON)
}

func (a *API) getPlan(w http.ResponseWriter, r *http.Request) {
	v, err := a.app.Patrols.Plan(r.Context(), userOf(r), r.PathValue("grid"))
	a.answer(w, r, http.StatusOK, a.toPlanJSON(v), err)
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
	var in planInput
	if !a.decoded(w, r, &in) {
		return
	}
	v, err := a.app.Patrols.SetPlan(r.Context(), a.actor(r), userOf(r), r.PathValue("grid"), patrolsvc.PlanInput{PerDay: in.PerDay,
		Windows: in.Windows, Weekends: in.Weekends, Patrollers: in.Patrollers, Points: &in.Points})
	a.answer(w, r, http.StatusOK, a.toPlanJSON(v), err)
}
