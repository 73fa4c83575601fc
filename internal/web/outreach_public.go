package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The residents' pages, opened from a QR code on any phone with no account:
// the lecture sign-in (GET and POST /l/{code}) and the quiz (GET /q/{code},
// whose script talks to the public API). They use a bare page of their own —
// no menu, no htmx, no map — so that an old phone on a slow network loads
// them quickly, and nothing on them comes from a script written inline.

// deviceCookieAge is how long a phone keeps its sign-in cookie.
const deviceCookieAge = 365 * 24 * 3600

// renderBare writes the "bare" document of a page template (no site layout).
func (s *Server) renderBare(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.tpl.pages[langOf(r)][name]
	if !ok {
		s.serverError(w, r, fmt.Errorf("no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "bare", data); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// choice is one option of a select.
type choice struct {
	Value, Label string
}

func communityChoices(cs []region.Region) []choice {
	out := make([]choice, 0, len(cs))
	for _, c := range cs {
		out = append(out, choice{c.Code, c.Name})
	}
	return out
}

// deviceID returns the phone's device cookie, setting a new one when absent.
func (s *Server) deviceID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(outreachsvc.DeviceCookie); err == nil && outreachsvc.ValidCode(c.Value) {
		return c.Value
	}
	v := outreachsvc.NewCode()
	http.SetCookie(w, s.cookie(outreachsvc.DeviceCookie, v, deviceCookieAge))
	return v
}

// publicSignInPage is the data of the lecture's sign-in page.
type publicSignInPage struct {
	Page
	Code        string
	Lecture     outreach.Lecture
	State       outreach.State
	Communities []choice
	Form        outreach.Person
	Done        *outreach.SignIn
	RegionName  string
}

func (s *Server) publicSignInData(r *http.Request, pl outreachsvc.PublicLecture, code string) publicSignInPage {
	pg := s.page(r, "outreach.signin.title")
	pg.Title = pl.Lecture.Title
	return publicSignInPage{Page: pg, Code: code, Lecture: pl.Lecture, State: pl.State, Communities: communityChoices(pl.Communities)}
}

// publicSignInForm shows the sign-in page of the lecture with code.
func (s *Server) publicSignInForm(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	pl, err := s.app.Outreach.PublicLecture(r.Context(), code)
	if err != nil {
		s.publicNotFound(w, r, err)
		return
	}
	s.deviceID(w, r)
	s.renderBare(w, r, http.StatusOK, "public_lecture", s.publicSignInData(r, pl, code))
}

// publicNotFound answers a public page for an unknown code.
func (s *Server) publicNotFound(w http.ResponseWriter, r *http.Request, err error) {
	if !apperr.Is(err, apperr.NotFound) {
		s.serverError(w, r, err)
		return
	}
	data := publicSignInPage{Page: s.page(r, "outreach.public.not_found")}
	data.Error = printer(r).T("outreach.public.not_found_text")
	s.renderBare(w, r, http.StatusNotFound, "public_lecture", data)
}

// publicSignIn records a sign-in from the page's form.
func (s *Server) publicSignIn(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	in := outreachsvc.SignInInput{Person: outreach.Person{Name: r.PostFormValue("name"), Region: r.PostFormValue("region"), Mobile: r.PostFormValue("mobile")}}
	if c, err := r.Cookie(outreachsvc.DeviceCookie); err == nil && outreachsvc.ValidCode(c.Value) {
		in.Device = c.Value
	}
	var err error
	if r.ContentLength > outreachsvc.MaxPublicBody || len(r.PostForm.Encode()) > outreachsvc.MaxPublicBody {
		err = apperr.New(apperr.TooLarge, "err.body_too_large")
	}
	var si outreach.SignIn
	if err == nil {
		si, err = s.app.Outreach.SignIn(r.Context(), store.Actor{Name: publicActorName, IP: s.app.Auth.ClientIP(r)}, code, in)
	}
	pl, perr := s.app.Outreach.PublicLecture(r.Context(), code)
	if perr != nil {
		s.publicNotFound(w, r, perr)
		return
	}
	data := s.publicSignInData(r, pl, code)
	if err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		data.Form = in.Person
		data.withError(printer(r), err)
		s.renderBare(w, r, statusFor(err), "public_lecture", data)
		return
	}
	if in.Device == "" {
		s.deviceID(w, r)
	}
	data.Done = &si
	for _, c := range data.Communities {
		if c.Value == si.Region {
			data.RegionName = c.Label
		}
	}
	s.renderBare(w, r, http.StatusOK, "public_lecture", data)
}

// publicQuizPage is the data of the phone's quiz page. It carries no
// question: the script asks for them when the entry starts.
type publicQuizPage struct {
	Page
	Code        string
	API         string
	Quiz        outreach.Quiz
	Questions   int
	Minutes     string
	State       outreach.State
	Communities []choice
	// Text holds the script's messages in the page's language (written as JSON).
	Text map[string]string
}

// quizScriptKeys are the messages the quiz script shows.
var quizScriptKeys = []string{"outreach.quiz.remaining", "outreach.quiz.submit", "outreach.quiz.submitting", "outreach.quiz.time_up",
	"outreach.quiz.score", "outreach.quiz.rank", "outreach.quiz.seconds", "outreach.quiz.correct", "outreach.quiz.wrong",
	"outreach.quiz.your_answer", "outreach.quiz.right_answer", "outreach.quiz.none", "outreach.quiz.network", "outreach.quiz.kind.single",
	"outreach.quiz.kind.multiple", "outreach.quiz.kind.truefalse", "outreach.quiz.unanswered", "outreach.quiz.why"}

// publicQuiz shows the quiz page of the quiz with code.
func (s *Server) publicQuiz(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	pq, err := s.app.Outreach.PublicQuiz(r.Context(), code)
	if err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			s.serverError(w, r, err)
			return
		}
		data := publicQuizPage{Page: s.page(r, "outreach.public.not_found")}
		data.Error = printer(r).T("outreach.public.not_found_text")
		s.renderBare(w, r, http.StatusNotFound, "public_quiz", data)
		return
	}
	p := printer(r)
	pg := s.page(r, "outreach.quiz.title")
	pg.Title = pq.Quiz.Title
	text := map[string]string{}
	for _, k := range quizScriptKeys {
		text[strings.TrimPrefix(k, "outreach.quiz.")] = p.T(k)
	}
	data := publicQuizPage{Page: pg, Code: code, API: "/api/v1/public/quizzes/" + code, Quiz: pq.Quiz, Questions: pq.Questions,
		Minutes: minutes(pq.Quiz.TimeLimit), State: pq.State, Communities: communityChoices(pq.Communities), Text: text}
	s.renderBare(w, r, http.StatusOK, "public_quiz", data)
}

// minutes writes a time limit as minutes (with seconds when not whole).
func minutes(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprint(int(d.Minutes()))
	}
	return fmt.Sprintf("%.1f", d.Minutes())
}
