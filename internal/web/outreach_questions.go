package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The question bank's pages: the list with its filters, import and export,
// and the form of one question.

// optionLetters label options A to H.
const optionLetters = "ABCDEFGH"

// questionRow is a question as the list shows it.
type questionRow struct {
	outreach.Question
	Answer string // letters, or 正确/错误
}

// questionsPage is the question bank.
type questionsPage struct {
	Page
	outreachTab
	Kind, Tag, Q string
	Retired      bool
	Kinds        []outreach.Kind
	Tags         []store.TagCount
	Rows         []questionRow
	Pager        pager
	Total        int
	ExportQuery  string
	// Rows of a refused import: "第 7 行 答案：…".
	ImportErrors []string
	Imported     int
}

func answerText(p interface{ T(string, ...any) string }, q outreach.Question) string {
	if q.Kind == outreach.TrueFalse {
		if len(q.Answer) == 1 && q.Answer[0] == 1 {
			return p.T("outreach.false")
		}
		return p.T("outreach.true")
	}
	var b strings.Builder
	for _, i := range q.Answer {
		if i >= 0 && i < len(optionLetters) {
			b.WriteByte(optionLetters[i])
		}
	}
	return b.String()
}

func (s *Server) questionsData(r *http.Request) (questionsPage, error) {
	q := r.URL.Query()
	data := questionsPage{Page: s.page(r, "outreach.questions.title"), outreachTab: s.outreachTabs(r, "questions"), Kind: q.Get("kind"), Tag: q.Get("tag"),
		Q: q.Get("q"), Retired: q.Get("retired") == "1", Kinds: outreach.Kinds}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 50}.Clamp()
	f := outreachsvc.QuestionFilter{Kind: outreach.Kind(data.Kind), Tag: data.Tag, Q: data.Q, Retired: data.Retired, Page: page}
	list, total, err := s.app.Outreach.Questions(r.Context(), userOf(r), f)
	if err != nil {
		return data, err
	}
	if data.Tags, err = s.app.Outreach.QuestionTags(r.Context(), userOf(r)); err != nil {
		return data, err
	}
	p := printer(r)
	for _, qu := range list {
		data.Rows = append(data.Rows, questionRow{Question: qu, Answer: answerText(p, qu)})
	}
	data.Total, data.Pager = total, newPager(r, page.Page, page.Size, total)
	ev := url.Values{}
	for k, v := range map[string]string{"kind": data.Kind, "tag": data.Tag, "q": data.Q} {
		if v != "" {
			ev.Set(k, v)
		}
	}
	data.ExportQuery = ev.Encode()
	return data, nil
}

func (s *Server) questionList(w http.ResponseWriter, r *http.Request) {
	data, err := s.questionsData(r)
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	if n := r.URL.Query().Get("imported"); n != "" {
		data.Imported = atoiDefault(n, 0)
	}
	s.render(w, r, http.StatusOK, "questions", data)
}

// questionForm is the question form's fields as typed.
type questionForm struct {
	Kind, Text, Explanation, Tags string
	Options                       [8]string
	Answer                        []string // checked letters' indices
	Version                       int
}

// questionFormPage is the form of one question.
type questionFormPage struct {
	Page
	outreachTab
	Action     string
	QuestionID int64
	Active     bool
	Form       questionForm
	Kinds      []outreach.Kind
	Letters    []string
}

func (s *Server) renderQuestionForm(w http.ResponseWriter, r *http.Request, status int, data questionFormPage, err error) {
	data.Kinds = outreach.Kinds
	for _, l := range optionLetters {
		data.Letters = append(data.Letters, string(l))
	}
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, status, "question_form", data)
}

func (s *Server) questionNew(w http.ResponseWriter, r *http.Request) {
	if !outreachsvc.CanEditBank(userOf(r)) {
		s.forbidden(w, r)
		return
	}
	s.renderQuestionForm(w, r, http.StatusOK, questionFormPage{Page: s.page(r, "outreach.question.new"), outreachTab: s.outreachTabs(r, "questions"),
		Action: "/questions", Active: true, Form: questionForm{Kind: string(outreach.Single)}}, nil)
}

func parseQuestionForm(r *http.Request) (questionForm, outreach.Question) {
	pf := r.PostForm
	form := questionForm{Kind: pf.Get("kind"), Text: pf.Get("text"), Explanation: pf.Get("explanation"), Tags: pf.Get("tags"), Answer: pf["answer"]}
	form.Version, _ = strconv.Atoi(pf.Get("version"))
	q := outreach.Question{Kind: outreach.Kind(form.Kind), Text: form.Text, Explanation: form.Explanation, Version: form.Version}
	for i := range form.Options {
		form.Options[i] = pf.Get("option_" + strconv.Itoa(i))
		q.Options = append(q.Options, form.Options[i])
	}
	for _, a := range form.Answer {
		if i, err := strconv.Atoi(a); err == nil {
			q.Answer = append(q.Answer, i)
		}
	}
	q.Tags = strings.FieldsFunc(form.Tags, func(r rune) bool { return strings.ContainsRune(",，、;； ", r) })
	return form, q
}

