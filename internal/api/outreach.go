package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Lectures, the question bank and prize quizzes (issue 12). The public
// endpoints under /api/v1/public take no token: they are limited per client
// address by the service and refuse bodies over 16 KB.

func (a *API) outreachRoutes() []route {
	list := pageParams
	period := []string{"from", "to", "q"}
	return []route{
		{Method: "GET", Path: "/api/v1/lectures", Handler: a.listLectures, Summary: "Lectures I may see, newest first", Query: append(period, list...), Resp: "LectureList", Status: 200},
		{Method: "POST", Path: "/api/v1/lectures", Handler: a.createLecture, Summary: "Organise a lecture (leaders and admins, audience in their area); answers its public sign-in code", Body: "LectureInput", Resp: "Lecture", Status: 201},
		{Method: "GET", Path: "/api/v1/lectures/{id}", Handler: a.getLecture, Summary: "One lecture", Resp: "Lecture", Status: 200},
		{Method: "PATCH", Path: "/api/v1/lectures/{id}", Handler: a.patchLecture, Summary: "Change a lecture until its sign-in closes (409 after)", Body: "LectureInput", Resp: "Lecture", Status: 200},
		{Method: "POST", Path: "/api/v1/lectures/{id}/cancel", Handler: a.cancelLecture, Summary: "Call a lecture off", Resp: "Lecture", Status: 200},
		{Method: "GET", Path: "/api/v1/lectures/{id}/attendance", Handler: a.lectureAttendance, Summary: "Who signed in, with counts by community; mobiles masked except for organisers", Query: list, Resp: "Attendance", Status: 200},
		{Method: "POST", Path: "/api/v1/lectures/{id}/signins", Handler: a.deskSignIn, Summary: "Sign a resident in at the desk (organisers; once sign-in has opened)", Body: "SignInInput", Resp: "SignIn", Status: 201},
		{Method: "POST", Path: "/api/v1/lectures/{id}/photos", Handler: a.lecturePhoto, Summary: "Add a photo taken at the lecture (field photo; JPEG, PNG or WebP)", Body: "multipart", Resp: "PhotoRef", Status: 201},
		{Method: "POST", Path: "/api/v1/public/lectures/{code}/signins", Handler: a.publicSignIn, Public: true, Summary: "A resident signs in from the QR code: 409 for a mobile or phone already signed in, 422 outside the sign-in window (named in the message)", Body: "SignInInput", Resp: "SignIn", Status: 201},

		{Method: "GET", Path: "/api/v1/questions", Handler: a.listQuestions, Summary: "The question bank", Query: append([]string{"kind", "tag", "q", "retired"}, list...), Resp: "QuestionList", Status: 200},
		{Method: "POST", Path: "/api/v1/questions", Handler: a.createQuestion, Summary: "Add a question (admins and street leaders)", Body: "QuestionInput", Resp: "Question", Status: 201},
		{Method: "POST", Path: "/api/v1/questions/import", Handler: a.importQuestions, Summary: "Import questions from XLSX or CSV (field file, the template's Chinese headers); a bad row is 422 with fields \"row N\" and nothing is written", Body: "multipart:QuestionFile", Resp: "ImportCount", Status: 200},
		{Method: "GET", Path: "/api/v1/questions/export", Handler: a.exportQuestions, Summary: "The bank as XLSX, in the import's format", Query: []string{"kind", "tag", "q", "retired"}, Resp: "xlsx", Status: 200},
		{Method: "GET", Path: "/api/v1/questions/template", Handler: a.questionTemplate, Summary: "An import template with one example of each kind", Resp: "xlsx", Status: 200},
		{Method: "GET", Path: "/api/v1/questions/{id}", Handler: a.getQuestion, Summary: "One question", Resp: "Question", Status: 200},
		{Method: "PATCH", Path: "/api/v1/questions/{id}", Handler: a.patchQuestion, Summary: "Change a question (quizzes already made keep their copy)", Body: "QuestionInput", Resp: "Question", Status: 200},
		{Method: "DELETE", Path: "/api/v1/questions/{id}", Handler: a.retireQuestion, Summary: "Retire a question from the bank", Resp: "Question", Status: 200},

		{Method: "GET", Path: "/api/v1/quizzes", Handler: a.listQuizzes, Summary: "Quizzes I may see, newest first", Query: append(period, list...), Resp: "QuizList", Status: 200},
		{Method: "POST", Path: "/api/v1/quizzes", Handler: a.createQuiz, Summary: "Make a quiz of chosen questions or a random draw by tags; answers its public code", Body: "QuizInput", Resp: "Quiz", Status: 201},
		{Method: "GET", Path: "/api/v1/quizzes/{id}", Handler: a.getQuiz, Summary: "One quiz with its questions and answers", Resp: "Quiz", Status: 200},
		{Method: "POST", Path: "/api/v1/quizzes/{id}/close", Handler: a.closeQuiz, Summary: "Stop taking entries now (entries started keep their time)", Resp: "Quiz", Status: 200},
		{Method: "POST", Path: "/api/v1/quizzes/{id}/cancel", Handler: a.cancelQuiz, Summary: "Call a quiz off", Resp: "Quiz", Status: 200},
		{Method: "GET", Path: "/api/v1/quizzes/{id}/leaderboard", Handler: a.quizLeaderboard, Summary: "The ranking for the projector: names shortened, no mobiles", Query: []string{"n"}, Resp: "Leaderboard", Status: 200},
		{Method: "GET", Path: "/api/v1/quizzes/{id}/entries", Handler: a.quizEntries, Summary: "Entries in the order they started; mobiles masked except for organisers", Query: list, Resp: "EntryList", Status: 200},
		{Method: "GET", Path: "/api/v1/quizzes/{id}/winners", Handler: a.quizWinners, Summary: "Winners by rank and prize; mobiles masked except for organisers", Resp: "WinnerList", Status: 200},
		{Method: "GET", Path: "/api/v1/quizzes/{id}/winners.xlsx", Handler: a.quizWinnersXLSX, Summary: "Winners with full details as XLSX (organisers only)", Resp: "xlsx", Status: 200},
		{Method: "POST", Path: "/api/v1/public/quizzes/{code}/entries", Handler: a.publicEntry, Public: true, Summary: "A resident starts an entry: the questions with options in this entry's order, no answers; 409 for a mobile already entered", Body: "SignInInput", Resp: "EntryStart", Status: 201},
		{Method: "GET", Path: "/api/v1/public/quizzes/{code}/entries/{entry}", Handler: a.publicEntryState, Public: true, Summary: "An entry again after a reload: its questions until submitted, its results after", Resp: "EntryState", Status: 200},
		{Method: "POST", Path: "/api/v1/public/quizzes/{code}/entries/{entry}/answers", Handler: a.publicAnswers, Public: true, Summary: "Submit answers as option indices as shown to this entry: score, rank, results; 409 twice, 422 after the deadline plus 10 s", Body: "AnswersInput", Resp: "EntryState", Status: 200},

		{Method: "GET", Path: "/api/v1/outreach/counts", Handler: a.outreachCounts, Summary: "For the assessment: lectures held and attendance, quizzes held and entries, by community and unit, over a period", Query: []string{"from", "to", "region"}, Resp: "OutreachCounts", Status: 200},
	}
}

