package api

import (
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

func (in unitInput) apply(u *unit.Unit, a *API) error {
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
	moved := false
	if in.Lat != nil || in.Lon != nil {
		if in.Lat == nil || in.Lon == nil {
			return apperr.Field("lat", "err.coords")
		}
		u.Lat, u.Lon, moved = *in.Lat, *in.Lon, true
	}
	if in.Region != nil {
		u.Region = trimmed(*in.Region)
	} else if moved {
		// A new location without a grid: find the grid from the point.
		g, err := a.app.Index.Lookup(u.Lat, u.Lon)
		if err != nil {
			return apperr.Field("lat", apperr.As(err).Msg.Key)
		}
		u.Region = g
	}
	if u.Region == "" {
		return apperr.Field("region", "err.required")
	}
	if u.HasLocation() {
		if _, err := a.app.Index.Lookup(u.Lat, u.Lon); err != nil {
			return apperr.Field("lat", apperr.As(err).Msg.Key)
		}
	}
	return nil
}

func (a *API) createUnit(w http.ResponseWriter, r *http.Request) {
	a.saveUnit(w, r, unit.Unit{})
}

// saveUnit applies the body to un (a new unit when its id is 0) and stores
// it where the caller may edit: 201 for a new unit, 200 for a changed one.
func (a *API) saveUnit(w http.ResponseWriter, r *http.Request, un unit.Unit) {
	var in unitInput
	err := decode(w, r, &in)
	if err == nil {
		err = in.apply(&un, a)
	}
	if err == nil && !userOf(r).Can(auth.UnitEdit, auth.Target{Region: un.Region}) {
		err = apperr.ErrForbidden
	}
	status := http.StatusOK
	switch {
	case err != nil:
	case un.ID == 0:
		status = http.StatusCreated
		err = a.app.DB.CreateUnit(r.Context(), a.actor(r), &un)
	default:
		err = a.app.DB.UpdateUnit(r.Context(), a.actor(r), &un)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, a.toUnitJSON(userOf(r), un))
}

// loadUnit returns the unit if the caller may read it; 404 otherwise.
func (a *API) loadUnit(r *http.Request) (unit.Unit, error) {
	id, err := pathID(r)
	if err != nil {
		return unit.Unit{}, err
	}
	un, err := a.app.DB.Unit(r.Context(), id)
	if err != nil {
		return un, err
	}
	if !userOf(r).Can(auth.UnitRead, auth.Target{Region: un.Region, UnitID: un.ID}) {
		return un, apperr.ErrNotFound
	}
	return un, nil
}

// editableUnit returns the unit if the caller may edit it; 404 when they
// may not read it, 403 when they may not edit it.
func (a *API) editableUnit(r *http.Request) (unit.Unit, error) {
	un, err := a.loadUnit(r)
	if err == nil && !userOf(r).Can(auth.UnitEdit, auth.Target{Region: un.Region, UnitID: un.ID}) {
		err = apperr.ErrForbidden
	}
	return un, err
}

func (a *API) getUnit(w http.ResponseWriter, r *http.Request) {
	un, err := a.loadUnit(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toUnitJSON(userOf(r), un))
}

func (a *API) patchUnit(w http.ResponseWriter, r *http.Request) {
	un, err := a.editableUnit(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.saveUnit(w, r, un)
}

// closeUnit marks the unit closed; its history stays.
func (a *API) closeUnit(w http.ResponseWriter, r *http.Request) {
	un, err := a.editableUnit(r)
	if err == nil {
		un.Status = unit.Closed
		err = a.app.DB.UpdateUnit(r.Context(), a.actor(r), &un)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toUnitJSON(userOf(r), un))
}
