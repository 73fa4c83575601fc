package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// The responsibility letters (责任书) of a year: the filtered list, the
// coverage panel with the units not yet signed and their reminders, and the
// issue and renew forms (GET /letters, POST /letters/issue, /letters/renew,
// /letters/remind, /letters/{id}/remind). The handlers parse, call the
// letters service (App.LetterSvc) and render; the API calls the same methods.

const (
	// letterPageSize is how many letters one page of the list shows.
	letterPageSize = 20
	// unsignedPageSize is how many units not yet signed one page shows.
	unsignedPageSize = 20
)

// thisYear is the current year in the office's time zone.
func (s *Server) thisYear() int { return s.app.LetterSvc.ThisYear() }

// letterURL is a letter's page.
func letterURL(id int64) string { return "/letters/" + strconv.FormatInt(id, 10) }

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
	lettersvc.UnsignedRow
	RegionName string
	Reminded   time.Time // the last reminder, zero when none
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

// letterYears are the years the filters offer: the templates' years, the
// current one and the next.
func (s *Server) letterYears(r *http.Request, extra ...int) ([]int, []letters.Template, error) {
	ts, err := s.app.LetterSvc.Templates(r.Context(), userOf(r), 0)
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
	rs, err := s.app.LetterSvc.IssueRegions(r.Context(), userOf(r))
	if err != nil {
		return nil, err
	}
	var out []option
	for _, rg := range rs {
		out = append(out, option{rg.Code, regionLabel(rg)})
	}
	return out, nil
}

// letterList serves the year's letters with the coverage panel.
func (s *Server) letterList(w http.ResponseWriter, r *http.Request) {
	s.renderLetters(w, r, http.StatusOK, nil, nil)
}

