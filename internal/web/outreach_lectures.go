package web

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// The organisers' lecture pages: the list, the form, a lecture with its
// live attendance by community, its A4 poster with the sign-in QR code, the
// projector's full-screen view and the printable sign-in sheet.

// outreachTab names the outreach section's tabs (lectures, quizzes, questions).
type outreachTab struct {
	Tab     string
	CanEdit bool // may organise events
	CanBank bool // may edit the question bank
}

func (s *Server) outreachTabs(r *http.Request, tab string) outreachTab {
	u := userOf(r)
	return outreachTab{Tab: tab, CanEdit: u.CanSomewhere(auth.OutreachManage), CanBank: outreachsvc.CanEditBank(u)}
}

// lecturesPage is the lecture list.
type lecturesPage struct {
	Page
	outreachTab
	Q, From, To string
	Rows        []outreachsvc.LectureView
	Pager       pager
}

// dateParam reads a yyyy-mm-dd query value in the street's zone; end moves it to the next day.
func (s *Server) dateParam(v string, end bool) time.Time {
	t, err := time.ParseInLocation("2006-01-02", v, s.app.Loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

func (s *Server) lectureList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := lecturesPage{Page: s.page(r, "outreach.lectures.title"), outreachTab: s.outreachTabs(r, "lectures"), Q: q.Get("q"), From: q.Get("from"), To: q.Get("to")}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()
	list, total, err := s.app.Outreach.Lectures(r.Context(), userOf(r), outreachsvc.LectureFilter{From: s.dateParam(data.From, false),
		To: s.dateParam(data.To, true), Q: data.Q, Page: page})
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	data.Rows, data.Pager = list, newPager(r, page.Page, page.Size, total)
	s.render(w, r, http.StatusOK, "lectures", data)
}

// outreachFailed shows a service error as its page: 404, 403, or a 500 logged.
func (s *Server) outreachFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch apperr.As(err).Code {
	case apperr.NotFound:
		s.notFound(w, r)
	case apperr.Forbidden:
		s.forbidden(w, r)
	default:
		s.serverError(w, r, err)
	}
}

// lectureForm is the lecture form's fields as typed.
type lectureForm struct {
	Title, Speaker, VenueKind, VenueUnit, VenueName string
	StartsAt, EndsAt, OpensAt, ClosesAt             string
	Regions, Units                                  []string
	Expected, Materials                             string
	Version                                         int
}

// lectureFormPage is the form to organise or change a lecture.
type lectureFormPage struct {
	Page
	outreachTab
	Action    string
	LectureID int64
	Form      lectureForm
	Regions   []choice // streets and communities the organiser may name
	Units     []choice // units the organiser may name
}

const formTime = "2006-01-02T15:04"

func (s *Server) inputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.app.Loc).Format(formTime)
}

// audienceChoices lists the streets and communities, and the units, in p's organising scope.
func (s *Server) audienceChoices(r *http.Request) ([]choice, []choice, error) {
	u := userOf(r)
	roots := u.Scopes(auth.OutreachManage)
	rs, err := s.app.DB.Regions(r.Context(), roots, false)
	if err != nil {
		return nil, nil, err
	}
	var regions []choice
	for _, rg := range rs {
		if rg.Level == region.Street || rg.Level == region.Community {
			label := rg.Name
			if rg.Level == region.Community {
				label = "　" + label
			}
			regions = append(regions, choice{rg.Code, label})
		}
	}
	list, _, err := s.app.DB.Units(r.Context(), store.UnitFilter{Roots: roots, Status: unit.Active, Sort: "name", Page: store.Page{Size: 100}})
	if err != nil {
		return nil, nil, err
	}
	var units []choice
	for _, un := range list {
		units = append(units, choice{strconv.FormatInt(un.ID, 10), un.Name})
	}
	return regions, units, nil
}

