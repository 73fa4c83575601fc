package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The weekly inspections (issue 10): the month's inspections per community,
// one inspection's page (agenda, scored sheet, findings, acknowledgement,
// closing), and the forms that act on it. Every action calls the
// inspection service, as the API does.

// inspectURL is the page of an inspection.
func inspectURL(id int64) string { return "/inspections/" + strconv.FormatInt(id, 10) }

// inspectCell is one inspection in the month's table.
type inspectCell struct {
	ID     int64
	Date   string
	Status string
	Score  string
	Max    int
	Extra  bool
}

// inspectRow is one community's line of the month.
type inspectRow struct {
	Code, Name string
	Weeks      [][]inspectCell
}

type inspectListPage struct {
	Page
	Month, Prev, Next string
	Weeks             []string // the Mondays of the month's weeks
	Rows              []inspectRow
	CanPlan           bool
	MonthFrom         string
	MonthTo           string
	Communities       []option
	Today             string
	ThisWeek          string
}

// inspectionsPage shows the month's inspections (?month=YYYY-MM) per community and week.
func (s *Server) inspectionsPage(w http.ResponseWriter, r *http.Request) {
	s.renderInspections(w, r, http.StatusOK, r.URL.Query().Get("month"), nil)
}

// renderInspections shows the month, with the error of a form that came back.
func (s *Server) renderInspections(w http.ResponseWriter, r *http.Request, status int, monthText string, ferr error) {
	u := userOf(r)
	ctx := r.Context()
	if !u.CanSomewhere(auth.InspectRead) {
		s.forbidden(w, r)
		return
	}
	now := s.app.Inspect.Now().In(s.app.Loc)
	month, err := time.ParseInLocation("2006-01", monthText, s.app.Loc)
	if err != nil || month.Before(now.AddDate(-4, 0, 0)) || month.After(now.AddDate(4, 0, 0)) {
		// A month that does not parse, or lies outside the range inspections may have: this month.
		month = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.app.Loc)
	}
	last := month.AddDate(0, 1, -1)
	data := inspectListPage{Page: s.page(r, "inspect.title"), Month: month.Format("2006-01"), Prev: month.AddDate(0, -1, 0).Format("2006-01"),
		Next: month.AddDate(0, 1, 0).Format("2006-01"), CanPlan: u.CanSomewhere(auth.InspectPlan), MonthFrom: month.Format(inspect.DateLayout),
		MonthTo: last.Format(inspect.DateLayout), Today: now.Format(inspect.DateLayout), ThisWeek: inspect.Monday(now).Format(inspect.DateLayout)}
	comms, err := s.app.Inspect.Communities(ctx, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var mondays []time.Time
	for m := inspect.Monday(month); !m.After(last); m = m.AddDate(0, 0, 7) {
		mondays = append(mondays, m)
		data.Weeks = append(data.Weeks, m.Format(inspect.DateLayout))
	}
	rows := map[string]*inspectRow{}
	for _, c := range comms {
		row := &inspectRow{Code: c.Code, Name: c.Name, Weeks: make([][]inspectCell, len(mondays))}
		rows[c.Code] = row
		if u.Can(auth.InspectPlan, auth.Target{Region: c.Code}) {
			data.Communities = append(data.Communities, option{c.Code, c.Name})
		}
	}
	from, to := mondays[0].Format(inspect.DateLayout), mondays[len(mondays)-1].AddDate(0, 0, 6).Format(inspect.DateLayout)
	for page := 1; ; page++ {
		list, total, err := s.app.Inspect.List(ctx, u, inspectsvc.Query{From: from, To: to, Page: storePage(page, 100)})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, in := range list {
			row := rows[in.Region]
			if row == nil {
				continue
			}
			d, _ := time.ParseInLocation(inspect.DateLayout, in.Date, s.app.Loc)
			wk := int(inspect.Monday(d).Sub(mondays[0]).Hours()/24) / 7
			if wk >= 0 && wk < len(row.Weeks) {
				row.Weeks[wk] = append(row.Weeks[wk], inspectCell{ID: in.ID, Date: in.Date, Status: string(in.Status), Score: scoreText(in.Score), Max: in.Max, Extra: in.Slot == ""})
			}
		}
		if page*100 >= total {
			break
		}
	}
	for _, c := range comms {
		data.Rows = append(data.Rows, *rows[c.Code])
	}
	if ferr != nil {
		data.withError(printer(r), ferr)
		data.Error = printer(r).Error(ferr)
	}
	s.render(w, r, status, "inspections", data)
}

