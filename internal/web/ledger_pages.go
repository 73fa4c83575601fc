package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The ledger list, its map data, the printable ledger and the Excel export
// (all under /cases, with the same filters as GET /api/v1/cases).

const (
	// casePageSize is how many cases one page of the ledger lists.
	casePageSize = 20
	// caseMapMax is how many cases the map shows at most.
	caseMapMax = 2000
	// casePrintMax is how many cases the printable ledger lists at most.
	casePrintMax = 2000
)

// caseFilterForm is the ledger filter as the form shows it.
type caseFilterForm = casesvc.Query

// parseCaseFilter reads the ledger's filters from the query, limited to what
// the user may see, exactly as the API does; bad values are field errors.
func (s *Server) parseCaseFilter(r *http.Request) (caseFilterForm, store.CaseFilter, error) {
	form := casesvc.ParseQuery(r.URL.Query())
	f, err := form.Filter(userOf(r), s.app.Cases.Now())
	f.Page = store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: casePageSize}.Clamp()
	return form, f, err
}

// filterQuery is the current filter as a query string without page, format
// and empty values, for the print and export links.
func filterQuery(r *http.Request) string {
	q := r.URL.Query()
	for _, k := range []string{"page", "format", "lang"} {
		q.Del(k)
	}
	for k, vs := range q {
		if len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			q.Del(k)
		}
	}
	return q.Encode()
}

// caseTimer is a case's deadline chip: the share of its time limit used
// and its colour (green, yellow, red; empty when no timer runs).
type caseTimer struct {
	Percent int
	Colour  string
}

func (s *Server) timerOf(ctx context.Context, c cases.Case) caseTimer {
	pct, colour := s.app.Cases.Timer(ctx, c)
	return caseTimer{Percent: int(pct + 0.5), Colour: colour}
}

// caseRow is one line of the ledger.
type caseRow struct {
	cases.Case
	CategoryName string
	GridName     string
	Timer        caseTimer
	Overdue      bool
	NoAfterPhoto bool
}

// categoryNames returns the category tree's names by code in lang, and the
// filter options: each group followed by its children, indented.
func (s *Server) categoryNames(ctx context.Context, lang string) (map[string]string, []option, error) {
	tree, err := s.app.DB.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	var opts []option
	for _, g := range tree {
		names[g.Code] = g.Name(lang)
		opts = append(opts, option{g.Code, g.Name(lang)})
		for _, c := range g.Children {
			names[c.Code] = c.Name(lang)
			opts = append(opts, option{c.Code, "　" + c.Name(lang)})
		}
	}
	return names, opts, nil
}

type casesPage struct {
	Page
	F          caseFilterForm
	Rows       []caseRow
	Total      int
	TotalMore  bool // more than store.TotalCap: shown as "10,000+"
	Pager      pager
	Query      string // the filter as a query string, for the map, print and export links
	Categories []option
	Regions    []option
	Statuses   []cases.Status
	Classes    []cases.Class
	Sources    []cases.Source
	Levels     []int
	Partial    bool // rendering the results alone, for an htmx swap
}

// TotalCap is store.TotalCap as the ledger shows a larger total: "10,000+".
func (casesPage) TotalCap() string {
	n := strconv.Itoa(store.TotalCap)
	for i := len(n) - 3; i > 0; i -= 3 {
		n = n[:i] + "," + n[i:]
	}
	return n + "+"
}

// QueryWith returns the print or export link of the current filter.
func (p casesPage) QueryWith(path, extra string) string {
	q := p.Query
	if extra != "" {
		if q != "" {
			q += "&"
		}
		q += extra
	}
	if q == "" {
		return path
	}
	return path + "?" + q
}

