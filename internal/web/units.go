package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

type unitRow struct {
	unit.Unit
	RegionName string
}

type option struct {
	Value, Label string
}

type unitsPage struct {
	Page
	Rows      []unitRow
	Total     int
	Pager     pager
	Q         string
	Region    string
	Kind      string
	Tag       string
	Status    string
	Regions   []option
	Kinds     []unit.Kind
	Tags      []string
	CanEdit   bool
	CanImport bool
}

// pager holds what the pagination partial needs.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
	// Links are the page numbers shown (the first, the last and those
	// around the current one, with gaps); Param and Keep make the "jump
	// to" form, which keeps the other query parameters (issue 16).
	Links []pageLink
	Param string
	Keep  []option
}

// pageLink is one page number of a pager; Gap stands for the pages left out.
type pageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool
}

// newPager is the pager of a list whose page number is the query's "page".
func newPager(r *http.Request, page, size, total int) pager {
	return pagerFor(r, "page", page, size, total)
}

// pagerFor is the pager of a list whose page number is the query's param.
func pagerFor(r *http.Request, param string, page, size, total int) pager {
	pages := (total + size - 1) / size
	p := pager{Page: page, Pages: max(pages, 1), Total: total}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set(param, strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	if pages > 1 {
		p.Param = param
		last := 0
		for n := 1; n <= pages; n++ {
			if n != 1 && n != pages && (n < page-2 || n > page+2) {
				continue
			}
			if last != 0 && n > last+1 {
				p.Links = append(p.Links, pageLink{Gap: true})
			}
			p.Links = append(p.Links, pageLink{N: n, Href: link(n), Current: n == page})
			last = n
		}
		for k, vs := range r.URL.Query() {
			if k != param && len(vs) > 0 && vs[0] != "" {
				p.Keep = append(p.Keep, option{k, vs[0]})
			}
		}
		slices.SortFunc(p.Keep, func(a, b option) int { return strings.Compare(a.Value, b.Value) })
	}
	return p
}

// regionOptions lists the communities and grids u can see, for filters and forms.
func (s *Server) regionOptions(r *http.Request, minLevel region.Level) ([]option, map[string]string, error) {
	rs, err := s.visibleRegions(r)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	var out []option
	for _, rg := range rs {
		names[rg.Code] = rg.Name
		if rg.Level >= minLevel {
			label := rg.Name
			if rg.Level == region.Grid {
				label = "　" + label
			}
			out = append(out, option{rg.Code, label})
		}
	}
	return out, names, nil
}

// regionsFor lists the regions of regionOptions where the user may take
// action a, for the forms, with the names of all they see.
func (s *Server) regionsFor(r *http.Request, minLevel region.Level, a auth.Action) ([]option, map[string]string, error) {
	opts, names, err := s.regionOptions(r, minLevel)
	if err != nil {
		return nil, nil, err
	}
	u := userOf(r)
	var out []option
	for _, o := range opts {
		if u.Can(a, auth.Target{Region: o.Value}) {
			out = append(out, o)
		}
	}
	return out, names, nil
}

func (s *Server) units(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	q := r.URL.Query()
	data := unitsPage{Page: s.page(r, "units.title"), Q: q.Get("q"), Region: q.Get("region"), Kind: q.Get("kind"),
		Tag: q.Get("tag"), Status: q.Get("status"), Kinds: unit.Kinds, Tags: unit.RiskTags,
		CanEdit: u.CanSomewhere(auth.UnitEdit), CanImport: u.CanSomewhere(auth.UnitImport)}
	opts, names, err := s.regionOptions(r, region.Community)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Regions = opts
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()
	f := store.UnitFilter{Roots: u.Scopes(auth.UnitRead), UnitIDs: u.UnitScopes(auth.UnitRead), Kind: data.Kind, Tag: data.Tag,
		Q: data.Q, Status: data.Status, Page: page, Sort: q.Get("sort")}
	if region.ValidCode(data.Region) {
		f.Region = data.Region
	}
	units, total, err := s.app.DB.Units(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, un := range units {
		data.Rows = append(data.Rows, unitRow{Unit: un, RegionName: names[un.Region]})
	}
	data.Total = total
	data.Pager = newPager(r, page.Page, page.Size, total)
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "unit-results" {
		s.renderPartial(w, r, "units", "results", data)
		return
	}
	s.render(w, r, http.StatusOK, "units", data)
}

// loadUnit fetches a unit and checks that u may read it (404 otherwise).
func (s *Server) loadUnit(w http.ResponseWriter, r *http.Request) (unit.Unit, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return unit.Unit{}, false
	}
	un, err := s.app.Units.Get(r.Context(), userOf(r), id)
	return un, s.loaded(w, r, err)
}

type unitPage struct {
	Page
	Unit       unit.Unit
	Grid       region.Region
	Community  region.Region
	CanEdit    bool
	ShowPhones bool           // the viewer sees the phones whole (auth.Principal.SeesMobiles)
	Contacts   []unit.Contact // the unit's contacts, phones as the viewer may see them
	History    []store.AuditEntry
	Letter     *unitLetter // this year's letter and its breaches, for those who read letters
}

func (s *Server) unitDetail(w http.ResponseWriter, r *http.Request) {
	un, ok := s.loadUnit(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	u := userOf(r)
	t := auth.Target{Region: un.Region, UnitID: un.ID}
	data := unitPage{Page: s.page(r, "unit.title"), Unit: un, CanEdit: u.Can(auth.UnitEdit, t), ShowPhones: u.SeesMobiles(t)}
	for _, c := range un.Contacts {
		data.Contacts = append(data.Contacts, unit.Contact{Name: c.Name, Phone: u.Mobile(c.Phone, t)})
	}
	data.Title = un.Name
	if g, err := s.app.DB.Region(ctx, un.Region); err == nil {
		data.Grid = g
		if c, err := s.app.DB.Region(ctx, g.Parent); err == nil {
			data.Community = c
		}
	}
	if u.Can(auth.LetterRead, t) {
		ul, err := s.unitLetterOf(r, un.ID, s.thisYear())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.Letter = &ul
	}
	if data.CanEdit {
		hist, _, err := s.app.DB.AuditLog(ctx, store.AuditFilter{Entity: "unit", EntityID: strconv.FormatInt(un.ID, 10), Page: store.Page{Size: 10}})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.History = hist
	}
	s.render(w, r, http.StatusOK, "unit", data)
}

// unitForm is the add/edit form for a unit.
type unitForm struct {
	Name, Kind, CreditCode, Address, Region string
	Lat, Lon                                string
	ContactName, ContactPhone               string
	Tags                                    []string
}

func unitFormFrom(u unit.Unit) unitForm {
	f := unitForm{Name: u.Name, Kind: string(u.Kind), CreditCode: u.CreditCode, Address: u.Address, Region: u.Region, Tags: u.Tags}
	if u.HasLocation() {
		f.Lat, f.Lon = strconv.FormatFloat(u.Lat, 'f', 6, 64), strconv.FormatFloat(u.Lon, 'f', 6, 64)
	}
	if len(u.Contacts) > 0 {
		f.ContactName, f.ContactPhone = u.Contacts[0].Name, u.Contacts[0].Phone
	}
	return f
}

func parseUnitForm(v url.Values) unitForm {
	return unitForm{Name: v.Get("name"), Kind: v.Get("kind"), CreditCode: v.Get("credit_code"), Address: v.Get("address"),
		Region: strings.TrimSpace(v.Get("region")), Lat: strings.TrimSpace(v.Get("lat")), Lon: strings.TrimSpace(v.Get("lon")),
		ContactName: v.Get("contact_name"), ContactPhone: v.Get("contact_phone"), Tags: v["tags"]}
}

// apply copies the form onto u; coordinates that do not parse are field
// errors. Finding the grid from the point is the unit service's.
func (f unitForm) apply(u *unit.Unit) error {
	errs := apperr.Fields{}
	u.Name, u.Kind, u.CreditCode, u.Address, u.Region, u.Tags = f.Name, unit.Kind(f.Kind), f.CreditCode, f.Address, f.Region, f.Tags
	u.Lat, u.Lon = 0, 0
	if f.Lat != "" || f.Lon != "" {
		lat, lon, ok := region.ParsePoint(f.Lat, f.Lon)
		if !ok {
			errs.Add("lat", "err.coords")
		} else {
			u.Lat, u.Lon = lat, lon
		}
	}
	u.Contacts = nil
	if strings.TrimSpace(f.ContactName) != "" || strings.TrimSpace(f.ContactPhone) != "" {
		u.Contacts = []unit.Contact{{Name: f.ContactName, Phone: f.ContactPhone}}
	}
	return errs.Err()
}

type unitFormPage struct {
	Page
	Form   unitForm
	UnitID int64
	Kinds  []unit.Kind
	Tags   []string
	Grids  []option
	Action string
}

// unitFormPage shows the add or edit form (id 0 adds) with f and err, if any.
func (s *Server) unitFormPage(w http.ResponseWriter, r *http.Request, title string, f unitForm, id int64, err error) {
	grids, _, gerr := s.regionsFor(r, region.Grid, auth.UnitEdit)
	if gerr != nil {
		s.serverError(w, r, gerr)
		return
	}
	data := unitFormPage{Page: s.page(r, title), Form: f, UnitID: id, Kinds: unit.Kinds, Tags: unit.RiskTags, Grids: grids, Action: "/units"}
	if id != 0 {
		data.Action = unitURL(id)
	}
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, formStatus(err), "unit_form", data)
}

// unitURL is a unit's page.
func unitURL(id int64) string { return "/units/" + strconv.FormatInt(id, 10) }

func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.UnitEdit) {
		s.forbidden(w, r)
		return
	}
	s.unitFormPage(w, r, "unit.new", unitForm{Region: r.URL.Query().Get("region")}, 0, nil)
}

