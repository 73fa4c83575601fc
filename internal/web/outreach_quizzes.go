package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The organisers' quiz pages: the list, the form (chosen questions or a
// random draw by tags), a quiz with its leaderboard, winners and entries,
// the projector view with a self-updating leaderboard, and the poster.

// quizzesPage is the quiz list.
type quizzesPage struct {
	Page
	outreachTab
	Q     string
	Rows  []outreachsvc.QuizView
	Pager pager
}

func (s *Server) quizList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := quizzesPage{Page: s.page(r, "outreach.quizzes.title"), outreachTab: s.outreachTabs(r, "quizzes"), Q: q.Get("q")}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()
	list, total, err := s.app.Outreach.Quizzes(r.Context(), userOf(r), outreachsvc.QuizFilter{Q: data.Q, Page: page})
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	data.Rows, data.Pager = list, newPager(r, page.Page, page.Size, total)
	s.render(w, r, http.StatusOK, "quizzes", data)
}

// quizForm is the quiz form's fields as typed.
type quizForm struct {
	Title, Intro, Mode   string // mode: "choose" or "draw"
	Questions, DrawTags  []string
	DrawCount, Minutes   string
	OpensAt, ClosesAt    string
	First, Second, Third string
	Regions              []string
}

// quizFormPage is the form to make a quiz.
type quizFormPage struct {
	Page
	outreachTab
	Form      quizForm
	Questions []questionRow
	Tags      []store.TagCount
	Regions   []choice
}

func (s *Server) renderQuizForm(w http.ResponseWriter, r *http.Request, status int, data quizFormPage, err error) {
	ctx := r.Context()
	u := userOf(r)
	list, _, qerr := s.app.Outreach.Questions(ctx, u, outreachsvc.QuestionFilter{Page: store.Page{Size: 100}})
	if qerr != nil {
		s.outreachFailed(w, r, qerr)
		return
	}
	p := printer(r)
	for _, q := range list {
		data.Questions = append(data.Questions, questionRow{Question: q, Answer: answerText(p, q)})
	}
	if data.Tags, qerr = s.app.Outreach.QuestionTags(ctx, u); qerr != nil {
		s.serverError(w, r, qerr)
		return
	}
	if data.Regions, _, qerr = s.audienceChoices(r); qerr != nil {
		s.serverError(w, r, qerr)
		return
	}
	if err != nil {
		data.withError(p, err)
	}
	s.render(w, r, status, "quiz_form", data)
}

func (s *Server) quizNew(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.OutreachManage) {
		s.forbidden(w, r)
		return
	}
	opens := time.Now().In(s.app.Loc).Truncate(time.Minute)
	form := quizForm{Mode: "draw", DrawCount: "10", Minutes: "5", OpensAt: s.inputTime(opens), ClosesAt: s.inputTime(opens.AddDate(0, 0, 7)),
		First: "1", Second: "2", Third: "3"}
	s.renderQuizForm(w, r, http.StatusOK, quizFormPage{Page: s.page(r, "outreach.quiz.new"), outreachTab: s.outreachTabs(r, "quizzes"), Form: form}, nil)
}

