package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The assessment pages: the ranking of a rubric's period, a subject's
// score with the basis of every point (and the manual entry form), the
// records behind a figure, the indicators table; rubrics and bulletins are
// in assess_rubrics.go and assess_bulletins.go, the dashboard in
// assess_dashboard.go.

// mayAssess reports whether u sees any assessment page.
func mayAssess(u *auth.Principal) bool {
	return u.CanSomewhere(auth.AssessRead) || u.Has(people.Patroller)
}

// assessTabs are the tabs of the assessment pages.
func (s *Server) assessTabs(r *http.Request) []NavItem {
	u, p := userOf(r), printer(r)
	var out []NavItem
	add := func(ok bool, href, key string) {
		if ok {
			out = append(out, NavItem{Href: href, Label: p.T(key), Active: r.URL.Path == href || (href != "/assess" && strings.HasPrefix(r.URL.Path, href))})
		}
	}
	add(len(u.Scopes(auth.AssessRead)) > 0, "/dashboard", "assess.tab.dashboard")
	add(true, "/assess", "assess.tab.ranking")
	add(true, "/assess/indicators", "assess.tab.indicators")
	add(true, "/assess/rubrics", "assess.tab.rubrics")
	add(true, "/assess/bulletins", "assess.tab.bulletins")
	return out
}

// pct prints a rate as a percentage, "—" for no data.
func pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// recordsHref links a figure to the records behind it.
func recordsHref(key assess.Key, kind assess.SubjectKind, id, period string) string {
	return "/assess/records?" + url.Values{"key": {string(key)}, "subject": {string(kind)}, "id": {id}, "period": {period}}.Encode()
}

// scoreCell is one item of a subject's row.
type scoreCell struct {
	Key, Text, Href, Title string
	Manual                 bool
}

// scoreRow is a subject's line of a ranking.
type scoreRow struct {
	Rank    int
	Subject assess.Subject
	Href    string
	Total   string
	Grade   string
	Items   []scoreCell
}

// scoreRows turns scores into rows; every item links to its records (or,
// entered by hand, to the subject's page).
func scoreRows(sc []assess.Score, rubric int64, period string) []scoreRow {
	out := make([]scoreRow, 0, len(sc))
	for _, s := range sc {
		subj := "/assess/subject?" + url.Values{"rubric": {strconv.FormatInt(rubric, 10)}, "period": {period}, "id": {s.Subject.ID}}.Encode()
		row := scoreRow{Rank: s.Rank, Subject: s.Subject, Href: subj, Total: assesssvc.FmtNum(s.Total), Grade: s.Grade}
		for _, it := range s.Items {
			c := scoreCell{Key: it.Key, Text: assesssvc.FmtNum(it.Points), Href: subj, Manual: it.Basis.Manual}
			if it.Basis.Indicator != "" {
				c.Href = recordsHref(it.Basis.Indicator, s.Subject.Kind, s.Subject.ID, period)
				c.Title = string(it.Basis.Indicator) + " " + pct(it.Basis.Rate)
			}
			row.Items = append(row.Items, c)
		}
		out = append(out, row)
	}
	return out
}

type assessPage struct {
	Page
	Tabs    []NavItem
	Rubrics []store.RubricRow
	Rubric  store.RubricRow
	Period  string
	Heads   []assess.Item
	Rows    []scoreRow
	IsAdmin bool
}

// assessRanking shows a rubric applied to a period: the ranking with
// every point linked to its records.
func (s *Server) assessRanking(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !mayAssess(u) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	data := assessPage{Page: s.page(r, "assess.ranking_title"), Tabs: s.assessTabs(r), Period: strings.TrimSpace(q.Get("period")), IsAdmin: u.CanSomewhere(auth.AssessAdmin)}
	if data.Period == "" {
		data.Period = assess.MonthOf(s.app.Assess.Now().In(s.app.Loc)).Key
	}
	list, err := s.app.Assess.Rubrics(r.Context(), u, 0)
	if err != nil && !apperr.Is(err, apperr.Forbidden) {
		s.serverError(w, r, err)
		return
	}
	data.Rubrics = list
	id, _ := strconv.ParseInt(q.Get("rubric"), 10, 64)
	if id == 0 {
		for _, rb := range list {
			if rb.Kind == assess.Community {
				id = rb.ID
				break
			}
		}
		if id == 0 && len(list) > 0 {
			id = list[0].ID
		}
	}
	if id == 0 {
		s.render(w, r, http.StatusOK, "assess", data)
		return
	}
	sh, err := s.app.Assess.Scores(r.Context(), u, id, data.Period)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.As(err).Code == apperr.Internal {
			s.loaded(w, r, err)
			return
		}
		data.withError(printer(r), err)
		s.render(w, r, statusFor(err), "assess", data)
		return
	}
	data.Rubric, data.Heads, data.Period = sh.Rubric, sh.Rubric.Items, sh.Period.Key
	data.Rows = scoreRows(sh.Scores, sh.Rubric.ID, sh.Period.Key)
	s.render(w, r, http.StatusOK, "assess", data)
}

