package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The bulletin pages: the list with the publish form, a bulletin as
// frozen (with what changed since), its A4 print with the SHA-256 and a QR
// code to its verification page, its Excel export and raw snapshot; and the
// public pages: a public bulletin's ranking and the verification page.

// bulletinItem is a bulletin in the list.
type bulletinItem struct {
	store.Bulletin
	Published string
}

type assessBulletinsPage struct {
	Page
	Tabs      []NavItem
	Bulletins []bulletinItem
	Rubrics   []store.RubricRow
	IsAdmin   bool
	// The publish form as filled in.
	FormRubric, FormPeriod, FormTitle, FormSupersedes string
	FormPublic                                        bool
}

func (s *Server) bulletinsPage(r *http.Request) (assessBulletinsPage, error) {
	u := userOf(r)
	data := assessBulletinsPage{Page: s.page(r, "assess.bulletins_title"), Tabs: s.assessTabs(r), IsAdmin: u.CanSomewhere(auth.AssessAdmin),
		FormPeriod: assess.MonthOf(s.app.Assess.Now().In(s.app.Loc)).Key}
	list, err := s.app.Assess.Bulletins(r.Context(), u)
	if err != nil && !apperr.Is(err, apperr.Forbidden) {
		return data, err
	}
	for _, b := range list {
		data.Bulletins = append(data.Bulletins, bulletinItem{Bulletin: b, Published: time.UnixMilli(b.CreatedAt).In(s.app.Loc).Format("2006-01-02 15:04")})
	}
	if data.IsAdmin {
		rubrics, err := s.app.Assess.Rubrics(r.Context(), u, 0)
		if err != nil {
			return data, err
		}
		data.Rubrics = rubrics
	}
	return data, nil
}

// assessBulletins lists the bulletins, with the publish form for admins.
func (s *Server) assessBulletins(w http.ResponseWriter, r *http.Request) {
	if !mayAssess(userOf(r)) {
		s.forbidden(w, r)
		return
	}
	data, err := s.bulletinsPage(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assess_bulletins", data)
}

// assessPublish publishes a bulletin and opens it.
func (s *Server) assessPublish(w http.ResponseWriter, r *http.Request) {
	if r.ParseForm() != nil {
		s.notFound(w, r)
		return
	}
	f := r.PostForm
	rid, _ := strconv.ParseInt(f.Get("rubric"), 10, 64)
	sup, _ := strconv.ParseInt(f.Get("supersedes"), 10, 64)
	in := assesssvc.PublishInput{Rubric: rid, Period: f.Get("period"), Title: f.Get("title"), Public: f.Get("public") == "1", Supersedes: sup}
	b, err := s.app.Assess.Publish(r.Context(), s.actor(r), userOf(r), in)
	if err == nil {
		setFlash(w, "assess.published")
		http.Redirect(w, r, "/assess/bulletins/"+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
		return
	}
	switch apperr.As(err).Code {
	case apperr.Forbidden:
		s.forbidden(w, r)
		return
	case apperr.Internal:
		s.serverError(w, r, err)
		return
	}
	data, lerr := s.bulletinsPage(r)
	if lerr != nil {
		s.serverError(w, r, lerr)
		return
	}
	p := printer(r)
	data.withError(p, err)
	data.Error = p.Error(err)
	data.FormRubric, data.FormPeriod, data.FormTitle, data.FormSupersedes, data.FormPublic = f.Get("rubric"), f.Get("period"), f.Get("title"), f.Get("supersedes"), in.Public
	s.render(w, r, statusFor(err), "assess_bulletins", data)
}

// bulletinView is a bulletin as its snapshot holds it.
type bulletinView struct {
	store.Bulletin
	Published string // the publishing time, local, to the minute
	Snap      assesssvc.Snapshot
	Heads     []assess.Item
	Rows      []scoreRow
	Chart     template.HTML
}

// viewOf reads a bulletin's snapshot for a page; links open the frozen records (base "" for none).
func viewOf(b store.Bulletin, base string) (bulletinView, error) {
	sn, err := assesssvc.ParseSnapshot(b)
	if err != nil {
		return bulletinView{}, err
	}
	v := bulletinView{Bulletin: b, Snap: sn, Heads: sn.Rubric.Items, Rows: scoreRows(sn.Scores, sn.Rubric.ID, sn.Period.Key)}
	if t, err := time.Parse(time.RFC3339, sn.PublishedAt); err == nil {
		v.Published = t.Format("2006-01-02 15:04")
	}
	var labels []string
	var values []float64
	for i := range v.Rows {
		row := &v.Rows[i]
		row.Href = ""
		for j := range row.Items {
			row.Items[j].Href = ""
			if base != "" && sn.Scores[i].Items[j].Basis.Indicator != "" {
				row.Items[j].Href = base + "/records?" + url.Values{"subject": {row.Subject.ID}, "key": {string(sn.Scores[i].Items[j].Basis.Indicator)}}.Encode()
			}
		}
		labels, values = append(labels, row.Subject.Name), append(values, sn.Scores[i].Total)
	}
	v.Chart = hbarsSVG(labels, values, 100)
	return v, nil
}

type assessBulletinPage struct {
	Page
	Tabs    []NavItem
	B       bulletinView
	Changes []changeRow
	Checked bool
}

type changeRow struct {
	Subject, Item, Then, Now string
}

// bulletinOf loads the bulletin of the path for the signed-in person.
func (s *Server) bulletinOf(w http.ResponseWriter, r *http.Request) (store.Bulletin, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return store.Bulletin{}, false
	}
	b, err := s.app.Assess.Bulletin(r.Context(), userOf(r), id)
	return b, s.loaded(w, r, err)
}

// assessBulletin shows a bulletin as frozen, and what changed since in the records.
func (s *Server) assessBulletin(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bulletinOf(w, r)
	if !ok {
		return
	}
	v, err := viewOf(b, "/assess/bulletins/"+strconv.FormatInt(b.ID, 10))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := assessBulletinPage{Page: s.page(r, "assess.bulletin_title"), Tabs: s.assessTabs(r), B: v}
	data.Page.Title = b.Title
	changes, err := s.app.Assess.Compare(r.Context(), userOf(r), b)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		s.serverError(w, r, err)
		return
	}
	data.Checked = err == nil
	for _, c := range changes {
		item := c.Item
		if item == "" {
			item = printer(r).T("assess.total")
		}
		data.Changes = append(data.Changes, changeRow{Subject: c.Subject.Name, Item: item, Then: assesssvc.FmtNum(c.Then), Now: assesssvc.FmtNum(c.Now)})
	}
	s.render(w, r, http.StatusOK, "assess_bulletin", data)
}

