package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// The responsibility letters (责任书) of a year: the filtered list, the
// coverage panel with the units not yet signed and their reminders, and the
// issue and renew forms (GET /letters, POST /letters/issue, /letters/renew,
// /letters/remind, /letters/{id}/remind).

const (
	// letterPageSize is how many letters one page of the list shows.
	letterPageSize = 20
	// unsignedPageSize is how many units not yet signed one page shows.
	unsignedPageSize = 20
	// maxKindUnits bounds the units a kind filter looks at.
	maxKindUnits = 5000
)

// thisYear is the current year in the office's time zone.
func (s *Server) thisYear() int { return s.app.Cases.Now().In(s.app.Loc).Year() }

// letterTarget is where a letter's permissions are checked: its unit and the unit's grid.
func letterTarget(l letters.Letter) auth.Target {
	return auth.Target{Region: l.UnitRegion, UnitID: l.UnitID}
}

// letterURL is a letter's page.
func letterURL(id int64) string { return "/letters/" + strconv.FormatInt(id, 10) }

// parseYear reads a year from a form value (def when empty).
func parseYear(v string, def int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 2100 {
		return def, apperr.Field("year", "err.out_of_range")
	}
	return y, nil
}

// letterFilterForm is the list's filter as the form shows it.
type letterFilterForm struct {
	Year   int
	Region string
	Status string
	Kind   string
}

// letterRow is one letter of the list.
type letterRow struct {
	letters.Letter
	RegionName string
}

// ShortHash is the start of the letter's SHA-256, for lists.
func (r letterRow) ShortHash() string { return shortHash(r.SHA256) }

// shortHash is the first 12 hex digits of a hash.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// unsignedRow is one unit that has not signed, with what the user may do about it.
type unsignedRow struct {
	store.UnsignedUnit
	RegionName string
	Reminded   time.Time // the last reminder, zero when none
	CanRemind  bool
	CanIssue   bool
}

// coverageTable is what the coverage table partial needs.
type coverageTable struct {
	ID   string
	Head string // the message key of the first column's heading
	Rows []coverageRow
}

// coverageRow is one line of the coverage tables.
type coverageRow struct {
	store.CoverageCount
	Label string
	Href  string
}

// Percent is the share of the group's units that have signed.
func (c coverageRow) Percent() int {
	if c.Total() == 0 {
		return 0
	}
	return (c.Signed*100 + c.Total()/2) / c.Total()
}

// templateOption is one template in the issue form's select.
type templateOption struct {
	ID    int64
	Label string
}

// issueForm is what the issue form holds, kept when it comes back with an error.
type issueForm struct {
	Year       string
	TemplateID string
	Region     string
	UnitIDs    string
}

type lettersPage struct {
	Page
	F        letterFilterForm
	Years    []int
	Regions  []option
	Statuses []letters.Status
	Kinds    []unit.Kind
	Rows     []letterRow
	Total    int
	Pager    pager

	ShowCoverage  bool
	Coverage      coverageRow
	Communities   []coverageRow
	KindRows      []coverageRow
	Unsigned      []unsignedRow
	UnsignedTotal int
	UPager        pager
	CanRemindAll  bool

	CanIssue     bool
	IssueRegions []option
	Templates    []templateOption
	Issue        issueForm
	IssueOpen    bool
	RenewYear    int
	CanTemplates bool
	Back         string // this page with its query, to come back to after an action
}

// FilterErr is the error of a filter field (none when the issue form came back).
func (p lettersPage) FilterErr(field string) string {
	if p.IssueOpen {
		return ""
	}
	return p.Fields[field]
}

// IssueErr is the error of an issue form field, when that form came back.
func (p lettersPage) IssueErr(field string) string {
	if !p.IssueOpen {
		return ""
	}
	return p.Fields[field]
}

// CommunityTable is the coverage by community.
func (p lettersPage) CommunityTable() coverageTable {
	return coverageTable{ID: "cov-communities", Head: "letters.community", Rows: p.Communities}
}

// KindTable is the coverage by unit kind.
func (p lettersPage) KindTable() coverageTable {
	return coverageTable{ID: "cov-kinds", Head: "field.kind", Rows: p.KindRows}
}