// renderLetters shows the list for the query of r; formErr comes from a
// failed action of the page (issue form's input in issue when it came from
// the issue or renew form, whose panel then opens).
func (s *Server) renderLetters(w http.ResponseWriter, r *http.Request, status int, formErr error, issue *issueForm) {
	u := userOf(r)
	svc := s.app.LetterSvc
	if !svc.CanReadAny(u) {
		s.forbidden(w, r)
		return
	}
	ctx := r.Context()
	p := printer(r)
	q := r.URL.Query()
	data := lettersPage{Page: s.page(r, "letters.title"), Statuses: letters.Statuses, Kinds: unit.Kinds,
		CanIssue: svc.CanIssue(u), CanTemplates: svc.CanEditTemplates(u), Back: r.URL.RequestURI()}
	if issue != nil {
		data.Issue = *issue
	}
	query, qerr := lettersvc.ParseQuery(q, s.thisYear())
	year := query.Year
	data.F = letterFilterForm{Year: year, Region: query.Region, Status: string(query.Status), Kind: string(query.Kind)}
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
	query.Page = store.Page{Page: atoiDefault(q.Get("page"), 1), Size: letterPageSize}.Clamp()
	list, total, err := svc.List(ctx, u, query)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, l := range list {
		data.Rows = append(data.Rows, letterRow{Letter: l, RegionName: names(l.UnitRegion)})
	}
	data.Total = total
	data.Pager = newPager(r, query.Page.Page, query.Page.Size, total)

	// The coverage panel, for those who read letters over a region (not
	// unit contacts), of the region chosen when it lies in their scope.
	cov, err := svc.Coverage(ctx, u, year, data.F.Region)
	switch {
	case apperr.Is(err, apperr.Forbidden), apperr.Is(err, apperr.NotFound):
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		data.ShowCoverage = true
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
		upage := store.Page{Page: atoiDefault(q.Get("upage"), 1), Size: unsignedPageSize}.Clamp()
		un, utotal, err := svc.Unsigned(ctx, u, year, data.F.Region, "", upage)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, x := range un {
			row := unsignedRow{UnsignedRow: x, RegionName: names(x.Region)}
			if x.RemindedAt != 0 {
				row.Reminded = time.UnixMilli(x.RemindedAt)
			}
			data.Unsigned = append(data.Unsigned, row)
		}
		data.UnsignedTotal = utotal
		data.UPager = pagerFor(r, "upage", upage.Page, upage.Size, utotal)
		// 全部提醒 reminds the issued, unsigned letters of the panel's region.
		data.CanRemindAll = data.Coverage.Issued > 0 && svc.CanRemindAll(u, data.F.Region)
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
	switch {
	case formErr != nil:
		data.withError(p, formErr)
		data.IssueOpen = issue != nil
	case qerr != nil:
		data.withError(p, qerr)
		status = statusFor(qerr)
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

// letterFormFailed answers a failed issue, renewal or reminder: the
// forbidden or not-found page, or the list of the year and region the form
// was about with the error (and the issue form's input, when it came from it).
func (s *Server) letterFormFailed(w http.ResponseWriter, r *http.Request, err error, form *issueForm, year, reg string) {
	switch apperr.As(err).Code {
	case apperr.Internal:
		s.serverError(w, r, err)
		return
	case apperr.Forbidden:
		s.forbidden(w, r)
		return
	case apperr.NotFound:
		s.notFound(w, r)
		return
	}
	q := url.Values{}
	if year != "" {
		q.Set("year", year)
	}
	if reg != "" && region.ValidCode(reg) {
		q.Set("region", reg)
	}
	r.URL.Path, r.URL.RawQuery = "/letters", q.Encode()
	s.renderLetters(w, r, statusFor(err), err, form)
}

// letterIssue issues a year's letters to every active unit of a region or to
// the units chosen, then shows the list of that year and region.
func (s *Server) letterIssue(w http.ResponseWriter, r *http.Request) {
	form := issueForm{Year: strings.TrimSpace(r.PostFormValue("year")), TemplateID: strings.TrimSpace(r.PostFormValue("template_id")),
		Region: strings.TrimSpace(r.PostFormValue("region")), UnitIDs: strings.Join(r.PostForm["unit_ids"], ", ")}
	fail := func(err error) { s.letterFormFailed(w, r, err, &form, form.Year, form.Region) }
	errs := apperr.Fields{}
	year, err := letters.ParseYear(form.Year, 0)
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
	if err := errs.Err(); err != nil {
		fail(err)
		return
	}
	res, err := s.app.LetterSvc.Issue(r.Context(), s.actor(r), userOf(r), lettersvc.IssueInput{Year: year, TemplateID: tid, Region: form.Region, UnitIDs: ids})
	if err != nil {
		fail(err)
		return
	}
	setFlash(w, issuedFlash(res, "flash.letters_issued"))
	q := url.Values{"year": {strconv.Itoa(res.Year)}}
	if c := region.AncestorAt(form.Region, region.Community); c != "" {
		q.Set("region", c)
	}
	if len(ids) == 1 && len(res.IDs) == 1 {
		http.Redirect(w, r, letterURL(res.IDs[0]), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/letters?"+q.Encode(), http.StatusSeeOther)
}

// issuedFlash is the flash after issuing or renewing: key, or that none was issued.
func issuedFlash(res lettersvc.Issued, key string) string {
	if res.Issued == 0 {
		return "flash.letters_none_issued"
	}
	return key
}

// letterRenew issues a year's letters to the units that had one the year
// before, in the region chosen or wherever the user may issue.
func (s *Server) letterRenew(w http.ResponseWriter, r *http.Request) {
	form := issueForm{Year: strings.TrimSpace(r.PostFormValue("year")), Region: strings.TrimSpace(r.PostFormValue("region"))}
	fail := func(err error) { s.letterFormFailed(w, r, err, &form, "", "") }
	year, err := letters.ParseYear(form.Year, 0)
	if err != nil {
		fail(err)
		return
	}
	res, err := s.app.LetterSvc.Renew(r.Context(), s.actor(r), userOf(r), lettersvc.RenewInput{Year: year, Region: form.Region})
	if err != nil {
		fail(err)
		return
	}
	setFlash(w, issuedFlash(res, "flash.letters_renewed"))
	http.Redirect(w, r, "/letters?year="+strconv.Itoa(res.Year), http.StatusSeeOther)
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
// a year in a region (or wherever the user may issue), then goes back to
// the page the button was on.
func (s *Server) letterRemindAll(w http.ResponseWriter, r *http.Request) {
	yv, reg := strings.TrimSpace(r.PostFormValue("year")), strings.TrimSpace(r.PostFormValue("region"))
	year, err := letters.ParseYear(yv, s.thisYear())
	if err != nil {
		s.letterFormFailed(w, r, err, nil, "", "")
		return
	}
	res, err := s.app.LetterSvc.RemindAll(r.Context(), s.actor(r), userOf(r), year, reg)
	if err != nil {
		s.letterFormFailed(w, r, err, nil, yv, "")
		return
	}
	if res.Letters == 0 {
		setFlash(w, "flash.letters_none_to_remind")
	} else {
		setFlash(w, "flash.letters_reminded")
	}
	http.Redirect(w, r, backTo(r, "/letters?year="+strconv.Itoa(year)), http.StatusSeeOther)
}