func (s *Server) quizCreate(w http.ResponseWriter, r *http.Request) {
	pf := r.PostForm
	form := quizForm{Title: pf.Get("title"), Intro: pf.Get("intro"), Mode: pf.Get("mode"), Questions: pf["questions"], DrawTags: pf["draw_tags"],
		DrawCount: pf.Get("draw_count"), Minutes: pf.Get("minutes"), OpensAt: pf.Get("opens_at"), ClosesAt: pf.Get("closes_at"),
		First: pf.Get("first"), Second: pf.Get("second"), Third: pf.Get("third"), Regions: pf["regions"]}
	in := outreachsvc.QuizInput{Title: form.Title, Intro: form.Intro, Regions: form.Regions}
	f := apperr.Fields{}
	if form.Mode == "draw" {
		n, err := strconv.Atoi(strings.TrimSpace(form.DrawCount))
		if err != nil {
			f.Add("draw", "err.format")
		}
		in.Draw = &outreachsvc.Draw{Tags: form.DrawTags, Count: n}
	} else {
		for _, v := range form.Questions {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				in.Questions = append(in.Questions, id)
			}
		}
	}
	if m, err := strconv.ParseFloat(strings.TrimSpace(form.Minutes), 64); err != nil || m != m || m < 0 || m > 1e4 {
		f.Add("time_limit_s", "err.format")
	} else {
		in.TimeLimit = time.Duration(m * float64(time.Minute)).Round(time.Second)
	}
	for _, t := range []struct {
		field, v string
		dst      *time.Time
	}{{"opens_at", form.OpensAt, &in.OpensAt}, {"closes_at", form.ClosesAt, &in.ClosesAt}} {
		v, err := time.ParseInLocation(formTime, strings.TrimSpace(t.v), s.app.Loc)
		if err != nil {
			f.Add(t.field, "err.format")
			continue
		}
		*t.dst = v
	}
	for _, v := range []string{form.First, form.Second, form.Third} {
		if strings.TrimSpace(v) == "" {
			in.Prizes = append(in.Prizes, 0)
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			f.Add("prizes", "err.format")
		}
		in.Prizes = append(in.Prizes, n)
	}
	err := f.Err()
	var v outreachsvc.QuizView
	if err == nil {
		v, err = s.app.Outreach.CreateQuiz(r.Context(), s.actor(r), userOf(r), in)
	}
	if err != nil {
		if c := apperr.As(err).Code; c == apperr.Internal || c == apperr.Forbidden {
			s.outreachFailed(w, r, err)
			return
		}
		s.renderQuizForm(w, r, statusFor(err), quizFormPage{Page: s.page(r, "outreach.quiz.new"), outreachTab: s.outreachTabs(r, "quizzes"), Form: form}, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/quizzes/"+strconv.FormatInt(v.ID, 10), http.StatusSeeOther)
}

// quizPage is one quiz for its organisers and readers.
type quizPage struct {
	Page
	outreachTab
	Z         outreachsvc.QuizView
	URL       string
	Questions []questionRow
	Board     outreachsvc.Board
	Winners   []outreachsvc.Winner
	Entries   []outreach.Entry
	Total     int
	Names     map[string]string
	Pager     pager
	Minutes   string
}

func (s *Server) loadQuiz(w http.ResponseWriter, r *http.Request) (outreachsvc.QuizView, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return outreachsvc.QuizView{}, false
	}
	v, err := s.app.Outreach.Quiz(r.Context(), userOf(r), id)
	if err != nil {
		s.outreachFailed(w, r, err)
		return v, false
	}
	return v, true
}

func (s *Server) quizData(r *http.Request, v outreachsvc.QuizView) (quizPage, error) {
	ctx := r.Context()
	u := userOf(r)
	data := quizPage{Page: s.page(r, "outreach.quiz.title"), outreachTab: s.outreachTabs(r, "quizzes"), Z: v, URL: s.baseURL(r) + "/q/" + v.Code,
		Minutes: minutes(v.TimeLimit)}
	data.Title = v.Title
	p := printer(r)
	for _, q := range v.Questions {
		data.Questions = append(data.Questions, questionRow{Question: q.Question, Answer: answerText(p, q.Question)})
	}
	var err error
	if data.Board, err = s.app.Outreach.Leaderboard(ctx, u, v.ID, 10); err != nil {
		return data, err
	}
	if _, data.Winners, err = s.app.Outreach.Winners(ctx, u, v.ID); err != nil {
		return data, err
	}
	page := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 50}.Clamp()
	if _, data.Entries, data.Total, err = s.app.Outreach.Entries(ctx, u, v.ID, page); err != nil {
		return data, err
	}
	data.Pager = newPager(r, page.Page, page.Size, data.Total)
	data.Names, err = s.app.DB.RegionNames(ctx)
	return data, err
}