// inspectionsSchedule makes the weekly inspections of a date range, then shows the month.
func (s *Server) inspectionsSchedule(w http.ResponseWriter, r *http.Request) {
	from, to := r.PostFormValue("from"), r.PostFormValue("to")
	made, err := s.app.Inspect.Schedule(r.Context(), s.actor(r), userOf(r), from, to)
	month := ""
	if d, perr := time.Parse(inspect.DateLayout, strings.TrimSpace(from)); perr == nil {
		month = d.Format("2006-01")
	}
	if err != nil {
		s.inspectFormFailed(w, r, month, err)
		return
	}
	setFlash(w, "flash.inspect_scheduled")
	if len(made) == 0 {
		setFlash(w, "flash.inspect_scheduled_none")
	}
	http.Redirect(w, r, "/inspections?month="+url.QueryEscape(month), http.StatusSeeOther)
}

// inspectionsCreate adds an extra inspection, then opens its page.
func (s *Server) inspectionsCreate(w http.ResponseWriter, r *http.Request) {
	in, err := s.app.Inspect.Create(r.Context(), s.actor(r), userOf(r), inspectsvc.Extra{Region: r.PostFormValue("region"), Date: r.PostFormValue("date")})
	if err != nil {
		s.inspectFormFailed(w, r, "", err)
		return
	}
	setFlash(w, "flash.inspect_added")
	http.Redirect(w, r, inspectURL(in.ID), http.StatusSeeOther)
}

// inspectFormFailed shows the month again with the error of its forms
// (403 for those who may not plan, 422 naming the field).
func (s *Server) inspectFormFailed(w http.ResponseWriter, r *http.Request, month string, err error) {
	switch apperr.As(err).Code {
	case apperr.Internal:
		s.serverError(w, r, err)
	case apperr.Forbidden:
		s.forbidden(w, r)
	default:
		s.renderInspections(w, r, statusFor(err), month, err)
	}
}

// inspectListFailed shows an error of the month page's forms on a plain error page.
func (s *Server) inspectListFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch apperr.As(err).Code {
	case apperr.Internal:
		s.serverError(w, r, err)
		return
	case apperr.NotFound:
		s.notFound(w, r)
		return
	}
	p := printer(r)
	s.render(w, r, statusFor(err), "error", errorPage{Page: s.page(r, "inspect.title"), Message: p.Error(err)})
}

// ---- One inspection ----

// caseLink is a case on the agenda.
type caseLink struct{ Number string }

// gapLink is a grid with its days of missed or doubtful patrols.
type gapLink struct {
	Grid, Name string
	Days       []inspect.GridDay
}

// refLink is a record named on the agenda, with its words.
type refLink struct {
	ID    string
	Label string
	Href  string
}

// agendaView is the agenda as the page shows it.
type agendaView struct {
	inspect.Agenda
	Gaps     []gapLink
	Hotspots []refLink
	Problems []refLink
	Units    []refLink
}

// itemView is one line of the sheet with what the form shows.
type itemView struct {
	inspect.Item
	InspID int64
	Value  string // the score as typed or stored
}

type inspectPage struct {
	Page
	V            inspectsvc.View
	Community    string
	Agenda       agendaView
	Items        []itemView
	Inspectors   []string
	AckName      string
	AckErr       string
	SigErr       string
	Open         string // the form that came back with an error
	MovedDate    string
	Reason       string
	StatusKey    string
	ScoreText    string
	MaxItemPhoto int
}

// Can reports whether the page offers action a.
func (p inspectPage) Can(a string) bool { return p.V.Can(inspect.Action(a)) }