func (s *Server) questionCreate(w http.ResponseWriter, r *http.Request) {
	form, q := parseQuestionForm(r)
	_, err := s.app.Outreach.CreateQuestion(r.Context(), s.actor(r), userOf(r), q)
	if err != nil {
		if c := apperr.As(err).Code; c == apperr.Internal || c == apperr.Forbidden {
			s.outreachFailed(w, r, err)
			return
		}
		s.renderQuestionForm(w, r, statusFor(err), questionFormPage{Page: s.page(r, "outreach.question.new"), outreachTab: s.outreachTabs(r, "questions"),
			Action: "/questions", Active: true, Form: form}, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/questions", http.StatusSeeOther)
}

func (s *Server) questionEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	q, err := s.app.Outreach.Question(r.Context(), userOf(r), id)
	if err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	if !outreachsvc.CanEditBank(userOf(r)) {
		s.forbidden(w, r)
		return
	}
	form := questionForm{Kind: string(q.Kind), Text: q.Text, Explanation: q.Explanation, Tags: strings.Join(q.Tags, "、"), Version: q.Version}
	copy(form.Options[:], q.Options)
	for _, a := range q.Answer {
		form.Answer = append(form.Answer, strconv.Itoa(a))
	}
	s.renderQuestionForm(w, r, http.StatusOK, questionFormPage{Page: s.page(r, "outreach.question.edit"), outreachTab: s.outreachTabs(r, "questions"),
		Action: "/questions/" + strconv.FormatInt(id, 10), QuestionID: id, Active: q.Active, Form: form}, nil)
}

func (s *Server) questionUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	form, q := parseQuestionForm(r)
	_, err := s.app.Outreach.UpdateQuestion(r.Context(), s.actor(r), userOf(r), id, q)
	if err != nil {
		if c := apperr.As(err).Code; c == apperr.Internal || c == apperr.Forbidden || c == apperr.NotFound {
			s.outreachFailed(w, r, err)
			return
		}
		s.renderQuestionForm(w, r, statusFor(err), questionFormPage{Page: s.page(r, "outreach.question.edit"), outreachTab: s.outreachTabs(r, "questions"),
			Action: "/questions/" + strconv.FormatInt(id, 10), QuestionID: id, Active: true, Form: form}, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/questions", http.StatusSeeOther)
}

func (s *Server) questionRetire(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := s.app.Outreach.RetireQuestion(r.Context(), s.actor(r), userOf(r), id); err != nil {
		s.outreachFailed(w, r, err)
		return
	}
	setFlash(w, "outreach.flash.retired")
	http.Redirect(w, r, "/questions", http.StatusSeeOther)
}

// questionImport takes a question file; a bad row shows every bad row and writes nothing.
func (s *Server) questionImport(w http.ResponseWriter, r *http.Request) {
	if !outreachsvc.CanEditBank(userOf(r)) {
		s.forbidden(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 10<<20)
	var err error
	n := 0
	f, _, ferr := r.FormFile("file")
	if ferr != nil {
		err = apperr.Field("file", "err.required")
	} else {
		defer f.Close()
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
		n, err = s.app.Outreach.ImportQuestions(r.Context(), s.actor(r), userOf(r), f)
	}
	if err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		data, derr := s.questionsData(r)
		if derr != nil {
			s.outreachFailed(w, r, derr)
			return
		}
		p := printer(r)
		data.withError(p, err)
		rows := outreachsvc.RowFields(p, err)
		keys := slices.Collect(maps.Keys(rows))
		slices.SortFunc(keys, func(a, b string) int {
			x, _ := strconv.Atoi(strings.TrimPrefix(a, "row "))
			y, _ := strconv.Atoi(strings.TrimPrefix(b, "row "))
			return x - y
		})
		for _, k := range keys {
			data.ImportErrors = append(data.ImportErrors, rows[k])
		}
		s.render(w, r, statusFor(err), "questions", data)
		return
	}
	setFlash(w, "outreach.flash.imported")
	http.Redirect(w, r, "/questions?imported="+strconv.Itoa(n), http.StatusSeeOther)
}

func (s *Server) questionExport(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.OutreachRead) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	p := printer(r)
	sendDownload(w, "questions.xlsx", p.T("outreach.sheet.questions")+".xlsx")
	f := outreachsvc.QuestionFilter{Kind: outreach.Kind(q.Get("kind")), Tag: q.Get("tag"), Q: q.Get("q")}
	if err := s.app.Outreach.ExportQuestions(r.Context(), u, w, p, f); err != nil {
		s.app.Log.Error("question export failed", "err", err)
	}
}

func (s *Server) questionTemplate(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.OutreachRead) {
		s.forbidden(w, r)
		return
	}
	p := printer(r)
	sendDownload(w, "questions-template.xlsx", p.T("outreach.template.filename")+".xlsx")
	if err := outreachsvc.QuestionTemplate(w, p); err != nil {
		s.app.Log.Error("question template failed", "err", err)
	}
}

// sendDownload sets a workbook download's headers; name is shown in the user's language.
func sendDownload(w http.ResponseWriter, ascii, name string) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\""+ascii+"\"; filename*=UTF-8''"+url.PathEscape(name))
}