// ---- JSON shapes ----

type lectureVenueJSON struct {
	UnitID int64  `json:"unit_id,omitempty"`
	Name   string `json:"name,omitempty"`
}

type lectureJSON struct {
	ID          int64            `json:"id"`
	Code        string           `json:"code"`
	SignInURL   string           `json:"signin_url"`
	Title       string           `json:"title"`
	Speaker     string           `json:"speaker"`
	Venue       lectureVenueJSON `json:"venue"`
	StartsAt    string           `json:"starts_at"`
	EndsAt      string           `json:"ends_at"`
	OpensAt     string           `json:"opens_at"`
	ClosesAt    string           `json:"closes_at"`
	Region      string           `json:"region"`
	Regions     []string         `json:"regions"`
	Units       []int64          `json:"units"`
	Expected    int              `json:"expected"`
	Materials   string           `json:"materials"`
	State       string           `json:"state"`
	CancelledAt *string          `json:"cancelled_at"`
	Attendance  int              `json:"attendance"`
	Photos      []string         `json:"photos"`
	Version     int              `json:"version"`
	Actions     []string         `json:"actions"`
}

func (a *API) toLectureJSON(v outreachsvc.LectureView) lectureJSON {
	out := lectureJSON{ID: v.ID, Code: v.Code, SignInURL: "/l/" + v.Code, Title: v.Title, Speaker: v.Speaker,
		Venue: lectureVenueJSON{UnitID: v.VenueUnitID, Name: v.VenueName}, StartsAt: a.rfc(v.StartsAt), EndsAt: a.rfc(v.EndsAt),
		OpensAt: a.rfc(v.OpensAt), ClosesAt: a.rfc(v.ClosesAt), Region: v.Region, Regions: v.Regions, Units: v.UnitIDs,
		Expected: v.Expected, Materials: v.Materials, State: string(v.State), Attendance: v.Attendance, Version: v.Version,
		Photos: []string{}, Actions: []string{}}
	if out.Regions == nil {
		out.Regions = []string{}
	}
	if out.Units == nil {
		out.Units = []int64{}
	}
	if !v.CancelledAt.IsZero() {
		s := a.rfc(v.CancelledAt)
		out.CancelledAt = &s
	}
	for _, ph := range v.Photos {
		out.Photos = append(out.Photos, fmt.Sprintf("/lectures/%d/photos/%s", v.ID, ph))
	}
	for _, act := range v.Actions {
		out.Actions = append(out.Actions, string(act))
	}
	return out
}