func (s *Server) actor(r *http.Request) store.Actor {
	u := userOf(r)
	return store.Actor{ID: u.PersonID, Name: u.Username, IP: s.app.Auth.ClientIP(r)}
}

func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.UnitEdit) {
		s.forbidden(w, r)
		return
	}
	s.unitSave(w, r, unit.Unit{})
}

// loadUnitToEdit reads the unit of the path for one who may edit it (404
// when they may not see it, 403 when they may not edit it).
func (s *Server) loadUnitToEdit(w http.ResponseWriter, r *http.Request) (unit.Unit, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return unit.Unit{}, false
	}
	un, err := s.app.Units.Editable(r.Context(), userOf(r), id)
	if apperr.Is(err, apperr.Forbidden) {
		s.forbidden(w, r)
		return un, false
	}
	return un, s.loaded(w, r, err)
}

func (s *Server) unitEdit(w http.ResponseWriter, r *http.Request) {
	if un, ok := s.loadUnitToEdit(w, r); ok {
		s.unitFormPage(w, r, "unit.edit", unitFormFrom(un), un.ID, nil)
	}
}

func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) {
	if un, ok := s.loadUnitToEdit(w, r); ok {
		s.unitSave(w, r, un)
	}
}

// unitSave applies the posted form to un (a new unit when its id is 0) and
// stores it through the unit service, then goes to its page, or shows the
// form again with the error.
func (s *Server) unitSave(w http.ResponseWriter, r *http.Request, un unit.Unit) {
	id, title := un.ID, "unit.edit"
	if id == 0 {
		title = "unit.new"
	}
	f := parseUnitForm(r.PostForm)
	err := f.apply(&un)
	if err == nil {
		un, _, err = s.app.Units.Save(r.Context(), s.actor(r), userOf(r), un)
	}
	s.saved(w, r, err, unitURL(un.ID), func() { s.unitFormPage(w, r, title, f, id, err) })
}

func (s *Server) unitClose(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	status := unit.Closed
	if r.PostFormValue("reopen") == "1" {
		status = unit.Active
	}
	un, err := s.app.Units.SetStatus(r.Context(), s.actor(r), userOf(r), id, status)
	if apperr.Is(err, apperr.Forbidden) {
		s.forbidden(w, r)
		return
	}
	if !s.loaded(w, r, err) {
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, unitURL(un.ID), http.StatusSeeOther)
}
