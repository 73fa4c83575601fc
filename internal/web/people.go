package web

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
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
		targets, err := s.app.PersonTargets(r.Context(), p)
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

// loadPerson fetches a person and checks u may read them (404) or take action a (403).
func (s *Server) loadPerson(w http.ResponseWriter, r *http.Request, a auth.Action) (people.Person, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return people.Person{}, false
	}
	p, err := s.app.DB.Person(r.Context(), id)
	if !s.loaded(w, r, err) {
		return p, false
	}
	targets, err := s.app.PersonTargets(r.Context(), p)
	if err != nil {
		s.serverError(w, r, err)
		return p, false
	}
	u := userOf(r)
	if !u.CanOnPerson(auth.PersonRead, targets) {
		s.notFound(w, r)
		return p, false
	}
	if a != auth.PersonRead && !u.CanOnPerson(a, targets) {
		s.forbidden(w, r)
		return p, false
	}
	return p, true
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
	targets, terr := s.app.PersonTargets(r.Context(), p)
	if terr != nil {
		s.serverError(w, r, terr)
		return
	}
	data := personPage{Page: s.page(r, "person.title"), Person: p, Mobile: u.PersonMobile(p, targets),
		CanEdit: u.CanOnPerson(auth.PersonEdit, targets), Roles: people.Roles, NewPassword: newPassword, RoleForm: rf}
	data.Title = p.Name
	opts, names, oerr := s.regionsFor(r, region.District, auth.PersonEdit)
	if oerr != nil {
		s.serverError(w, r, oerr)
		return
	}
	data.Regions = opts
	for _, a := range p.Roles {
		t := auth.Target{Region: a.Region}
		if a.Role == people.UnitContact {
			if un, err := s.app.DB.Unit(r.Context(), a.UnitID); err == nil {
				t = auth.Target{Region: un.Region}
			}
		}
		data.RoleRows = append(data.RoleRows, roleRow{Assignment: a, Scope: s.scopeLabel(r, a, names), CanRemove: u.CanGrant(a.Role, t)})
	}
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, formStatus(err), "person", data)
}

func (s *Server) personDetail(w http.ResponseWriter, r *http.Request) {
	p, ok := s.loadPerson(w, r, auth.PersonRead)
	if !ok {
		return
	}
	s.personPage(w, r, p, nil, roleForm{}, "")
}

func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.loadPerson(w, r, auth.PersonEdit)
	if !ok {
		return
	}
	p.Name, p.Mobile, p.Active = r.PostFormValue("name"), r.PostFormValue("mobile"), r.PostFormValue("active") == "1"
	var err error
	if p.ID == userOf(r).PersonID && !p.Active {
		err = apperr.Field("active", "err.deactivate_self")
	} else {
		err = s.app.DB.UpdatePerson(r.Context(), s.actor(r), &p)
	}
	s.saved(w, r, err, personURL(p.ID), func() { s.personPage(w, r, p, err, roleForm{}, "") })
}

// personURL is a person's page.
func personURL(id int64) string { return "/people/" + strconv.FormatInt(id, 10) }

// assignmentFrom reads a role form and checks u may grant it.
func (s *Server) assignmentFrom(r *http.Request, rf roleForm) (people.Assignment, error) {
	a := people.Assignment{Role: people.Role(rf.Role), Region: strings.TrimSpace(rf.Region)}
	t := auth.Target{Region: a.Region}
	if a.Role == people.UnitContact {
		a.Region = ""
		id, err := strconv.ParseInt(strings.TrimSpace(rf.UnitID), 10, 64)
		if err != nil || id <= 0 {
			return a, apperr.Field("unit_id", "err.required")
		}
		a.UnitID = id
		un, err := s.app.DB.Unit(r.Context(), id)
		if err != nil {
			return a, apperr.Field("unit_id", "err.unit_unknown")
		}
		t = auth.Target{Region: un.Region}
	}
	if err := people.ValidateAssignment(a, region.ValidCode); err != nil {
		return a, err
	}
	if !userOf(r).CanGrant(a.Role, t) {
		return a, &apperr.Error{Code: apperr.Forbidden, Msg: apperr.Msg{Key: "err.forbidden"}, Fields: map[string]apperr.Msg{"region": {Key: "err.out_of_scope"}}}
	}
	return a, nil
}