// lectureInput is the body of POST and PATCH /api/v1/lectures; on PATCH
// absent fields keep their values.
type lectureInput struct {
	Title     *string           `json:"title"`
	Speaker   *string           `json:"speaker"`
	Venue     *lectureVenueJSON `json:"venue"`
	StartsAt  *string           `json:"starts_at"`
	EndsAt    *string           `json:"ends_at"`
	OpensAt   *string           `json:"opens_at"`
	ClosesAt  *string           `json:"closes_at"`
	Regions   []string          `json:"regions"`
	Units     []int64           `json:"units"`
	Expected  *int              `json:"expected"`
	Materials *string           `json:"materials"`
	Version   int               `json:"version"`
}

// apply merges the body into in, collecting time format errors.
func (b lectureInput) apply(in *outreachsvc.LectureInput) error {
	f := apperr.Fields{}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.Title, b.Title)
	set(&in.Speaker, b.Speaker)
	set(&in.Materials, b.Materials)
	if b.Venue != nil {
		in.VenueUnitID, in.VenueName = b.Venue.UnitID, b.Venue.Name
	}
	for _, t := range []struct {
		field string
		src   *string
		dst   *time.Time
	}{{"starts_at", b.StartsAt, &in.StartsAt}, {"ends_at", b.EndsAt, &in.EndsAt}, {"opens_at", b.OpensAt, &in.OpensAt}, {"closes_at", b.ClosesAt, &in.ClosesAt}} {
		if t.src == nil {
			continue
		}
		v, err := parseTime(t.field, *t.src)
		if err != nil {
			f.Add(t.field, "err.format")
			continue
		}
		*t.dst = v
	}
	if b.Regions != nil {
		in.Regions = b.Regions
	}
	if b.Units != nil {
		in.UnitIDs = b.Units
	}
	if b.Expected != nil {
		in.Expected = *b.Expected
	}
	in.Version = b.Version
	return f.Err()
}

func (a *API) createLecture(w http.ResponseWriter, r *http.Request) {
	var b lectureInput
	if err := decode(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	var in outreachsvc.LectureInput
	if err := b.apply(&in); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Outreach.CreateLecture(r.Context(), a.actor(r), userOf(r), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toLectureJSON(v))
}

func (a *API) listLectures(w http.ResponseWriter, r *http.Request) {
	from, to, err := period(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page := pageOf(r)
	list, total, err := a.app.Outreach.Lectures(r.Context(), userOf(r), outreachsvc.LectureFilter{From: from, To: to, Q: r.URL.Query().Get("q"), Page: page})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]lectureJSON, 0, len(list))
	for _, v := range list {
		items = append(items, a.toLectureJSON(v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total, "page": page.Page, "page_size": page.Size})
}

// period reads from and to: dates (2026-01-01, to inclusive) or RFC 3339 times.
func period(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	f := apperr.Fields{}
	read := func(field string, end bool) time.Time {
		s := q.Get(field)
		if s == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
		t, err := time.ParseInLocation("2006-01-02", s, chinaTime)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			f.Add(field, "err.format")
			return time.Time{}
		}
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t
	}
	from, to := read("from", false), read("to", true)
	return from, to, f.Err()
}

// chinaTime reads dates given without a zone (UTC+8, the streets' zone).
var chinaTime = time.FixedZone("CST", 8*3600)

func (a *API) getLecture(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Outreach.Lecture(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toLectureJSON(v))
}