// letterScope returns the list filter limiting letters to what u may read.
func letterScope(u *auth.Principal) store.LetterFilter {
	return store.LetterFilter{All: u.Can(auth.LetterRead, auth.Target{}), Roots: u.Scopes(auth.LetterRead),
		UnitIDs: u.UnitScopes(auth.LetterRead)}
}

// coverageScope returns the coverage filter of a year for action a, limited to
// region when given; ok is false when the user has no regional scope for a.
func coverageScope(u *auth.Principal, a auth.Action, year int, reg string) (store.CoverageFilter, bool) {
	f := store.CoverageFilter{Year: year, All: u.Can(a, auth.Target{}), Roots: u.Scopes(a)}
	if !f.All && len(f.Roots) == 0 {
		return f, false
	}
	if reg != "" {
		f.Region = reg
	}
	return f, true
}

// kindUnitIDs lists the units of kind the user may read letters of (in
// region when given), for the list's kind filter.
func (s *Server) kindUnitIDs(r *http.Request, kind, reg string) ([]int64, error) {
	u := userOf(r)
	f := store.UnitFilter{Roots: u.Scopes(auth.LetterRead), UnitIDs: u.UnitScopes(auth.LetterRead), Region: reg, Kind: kind}
	var ids []int64
	for page := 1; len(ids) < maxKindUnits; page++ {
		f.Page = store.Page{Page: page, Size: 100}
		list, total, err := s.app.DB.Units(r.Context(), f)
		if err != nil {
			return nil, err
		}
		for _, un := range list {
			ids = append(ids, un.ID)
		}
		if len(list) == 0 || len(ids) >= total {
			break
		}
	}
	return ids, nil
}

// pagerFor is newPager for a page number kept in another query parameter.
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
	return p
}

// letterYears are the years the filters offer: the templates' years, the
// current one and the next.
func (s *Server) letterYears(r *http.Request, extra ...int) ([]int, []letters.Template, error) {
	ts, err := s.app.DB.LetterTemplates(r.Context(), 0)
	if err != nil {
		return nil, nil, err
	}
	now := s.thisYear()
	years := append([]int{now + 1, now, now - 1}, extra...)
	for _, t := range ts {
		years = append(years, t.Year)
	}
	slices.Sort(years)
	years = slices.Compact(years)
	slices.Reverse(years)
	return years, ts, nil
}

// regionLabel indents a region's name by its level below the street.
func regionLabel(rg region.Region) string {
	if rg.Level > region.Street {
		return strings.Repeat("　", int(rg.Level-region.Street)) + rg.Name
	}
	return rg.Name
}

// issueRegions lists the street, communities and grids where the user may issue.
func (s *Server) issueRegions(r *http.Request) ([]option, error) {
	u := userOf(r)
	roots := u.Scopes(auth.LetterIssue)
	if len(roots) == 0 {
		return nil, nil
	}
	rs, err := s.app.DB.Regions(r.Context(), roots, false)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, rg := range rs {
		if rg.Level >= region.Street && u.Can(auth.LetterIssue, auth.Target{Region: rg.Code}) {
			out = append(out, option{rg.Code, regionLabel(rg)})
		}
	}
	return out, nil
}

// letterList serves the year's letters with the coverage panel.
func (s *Server) letterList(w http.ResponseWriter, r *http.Request) {
	s.renderLetters(w, r, http.StatusOK, nil, issueForm{})
}