func (s *Server) quizDetail(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadQuiz(w, r)
	if !ok {
		return
	}
	data, err := s.quizData(r, v)
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "quiz", data)
}

// quizAction runs a close or cancel and comes back to the quiz.
func (s *Server) quizAction(w http.ResponseWriter, r *http.Request, act func(id int64) error, flash string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := act(id); err != nil {
		if c := apperr.As(err).Code; c == apperr.Internal || c == apperr.NotFound {
			s.outreachFailed(w, r, err)
			return
		}
		v, lerr := s.app.Outreach.Quiz(r.Context(), userOf(r), id)
		if lerr != nil {
			s.outreachFailed(w, r, lerr)
			return
		}
		data, derr := s.quizData(r, v)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		data.withError(printer(r), err)
		s.render(w, r, statusFor(err), "quiz", data)
		return
	}
	setFlash(w, flash)
	http.Redirect(w, r, "/quizzes/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) quizClose(w http.ResponseWriter, r *http.Request) {
	s.quizAction(w, r, func(id int64) error {
		_, err := s.app.Outreach.CloseQuiz(r.Context(), s.actor(r), userOf(r), id)
		return err
	}, "outreach.flash.closed")
}

func (s *Server) quizCancel(w http.ResponseWriter, r *http.Request) {
	s.quizAction(w, r, func(id int64) error {
		_, err := s.app.Outreach.CancelQuiz(r.Context(), s.actor(r), userOf(r), id)
		return err
	}, "outreach.flash.cancelled")
}

// quizLeaderboardJSON is what the projector polls: the same body as the API's leaderboard.
func (s *Server) quizLeaderboardJSON(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	n := atoiDefault(r.URL.Query().Get("n"), 10)
	if n < 1 || n > 100 {
		n = 10
	}
	b, err := s.app.Outreach.Leaderboard(r.Context(), userOf(r), id, n)
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	names, err := s.app.RegionNames(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(b.Wire(names))
}

// quizQR serves the poster or the projector view of a quiz.
func (s *Server) quizQR(w http.ResponseWriter, r *http.Request, screen bool) {
	v, ok := s.loadQuiz(w, r)
	if !ok {
		return
	}
	p := printer(r)
	data := posterPage{Page: s.page(r, "outreach.poster.title"), Kind: "quiz", ID: v.ID, Heading: v.Title, URL: s.baseURL(r) + "/q/" + v.Code,
		Back: "/quizzes/" + strconv.FormatInt(v.ID, 10), Interval: 3, LiveURL: "/quizzes/" + strconv.FormatInt(v.ID, 10) + "/leaderboard.json"}
	data.Title = v.Title
	data.Lines = []string{p.T("outreach.poster.quiz_when", datetimeIn(v.OpensAt, s.app.Loc), datetimeIn(v.ClosesAt, s.app.Loc)),
		p.T("outreach.poster.quiz_rules", len(v.Questions), minutes(v.TimeLimit))}
	var err error
	if data.QR, err = qrData(data.URL); err != nil {
		s.serverError(w, r, err)
		return
	}
	if screen {
		s.renderBare(w, r, http.StatusOK, "outreach_screen", data)
		return
	}
	s.render(w, r, http.StatusOK, "outreach_poster", data)
}

func (s *Server) quizPoster(w http.ResponseWriter, r *http.Request) { s.quizQR(w, r, false) }

func (s *Server) quizScreen(w http.ResponseWriter, r *http.Request) { s.quizQR(w, r, true) }

func (s *Server) quizWinnersXLSX(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadQuiz(w, r)
	if !ok {
		return
	}
	if !v.Can(outreach.QuizMobiles) {
		s.forbidden(w, r)
		return
	}
	names, err := s.app.RegionNames(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := printer(r)
	sendDownload(w, "winners.xlsx", p.T("outreach.sheet.winners")+"-"+v.Title+".xlsx")
	if err := s.app.Outreach.ExportWinners(r.Context(), userOf(r), v.ID, w, p, names); err != nil {
		s.app.Log.Error("winners export failed", "err", err)
	}
}