func (a *API) patchLecture(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b lectureInput
	if err := decode(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Outreach.Lecture(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := outreachsvc.LectureInput{Title: v.Title, Speaker: v.Speaker, VenueUnitID: v.VenueUnitID, StartsAt: v.StartsAt, EndsAt: v.EndsAt,
		OpensAt: v.OpensAt, ClosesAt: v.ClosesAt, Regions: v.Regions, UnitIDs: v.UnitIDs, Expected: v.Expected, Materials: v.Materials}
	if v.VenueUnitID == 0 {
		in.VenueName = v.VenueName
	}
	// A new start or end moves the default window with it, unless the body sets the window.
	if b.StartsAt != nil && b.OpensAt == nil && v.OpensAt.Equal(v.StartsAt.Add(-outreach.SignInLead)) {
		in.OpensAt = time.Time{}
	}
	if b.EndsAt != nil && b.ClosesAt == nil && v.ClosesAt.Equal(v.EndsAt) {
		in.ClosesAt = time.Time{}
	}
	if err := b.apply(&in); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err = a.app.Outreach.UpdateLecture(r.Context(), a.actor(r), userOf(r), id, in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toLectureJSON(v))
}

func (a *API) cancelLecture(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Outreach.CancelLecture(r.Context(), a.actor(r), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toLectureJSON(v))
}

type signInJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Region   string `json:"region"`
	Mobile   string `json:"mobile,omitempty"`
	SignedAt string `json:"signed_at"`
	Desk     bool   `json:"desk,omitempty"`
}

func (a *API) toSignInJSON(s outreach.SignIn) signInJSON {
	return signInJSON{ID: s.ID, Name: s.Name, Region: s.Region, Mobile: s.Mobile, SignedAt: a.rfc(s.At), Desk: s.Desk}
}

func (a *API) lectureAttendance(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page := pageOf(r)
	att, err := a.app.Outreach.Attendance(r.Context(), userOf(r), id, page)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]signInJSON, 0, len(att.Items))
	for _, s := range att.Items {
		items = append(items, a.toSignInJSON(s))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": att.Total, "by_region": att.ByRegion, "page": page.Page, "page_size": page.Size})
}

// residentInput is the body of a sign-in or an entry.
type residentInput struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	Mobile string `json:"mobile"`
}

func (b residentInput) person() outreach.Person {
	return outreach.Person{Name: b.Name, Region: b.Region, Mobile: b.Mobile}
}

func (a *API) deskSignIn(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b residentInput
	if err := decode(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.app.Outreach.DeskSignIn(r.Context(), a.actor(r), userOf(r), id, b.person())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toSignInJSON(s))
}

func (a *API) lecturePhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 20<<20)
	f, _, err := r.FormFile("photo")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			a.fail(w, r, apperr.Wrap(err, apperr.TooLarge, "err.body_too_large"))
			return
		}
		a.fail(w, r, apperr.Field("photo", "err.required"))
		return
	}
	defer f.Close()
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	pid, err := a.app.Outreach.AddLecturePhoto(r.Context(), a.actor(r), userOf(r), id, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": pid, "url": fmt.Sprintf("/lectures/%d/photos/%s", id, pid)})
}

// ---- The public door ----

// publicActor is who a public request writes as: no account, its client address.
func (a *API) publicActor(r *http.Request) store.Actor {
	return store.Actor{Name: "public", IP: a.app.Auth.ClientIP(r)}
}

// decodePublic reads a public body: at most 16 KB (413 beyond).
func decodePublic(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength > outreachsvc.MaxPublicBody {
		return apperr.New(apperr.TooLarge, "err.body_too_large")
	}
	r.Body = http.MaxBytesReader(w, r.Body, outreachsvc.MaxPublicBody)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Wrap(err, apperr.TooLarge, "err.body_too_large")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field, _, _ := strings.Cut(te.Field, ".")
			return apperr.Field(field, "err.format")
		}
		e := apperr.Wrap(err, apperr.Invalid, "err.bad_json")
		e.BadRequest = true
		return e
	}
	if _, err := dec.Token(); err != io.EOF {
		e := apperr.New(apperr.Invalid, "err.bad_json")
		e.BadRequest = true
		return e
	}
	return nil
}

// publicCode reads a path parameter that must look like a public code or
// entry token; anything else is a malformed request (400), refused before
// the database is asked.
func publicCode(r *http.Request, name string) (string, error) {
	c := r.PathValue(name)
	if !outreachsvc.ValidCode(c) {
		e := apperr.New(apperr.Invalid, "err.outreach.bad_code")
		e.BadRequest = true
		return "", e
	}
	return c, nil
}