// assessBulletinRecords lists the records a bulletin froze behind one figure.
func (s *Server) assessBulletinRecords(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bulletinOf(w, r)
	if !ok {
		return
	}
	sn, err := assesssvc.ParseSnapshot(b)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	q := r.URL.Query()
	key := assess.Key(q.Get("key"))
	d, ok := sn.Records[q.Get("subject")][key]
	def, known := assess.DefOf(key)
	if !ok || !known {
		s.notFound(w, r)
		return
	}
	p := printer(r)
	data := assessRecordsPage{Page: s.page(r, "assess.records_title"), Tabs: s.assessTabs(r), Indicator: p.T("assess.ind." + string(key)),
		Subject: q.Get("subject"), Period: b.Title + " · " + sn.Period.Key, Kind: d.Kind, Num: len(d.Num), Den: len(d.Den), HasDen: def.Rate}
	for _, sc := range sn.Scores {
		if sc.Subject.ID == q.Get("subject") {
			data.Subject = sc.Subject.Name
		}
	}
	in := map[string]bool{}
	for _, id := range d.Num {
		in[id] = true
		data.Records = append(data.Records, recordLink{ID: id, Label: id, Href: recordHref(d.Kind, id), InNum: true, InDen: !def.Rate || slicesContains(d.Den, id)})
	}
	for _, id := range d.Den {
		if !in[id] {
			data.Records = append(data.Records, recordLink{ID: id, Label: id, Href: recordHref(d.Kind, id), InDen: true})
		}
	}
	s.render(w, r, http.StatusOK, "assess_records", data)
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

type bulletinPrintPage struct {
	Page
	B         bulletinView
	VerifyURL string
	QR        template.URL
}

// verifyPath is the public verification page of a bulletin.
func verifyPath(id int64) string { return "/bulletins/" + strconv.FormatInt(id, 10) + "/verify" }

// assessBulletinPrint is the A4 print of a bulletin: the ranking, grades, a
// chart, the SHA-256 and a QR code to the verification page.
func (s *Server) assessBulletinPrint(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bulletinOf(w, r)
	if !ok {
		return
	}
	v, err := viewOf(b, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := bulletinPrintPage{Page: s.page(r, "assess.bulletin_title"), B: v, VerifyURL: s.baseURL(r) + verifyPath(b.ID)}
	data.Page.Title = b.Title
	png, err := letters.QRPNG(data.VerifyURL)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	s.render(w, r, http.StatusOK, "assess_bulletin_print", data)
}

// assessBulletinXLSX sends the bulletin's ranking as a workbook.
func (s *Server) assessBulletinXLSX(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bulletinOf(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := assesssvc.BulletinXLSX(&buf, printer(r), b); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="bulletin-`+strconv.FormatInt(b.ID, 10)+`.xlsx"`)
	w.Write(buf.Bytes())
}

// assessBulletinJSON sends the frozen snapshot's bytes, whose SHA-256 the bulletin shows.
func (s *Server) assessBulletinJSON(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bulletinOf(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="bulletin-`+strconv.FormatInt(b.ID, 10)+`.json"`)
	w.Write(b.Snapshot)
}

type publicBulletinPage struct {
	Page
	B bulletinView
}

// publicBulletin shows a public bulletin's ranking to anyone (no personal
// data: rankings of persons cannot be public); any other bulletin is 404
// without a session, and opens the staff page for one who may see it.
func (s *Server) publicBulletin(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	b, err := s.app.Assess.PublicBulletin(r.Context(), id)
	if err != nil {
		if u := userOf(r); u != nil && apperr.Is(err, apperr.NotFound) {
			if _, err := s.app.Assess.Bulletin(r.Context(), u, id); err == nil {
				http.Redirect(w, r, "/assess/bulletins/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
				return
			}
		}
		s.loaded(w, r, err)
		return
	}
	v, err := viewOf(b, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := publicBulletinPage{Page: s.page(r, "assess.bulletin_title"), B: v}
	data.Page.Title = b.Title
	s.render(w, r, http.StatusOK, "bulletin_public", data)
}

type verifyBulletinPage struct {
	Page
	B      store.Bulletin
	Period string
	Intact bool
}

// verifyBulletin is the page a printed bulletin's QR code opens: its
// title, period, date and SHA-256, and whether the stored snapshot still
// gives that hash. It shows no figures unless the bulletin is public.
func (s *Server) verifyBulletin(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	b, intact, err := s.app.Assess.VerifyBulletin(r.Context(), id)
	if !s.loaded(w, r, err) {
		return
	}
	data := verifyBulletinPage{Page: s.page(r, "assess.verify_title"), B: b, Period: b.Period, Intact: intact}
	s.render(w, r, http.StatusOK, "bulletin_verify", data)
}

// trimTitle shortens a label for a chart.
func trimTitle(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