func (s *Server) renderLectureForm(w http.ResponseWriter, r *http.Request, status int, data lectureFormPage, err error) {
	var cerr error
	if data.Regions, data.Units, cerr = s.audienceChoices(r); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, status, "lecture_form", data)
}

func (s *Server) lectureNew(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.OutreachManage) {
		s.forbidden(w, r)
		return
	}
	start := time.Now().In(s.app.Loc).AddDate(0, 0, 7)
	start = time.Date(start.Year(), start.Month(), start.Day(), 9, 30, 0, 0, s.app.Loc)
	form := lectureForm{VenueKind: "name", StartsAt: s.inputTime(start), EndsAt: s.inputTime(start.Add(90 * time.Minute))}
	if roots := userOf(r).Scopes(auth.OutreachManage); len(roots) == 1 && region.LevelOf(roots[0]) >= region.Street {
		form.Regions = roots
	}
	s.renderLectureForm(w, r, http.StatusOK, lectureFormPage{Page: s.page(r, "outreach.lecture.new"), outreachTab: s.outreachTabs(r, "lectures"),
		Action: "/lectures", Form: form}, nil)
}

// parseLectureForm reads the form into the service's input, with the fields that fail to parse.
func (s *Server) parseLectureForm(r *http.Request) (lectureForm, outreachsvc.LectureInput, error) {
	pf := r.PostForm
	form := lectureForm{Title: pf.Get("title"), Speaker: pf.Get("speaker"), VenueKind: pf.Get("venue_kind"), VenueUnit: pf.Get("venue_unit"),
		VenueName: pf.Get("venue_name"), StartsAt: pf.Get("starts_at"), EndsAt: pf.Get("ends_at"), OpensAt: pf.Get("opens_at"),
		ClosesAt: pf.Get("closes_at"), Regions: pf["regions"], Units: pf["units"], Expected: pf.Get("expected"), Materials: pf.Get("materials")}
	form.Version, _ = strconv.Atoi(pf.Get("version"))
	in := outreachsvc.LectureInput{Title: form.Title, Speaker: form.Speaker, Regions: form.Regions, Materials: form.Materials, Version: form.Version}
	f := apperr.Fields{}
	if form.VenueKind == "unit" {
		id, err := strconv.ParseInt(form.VenueUnit, 10, 64)
		if err != nil || id <= 0 {
			f.Add("venue", "err.required")
		}
		in.VenueUnitID = id
	} else {
		in.VenueName = form.VenueName
	}
	for _, t := range []struct {
		field, v string
		dst      *time.Time
		required bool
	}{{"starts_at", form.StartsAt, &in.StartsAt, true}, {"ends_at", form.EndsAt, &in.EndsAt, true},
		{"opens_at", form.OpensAt, &in.OpensAt, false}, {"closes_at", form.ClosesAt, &in.ClosesAt, false}} {
		if strings.TrimSpace(t.v) == "" {
			continue
		}
		v, err := time.ParseInLocation(formTime, strings.TrimSpace(t.v), s.app.Loc)
		if err != nil {
			f.Add(t.field, "err.format")
			continue
		}
		*t.dst = v
	}
	for _, v := range form.Units {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.UnitIDs = append(in.UnitIDs, id)
		} else {
			f.Add("units", "err.unit_unknown")
		}
	}
	if e := strings.TrimSpace(form.Expected); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil {
			f.Add("expected", "err.format")
		}
		in.Expected = n
	}
	return form, in, f.Err()
}