// caseList serves the ledger (台账): the filtered, sorted, paginated list,
// its htmx partial, and with format=xlsx the Excel export of the same filter.
func (s *Server) caseList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := printer(r)
	form, f, ferr := s.parseCaseFilter(r)
	if ferr == nil && r.URL.Query().Get("format") == "xlsx" {
		s.caseExport(w, r, f)
		return
	}
	data := casesPage{Page: s.page(r, "cases.title"), F: form, Query: filterQuery(r), Statuses: cases.Statuses, Classes: cases.Classes,
		Sources: cases.Sources, Levels: []int{cases.LevelStreet, cases.LevelCommunity, cases.LevelGrid}}
	catNames, catOpts, err := s.categoryNames(ctx, p.Lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Categories = catOpts
	regionOpts, _, err := s.regionOptions(r, region.Community)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Regions = regionOpts
	status := http.StatusOK
	if ferr != nil {
		data.withError(p, ferr)
		data.Pager = newPager(r, 1, casePageSize, 0)
		status = statusFor(ferr)
	} else {
		list, total, err := s.app.DB.CasesTotal(ctx, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		names, err := s.app.RegionNames(ctx)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		now := s.app.Cases.Now()
		for _, c := range list {
			data.Rows = append(data.Rows, caseRow{Case: c, CategoryName: catNames[c.Category], GridName: names(c.Region),
				Timer: s.timerOf(ctx, c), Overdue: c.Overdue(now), NoAfterPhoto: c.NoAfterPhoto(now)})
		}
		data.Total, data.TotalMore = total.N, total.More
		data.Pager = newPager(r, f.Page.Page, f.Page.Size, total.N)
	}
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "case-results" {
		// htmx swaps only successful answers; bad filters show inside the results.
		data.Partial = true
		s.renderPartial(w, r, "cases", "results", data)
		return
	}
	s.render(w, r, status, "cases", data)
}

// caseExport streams the cases of filter f as an Excel workbook.
func (s *Server) caseExport(w http.ResponseWriter, r *http.Request, f store.CaseFilter) {
	names, err := s.app.RegionNames(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := printer(r)
	name := p.T("export.filename") + "-" + s.app.Cases.Now().In(s.app.Loc).Format("20060102") + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "private, no-store")
	if err := s.app.Cases.ExportXLSX(r.Context(), w, p, f, names); err != nil {
		// The headers are gone; the download ends short and the log says why.
		s.app.Log.Error("export failed", "path", r.URL.Path, "err", err)
	}
}

// errEnough stops a streamed query once enough rows have been read.
var errEnough = errors.New("enough rows")

// eachCase calls fn for at most max cases of f, in f's order; it reports
// whether more cases matched.
func (s *Server) eachCase(ctx context.Context, f store.CaseFilter, max int, fn func(cases.Case)) (bool, error) {
	n, more := 0, false
	err := s.app.DB.EachCase(ctx, f, func(c cases.Case, _ string) error {
		if n == max {
			more = true
			return errEnough
		}
		n++
		fn(c)
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return more, err
}

// caseFeature is one case on the ledger map, a GeoJSON point.
type caseFeature struct {
	Type     string `json:"type"`
	Geometry struct {
		Type        string     `json:"type"`
		Coordinates [2]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties caseFeatureProps `json:"properties"`
}

type caseFeatureProps struct {
	Number      string `json:"number"`
	Category    string `json:"category"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	Overdue     bool   `json:"overdue"`
	URL         string `json:"url"`
}

// caseCollection is the ledger map's GeoJSON; Truncated says that more than
// Max cases matched and only the first Max are drawn.
type caseCollection struct {
	Type      string        `json:"type"`
	Features  []caseFeature `json:"features"`
	Max       int           `json:"max"`
	Truncated bool          `json:"truncated"`
	Note      string        `json:"note,omitempty"`
}

// caseMapData returns the cases of the current filter as GeoJSON points
// (at most caseMapMax), for the ledger's map view.
func (s *Server) caseMapData(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := printer(r)
	_, f, err := s.parseCaseFilter(r)
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "private, no-store")
	if err != nil {
		w.WriteHeader(statusFor(err))
		json.NewEncoder(w).Encode(map[string]string{"error": p.Error(err)})
		return
	}
	catNames, _, err := s.categoryNames(ctx, p.Lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.app.Cases.Now()
	fc := caseCollection{Type: "FeatureCollection", Features: []caseFeature{}, Max: caseMapMax}
	fc.Truncated, err = s.eachCase(ctx, f, caseMapMax, func(c cases.Case) {
		ft := caseFeature{Type: "Feature", Properties: caseFeatureProps{Number: c.Number, Category: catNames[c.Category], Status: string(c.Status),
			StatusLabel: p.T("case.status." + string(c.Status)), Overdue: c.Overdue(now), URL: "/cases/" + url.PathEscape(c.Number)}}
		ft.Geometry.Type = "Point"
		ft.Geometry.Coordinates = [2]float64{c.Lon, c.Lat}
		fc.Features = append(fc.Features, ft)
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if fc.Truncated {
		fc.Note = p.T("cases.map_truncated", caseMapMax)
	}
	json.NewEncoder(w).Encode(fc)
}

// printRow is one line of the printable ledger.
type printRow struct {
	cases.Case
	CategoryName string
	GridName     string
	Assignee     string
	Summary      string // short description
	Steps        []string
}

type casesPrintPage struct {
	Page
	Heading   string
	Range     string
	Rows      []printRow
	Total     int
	Truncated bool
	Max       int
	Query     string
	Printed   time.Time
	Filters   []string    // every filter but the dates, for the header (ledger_print_parts.go)
	Parts     []printPart // the parts of a ledger larger than one print
	Offset    int         // rows before this part
}

// ListURL is the ledger list of the same filter.
func (p casesPrintPage) ListURL() string {
	if p.Query == "" {
		return "/cases"
	}
	return "/cases?" + p.Query
}

// printStepMax is how many of the latest timeline steps a printed row shows.
const printStepMax = 6

// casePrint serves the printable ledger (A4 landscape) of the current filter.
func (s *Server) casePrint(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := printer(r)
	form, f, ferr := s.parseCaseFilter(r)
	data := casesPrintPage{Page: s.page(r, "cases.print_title"), Max: casePrintMax, Query: filterQuery(r), Printed: s.app.Cases.Now()}
	if ferr != nil {
		data.Heading = data.Title
		data.withError(p, ferr)
		s.render(w, r, statusFor(ferr), "cases_print", data)
		return
	}
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	catNames, _, err := s.categoryNames(ctx, p.Lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	place, err := s.printPlace(r, f, names)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Heading = p.T("cases.print_heading", place)
	data.Title = data.Heading
	switch {
	case f.From != "" && f.To != "":
		data.Range = p.T("cases.print_range", f.From, f.To)
	case f.From != "":
		data.Range = p.T("cases.print_from", f.From)
	case f.To != "":
		data.Range = p.T("cases.print_to", f.To)
	default:
		data.Range = p.T("cases.print_all_dates")
	}
	count := f
	count.Page, count.ExactTotal = store.Page{Size: 1}, true
	if _, data.Total, err = s.app.DB.Cases(ctx, count); err != nil {
		s.serverError(w, r, err)
		return
	}
	part := printPartOf(r)
	data.Offset = (part - 1) * casePrintMax
	data.Truncated = data.Total > casePrintMax
	data.Parts = printParts(withoutPart(data.Query), data.Total, casePrintMax, part)
	data.Filters = printFilters(p, form, names, catNames, func(id string) string {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			if un, err := s.app.Units.Get(ctx, userOf(r), n); err == nil {
				return un.Name
			}
		}
		return id
	})
	var list []cases.Case
	if err = s.eachCaseFrom(ctx, f, data.Offset, casePrintMax, func(c cases.Case) { list = append(list, c) }); err != nil {
		s.serverError(w, r, err)
		return
	}
	who := map[int64]string{} // person names by id
	for start := 0; start < len(list); start += 500 {
		batch := list[start:min(start+500, len(list))]
		ids := make([]int64, len(batch))
		for i, c := range batch {
			ids[i] = c.ID
		}
		events, err := s.app.DB.CaseEvents(ctx, ids)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, c := range batch {
			row := printRow{Case: c, CategoryName: catNames[c.Category], GridName: names(c.Region), Summary: truncateRunes(c.Description, 60),
				Assignee: s.assigneeName(ctx, c.Assignee, names, who)}
			evs := events[c.ID]
			if len(evs) > printStepMax {
				evs = evs[len(evs)-printStepMax:]
			}
			for _, e := range evs {
				row.Steps = append(row.Steps, e.At.In(s.app.Loc).Format("01-02")+" "+p.T("case.action."+string(e.Action)))
			}
			data.Rows = append(data.Rows, row)
		}
	}
	s.render(w, r, http.StatusOK, "cases_print", data)
}

// printPlace names what the printed ledger covers: the filtered region, or
// the streets (or district) the user sees.
func (s *Server) printPlace(r *http.Request, f store.CaseFilter, names func(string) string) (string, error) {
	if f.Region != "" {
		if n := names(f.Region); n != "" {
			return n, nil
		}
	}
	roots, err := s.app.RegionRoots(r.Context(), userOf(r))
	if err != nil {
		return "", err
	}
	var out []string
	seen := map[string]bool{}
	for _, root := range roots {
		code := root
		if region.LevelOf(root) > region.Street {
			code = region.AncestorAt(root, region.Street)
		}
		if n := names(code); n != "" && !seen[code] {
			seen[code] = true
			out = append(out, n)
		}
	}
	return strings.Join(out, "、"), nil
}

// assigneeName names an assignee reference: a person, a region or a unit;
// who caches person names across calls.
func (s *Server) assigneeName(ctx context.Context, ref string, names func(string) string, who map[int64]string) string {
	kind, v := cases.ParseAssignee(ref)
	switch kind {
	case "region":
		return names(v)
	case "person":
		id, _ := strconv.ParseInt(v, 10, 64)
		return s.personName(ctx, id, who)
	case "unit":
		id, _ := strconv.ParseInt(v, 10, 64)
		if un, err := s.app.DB.Unit(ctx, id); err == nil {
			return un.Name
		}
		return "#" + v
	}
	return ""
}

// personName returns a person's name, caching it in who.
func (s *Server) personName(ctx context.Context, id int64, who map[int64]string) string {
	if id == 0 {
		return ""
	}
	if n, ok := who[id]; ok {
		return n
	}
	n := "#" + strconv.FormatInt(id, 10)
	if ps, err := s.app.DB.Person(ctx, id); err == nil {
		n = ps.Name
	}
	who[id] = n
	return n
}

// truncateRunes shortens s to at most n characters, marking a cut with an ellipsis.
func truncateRunes(s string, n int) string {
	rs := []rune(strings.TrimSpace(s))
	if len(rs) <= n {
		return string(rs)
	}
	return string(rs[:n]) + "…"
}