// renderLetters shows the list for the query of r; err (with the issue
// form's input) comes from a failed issue or renewal.
func (s *Server) renderLetters(w http.ResponseWriter, r *http.Request, status int, formErr error, issue issueForm) {
	u := userOf(r)
	if !u.CanSomewhere(auth.LetterRead) {
		s.forbidden(w, r)
		return
	}
	ctx := r.Context()
	p := printer(r)
	q := r.URL.Query()
	data := lettersPage{Page: s.page(r, "letters.title"), Statuses: letters.Statuses, Kinds: unit.Kinds,
		CanIssue: u.CanSomewhere(auth.LetterIssue), CanTemplates: u.Can(auth.LetterTemplate, auth.Target{}), Back: r.URL.RequestURI(), Issue: issue}
	errs := apperr.Fields{}
	year, err := parseYear(q.Get("year"), s.thisYear())
	if err != nil {
		errs.Add("year", "err.out_of_range")
	}
	data.F = letterFilterForm{Year: year, Region: strings.TrimSpace(q.Get("region")), Status: q.Get("status"), Kind: q.Get("kind")}
	if data.F.Region != "" && !region.ValidCode(data.F.Region) {
		errs.Add("region", "err.region_code")
		data.F.Region = ""
	}
	if data.F.Status != "" && !letters.Status(data.F.Status).Valid() {
		errs.Add("status", "err.invalid_choice")
		data.F.Status = ""
	}
	if data.F.Kind != "" && !slices.Contains(unit.Kinds, unit.Kind(data.F.Kind)) {
		errs.Add("kind", "err.invalid_choice")
		data.F.Kind = ""
	}
	years, templates, err := s.letterYears(r, year)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Years = years
	data.RenewYear = year + 1
	opts, _, err := s.regionOptions(r, region.Community)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Regions = opts
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	// The list.
	f := letterScope(u)
	f.Year, f.Region, f.Status = data.F.Year, data.F.Region, data.F.Status
	f.Page = store.Page{Page: atoiDefault(q.Get("page"), 1), Size: letterPageSize}.Clamp()
	if data.F.Kind != "" {
		ids, err := s.kindUnitIDs(r, data.F.Kind, data.F.Region)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		f.All, f.Roots, f.UnitIDs = false, nil, ids
	}
	list, total, err := s.app.DB.Letters(ctx, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, l := range list {
		data.Rows = append(data.Rows, letterRow{Letter: l, RegionName: names(l.UnitRegion)})
	}
	data.Total = total
	data.Pager = newPager(r, f.Page.Page, f.Page.Size, total)

	// The coverage panel, for those who read letters over a region.
	if cf, ok := coverageScope(u, auth.LetterRead, year, data.F.Region); ok {
		data.ShowCoverage = true
		cov, err := s.app.DB.LetterCoverage(ctx, cf)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.Coverage = coverageRow{CoverageCount: cov.Total, Label: p.T("letters.coverage.total")}
		for _, c := range cov.Communities {
			label := c.Name
			if label == "" {
				label = c.Key
			}
			qs := url.Values{"year": {strconv.Itoa(year)}, "region": {c.Key}}
			data.Communities = append(data.Communities, coverageRow{CoverageCount: c, Label: label, Href: "/letters?" + qs.Encode()})
		}
		for _, c := range cov.Kinds {
			qs := url.Values{"year": {strconv.Itoa(year)}, "kind": {c.Key}}
			if data.F.Region != "" {
				qs.Set("region", data.F.Region)
			}
			data.KindRows = append(data.KindRows, coverageRow{CoverageCount: c, Label: p.T("unit.kind." + c.Key), Href: "/letters?" + qs.Encode()})
		}
		cf.Page = store.Page{Page: atoiDefault(q.Get("upage"), 1), Size: unsignedPageSize}.Clamp()
		un, utotal, err := s.app.DB.UnsignedLetterUnits(ctx, cf)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, x := range un {
			t := auth.Target{Region: x.Region, UnitID: x.UnitID}
			row := unsignedRow{UnsignedUnit: x, RegionName: names(x.Region)}
			if x.RemindedAt != 0 {
				row.Reminded = time.UnixMilli(x.RemindedAt)
			}
			row.CanRemind = x.Status == letters.StatusIssued && u.Can(auth.LetterIssue, t)
			row.CanIssue = x.LetterID == 0 && u.Can(auth.LetterIssue, t)
			data.Unsigned = append(data.Unsigned, row)
		}
		data.UnsignedTotal = utotal
		data.UPager = pagerFor(r, "upage", cf.Page.Page, cf.Page.Size, utotal)
		// 全部提醒 reminds the issued, unsigned letters of the panel's region.
		_, issuer := coverageScope(u, auth.LetterIssue, year, "")
		data.CanRemindAll = data.Coverage.Issued > 0 && issuer &&
			(data.F.Region == "" || u.Can(auth.LetterIssue, auth.Target{Region: data.F.Region}))
	}

	// The issue form.
	if data.CanIssue {
		if data.IssueRegions, err = s.issueRegions(r); err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, t := range templates {
			kind := p.T("letters.kind_all")
			if t.Kind != "" {
				kind = p.T("unit.kind." + t.Kind)
			}
			data.Templates = append(data.Templates, templateOption{ID: t.ID,
				Label: p.T("letters.template_option", t.Year, kind, t.Version, truncateRunes(t.Title, 40))})
		}
		if data.Issue.Year == "" {
			data.Issue.Year = strconv.Itoa(year)
		}
		if data.Issue.Region == "" {
			data.Issue.Region = data.F.Region
		}
	}
	if formErr != nil {
		data.withError(p, formErr)
		data.IssueOpen = true
	} else if err := errs.Err(); err != nil {
		data.withError(p, err)
		status = statusFor(err)
	}
	s.render(w, r, status, "letters", data)
}

// splitIDs reads unit ids typed or ticked: numbers separated by commas,
// spaces or Chinese commas, in any of the values.
func splitIDs(vals []string) ([]int64, error) {
	var out []int64
	for _, v := range vals {
		for _, part := range strings.FieldsFunc(v, func(c rune) bool {
			return c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '　'
		}) {
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id <= 0 {
				return nil, apperr.Field("unit_ids", "err.format")
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// maxIssueUnits bounds the units chosen in one issue (as the API does).
const maxIssueUnits = 1000

// letterIssue issues a year's letters to every active unit of a region or to
// the units chosen, then shows the list of that year and region.
func (s *Server) letterIssue(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.LetterIssue) {
		s.forbidden(w, r)
		return
	}
	ctx := r.Context()
	form := issueForm{Year: strings.TrimSpace(r.PostFormValue("year")), TemplateID: strings.TrimSpace(r.PostFormValue("template_id")),
		Region: strings.TrimSpace(r.PostFormValue("region")), UnitIDs: strings.Join(r.PostForm["unit_ids"], ", ")}
	fail := func(err error) {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		// Show the list of the year and region the form was about.
		q := url.Values{}
		if form.Year != "" {
			q.Set("year", form.Year)
		}
		if form.Region != "" && region.ValidCode(form.Region) {
			q.Set("region", form.Region)
		}
		r.URL.Path, r.URL.RawQuery = "/letters", q.Encode()
		s.renderLetters(w, r, statusFor(err), err, form)
	}
	errs := apperr.Fields{}
	year, err := parseYear(form.Year, s.thisYear())
	if err != nil {
		errs.Add("year", "err.out_of_range")
	}
	var tid int64
	if form.TemplateID != "" {
		if tid, err = strconv.ParseInt(form.TemplateID, 10, 64); err != nil || tid <= 0 {
			errs.Add("template_id", "err.invalid_choice")
		}
	}
	ids, err := splitIDs(r.PostForm["unit_ids"])
	if err != nil {
		errs.Add("unit_ids", "err.format")
	}
	switch {
	case form.Region == "" && len(ids) == 0 && err == nil:
		errs.Add("region", "err.letter.region_or_units")
	case form.Region != "" && len(ids) > 0:
		errs.Add("unit_ids", "err.letter.region_or_units")
	case len(ids) > maxIssueUnits:
		errs.Add("unit_ids", "err.too_many_items", maxIssueUnits)
	}
	if form.Region != "" && !region.ValidCode(form.Region) {
		errs.Add("region", "err.region_code")
	}
	if err := errs.Err(); err != nil {
		fail(err)
		return
	}
	req := store.IssueRequest{Year: year, TemplateID: tid}
	if form.Region != "" {
		ok, err := s.app.DB.RegionExists(ctx, form.Region)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			fail(apperr.Field("region", "err.region_unknown"))
			return
		}
		if !u.Can(auth.LetterIssue, auth.Target{Region: form.Region}) {
			fail(apperr.Field("region", "err.out_of_scope"))
			return
		}
		req.Region = form.Region
	}
	for _, id := range ids {
		un, err := s.app.DB.Unit(ctx, id)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !u.Can(auth.LetterIssue, auth.Target{Region: un.Region, UnitID: un.ID})) {
			// A unit outside one's scope is as unknown as one that does not exist.
			fail(apperr.Field("unit_ids", "err.letter.unit_unknown", id))
			return
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	req.UnitIDs = ids
	res, err := s.app.DB.IssueLetters(ctx, s.actor(r), req)
	if err != nil {
		fail(err)
		return
	}
	if res.Issued == 0 {
		setFlash(w, "flash.letters_none_issued")
	} else {
		setFlash(w, "flash.letters_issued")
	}
	q := url.Values{"year": {strconv.Itoa(year)}}
	if c := region.AncestorAt(req.Region, region.Community); c != "" {
		q.Set("region", c)
	}
	if len(ids) == 1 && len(res.IDs) == 1 {
		http.Redirect(w, r, letterURL(res.IDs[0]), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/letters?"+q.Encode(), http.StatusSeeOther)
}

// letterRenew issues next year's letters to the units that had one this
// year, in the region chosen or wherever the user may issue.
func (s *Server) letterRenew(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.LetterIssue) {
		s.forbidden(w, r)
		return
	}
	form := issueForm{Year: strings.TrimSpace(r.PostFormValue("year")), Region: strings.TrimSpace(r.PostFormValue("region"))}
	fail := func(err error) {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		r.URL.Path, r.URL.RawQuery = "/letters", ""
		s.renderLetters(w, r, statusFor(err), err, form)
	}
	year, err := parseYear(form.Year, s.thisYear()+1)
	if err != nil || year < 2001 {
		fail(apperr.Field("year", "err.out_of_range"))
		return
	}
	roots := u.Scopes(auth.LetterIssue)
	if form.Region != "" {
		if !region.ValidCode(form.Region) {
			fail(apperr.Field("region", "err.region_code"))
			return
		}
		if !u.Can(auth.LetterIssue, auth.Target{Region: form.Region}) {
			fail(apperr.Field("region", "err.out_of_scope"))
			return
		}
		roots = []string{form.Region}
	}
	if len(roots) == 0 {
		s.forbidden(w, r)
		return
	}
	res, err := s.app.DB.RenewLetters(r.Context(), s.actor(r), store.RenewRequest{Year: year, Roots: roots})
	if err != nil {
		fail(err)
		return
	}
	if res.Issued == 0 {
		setFlash(w, "flash.letters_none_issued")
	} else {
		setFlash(w, "flash.letters_renewed")
	}
	http.Redirect(w, r, "/letters?year="+strconv.Itoa(year), http.StatusSeeOther)
}

// backTo returns the page to go back to after an action: the form's back
// field when it is a path of this site's letters, else def.
func backTo(r *http.Request, def string) string {
	b := r.PostFormValue("back")
	if b == "" || safeNext(b) != b || !(b == "/letters" || strings.HasPrefix(b, "/letters?") || strings.HasPrefix(b, "/letters/") || b == "/") {
		return def
	}
	return b
}

// letterRemindAll reminds the contacts of every issued, unsigned letter of
// a year in a region (or wherever the user may issue).
func (s *Server) letterRemindAll(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	year, err := parseYear(r.PostFormValue("year"), s.thisYear())
	reg := strings.TrimSpace(r.PostFormValue("region"))
	if err != nil || (reg != "" && !region.ValidCode(reg)) {
		http.Redirect(w, r, backTo(r, "/letters"), http.StatusSeeOther)
		return
	}
	f, ok := coverageScope(u, auth.LetterIssue, year, reg)
	if !ok || (reg != "" && !u.Can(auth.LetterIssue, auth.Target{Region: reg})) {
		s.forbidden(w, r)
		return
	}
	res, err := s.app.DB.RemindUnsigned(r.Context(), s.actor(r), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if res.Letters == 0 {
		setFlash(w, "flash.letters_none_to_remind")
	} else {
		setFlash(w, "flash.letters_reminded")
	}
	http.Redirect(w, r, backTo(r, "/letters?year="+strconv.Itoa(year)), http.StatusSeeOther)
}