// scoreText writes a score without needless decimals.
func scoreText(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// loadInspection reads the inspection of the path as the user sees it; one
// they may not read is not found.
func (s *Server) loadInspection(w http.ResponseWriter, r *http.Request) (inspectsvc.View, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return inspectsvc.View{}, false
	}
	v, err := s.app.Inspect.Get(r.Context(), userOf(r), id)
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.notFound(w, r)
		return v, false
	case apperr.Is(err, apperr.Forbidden):
		s.forbidden(w, r)
		return v, false
	case err != nil:
		s.serverError(w, r, err)
		return v, false
	}
	return v, true
}

// inspectPageData builds the inspection page.
func (s *Server) inspectPageData(r *http.Request, v inspectsvc.View) (inspectPage, error) {
	ctx := r.Context()
	p := printer(r)
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		return inspectPage{}, err
	}
	data := inspectPage{Page: s.page(r, "inspect.sheet_title"), V: v, Community: names(v.Region), AckName: userOf(r).Name,
		StatusKey: "inspect.status." + string(v.Status), ScoreText: scoreText(v.Score), MaxItemPhoto: inspectsvc.MaxItemPhotos}
	data.Title = data.Community + " · " + v.Date
	for _, it := range v.Items {
		data.Items = append(data.Items, itemView{Item: it, InspID: v.ID, Value: scoreText(it.Score)})
	}
	for _, id := range v.Inspectors {
		if pp, err := s.app.DB.Person(ctx, id); err == nil {
			data.Inspectors = append(data.Inspectors, pp.Name)
		}
	}
	ag := agendaView{Agenda: v.Agenda}
	// One line per grid, its days after it: a week of a community's grids fits a phone's screen.
	for _, g := range v.Agenda.PatrolGaps {
		if n := len(ag.Gaps); n == 0 || ag.Gaps[n-1].Grid != g.Grid {
			ag.Gaps = append(ag.Gaps, gapLink{Grid: g.Grid, Name: names(g.Grid)})
		}
		last := &ag.Gaps[len(ag.Gaps)-1]
		last.Days = append(last.Days, g)
	}
	if len(v.Agenda.Hotspots) > 0 {
		hs, err := s.app.Inspect.Hotspots(ctx, userOf(r), v.Region, inspect.DefaultWeeks)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return data, err
		}
		byID := map[string]inspectsvc.HotspotView{}
		for _, h := range hs {
			byID[h.ID] = h
		}
		_, cats, err := s.categoryChoices(ctx, p.Lang)
		if err != nil {
			return data, err
		}
		for _, id := range v.Agenda.Hotspots {
			label := id
			if h, ok := byID[id]; ok {
				label = p.T("inspect.hotspot_label."+string(h.Kind), cats[h.Category], len(h.Cases))
			}
			ag.Hotspots = append(ag.Hotspots, refLink{ID: id, Label: label, Href: "/hotspots?region=" + v.Region + "#" + hotspotAnchor(id)})
		}
	}
	for _, id := range v.Agenda.Problems {
		label := "#" + strconv.FormatInt(id, 10)
		if pr, err := s.app.DB.Problem(ctx, id); err == nil {
			label = pr.Title
		}
		ag.Problems = append(ag.Problems, refLink{ID: strconv.FormatInt(id, 10), Label: label, Href: "/problems/" + strconv.FormatInt(id, 10)})
	}
	for i, id := range v.Agenda.UnsignedUnits {
		if i >= 30 {
			break // the rest are counted
		}
		label := "#" + strconv.FormatInt(id, 10)
		if un, err := s.app.DB.Unit(ctx, id); err == nil {
			label = un.Name
		}
		ag.Units = append(ag.Units, refLink{ID: strconv.FormatInt(id, 10), Label: label, Href: "/units/" + strconv.FormatInt(id, 10)})
	}
	data.Agenda = ag
	return data, nil
}

// hotspotAnchor turns a hotspot id into an HTML id.
func hotspotAnchor(id string) string {
	return "hs-" + strings.NewReplacer(":", "-", ".", "-").Replace(id)
}

// inspectionDetail shows one inspection.
func (s *Server) inspectionDetail(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadInspection(w, r)
	if !ok {
		return
	}
	data, err := s.inspectPageData(r, v)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "inspection", data)
}