func (a *API) publicSignIn(w http.ResponseWriter, r *http.Request) {
	code, err := publicCode(r, "code")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b residentInput
	if err := decodePublic(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	in := outreachsvc.SignInInput{Person: b.person()}
	if c, err := r.Cookie(outreachsvc.DeviceCookie); err == nil {
		in.Device = c.Value
	}
	s, err := a.app.Outreach.SignIn(r.Context(), a.publicActor(r), code, in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toSignInJSON(s))
}

type shownJSON struct {
	ID      int64    `json:"id"`
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	Options []string `json:"options"`
}

type resultJSON struct {
	ID          int64    `json:"id"`
	Kind        string   `json:"kind"`
	Text        string   `json:"text"`
	Options     []string `json:"options"`
	Correct     bool     `json:"correct"`
	Chosen      []int    `json:"chosen"`
	Answer      []int    `json:"answer"`
	Explanation string   `json:"explanation"`
}

// entryJSON is an entry as its phone receives it: before submission the
// questions (never an answer), after it the score and results.
type entryJSON struct {
	Entry      string       `json:"entry"`
	Title      string       `json:"title"`
	Deadline   string       `json:"deadline"`
	Now        string       `json:"now"`
	TimeLimitS int          `json:"time_limit_s"`
	Submitted  bool         `json:"submitted"`
	Questions  []shownJSON  `json:"questions,omitempty"`
	Score      *int         `json:"score,omitempty"`
	Max        int          `json:"max"`
	Rank       int          `json:"rank,omitempty"`
	Seconds    float64      `json:"seconds,omitempty"`
	Results    []resultJSON `json:"results,omitempty"`
}

// ShownOptions labels a question's options as the phone shows them: true/false gets 正确, 错误.
func ShownOptions(p locale.Printer, s outreach.Shown) []string {
	if s.Kind == outreach.TrueFalse {
		return []string{p.T("outreach.true"), p.T("outreach.false")}
	}
	return s.Options
}

func (a *API) toEntryJSON(r *http.Request, v outreachsvc.EntryView) entryJSON {
	p := printer(r, a.app.Cfg.Lang)
	out := entryJSON{Entry: v.Token, Title: v.Quiz.Title, Deadline: v.Entry.Deadline.UTC().Format(time.RFC3339Nano), Now: v.Now.UTC().Format(time.RFC3339Nano),
		TimeLimitS: int(v.Quiz.TimeLimit.Seconds()), Submitted: v.Entry.Submitted(), Max: v.Entry.Max}
	for _, s := range v.Questions {
		out.Questions = append(out.Questions, shownJSON{ID: s.ID, Kind: string(s.Kind), Text: s.Text, Options: ShownOptions(p, s)})
	}
	if v.Entry.Submitted() {
		score := v.Entry.Score
		out.Score, out.Rank, out.Seconds = &score, v.Rank, float64(v.Entry.Taken.Milliseconds())/1000
		for _, res := range v.Results {
			opts := ShownOptions(p, outreach.Shown{Kind: res.Kind, Options: res.Options})
			out.Results = append(out.Results, resultJSON{ID: res.ID, Kind: string(res.Kind), Text: res.Text, Options: opts, Correct: res.Correct,
				Chosen: res.Chosen, Answer: res.Answer, Explanation: res.Explanation})
		}
	}
	return out
}

func (a *API) publicEntry(w http.ResponseWriter, r *http.Request) {
	code, err := publicCode(r, "code")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b residentInput
	if err := decodePublic(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Outreach.StartEntry(r.Context(), a.publicActor(r), code, b.person())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, a.toEntryJSON(r, v))
}

func (a *API) publicEntryState(w http.ResponseWriter, r *http.Request) {
	code, err := publicCode(r, "code")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	token, err := publicCode(r, "entry")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Outreach.Entry(r.Context(), a.publicActor(r), code, token)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, a.toEntryJSON(r, v))
}

func (a *API) publicAnswers(w http.ResponseWriter, r *http.Request) {
	code, err := publicCode(r, "code")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	token, err := publicCode(r, "entry")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b struct {
		Answers map[string][]int `json:"answers"`
	}
	if err := decodePublic(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	var given map[int64][]int
	if b.Answers != nil {
		given = map[int64][]int{}
		for k, v := range b.Answers {
			id, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				a.fail(w, r, apperr.Field("answers", "err.format"))
				return
			}
			given[id] = v
		}
	}
	v, err := a.app.Outreach.Submit(r.Context(), a.publicActor(r), code, token, given)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, a.toEntryJSON(r, v))
}

// ---- The question bank ----

type questionJSON struct {
	ID          int64    `json:"id"`
	Kind        string   `json:"kind"`
	Text        string   `json:"text"`
	Options     []string `json:"options"`
	Answer      []int    `json:"answer"`
	Explanation string   `json:"explanation"`
	Tags        []string `json:"tags"`
	Active      bool     `json:"active"`
	Version     int      `json:"version"`
}

