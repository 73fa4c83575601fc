package api

import (
	"context"
	"net/http"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

type unitJSON struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Kind       unit.Kind      `json:"kind"`
	CreditCode string         `json:"credit_code"`
	Address    string         `json:"address"`
	Lat        *float64       `json:"lat"`
	Lon        *float64       `json:"lon"`
	Region     string         `json:"region"`
	Contacts   []unit.Contact `json:"contacts"`
	Tags       []string       `json:"tags"`
	Status     string         `json:"status"`
	CreatedAt  string         `json:"created_at"`
	UpdatedAt  string         `json:"updated_at"`
}

// toUnitJSON answers unit u to p, the contacts' phones as p may see them (auth.Principal.Mobile).
func (a *API) toUnitJSON(p *auth.Principal, u unit.Unit) unitJSON {
	contacts := make([]unit.Contact, len(u.Contacts))
	for i, c := range u.Contacts {
		contacts[i] = unit.Contact{Name: c.Name, Phone: p.Mobile(c.Phone, auth.Target{Region: u.Region, UnitID: u.ID})}
	}
	out := unitJSON{ID: u.ID, Name: u.Name, Kind: u.Kind, CreditCode: u.CreditCode, Address: u.Address, Region: u.Region,
		Contacts: contacts, Tags: u.Tags, Status: u.Status,
		CreatedAt: u.CreatedAt.In(a.app.Loc).Format("2006-01-02T15:04:05Z07:00"), UpdatedAt: u.UpdatedAt.In(a.app.Loc).Format("2006-01-02T15:04:05Z07:00")}
	if u.HasLocation() {
		lat, lon := u.Lat, u.Lon
		out.Lat, out.Lon = &lat, &lon
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out
}

func (a *API) listUnits(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	q := r.URL.Query()
	f := store.UnitFilter{Roots: u.Scopes(auth.UnitRead), UnitIDs: u.UnitScopes(auth.UnitRead), Kind: q.Get("kind"),
		Tag: q.Get("tag"), Q: q.Get("q"), Status: q.Get("status"), Sort: q.Get("sort"), Page: pageOf(r)}
	if rg := q.Get("region"); rg != "" {
		if !region.ValidCode(rg) {
			a.fail(w, r, apperr.Field("region", "err.region_code"))
			return
		}
		f.Region = rg
	}
	units, total, err := a.app.DB.Units(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeList(w, units, total, func(un unit.Unit) unitJSON { return a.toUnitJSON(u, un) })
}

// unitInput is the body of POST and PATCH; nil fields are left as they are on PATCH.
type unitInput struct {
	Name       *string         `json:"name"`
	Kind       *string         `json:"kind"`
	CreditCode *string         `json:"credit_code"`
	Address    *string         `json:"address"`
	Lat        *float64        `json:"lat"`
	Lon        *float64        `json:"lon"`
	Region     *string         `json:"region"`
	Contacts   *[]unit.Contact `json:"contacts"`
	Tags       *[]string       `json:"tags"`
	Status     *string         `json:"status"`
}

// apply copies the body's fields onto u; a point must come whole. Finding
// the grid from the point is the unit service's.
func (in unitInput) apply(u *unit.Unit) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&u.Name, in.Name)
	if in.Kind != nil {
		u.Kind = unit.Kind(*in.Kind)
	}
	set(&u.CreditCode, in.CreditCode)
	set(&u.Address, in.Address)
	set(&u.Status, in.Status)
	if in.Contacts != nil {
		u.Contacts = *in.Contacts
	}
	if in.Tags != nil {
		u.Tags = *in.Tags
	}
	if in.Lat != nil || in.Lon != nil {
		if in.Lat == nil || in.Lon == nil {
			return apperr.Field("lat", "err.coords")
		}
		u.Lat, u.Lon = *in.Lat, *in.Lon
		if in.Region == nil {
			u.Region = "" // a new point without a grid: the grid holding it
		}
	}
	if in.Region != nil {
		u.Region = trimmed(*in.Region)
	}
	return nil
}

func (a *API) createUnit(w http.ResponseWriter, r *http.Request) {
	a.saveUnit(w, r, unit.Unit{})
}

// saveUnit applies the body to un (a new unit when its id is 0) and
// stores it through the unit service: 201 for a new unit, 200 for a changed one.
func (a *API) saveUnit(w http.ResponseWriter, r *http.Request, un unit.Unit) {
	var in unitInput
	if !a.decoded(w, r, &in) {
		return
	}
	err := in.apply(&un)
	created := false
	if err == nil {
		un, created, err = a.app.Units.Save(r.Context(), a.actor(r), userOf(r), un)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, createdStatus(created), a.toUnitJSON(userOf(r), un))
}

// unitOfPath returns the unit of the path through load (read or edit).
func (a *API) unitOfPath(r *http.Request, load func(context.Context, *auth.Principal, int64) (unit.Unit, error)) (unit.Unit, error) {
	id, err := pathID(r)
	if err != nil {
		return unit.Unit{}, err
	}
	return load(r.Context(), userOf(r), id)
}

func (a *API) getUnit(w http.ResponseWriter, r *http.Request) {
	un, err := a.unitOfPath(r, a.app.Units.Get)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toUnitJSON(userOf(r), un))
}

func (a *API) patchUnit(w http.ResponseWriter, r *http.Request) {
	un, err := a.unitOfPath(r, a.app.Units.Editable)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.saveUnit(w, r, un)
}

// closeUnit marks the unit closed; its history stays.
func (a *API) closeUnit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var un unit.Unit
	if err == nil {
		un, err = a.app.Units.SetStatus(r.Context(), a.actor(r), userOf(r), id, unit.Closed)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toUnitJSON(userOf(r), un))
}