// basisLine is one item of a subject's score with its basis in words.
type basisLine struct {
	Key, Name, Points, Max, Figure, Href, Reason string
	Manual, NoData, Editable                     bool
}

type assessSubjectPage struct {
	Page
	Tabs    []NavItem
	Rubric  store.RubricRow
	Period  string
	Score   assess.Score
	Total   string
	Lines   []basisLine
	IsAdmin bool
	// The manual form as filled in, after an error.
	FormItem, FormPoints, FormReason string
}

// loadSubject builds a subject's page from the query (rubric, period, id).
func (s *Server) loadSubject(w http.ResponseWriter, r *http.Request, rubric, period, id string) (assessSubjectPage, bool) {
	u, p := userOf(r), printer(r)
	data := assessSubjectPage{Page: s.page(r, "assess.subject_title"), Tabs: s.assessTabs(r), IsAdmin: u.CanSomewhere(auth.AssessAdmin)}
	rid, err := strconv.ParseInt(rubric, 10, 64)
	if err != nil || rid <= 0 {
		s.notFound(w, r)
		return data, false
	}
	sh, err := s.app.Assess.Scores(r.Context(), u, rid, period)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.render(w, r, statusFor(err), "error", errorPage{Page: s.page(r, "err.invalid"), Message: p.Error(err)})
			return data, false
		}
		s.loaded(w, r, err)
		return data, false
	}
	found := false
	for _, sc := range sh.Scores {
		if sc.Subject.ID == id {
			data.Score, found = sc, true
		}
	}
	if !found {
		s.notFound(w, r)
		return data, false
	}
	data.Rubric, data.Period, data.Total = sh.Rubric, sh.Period.Key, assesssvc.FmtNum(data.Score.Total)
	data.Title = data.Score.Subject.Name + " · " + sh.Rubric.Title
	for i, it := range data.Score.Items {
		l := basisLine{Key: it.Key, Name: it.Name, Points: assesssvc.FmtNum(it.Points), Max: assesssvc.FmtNum(it.Max), Manual: it.Basis.Manual,
			Reason: it.Basis.Reason, NoData: it.Basis.NoData, Editable: data.IsAdmin}
		b := it.Basis
		if b.Indicator != "" {
			l.Href = recordsHref(b.Indicator, data.Score.Subject.Kind, id, data.Period)
			name := p.T("assess.ind." + string(b.Indicator))
			switch {
			case b.Events != nil:
				l.Figure = p.T("assess.basis.events", name, assesssvc.FmtNum(*b.Events), assesssvc.FmtNum(sh.Rubric.Items[i].Per))
			case b.Den != nil:
				l.Figure = p.T("assess.basis.rate", name, assesssvc.FmtNum(*b.Num), assesssvc.FmtNum(*b.Den), pct(b.Rate))
			default:
				l.Figure = p.T("assess.basis.count", name, assesssvc.FmtNum(*b.Num))
			}
		} else if b.Manual && b.Reason == "" {
			l.Figure = p.T("assess.basis.manual_default")
		}
		data.Lines = append(data.Lines, l)
	}
	return data, true
}

// assessSubject shows one subject's score with the basis of every point.
func (s *Server) assessSubject(w http.ResponseWriter, r *http.Request) {
	if !mayAssess(userOf(r)) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	data, ok := s.loadSubject(w, r, q.Get("rubric"), q.Get("period"), q.Get("id"))
	if ok {
		s.render(w, r, http.StatusOK, "assess_subject", data)
	}
}