func toQuestionJSON(q outreach.Question) questionJSON {
	out := questionJSON{ID: q.ID, Kind: string(q.Kind), Text: q.Text, Options: q.Options, Answer: q.Answer, Explanation: q.Explanation,
		Tags: q.Tags, Active: q.Active, Version: q.Version}
	if out.Options == nil {
		out.Options = []string{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.Answer == nil {
		out.Answer = []int{}
	}
	return out
}

type questionInput struct {
	Kind        *string  `json:"kind"`
	Text        *string  `json:"text"`
	Options     []string `json:"options"`
	Answer      []int    `json:"answer"`
	Explanation *string  `json:"explanation"`
	Tags        []string `json:"tags"`
	Version     int      `json:"version"`
}

func (b questionInput) apply(q *outreach.Question) {
	if b.Kind != nil {
		q.Kind = outreach.Kind(*b.Kind)
	}
	if b.Text != nil {
		q.Text = *b.Text
	}
	if b.Options != nil {
		q.Options = b.Options
	}
	if b.Answer != nil {
		q.Answer = b.Answer
	}
	if b.Explanation != nil {
		q.Explanation = *b.Explanation
	}
	if b.Tags != nil {
		q.Tags = b.Tags
	}
	q.Version = b.Version
}

func questionFilter(r *http.Request) outreachsvc.QuestionFilter {
	q := r.URL.Query()
	return outreachsvc.QuestionFilter{Kind: outreach.Kind(q.Get("kind")), Tag: q.Get("tag"), Q: q.Get("q"), Retired: q.Get("retired") == "1" || q.Get("retired") == "true"}
}

func (a *API) listQuestions(w http.ResponseWriter, r *http.Request) {
	f := questionFilter(r)
	f.Page = pageOf(r)
	list, total, err := a.app.Outreach.Questions(r.Context(), userOf(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]questionJSON, 0, len(list))
	for _, q := range list {
		items = append(items, toQuestionJSON(q))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total, "page": f.Page.Page, "page_size": f.Page.Size})
}

func (a *API) createQuestion(w http.ResponseWriter, r *http.Request) {
	var b questionInput
	if err := decode(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	var q outreach.Question
	b.apply(&q)
	q, err := a.app.Outreach.CreateQuestion(r.Context(), a.actor(r), userOf(r), q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toQuestionJSON(q))
}

func (a *API) getQuestion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q, err := a.app.Outreach.Question(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toQuestionJSON(q))
}

func (a *API) patchQuestion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b questionInput
	if err := decode(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	q, err := a.app.Outreach.Question(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	b.apply(&q)
	q, err = a.app.Outreach.UpdateQuestion(r.Context(), a.actor(r), userOf(r), id, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toQuestionJSON(q))
}

func (a *API) retireQuestion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q, err := a.app.Outreach.RetireQuestion(r.Context(), a.actor(r), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toQuestionJSON(q))
}

// MaxQuestionFile bounds a question file's upload.
const MaxQuestionFile = 10 << 20

func (a *API) importQuestions(w http.ResponseWriter, r *http.Request) {
	if !outreachsvc.CanEditBank(userOf(r)) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxQuestionFile)
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			a.fail(w, r, apperr.Wrap(err, apperr.TooLarge, "err.body_too_large"))
			return
		}
		a.fail(w, r, apperr.Field("file", "err.required"))
		return
	}
	defer f.Close()
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	n, err := a.app.Outreach.ImportQuestions(r.Context(), a.actor(r), userOf(r), f)
	if err != nil {
		if rows := outreachsvc.RowFields(printer(r, a.app.Cfg.Lang), err); rows != nil {
			// The fields are the file's rows ("row 7"), each naming its column.
			p := printer(r, a.app.Cfg.Lang)
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{"code": apperr.Invalid,
				"message": p.Msg(apperr.As(err).Msg), "fields": rows}})
			return
		}
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"created": n})
}

// sendXLSX sets a workbook download's headers; name is shown in the user's language.
func sendXLSX(w http.ResponseWriter, ascii, name string) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\""+ascii+"\"; filename*=UTF-8''"+url.PathEscape(name))
}

func (a *API) exportQuestions(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	if !p.CanSomewhere(auth.OutreachRead) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	pr := printer(r, a.app.Cfg.Lang)
	sendXLSX(w, "questions.xlsx", pr.T("outreach.sheet.questions")+".xlsx")
	if err := a.app.Outreach.ExportQuestions(r.Context(), p, w, pr, questionFilter(r)); err != nil {
		a.app.Log.Error("question export failed", "err", err)
	}
}

func (a *API) questionTemplate(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.OutreachRead) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	pr := printer(r, a.app.Cfg.Lang)
	sendXLSX(w, "questions-template.xlsx", pr.T("outreach.template.filename")+".xlsx")
	if err := outreachsvc.QuestionTemplate(w, pr); err != nil {
		a.app.Log.Error("question template failed", "err", err)
	}
}

// ---- Quizzes ----

type quizQuestionJSON struct {
	questionJSON
	Pos int `json:"pos"`
}

type quizJSON struct {
	ID          int64              `json:"id"`
	Code        string             `json:"code"`
	URL         string             `json:"url"`
	Title       string             `json:"title"`
	Intro       string             `json:"intro"`
	Region      string             `json:"region"`
	Regions     []string           `json:"regions"`
	TimeLimitS  int                `json:"time_limit_s"`
	OpensAt     string             `json:"opens_at"`
	ClosesAt    string             `json:"closes_at"`
	Prizes      []int              `json:"prizes"`
	State       string             `json:"state"`
	CancelledAt *string            `json:"cancelled_at"`
	Entries     int                `json:"entries"`
	Submitted   int                `json:"submitted"`
	Questions   []quizQuestionJSON `json:"questions,omitempty"`
	Version     int                `json:"version"`
	Actions     []string           `json:"actions"`
}