// inspectFailed shows the inspection again, as it now stands, with the
// error of a failed form: 403, 409, 413 or 422 (the fields beside their inputs).
func (s *Server) inspectFailed(w http.ResponseWriter, r *http.Request, open string, err error, keep func(*inspectPage)) {
	switch apperr.As(err).Code {
	case apperr.NotFound:
		s.notFound(w, r)
		return
	case apperr.Internal:
		s.serverError(w, r, err)
		return
	}
	v, ok := s.loadInspection(w, r)
	if !ok {
		return
	}
	data, derr := s.inspectPageData(r, v)
	if derr != nil {
		s.serverError(w, r, derr)
		return
	}
	data.withError(printer(r), err)
	data.Error = printer(r).Error(err)
	data.Open = open
	if keep != nil {
		keep(&data)
	}
	s.render(w, r, statusFor(err), "inspection", data)
}

// inspectDone goes back to the inspection with a flash.
func (s *Server) inspectDone(w http.ResponseWriter, r *http.Request, id int64, flash, anchor string) {
	setFlash(w, flash)
	u := inspectURL(id)
	if anchor != "" {
		u += "#" + anchor
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// inspectionAct handles the forms without fields of their own: open, agenda, close, correct.
func (s *Server) inspectionAct(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx, who, u := r.Context(), s.actor(r), userOf(r)
	var err error
	var next int64 = id
	flash, anchor := "", ""
	switch r.PathValue("act") {
	case "open":
		_, err = s.app.Inspect.Open(ctx, who, u, id)
		flash, anchor = "flash.inspect_opened", "agenda"
	case "agenda":
		_, err = s.app.Inspect.Refresh(ctx, who, u, id)
		flash, anchor = "flash.inspect_agenda", "agenda"
	case "close":
		_, err = s.app.Inspect.Close(ctx, who, u, id)
		flash = "flash.inspect_closed"
	case "correct":
		var c inspectsvc.View
		c.Inspection, err = s.app.Inspect.Correct(ctx, who, u, id)
		next, flash = c.ID, "flash.inspect_correcting"
	case "move":
		_, err = s.app.Inspect.Move(ctx, who, u, id, r.PostFormValue("date"), r.PostFormValue("reason"))
		flash = "flash.inspect_moved"
	case "cancel":
		_, err = s.app.Inspect.Cancel(ctx, who, u, id, r.PostFormValue("reason"))
		flash = "flash.inspect_cancelled"
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		act := r.PathValue("act")
		s.inspectFailed(w, r, act, err, func(p *inspectPage) { p.MovedDate, p.Reason = r.PostFormValue("date"), r.PostFormValue("reason") })
		return
	}
	s.inspectDone(w, r, next, flash, anchor)
}

// inspectionScores saves the sheet's scores and notes (score_<key>, note_<key>).
func (s *Server) inspectionScores(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadInspection(w, r)
	if !ok {
		return
	}
	var scores []inspect.Score
	f := apperr.Fields{}
	typed := map[string]string{}
	for _, it := range v.Items {
		raw := strings.TrimSpace(r.PostFormValue("score_" + it.Key))
		typed[it.Key] = raw
		if raw == "" {
			continue
		}
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			f.Add("items", "err.inspect.score_range", it.Title, it.Key, it.Max)
			continue
		}
		scores = append(scores, inspect.Score{Key: it.Key, Score: n, Note: r.PostFormValue("note_" + it.Key)})
	}
	err := f.Err()
	if err == nil {
		_, err = s.app.Inspect.Score(r.Context(), s.actor(r), userOf(r), v.ID, scores)
	}
	if err != nil {
		s.inspectFailed(w, r, "score", err, func(p *inspectPage) {
			for i := range p.Items {
				p.Items[i].Value = typed[p.Items[i].Key]
				p.Items[i].Note = r.PostFormValue("note_" + p.Items[i].Key)
			}
		})
		return
	}
	s.inspectDone(w, r, v.ID, "flash.inspect_scored", "sheet")
}

// inspectionPhotoUpload adds a photo to an item (fields item and photo).
func (s *Server) inspectionPhotoUpload(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, photo.DefaultMaxBytes+64<<10)
	file, _, err := r.FormFile("photo")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = apperr.Field("photo", "err.photo_too_large", photo.DefaultMaxBytes>>20)
			apperr.As(err).Code = apperr.TooLarge
		} else {
			err = apperr.Field("photo", "err.required")
		}
		s.inspectFailed(w, r, "photo", err, nil)
		return
	}
	defer file.Close()
	if _, err := s.app.Inspect.AddPhoto(r.Context(), s.actor(r), userOf(r), id, r.FormValue("item"), file); err != nil {
		s.inspectFailed(w, r, "photo", err, nil)
		return
	}
	s.inspectDone(w, r, id, "flash.inspect_photo", "item-"+r.FormValue("item"))
}

