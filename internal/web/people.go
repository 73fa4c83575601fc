package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/peoplesvc"
	"github.com/lantian-org/lantian/internal/store"
)

type personRow struct {
	people.Person
	Mobile string // masked unless the viewer may see it whole
	Scopes []string
}

type peoplePage struct {
	Page
	Rows    []personRow
	Pager   pager
	Q       string
	Role    string
	Region  string
	Roles   []people.Role
	Regions []option
	CanEdit bool
}

// scopeLabel names where an assignment applies.
func (s *Server) scopeLabel(r *http.Request, a people.Assignment, names map[string]string) string {
	if a.Role == people.UnitContact {
		if un, err := s.app.DB.Unit(r.Context(), a.UnitID); err == nil {
			return un.Name
		}
		return "#" + strconv.FormatInt(a.UnitID, 10)
	}
	if n, ok := names[a.Region]; ok {
		return n
	}
	if rg, err := s.app.DB.Region(r.Context(), a.Region); err == nil {
		names[a.Region] = rg.Name
		return rg.Name
	}
	return a.Region
}

func (s *Server) peopleList(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.PersonRead) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	data := peoplePage{Page: s.page(r, "people.title"), Q: q.Get("q"), Role: q.Get("role"), Region: q.Get("region"),
		Roles: people.Roles, CanEdit: u.CanSomewhere(auth.PersonEdit)}
	opts, names, err := s.regionOptions(r, region.Community)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Regions = opts
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()
	f := store.PeopleFilter{All: u.Can(auth.PersonRead, auth.Target{}), Roots: u.Scopes(auth.PersonRead), Role: data.Role, Q: data.Q, Page: page}
	if region.ValidCode(data.Region) {
		f.Region = data.Region
	}
	ps, total, err := s.app.DB.People(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, p := range ps {
		targets, err := s.app.People.Targets(r.Context(), p)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		row := personRow{Person: p, Mobile: u.PersonMobile(p, targets)}
		for _, a := range p.Roles {
			row.Scopes = append(row.Scopes, printer(r).T("role."+string(a.Role))+" · "+s.scopeLabel(r, a, names))
		}
		data.Rows = append(data.Rows, row)
	}
	data.Pager = newPager(r, page.Page, page.Size, total)
	s.render(w, r, http.StatusOK, "people", data)
}

// loadPerson fetches a person the user may read (404 otherwise).
func (s *Server) loadPerson(w http.ResponseWriter, r *http.Request) (people.Person, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return people.Person{}, false
	}
	p, err := s.app.People.Get(r.Context(), userOf(r), id)
	return p, s.loaded(w, r, err)
}

type roleRow struct {
	people.Assignment
	Scope     string
	CanRemove bool
}

type personPage struct {
	Page
	Person      people.Person
	Mobile      string
	RoleRows    []roleRow
	CanEdit     bool
	Roles       []people.Role
	Regions     []option
	NewPassword string
	RoleForm    roleForm
}

type roleForm struct {
	Role, Region, UnitID string
}

// personPage shows a person with err, if any, beside the form rf came from.
func (s *Server) personPage(w http.ResponseWriter, r *http.Request, p people.Person, err error, rf roleForm, newPassword string) {
	u := userOf(r)
	targets, terr := s.app.People.Targets(r.Context(), p)
	if terr != nil {
		s.serverError(w, r, terr)
		return
	}
	data := personPage{Page: s.page(r, "person.title"), Person: p, Mobile: u.PersonMobile(p, targets),
		CanEdit: s.app.People.CanEdit(r.Context(), u, p), Roles: people.Roles, NewPassword: newPassword, RoleForm: rf}
	data.Title = p.Name
	opts, names, oerr := s.regionsFor(r, region.District, auth.PersonEdit)
	if oerr != nil {
		s.serverError(w, r, oerr)
		return
	}
	data.Regions = opts
	for _, a := range p.Roles {
		data.RoleRows = append(data.RoleRows, roleRow{Assignment: a, Scope: s.scopeLabel(r, a, names), CanRemove: s.app.People.CanGrant(r.Context(), u, a)})
	}
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, formStatus(err), "person", data)
}

func (s *Server) personDetail(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.loadPerson(w, r); ok {
		s.personPage(w, r, p, nil, roleForm{}, "")
	}
}

// personAct runs an edit of the person of the path through the people
// service and goes back to their page, or shows it again with the error
// beside the form (rf, for the role form).
func (s *Server) personAct(w http.ResponseWriter, r *http.Request, rf roleForm, act func(id int64) (people.Person, error)) {
	p, ok := s.loadPerson(w, r)
	if !ok {
		return
	}
	after, err := act(p.ID)
	if err == nil {
		p = after
	}
	s.saved(w, r, err, personURL(p.ID), func() { s.personPage(w, r, p, err, rf, "") })
}