func (a *API) toQuizJSON(v outreachsvc.QuizView, full bool) quizJSON {
	out := quizJSON{ID: v.ID, Code: v.Code, URL: "/q/" + v.Code, Title: v.Title, Intro: v.Intro, Region: v.Region, Regions: v.Regions,
		TimeLimitS: int(v.TimeLimit.Seconds()), OpensAt: a.rfc(v.OpensAt), ClosesAt: a.rfc(v.ClosesAt), Prizes: v.Prizes, State: string(v.State),
		Entries: v.Entries, Submitted: v.Submitted, Version: v.Version, Actions: []string{}}
	if out.Regions == nil {
		out.Regions = []string{}
	}
	if out.Prizes == nil {
		out.Prizes = []int{}
	}
	if !v.CancelledAt.IsZero() {
		s := a.rfc(v.CancelledAt)
		out.CancelledAt = &s
	}
	for _, act := range v.Actions {
		out.Actions = append(out.Actions, string(act))
	}
	if full {
		out.Questions = []quizQuestionJSON{}
		for _, q := range v.Questions {
			out.Questions = append(out.Questions, quizQuestionJSON{questionJSON: toQuestionJSON(q.Question), Pos: q.Pos})
		}
	}
	return out
}

type quizInput struct {
	Title     string  `json:"title"`
	Intro     string  `json:"intro"`
	Questions []int64 `json:"questions"`
	Draw      *struct {
		Tags  []string `json:"tags"`
		Count int      `json:"count"`
	} `json:"draw"`
	TimeLimitS int      `json:"time_limit_s"`
	OpensAt    string   `json:"opens_at"`
	ClosesAt   string   `json:"closes_at"`
	Prizes     []int    `json:"prizes"`
	Regions    []string `json:"regions"`
}

func (a *API) createQuiz(w http.ResponseWriter, r *http.Request) {
	var b quizInput
	if err := decode(w, r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	f := apperr.Fields{}
	opens, err := parseTime("opens_at", b.OpensAt)
	if err != nil {
		f.Add("opens_at", "err.format")
	}
	closes, err := parseTime("closes_at", b.ClosesAt)
	if err != nil {
		f.Add("closes_at", "err.format")
	}
	if err := f.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	in := outreachsvc.QuizInput{Title: b.Title, Intro: b.Intro, Questions: b.Questions, TimeLimit: time.Duration(b.TimeLimitS) * time.Second,
		OpensAt: opens, ClosesAt: closes, Prizes: b.Prizes, Regions: b.Regions}
	if b.TimeLimitS < 0 || b.TimeLimitS > 1<<20 {
		in.TimeLimit = -1 // refused by the range check, without overflowing
	}
	if b.Draw != nil {
		in.Draw = &outreachsvc.Draw{Tags: b.Draw.Tags, Count: b.Draw.Count}
	}
	v, err := a.app.Outreach.CreateQuiz(r.Context(), a.actor(r), userOf(r), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toQuizJSON(v, true))
}

func (a *API) listQuizzes(w http.ResponseWriter, r *http.Request) {
	from, to, err := period(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page := pageOf(r)
	list, total, err := a.app.Outreach.Quizzes(r.Context(), userOf(r), outreachsvc.QuizFilter{From: from, To: to, Q: r.URL.Query().Get("q"), Page: page})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]quizJSON, 0, len(list))
	for _, v := range list {
		items = append(items, a.toQuizJSON(v, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total, "page": page.Page, "page_size": page.Size})
}

// quizAct runs a quiz action of the service and answers the quiz.
func (a *API) quizAct(act func(*http.Request, int64) (outreachsvc.QuizView, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v, err := act(r, id)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, a.toQuizJSON(v, true))
	}
}

func (a *API) getQuiz(w http.ResponseWriter, r *http.Request) {
	a.quizAct(func(r *http.Request, id int64) (outreachsvc.QuizView, error) {
		return a.app.Outreach.Quiz(r.Context(), userOf(r), id)
	})(w, r)
}

func (a *API) closeQuiz(w http.ResponseWriter, r *http.Request) {
	a.quizAct(func(r *http.Request, id int64) (outreachsvc.QuizView, error) {
		return a.app.Outreach.CloseQuiz(r.Context(), a.actor(r), userOf(r), id)
	})(w, r)
}