func (s *Server) lectureCreate(w http.ResponseWriter, r *http.Request) {
	form, in, err := s.parseLectureForm(r)
	var v outreachsvc.LectureView
	if err == nil {
		v, err = s.app.Outreach.CreateLecture(r.Context(), s.actor(r), userOf(r), in)
	}
	if err != nil {
		if c := apperr.As(err).Code; c == apperr.Internal || c == apperr.Forbidden {
			s.outreachFailed(w, r, err)
			return
		}
		s.renderLectureForm(w, r, statusFor(err), lectureFormPage{Page: s.page(r, "outreach.lecture.new"), outreachTab: s.outreachTabs(r, "lectures"),
			Action: "/lectures", Form: form}, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/lectures/"+strconv.FormatInt(v.ID, 10), http.StatusSeeOther)
}

// loadLecture reads the lecture of the path for the user (404 otherwise).
func (s *Server) loadLecture(w http.ResponseWriter, r *http.Request) (outreachsvc.LectureView, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return outreachsvc.LectureView{}, false
	}
	v, err := s.app.Outreach.Lecture(r.Context(), userOf(r), id)
	if err != nil {
		s.outreachFailed(w, r, err)
		return v, false
	}
	return v, true
}

func (s *Server) lectureEdit(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadLecture(w, r)
	if !ok {
		return
	}
	if !v.Can(outreach.LectureEdit) {
		s.forbidden(w, r)
		return
	}
	form := lectureForm{Title: v.Title, Speaker: v.Speaker, VenueKind: "name", VenueName: v.VenueName, StartsAt: s.inputTime(v.StartsAt),
		EndsAt: s.inputTime(v.EndsAt), OpensAt: s.inputTime(v.OpensAt), ClosesAt: s.inputTime(v.ClosesAt), Regions: v.Regions,
		Expected: strconv.Itoa(v.Expected), Materials: v.Materials, Version: v.Version}
	if v.VenueUnitID != 0 {
		form.VenueKind, form.VenueUnit, form.VenueName = "unit", strconv.FormatInt(v.VenueUnitID, 10), ""
	}
	for _, id := range v.UnitIDs {
		form.Units = append(form.Units, strconv.FormatInt(id, 10))
	}
	s.renderLectureForm(w, r, http.StatusOK, lectureFormPage{Page: s.page(r, "outreach.lecture.edit"), outreachTab: s.outreachTabs(r, "lectures"),
		Action: "/lectures/" + strconv.FormatInt(v.ID, 10), LectureID: v.ID, Form: form}, nil)
}

func (s *Server) lectureUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	form, in, err := s.parseLectureForm(r)
	if err == nil {
		_, err = s.app.Outreach.UpdateLecture(r.Context(), s.actor(r), userOf(r), id, in)
	}
	if err != nil {
		if c := apperr.As(err).Code; c == apperr.Internal || c == apperr.Forbidden || c == apperr.NotFound {
			s.outreachFailed(w, r, err)
			return
		}
		s.renderLectureForm(w, r, statusFor(err), lectureFormPage{Page: s.page(r, "outreach.lecture.edit"), outreachTab: s.outreachTabs(r, "lectures"),
			Action: "/lectures/" + strconv.FormatInt(id, 10), LectureID: id, Form: form}, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/lectures/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// communityCount is one row of the attendance by community.
type communityCount struct {
	Code, Name string
	N          int
}

// lecturePage is a lecture with its attendance.
type lecturePage struct {
	Page
	outreachTab
	L          outreachsvc.LectureView
	SignInURL  string
	Regions    []string // audience names
	Units      []string
	ByRegion   []communityCount
	Total      int
	Items      []outreach.SignIn
	Names      map[string]string
	Pager      pager
	Mobiles    bool
	Desk       outreach.Person
	DeskChoice []choice
	DeskOpen   bool // the desk form is shown open (after an error)
}

// byCommunity lists the counts by community in the street's order, zeros included.
func byCommunity(cs []region.Region, counts map[string]int, names map[string]string) []communityCount {
	var out []communityCount
	seen := map[string]bool{}
	for _, c := range cs {
		out = append(out, communityCount{c.Code, c.Name, counts[c.Code]})
		seen[c.Code] = true
	}
	for code, n := range counts {
		if !seen[code] {
			out = append(out, communityCount{code, names[code], n})
		}
	}
	return out
}

func (s *Server) lectureData(r *http.Request, v outreachsvc.LectureView, page store.Page) (lecturePage, error) {
	ctx := r.Context()
	data := lecturePage{Page: s.page(r, "outreach.lecture.title"), outreachTab: s.outreachTabs(r, "lectures"), L: v,
		SignInURL: s.baseURL(r) + "/l/" + v.Code}
	data.Title = v.Title
	att, err := s.app.Outreach.Attendance(ctx, userOf(r), v.ID, page)
	if err != nil {
		return data, err
	}
	names, err := s.app.DB.RegionNames(ctx)
	if err != nil {
		return data, err
	}
	cs, err := s.app.Outreach.Communities(ctx, v.Region)
	if err != nil {
		return data, err
	}
	data.Names, data.Items, data.Total, data.Mobiles = names, att.Items, att.Total, att.Mobiles
	data.ByRegion = byCommunity(cs, att.ByRegion, names)
	data.DeskChoice = communityChoices(cs)
	for _, code := range v.Regions {
		data.Regions = append(data.Regions, names[code])
	}
	for _, id := range v.UnitIDs {
		if un, err := s.app.DB.Unit(ctx, id); err == nil {
			data.Units = append(data.Units, un.Name)
		}
	}
	data.Pager = newPager(r, page.Page, page.Size, att.Total)
	return data, nil
}

func (s *Server) lectureDetail(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadLecture(w, r)
	if !ok {
		return
	}
	page := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 50}.Clamp()
	data, err := s.lectureData(r, v, page)
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "lecture", data)
}

// lectureAttendanceJSON is what the lecture page and the projector poll for the live count.
func (s *Server) lectureAttendanceJSON(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	att, err := s.app.Outreach.Attendance(r.Context(), userOf(r), id, store.Page{Page: 1, Size: 1})
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"total": att.Total, "by_region": att.ByRegion, "state": att.Lecture.State})
}

