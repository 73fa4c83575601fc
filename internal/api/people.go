package api

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/peoplesvc"
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
	targets, err := a.app.People.Targets(r.Context(), p)
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

func (a *API) getPerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var p people.Person
		if p, err = a.app.People.Get(r.Context(), userOf(r), id); err == nil {
			a.writePerson(w, r, http.StatusOK, p)
			return
		}
	}
	a.fail(w, r, err)
}

type personInput struct {
	Username *string    `json:"username"`
	Name     *string    `json:"name"`
	Mobile   *string    `json:"mobile"`
	Password *string    `json:"password"`
	Active   *bool      `json:"active"`
	Roles    []roleJSON `json:"roles"`
}

func (a *API) createPerson(w http.ResponseWriter, r *http.Request) {
	var in personInput
	if !a.decoded(w, r, &in) {
		return
	}
	np := peoplesvc.NewPerson{Active: true}
	for dst, src := range map[*string]*string{&np.Username: in.Username, &np.Name: in.Name, &np.Mobile: in.Mobile, &np.Password: in.Password} {
		if src != nil {
			*dst = *src
		}
	}
	if in.Active != nil {
		np.Active = *in.Active
	}
	for _, rj := range in.Roles {
		np.Roles = append(np.Roles, people.Assignment{Role: people.Role(rj.Role), Region: rj.Region, UnitID: rj.UnitID})
	}
	p, err := a.app.People.Create(r.Context(), a.actor(r), userOf(r), np)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writePerson(w, r, http.StatusCreated, p)
}

func (a *API) patchPerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in personInput
	if !a.decoded(w, r, &in) {
		return
	}
	if in.Roles != nil {
		a.fail(w, r, apperr.Field("roles", "err.readonly"))
		return
	}
	if in.Username != nil {
		// The username never changes; naming another is refused, naming the same is harmless.
		if cur, err := a.app.People.Get(r.Context(), userOf(r), id); err != nil || cur.Username != *in.Username {
			if err == nil {
				err = apperr.Field("username", "err.readonly")
			}
			a.fail(w, r, err)
			return
		}
	}
	p, err := a.app.People.Update(r.Context(), a.actor(r), userOf(r), id,
		peoplesvc.Change{Name: in.Name, Mobile: in.Mobile, Active: in.Active, Password: in.Password})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writePerson(w, r, http.StatusOK, p)
}