func (a *API) cancelQuiz(w http.ResponseWriter, r *http.Request) {
	a.quizAct(func(r *http.Request, id int64) (outreachsvc.QuizView, error) {
		return a.app.Outreach.CancelQuiz(r.Context(), a.actor(r), userOf(r), id)
	})(w, r)
}

type boardRowJSON struct {
	Rank    int     `json:"rank"`
	Name    string  `json:"name"`
	Region  string  `json:"region"`
	Score   int     `json:"score"`
	Seconds float64 `json:"seconds"`
}

// boardSize reads n: 10 by default, 1 to 100.
func boardSize(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 {
		return 10
	}
	return min(n, 100)
}

func (a *API) quizLeaderboard(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	b, err := a.app.Outreach.Leaderboard(r.Context(), userOf(r), id, boardSize(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	names, err := a.app.RegionNames(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, b.Wire(names))
}

type entryRowJSON struct {
	ID          int64   `json:"id"`
	Rank        int     `json:"rank,omitempty"`
	Prize       int     `json:"prize,omitempty"`
	Name        string  `json:"name"`
	Region      string  `json:"region"`
	Mobile      string  `json:"mobile"`
	StartedAt   string  `json:"started_at"`
	Deadline    string  `json:"deadline"`
	SubmittedAt *string `json:"submitted_at"`
	Score       int     `json:"score"`
	Max         int     `json:"max"`
	Seconds     float64 `json:"seconds"`
}

func (a *API) toEntryRow(e outreach.Entry, prize int) entryRowJSON {
	out := entryRowJSON{ID: e.ID, Rank: e.Rank, Prize: prize, Name: e.Name, Region: e.Region, Mobile: e.Mobile, StartedAt: a.rfc(e.StartedAt),
		Deadline: a.rfc(e.Deadline), Score: e.Score, Max: e.Max, Seconds: float64(e.Taken.Milliseconds()) / 1000}
	if e.Submitted() {
		s := a.rfc(e.SubmittedAt)
		out.SubmittedAt = &s
	}
	return out
}

func (a *API) quizEntries(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page := pageOf(r)
	_, list, total, err := a.app.Outreach.Entries(r.Context(), userOf(r), id, page)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]entryRowJSON, 0, len(list))
	for _, e := range list {
		items = append(items, a.toEntryRow(e, 0))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total, "page": page.Page, "page_size": page.Size})
}

func (a *API) quizWinners(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, list, err := a.app.Outreach.Winners(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]entryRowJSON, 0, len(list))
	for _, e := range list {
		items = append(items, a.toEntryRow(e.Entry, e.Prize))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "final": v.State == outreach.Closed, "prizes": v.Prizes})
}

func (a *API) quizWinnersXLSX(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	// Decide before the headers go out, so that a refusal is a proper error.
	v, err := a.app.Outreach.Quiz(r.Context(), p, id)
	if err == nil && !v.Can(outreach.QuizMobiles) {
		err = apperr.ErrForbidden
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	names, err := a.app.RegionNames(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pr := printer(r, a.app.Cfg.Lang)
	sendXLSX(w, "winners.xlsx", pr.T("outreach.sheet.winners")+"-"+v.Title+".xlsx")
	if err := a.app.Outreach.ExportWinners(r.Context(), p, id, w, pr, names); err != nil {
		a.app.Log.Error("winners export failed", "err", err)
	}
}

// ---- Counts for the assessment ----

func (a *API) outreachCounts(w http.ResponseWriter, r *http.Request) {
	from, to, err := period(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	region := r.URL.Query().Get("region")
	t, err := a.app.Outreach.Counts(r.Context(), userOf(r), outreachsvc.CountFilter{Region: region, From: from, To: to})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	names, err := a.app.RegionNames(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	byRegion := make([]map[string]any, 0, len(t.Regions))
	for _, c := range t.Regions {
		byRegion = append(byRegion, map[string]any{"region": c.Region, "name": names(c.Region), "lectures": c.Lectures, "attendance": c.Attendance,
			"quizzes": c.Quizzes, "entries": c.Entries, "submitted": c.Submitted})
	}
	byUnit := make([]map[string]any, 0, len(t.Units))
	for _, u := range t.Units {
		byUnit = append(byUnit, map[string]any{"unit_id": u.UnitID, "name": u.Name, "lectures": u.Lectures, "attendance": u.Attendance})
	}
	out := map[string]any{"region": region, "lectures": t.Lectures, "attendance": t.Attendance, "quizzes": t.Quizzes, "entries": t.Entries,
		"submitted": t.Submitted, "by_community": byRegion, "by_unit": byUnit, "from": nil, "to": nil}
	if !from.IsZero() {
		out["from"] = a.rfc(from)
	}
	if !to.IsZero() {
		out["to"] = a.rfc(to)
	}
	writeJSON(w, http.StatusOK, out)
}