// personAddRole gives a person one more role. Like every edit of a person
// (and like the API), it needs all of the person's present roles in the
// editor's scope: a community leader must not add roles to someone who is,
// say, also the district's admin.
func (s *Server) personAddRole(w http.ResponseWriter, r *http.Request) {
	p, ok := s.loadPerson(w, r, auth.PersonEdit)
	if !ok {
		return
	}
	rf := roleForm{Role: r.PostFormValue("role"), Region: r.PostFormValue("region"), UnitID: r.PostFormValue("unit_id")}
	a, err := s.assignmentFrom(r, rf)
	if err == nil {
		a.PersonID = p.ID
		err = s.app.DB.AddRole(r.Context(), s.actor(r), &a)
	}
	s.saved(w, r, err, personURL(p.ID), func() { s.personPage(w, r, p, err, rf, "") })
}

// personRemoveRole takes a role away; the same full-scope check as personAddRole.
func (s *Server) personRemoveRole(w http.ResponseWriter, r *http.Request) {
	p, ok := s.loadPerson(w, r, auth.PersonEdit)
	if !ok {
		return
	}
	rid, _ := pathID(r, "rid")
	var found *people.Assignment
	for i := range p.Roles {
		if p.Roles[i].ID == rid {
			found = &p.Roles[i]
		}
	}
	if found == nil {
		s.notFound(w, r)
		return
	}
	t := auth.Target{Region: found.Region}
	if found.Role == people.UnitContact {
		if un, err := s.app.DB.Unit(r.Context(), found.UnitID); err == nil {
			t = auth.Target{Region: un.Region}
		}
	}
	if !userOf(r).CanGrant(found.Role, t) {
		s.forbidden(w, r)
		return
	}
	if err := s.app.DB.RemoveRole(r.Context(), s.actor(r), p.ID, rid); err != nil {
		s.serverError(w, r, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, personURL(p.ID), http.StatusSeeOther)
}

// TempPassword returns a random password that is easy to read out over the phone.
func TempPassword() string {
	const alpha = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = alpha[int(b[i])%len(alpha)]
	}
	return string(b)
}

// personResetPassword sets a temporary password and shows it once to the admin or leader.
func (s *Server) personResetPassword(w http.ResponseWriter, r *http.Request) {
	p, ok := s.loadPerson(w, r, auth.PersonEdit)
	if !ok {
		return
	}
	pw := TempPassword()
	hash, err := people.HashPassword(pw)
	if err == nil {
		err = s.app.DB.SetPassword(r.Context(), s.actor(r), p.ID, hash, "")
	}
	if err != nil {
		s.serverError(w, r, err)
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
	if !userOf(r).CanSomewhere(auth.PersonEdit) {
		s.forbidden(w, r)
		return
	}
	f := personForm{Username: r.PostFormValue("username"), Name: r.PostFormValue("name"), Mobile: r.PostFormValue("mobile"),
		Password: r.PostFormValue("password"), roleForm: roleForm{Role: r.PostFormValue("role"), Region: r.PostFormValue("region"), UnitID: r.PostFormValue("unit_id")}}
	p := people.Person{Username: f.Username, Name: f.Name, Mobile: f.Mobile, Active: true}
	p.Normalize()
	errs := apperr.Fields{}
	if err := p.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			errs.Add(k, m.Key, m.Args...)
		}
	}
	if err := people.ValidatePassword("password", f.Password, p.Username, p.Mobile); err != nil {
		errs.Add("password", apperr.As(err).Fields["password"].Key, apperr.As(err).Fields["password"].Args...)
	}
	a, aerr := s.assignmentFrom(r, f.roleForm)
	var err error = errs.Err()
	if err == nil {
		err = aerr
	}
	if err == nil {
		p.Roles = []people.Assignment{a}
		var hash string
		if hash, err = people.HashPassword(f.Password); err == nil {
			err = s.app.DB.CreatePerson(r.Context(), s.actor(r), &p, hash)
		}
	}
	f.Password = ""
	s.saved(w, r, err, personURL(p.ID), func() { s.personFormPage(w, r, f, err) })
}