// assessManual enters a manual score with its reason, then shows the subject again.
func (s *Server) assessManual(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.notFound(w, r)
		return
	}
	f := r.PostForm
	rid, _ := strconv.ParseInt(f.Get("rubric"), 10, 64)
	in := assesssvc.ManualInput{Rubric: rid, Period: f.Get("period"), Subject: f.Get("id"), Item: f.Get("item"), Reason: f.Get("reason")}
	if v := strings.TrimSpace(f.Get("points")); v != "" {
		if pts, err := strconv.ParseFloat(v, 64); err == nil {
			in.Points = &pts
		} else {
			nan := -1.0
			in.Points = &nan
		}
	}
	_, err := s.app.Assess.SetManual(r.Context(), s.actor(r), userOf(r), in)
	next := "/assess/subject?" + url.Values{"rubric": {f.Get("rubric")}, "period": {f.Get("period")}, "id": {f.Get("id")}}.Encode()
	s.saved(w, r, err, next, func() {
		if apperr.Is(err, apperr.Forbidden) {
			s.forbidden(w, r)
			return
		}
		data, ok := s.loadSubject(w, r, f.Get("rubric"), f.Get("period"), f.Get("id"))
		if !ok {
			return
		}
		data.withError(printer(r), err)
		data.Error = printer(r).Error(err)
		data.FormItem, data.FormPoints, data.FormReason = f.Get("item"), f.Get("points"), f.Get("reason")
		s.render(w, r, statusFor(err), "assess_subject", data)
	})
}

// recordLink is one record behind a figure, with the page that opens it.
type recordLink struct {
	ID, Label, Href string
	InNum, InDen    bool
}

type assessRecordsPage struct {
	Page
	Tabs      []NavItem
	Indicator string
	Subject   string
	Period    string
	Kind      string
	Num, Den  int
	HasDen    bool
	Records   []recordLink
}

// recordHref is the page of a record of kind.
func recordHref(kind, id string) string {
	switch kind {
	case "case":
		return "/cases/" + url.PathEscape(id)
	case "patrol":
		if g, d, ok := strings.Cut(id, "/"); ok {
			return "/patrols/day?" + url.Values{"region": {g}, "date": {d}}.Encode()
		}
		return "/patrols/" + id
	case "unit":
		return "/units/" + id
	case "inspection":
		return "/inspections/" + id
	case "campaign":
		c, _, _ := strings.Cut(id, ":")
		return "/campaigns/" + c
	case "outreach":
		k, n, _ := strings.Cut(id, ":")
		switch k {
		case "lecture":
			return "/lectures/" + n
		case "quiz":
			return "/quizzes/" + n
		}
		return "/publicity/" + n
	case "notice":
		n, _, _ := strings.Cut(id, ":")
		return "/notices/" + n + "/receipts"
	}
	return ""
}

// assessRecords lists the records behind one figure, each opening its own page.
func (s *Server) assessRecords(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !mayAssess(u) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	p := printer(r)
	d, err := s.app.Assess.Records(r.Context(), u, assesssvc.RecordsQuery{Key: q.Get("key"), Subject: q.Get("subject"), ID: q.Get("id"), Period: q.Get("period")})
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.render(w, r, statusFor(err), "error", errorPage{Page: s.page(r, "err.invalid"), Message: p.Error(err)})
			return
		}
		s.loaded(w, r, err)
		return
	}
	def, _ := assess.DefOf(assess.Key(q.Get("key")))
	data := assessRecordsPage{Page: s.page(r, "assess.records_title"), Tabs: s.assessTabs(r), Indicator: p.T("assess.ind." + q.Get("key")), Subject: q.Get("id"),
		Period: q.Get("period"), Kind: d.Kind, Num: len(d.Num), Den: len(d.Den), HasDen: def.Rate}
	if data.Period == "" {
		data.Period = assess.MonthOf(s.app.Assess.Now().In(s.app.Loc)).Key
	}
	if len(q.Get("id")) == 15 {
		if reg, err := s.app.DB.Region(r.Context(), q.Get("id")); err == nil {
			data.Subject = reg.Name
		}
	}
	in := map[string]bool{}
	for _, id := range d.Num {
		in[id] = true
		data.Records = append(data.Records, recordLink{ID: id, Label: id, Href: recordHref(d.Kind, id), InNum: true, InDen: !def.Rate})
	}
	for _, id := range d.Den {
		if in[id] {
			for i := range data.Records {
				if data.Records[i].ID == id {
					data.Records[i].InDen = true
				}
			}
			continue
		}
		data.Records = append(data.Records, recordLink{ID: id, Label: id, Href: recordHref(d.Kind, id), InDen: true})
	}
	s.render(w, r, http.StatusOK, "assess_records", data)
}

