package api

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

type personJSON struct {
	ID       int64      `json:"id"`
	Username string     `json:"username"`
	Name     string     `json:"name"`
	Mobile   string     `json:"mobile"`
	Active   bool       `json:"active"`
	Roles    []roleJSON `json:"roles"`
}

// personJSON answers person p to the caller, with the mobile as they may see it (auth.Principal.PersonMobile).
func (a *API) personJSON(r *http.Request, p people.Person) (personJSON, error) {
	targets, err := a.app.PersonTargets(r.Context(), p)
	if err != nil {
		return personJSON{}, err
	}
	out := personJSON{ID: p.ID, Username: p.Username, Name: p.Name, Mobile: userOf(r).PersonMobile(p, targets), Active: p.Active, Roles: []roleJSON{}}
	for _, a := range p.Roles {
		out.Roles = append(out.Roles, roleJSON{string(a.Role), a.Region, a.UnitID})
	}
	return out, nil
}

// writePerson answers one person with status.
func (a *API) writePerson(w http.ResponseWriter, r *http.Request, status int, p people.Person) {
	out, err := a.personJSON(r, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

func (a *API) listPeople(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.PersonRead) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	q := r.URL.Query()
	f := store.PeopleFilter{All: u.Can(auth.PersonRead, auth.Target{}), Roots: u.Scopes(auth.PersonRead), Role: q.Get("role"), Q: q.Get("q"), Page: pageOf(r)}
	if rg := q.Get("region"); rg != "" {
		if !region.ValidCode(rg) {
			a.fail(w, r, apperr.Field("region", "err.region_code"))
			return
		}
		f.Region = rg
	}
	ps, total, err := a.app.DB.People(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]personJSON, 0, len(ps))
	for _, p := range ps {
		pj, err := a.personJSON(r, p)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		items = append(items, pj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

// loadPerson returns the person when the caller may read them (404 otherwise)
// and, for edits, act on them (403 otherwise).
func (a *API) loadPerson(r *http.Request, act auth.Action) (people.Person, error) {
	id, err := pathID(r)
	if err != nil {
		return people.Person{}, err
	}
	p, err := a.app.DB.Person(r.Context(), id)
	if err != nil {
		return p, err
	}
	targets, err := a.app.PersonTargets(r.Context(), p)
	if err != nil {
		return p, err
	}
	u := userOf(r)
	if !u.CanOnPerson(auth.PersonRead, targets) {
		return p, apperr.ErrNotFound
	}
	if act != auth.PersonRead && !u.CanOnPerson(act, targets) {
		return p, apperr.ErrForbidden
	}
	return p, nil
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request) {
	p, err := a.loadPerson(r, auth.PersonRead)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writePerson(w, r, http.StatusOK, p)
}

type personInput struct {
	Username *string    `json:"username"`
	Name     *string    `json:"name"`
	Mobile   *string    `json:"mobile"`
	Password *string    `json:"password"`
	Active   *bool      `json:"active"`
	Roles    []roleJSON `json:"roles"`
}

// grantable checks that u may give every role in rs.
func (a *API) grantable(r *http.Request, rs []roleJSON) ([]people.Assignment, error) {
	u := userOf(r)
	var out []people.Assignment
	for _, rj := range rs {
		as := people.Assignment{Role: people.Role(rj.Role), Region: rj.Region, UnitID: rj.UnitID}
		if err := people.ValidateAssignment(as, region.ValidCode); err != nil {
			return nil, err
		}
		t := auth.Target{Region: as.Region}
		if as.Role == people.UnitContact {
			un, err := a.app.DB.Unit(r.Context(), as.UnitID)
			if err != nil {
				return nil, apperr.Field("unit_id", "err.unit_unknown")
			}
			t = auth.Target{Region: un.Region}
		}
		if !u.CanGrant(as.Role, t) {
			return nil, apperr.ErrForbidden
		}
		out = append(out, as)
	}
	return out, nil
}

func (a *API) createPerson(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.PersonEdit) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	var in personInput
	if !a.decoded(w, r, &in) {
		return
	}
	p := people.Person{Active: true}
	if in.Username != nil {
		p.Username = *in.Username
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Mobile != nil {
		p.Mobile = *in.Mobile
	}
	if in.Active != nil {
		p.Active = *in.Active
	}
	p.Normalize()
	f := apperr.Fields{}
	if err := p.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	pw := ""
	if in.Password != nil {
		pw = *in.Password
	}
	if err := people.ValidatePassword("password", pw, p.Username, p.Mobile); err != nil {
		m := apperr.As(err).Fields["password"]
		f.Add("password", m.Key, m.Args...)
	}
	if len(in.Roles) == 0 && !u.Can(auth.PersonEdit, auth.Target{}) {
		// Only a district-wide admin may create someone with no role, whom only they can see.
		f.Add("roles", "err.required")
	}
	if err := f.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	roles, err := a.grantable(r, in.Roles)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p.Roles = roles
	hash, err := people.HashPassword(pw)
	if err == nil {
		err = a.app.DB.CreatePerson(r.Context(), a.actor(r), &p, hash)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writePerson(w, r, http.StatusCreated, p)
}

func (a *API) patchPerson(w http.ResponseWriter, r *http.Request) {
	p, err := a.loadPerson(r, auth.PersonEdit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in personInput
	if !a.decoded(w, r, &in) {
		return
	}
	if in.Username != nil && *in.Username != p.Username {
		a.fail(w, r, apperr.Field("username", "err.readonly"))
		return
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Mobile != nil {
		p.Mobile = *in.Mobile
	}
	if in.Active != nil {
		if !*in.Active && p.ID == userOf(r).PersonID {
			a.fail(w, r, apperr.Field("active", "err.deactivate_self"))
			return
		}
		p.Active = *in.Active
	}
	if in.Password != nil {
		p.Normalize()
		if err := people.ValidatePassword("password", *in.Password, p.Username, p.Mobile); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if in.Roles != nil {
		a.fail(w, r, apperr.Field("roles", "err.readonly"))
		return
	}
	if err := a.app.DB.UpdatePerson(r.Context(), a.actor(r), &p); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Password != nil {
		hash, err := people.HashPassword(*in.Password)
		if err == nil {
			err = a.app.DB.SetPassword(r.Context(), a.actor(r), p.ID, hash, "")
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.writePerson(w, r, http.StatusOK, p)
}