// inspectionPhoto serves an item's photo to those who may read the inspection.
func (s *Server) inspectionPhoto(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadInspection(w, r)
	if !ok {
		return
	}
	pid := r.PathValue("photo")
	found := false
	for _, it := range v.Items {
		for _, ph := range it.Photos {
			found = found || ph == pid
		}
	}
	if !found || !photo.ValidID(pid) {
		s.notFound(w, r)
		return
	}
	f, err := s.app.Photos.Open(pid, r.URL.Query().Get("thumb") != "")
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, pid+".jpg", time.Time{}, f)
}

// inspectionAck records the community leader's acknowledgement: a name and
// a signature drawn on the pad (field signature, a PNG).
func (s *Server) inspectionAck(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, letters.MaxSignatureBytes+64<<10)
	perr := r.ParseMultipartForm(1 << 20)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	keep := func(p *inspectPage) { p.AckName = name }
	if perr != nil {
		var mbe *http.MaxBytesError
		if errors.As(perr, &mbe) {
			s.inspectFailed(w, r, "ack", letters.TooLarge("signature", letters.MaxSignatureBytes), keep)
			return
		}
	}
	ack := inspectsvc.Acknowledgement{Name: name}
	if fh := formFile(r, "signature"); fh != nil {
		f, err := fh.Open()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data, err := letters.ReadUpload(f, letters.MaxSignatureBytes, "signature")
		f.Close()
		if err != nil {
			s.inspectFailed(w, r, "ack", err, keep)
			return
		}
		ack.Signature = data
	}
	if _, err := s.app.Inspect.Ack(r.Context(), s.actor(r), userOf(r), id, ack); err != nil {
		s.inspectFailed(w, r, "ack", err, keep)
		return
	}
	s.inspectDone(w, r, id, "flash.inspect_acked", "ack")
}

// inspectionSignature serves the drawn signature of the acknowledgement.
func (s *Server) inspectionSignature(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadInspection(w, r)
	if !ok {
		return
	}
	if v.Ack.File == "" {
		s.notFound(w, r)
		return
	}
	f, err := s.app.Letters.Open(v.Ack.File)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	io.Copy(w, f)
}

// inspectCommunityName names a community (for titles).
func (s *Server) inspectCommunityName(r *http.Request, code string) string {
	if rg, err := s.app.DB.Region(r.Context(), region.AncestorAt(code, region.Community)); err == nil {
		return rg.Name
	}
	return code
}

// storePage is page n of size rows.
func storePage(n, size int) store.Page { return store.Page{Page: n, Size: size} }

// inspectInboxPath is the shape of the pages an inspection's message opens,
// checked before it goes into a redirect.
var inspectInboxPath = regexp.MustCompile(`^/(inspections/[0-9]{1,18}|inspections/week\?week=[0-9]{4}-[0-9]{2}-[0-9]{2}|problems/[0-9]{1,18})$`)

// inspectInboxLink returns the page an inbox message of the inspections opens, "" for others.
func inspectInboxLink(it store.InboxItem) string {
	var args struct {
		Inspection int64  `json:"inspection"`
		Week       string `json:"week"`
		Problem    int64  `json:"problem"`
	}
	if it.Args == "" || json.Unmarshal([]byte(it.Args), &args) != nil {
		return ""
	}
	var out string
	switch notify.Kind(it.Kind) {
	case notify.InspectionClosed:
		out = inspectURL(args.Inspection)
	case notify.InspectionWeek:
		out = "/inspections/week?week=" + args.Week
	case notify.ProblemOwner:
		out = "/problems/" + strconv.FormatInt(args.Problem, 10)
	}
	if !inspectInboxPath.MatchString(out) {
		return ""
	}
	return out
}