// indicatorCell is one figure of the indicators table.
type indicatorCell struct{ Text, Href, Title string }

type assessIndicatorsPage struct {
	Page
	Tabs   []NavItem
	Kind   string
	Kinds  []assess.SubjectKind
	Period string
	Keys   []assess.Key
	Rows   []indicatorRow
}

type indicatorRow struct {
	Subject assess.Subject
	Cells   []indicatorCell
}

// assessIndicators shows every indicator of the subjects of a kind, each a link to its records.
func (s *Server) assessIndicators(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !mayAssess(u) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	p := printer(r)
	data := assessIndicatorsPage{Page: s.page(r, "assess.indicators_title"), Tabs: s.assessTabs(r), Kind: q.Get("subject"), Kinds: assess.SubjectKinds, Period: q.Get("period")}
	if data.Kind == "" {
		data.Kind = string(assess.Community)
		if !u.CanSomewhere(auth.AssessRead) {
			data.Kind = string(assess.Person)
		}
	}
	list, per, err := s.app.Assess.Indicators(r.Context(), u, assesssvc.IndicatorQuery{Subject: data.Kind, Period: data.Period, Region: q.Get("region")})
	if err != nil {
		if apperr.As(err).Code == apperr.Invalid {
			data.withError(p, err)
			data.Error = p.Error(err)
			s.render(w, r, statusFor(err), "assess_indicators", data)
			return
		}
		if apperr.Is(err, apperr.Forbidden) {
			s.forbidden(w, r)
			return
		}
		s.loaded(w, r, err)
		return
	}
	data.Period = per.Key
	for _, d := range assess.Defs {
		if d.Applies(assess.SubjectKind(data.Kind)) {
			data.Keys = append(data.Keys, d.Key)
		}
	}
	for _, sf := range list {
		row := indicatorRow{Subject: sf.Subject}
		for _, k := range data.Keys {
			v := sf.Values[k]
			c := indicatorCell{Href: recordsHref(k, sf.Subject.Kind, sf.Subject.ID, per.Key)}
			if v.HasDen {
				c.Text = pct(v.Rate())
				c.Title = assesssvc.FmtNum(v.Num) + " / " + assesssvc.FmtNum(v.Den)
			} else {
				c.Text = assesssvc.FmtNum(v.Num)
			}
			row.Cells = append(row.Cells, c)
		}
		data.Rows = append(data.Rows, row)
	}
	s.render(w, r, http.StatusOK, "assess_indicators", data)
}

// assessRoutes registers the assessment pages and the dashboard; in wraps
// a handler for signed-in people.
func (s *Server) assessRoutes(mux *http.ServeMux, in func(string, http.HandlerFunc)) {
	in("GET /dashboard", s.dashboard)
	in("POST /dashboard/air", s.dashboardAir)
	in("GET /assess", s.assessRanking)
	in("GET /assess/indicators", s.assessIndicators)
	in("GET /assess/records", s.assessRecords)
	in("GET /assess/subject", s.assessSubject)
	in("POST /assess/manual", s.assessManual)
	in("GET /assess/rubrics", s.assessRubrics)
	in("POST /assess/rubrics/defaults", s.assessDefaults)
	in("GET /assess/rubrics/{id}", s.assessRubric)
	in("POST /assess/rubrics/{id}", s.assessRubricSave)
	in("POST /assess/rubrics/{id}/copy", s.assessCopy)
	in("GET /assess/bulletins", s.assessBulletins)
	in("POST /assess/bulletins", s.assessPublish)
	in("GET /assess/bulletins/{id}", s.assessBulletin)
	in("GET /assess/bulletins/{id}/records", s.assessBulletinRecords)
	in("GET /assess/bulletins/{id}/print", s.assessBulletinPrint)
	in("GET /assess/bulletins/{id}/bulletin.xlsx", s.assessBulletinXLSX)
	in("GET /assess/bulletins/{id}/snapshot.json", s.assessBulletinJSON)
	// Public: a bulletin made public, and the page a printed bulletin's QR code opens.
	mux.HandleFunc("GET /bulletins/{id}", s.publicBulletin)
	mux.HandleFunc("GET /bulletins/{id}/verify", s.verifyBulletin)
}