func (s *Server) lectureCancel(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := s.app.Outreach.CancelLecture(r.Context(), s.actor(r), userOf(r), id); err != nil {
		s.lectureActionFailed(w, r, id, err)
		return
	}
	setFlash(w, "outreach.flash.cancelled")
	http.Redirect(w, r, "/lectures/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// lectureActionFailed shows the lecture page with the error of an action on it.
func (s *Server) lectureActionFailed(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if c := apperr.As(err).Code; c == apperr.Internal || c == apperr.NotFound {
		s.outreachFailed(w, r, err)
		return
	}
	v, lerr := s.app.Outreach.Lecture(r.Context(), userOf(r), id)
	if lerr != nil {
		s.outreachFailed(w, r, lerr)
		return
	}
	data, derr := s.lectureData(r, v, store.Page{Page: 1, Size: 50})
	if derr != nil {
		s.serverError(w, r, derr)
		return
	}
	data.withError(printer(r), err)
	data.Desk = outreach.Person{Name: r.PostFormValue("name"), Region: r.PostFormValue("region"), Mobile: r.PostFormValue("mobile")}
	data.DeskOpen = r.URL.Path == "/lectures/"+strconv.FormatInt(id, 10)+"/signins"
	s.render(w, r, statusFor(err), "lecture", data)
}

func (s *Server) lectureDeskSignIn(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	in := outreach.Person{Name: r.PostFormValue("name"), Region: r.PostFormValue("region"), Mobile: r.PostFormValue("mobile")}
	if _, err := s.app.Outreach.DeskSignIn(r.Context(), s.actor(r), userOf(r), id, in); err != nil {
		s.lectureActionFailed(w, r, id, err)
		return
	}
	setFlash(w, "outreach.flash.signed_in")
	http.Redirect(w, r, "/lectures/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) lecturePhotoUpload(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 20<<20)
	f, _, err := r.FormFile("photo")
	if err != nil {
		s.lectureActionFailed(w, r, id, apperr.Field("photo", "err.required"))
		return
	}
	defer f.Close()
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if _, err := s.app.Outreach.AddLecturePhoto(r.Context(), s.actor(r), userOf(r), id, f); err != nil {
		s.lectureActionFailed(w, r, id, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/lectures/"+strconv.FormatInt(id, 10)+"#photos", http.StatusSeeOther)
}

func (s *Server) lecturePhoto(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	pid := r.PathValue("photo")
	if !ok || !photo.ValidID(pid) {
		s.notFound(w, r)
		return
	}
	can, err := s.app.Outreach.CanSeeLecturePhoto(r.Context(), userOf(r), id, pid)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f, err := s.app.Photos.Open(pid, r.URL.Query().Get("thumb") != "")
	if !can || err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, pid+".jpg", time.Time{}, f)
}

// posterPage is an A4 poster or a projector screen with a QR code.
type posterPage struct {
	Page
	Kind     string // "lecture" or "quiz"
	ID       int64
	Heading  string
	Lines    []string
	URL      string
	QR       template.URL
	LiveURL  string // polled for the live count or the leaderboard ("" for none)
	Back     string
	Interval int // seconds between polls
}

// qrData returns a PNG data URL of the QR code of u.
func qrData(u string) (template.URL, error) {
	png, err := letters.QRPNG(u)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

func (s *Server) lecturePoster(w http.ResponseWriter, r *http.Request) {
	s.lectureQR(w, r, "lecture_poster")
}

func (s *Server) lectureScreen(w http.ResponseWriter, r *http.Request) {
	s.lectureQR(w, r, "lecture_screen")
}

// lectureQR serves the poster or the projector view of a lecture's sign-in.
func (s *Server) lectureQR(w http.ResponseWriter, r *http.Request, page string) {
	v, ok := s.loadLecture(w, r)
	if !ok {
		return
	}
	p := printer(r)
	data := posterPage{Page: s.page(r, "outreach.poster.title"), Kind: "lecture", ID: v.ID, Heading: v.Title,
		URL: s.baseURL(r) + "/l/" + v.Code, Back: "/lectures/" + strconv.FormatInt(v.ID, 10), Interval: 5,
		LiveURL: "/lectures/" + strconv.FormatInt(v.ID, 10) + "/attendance.json"}
	data.Title = v.Title
	data.Lines = []string{p.T("outreach.poster.when", datetimeIn(v.StartsAt, s.app.Loc), v.EndsAt.In(s.app.Loc).Format("15:04")),
		p.T("outreach.poster.where", v.VenueName)}
	if v.Speaker != "" {
		data.Lines = append(data.Lines, p.T("outreach.poster.speaker", v.Speaker))
	}
	var err error
	if data.QR, err = qrData(data.URL); err != nil {
		s.serverError(w, r, err)
		return
	}
	if page == "lecture_screen" {
		s.renderBare(w, r, http.StatusOK, "outreach_screen", data)
		return
	}
	s.render(w, r, http.StatusOK, "outreach_poster", data)
}

func datetimeIn(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02 15:04") }

// sheetPage is the printable sign-in sheet.
type sheetPage struct {
	Page
	L       outreachsvc.LectureView
	Items   []outreach.SignIn
	Names   map[string]string
	Mobiles bool
	Blank   []int // empty lines for handwritten sign-ins
}

func (s *Server) lectureSheet(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadLecture(w, r)
	if !ok {
		return
	}
	att, err := s.app.Outreach.Attendance(r.Context(), userOf(r), v.ID, store.Page{})
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	names, err := s.app.DB.RegionNames(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := sheetPage{Page: s.page(r, "outreach.sheet.title"), L: v, Items: att.Items, Names: names, Mobiles: att.Mobiles}
	data.Title = v.Title
	for i := range 10 {
		data.Blank = append(data.Blank, len(att.Items)+i+1)
	}
	s.render(w, r, http.StatusOK, "lecture_sheet", data)
}