func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) {
	name, mobile, active := r.PostFormValue("name"), r.PostFormValue("mobile"), r.PostFormValue("active") == "1"
	s.personAct(w, r, roleForm{}, func(id int64) (people.Person, error) {
		return s.app.People.Update(r.Context(), s.actor(r), userOf(r), id, peoplesvc.Change{Name: &name, Mobile: &mobile, Active: &active})
	})
}

// personURL is a person's page.
func personURL(id int64) string { return "/people/" + strconv.FormatInt(id, 10) }

// assignment reads a role form; the people service checks it.
func (rf roleForm) assignment() (people.Assignment, error) {
	a := people.Assignment{Role: people.Role(rf.Role), Region: strings.TrimSpace(rf.Region)}
	if a.Role == people.UnitContact {
		id, err := strconv.ParseInt(strings.TrimSpace(rf.UnitID), 10, 64)
		if err != nil || id <= 0 {
			return a, apperr.Field("unit_id", "err.required")
		}
		a.UnitID = id
	}
	return a, nil
}

// personAddRole gives a person one more role.
func (s *Server) personAddRole(w http.ResponseWriter, r *http.Request) {
	rf := roleForm{Role: r.PostFormValue("role"), Region: r.PostFormValue("region"), UnitID: r.PostFormValue("unit_id")}
	s.personAct(w, r, rf, func(id int64) (people.Person, error) {
		a, err := rf.assignment()
		if err != nil {
			return people.Person{}, err
		}
		return s.app.People.AddRole(r.Context(), s.actor(r), userOf(r), id, a)
	})
}

// personRemoveRole takes a role away.
func (s *Server) personRemoveRole(w http.ResponseWriter, r *http.Request) {
	rid, _ := pathID(r, "rid")
	s.personAct(w, r, roleForm{}, func(id int64) (people.Person, error) {
		return people.Person{}, s.app.People.RemoveRole(r.Context(), s.actor(r), userOf(r), id, rid)
	})
}

// personResetPassword sets a temporary password and shows it once to the admin or leader.
func (s *Server) personResetPassword(w http.ResponseWriter, r *http.Request) {
	p, ok := s.loadPerson(w, r)
	if !ok {
		return
	}
	pw, err := s.app.People.ResetPassword(r.Context(), s.actor(r), userOf(r), p.ID)
	if apperr.Is(err, apperr.Forbidden) {
		s.forbidden(w, r)
		return
	}
	if !s.loaded(w, r, err) {
		return
	}
	s.personPage(w, r, p, nil, roleForm{}, pw)
}

type personFormPage struct {
	Page
	Form    personForm
	Roles   []people.Role
	Regions []option
	MinLen  int // of a password, for the hint
}

type personForm struct {
	Username, Name, Mobile, Password string
	roleForm
}

// personFormPage shows the form for a new person with f and err, if any.
func (s *Server) personFormPage(w http.ResponseWriter, r *http.Request, f personForm, err error) {
	opts, _, oerr := s.regionsFor(r, region.District, auth.PersonEdit)
	if oerr != nil {
		s.serverError(w, r, oerr)
		return
	}
	data := personFormPage{Page: s.page(r, "person.new"), Form: f, Roles: people.Roles, MinLen: people.MinPasswordLen, Regions: opts}
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, formStatus(err), "person_form", data)
}

func (s *Server) personNew(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.PersonEdit) {
		s.forbidden(w, r)
		return
	}
	s.personFormPage(w, r, personForm{roleForm: roleForm{Role: string(people.Patroller)}}, nil)
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) {
	f := personForm{Username: r.PostFormValue("username"), Name: r.PostFormValue("name"), Mobile: r.PostFormValue("mobile"),
		Password: r.PostFormValue("password"), roleForm: roleForm{Role: r.PostFormValue("role"), Region: r.PostFormValue("region"), UnitID: r.PostFormValue("unit_id")}}
	np := peoplesvc.NewPerson{Username: f.Username, Name: f.Name, Mobile: f.Mobile, Password: f.Password, Active: true}
	a, err := f.roleForm.assignment()
	var p people.Person
	if err == nil {
		np.Roles = []people.Assignment{a}
		p, err = s.app.People.Create(r.Context(), s.actor(r), userOf(r), np)
	}
	if apperr.Is(err, apperr.Forbidden) && len(apperr.As(err).Fields) == 0 {
		s.forbidden(w, r)
		return
	}
	f.Password = ""
	s.saved(w, r, err, personURL(p.ID), func() { s.personFormPage(w, r, f, err) })
}
