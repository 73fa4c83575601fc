package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/unit"
)

// The letter templates for admins (GET /letters/templates, POST
// /letters/templates): the list per year and unit kind, and the form that
// creates a template or edits one. Saving raises the version; letters
// already issued keep the text they were issued with.

// blankClauses is how many empty clause rows the form offers for new clauses.
const blankClauses = 3

// clauseForm is one clause row of the form: its text and its category codes.
type clauseForm struct {
	Text string
	Cats string
}

// templateForm is the template form as typed.
type templateForm struct {
	ID           int64
	Version      int
	Year         string
	Kind         string
	Title        string
	Preamble     string
	Clauses      []clauseForm
	StreetDuties string // one duty a line
	UnitDuties   string
	Term         string
}

func templateFormFrom(t letters.Template) templateForm {
	f := templateForm{ID: t.ID, Version: t.Version, Year: strconv.Itoa(t.Year), Kind: t.Kind, Title: t.Title, Preamble: t.Preamble,
		StreetDuties: strings.Join(t.StreetDuties, "\n"), UnitDuties: strings.Join(t.UnitDuties, "\n"), Term: t.Term}
	for _, c := range t.Clauses {
		f.Clauses = append(f.Clauses, clauseForm{Text: c.Text, Cats: strings.Join(c.Categories, " ")})
	}
	return f
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// codes splits typed category codes: separated by spaces, commas or 、.
func codes(s string) []string {
	return strings.FieldsFunc(s, func(c rune) bool {
		return c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c == ' ' || c == '　' || c == '\t'
	})
}

// parseTemplateForm reads the form; the clause rows come as parallel
// clause and clause_cats fields.
func parseTemplateForm(r *http.Request) templateForm {
	f := templateForm{Year: strings.TrimSpace(r.PostFormValue("year")), Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"),
		Preamble: r.PostFormValue("preamble"), StreetDuties: r.PostFormValue("street_duties"), UnitDuties: r.PostFormValue("unit_duties"),
		Term: r.PostFormValue("term")}
	f.ID, _ = strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	texts, cats := r.PostForm["clause"], r.PostForm["clause_cats"]
	for i, t := range texts {
		c := clauseForm{Text: t}
		if i < len(cats) {
			c.Cats = cats[i]
		}
		if strings.TrimSpace(c.Text) != "" || strings.TrimSpace(c.Cats) != "" {
			f.Clauses = append(f.Clauses, c)
		}
	}
	return f
}

// template turns the form into a template; a year that is not a number is a field error.
func (f templateForm) template() (letters.Template, error) {
	t := letters.Template{ID: f.ID, Version: f.Version, Kind: f.Kind, Title: f.Title, Preamble: f.Preamble,
		StreetDuties: lines(f.StreetDuties), UnitDuties: lines(f.UnitDuties), Term: f.Term}
	for _, c := range f.Clauses {
		t.Clauses = append(t.Clauses, letters.Clause{Text: c.Text, Categories: codes(c.Cats)})
	}
	y, err := strconv.Atoi(f.Year)
	if err != nil {
		return t, apperr.Field("year", "err.out_of_range")
	}
	t.Year = y
	return t, nil
}

// templateRow is one template of the list.
type templateRow struct {
	letters.Template
	Editing bool
}

type templatesPage struct {
	Page
	Rows      []templateRow
	Form      *templateForm // nil when no template is being edited
	Kinds     []unit.Kind
	Variables []string
}

// Rows returns the clause rows of the form: its clauses and a few empty ones.
func (p templatesPage) ClauseRows() []clauseForm {
	if p.Form == nil {
		return nil
	}
	return append(append([]clauseForm{}, p.Form.Clauses...), make([]clauseForm, blankClauses)...)
}

// letterTemplates lists the templates and shows the form of the one chosen
// (?id=), a new one (?new=1, optionally a copy of ?copy=).
func (s *Server) letterTemplates(w http.ResponseWriter, r *http.Request) {
	if !s.app.LetterSvc.CanEditTemplates(userOf(r)) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	var form *templateForm
	switch {
	case q.Get("id") != "":
		id, err := strconv.ParseInt(q.Get("id"), 10, 64)
		if err != nil {
			s.notFound(w, r)
			return
		}
		t, err := s.app.LetterSvc.Template(r.Context(), userOf(r), id)
		if !s.loaded(w, r, err) {
			return
		}
		f := templateFormFrom(t)
		form = &f
	case q.Get("new") != "":
		f := templateForm{Year: strconv.Itoa(s.thisYear())}
		if id, err := strconv.ParseInt(q.Get("copy"), 10, 64); err == nil {
			if t, err := s.app.LetterSvc.Template(r.Context(), userOf(r), id); err == nil {
				f = templateFormFrom(t)
				f.ID, f.Version = 0, 0
			}
		}
		form = &f
	}
	s.renderTemplates(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderTemplates(w http.ResponseWriter, r *http.Request, status int, form *templateForm, err error) {
	list, lerr := s.app.LetterSvc.Templates(r.Context(), userOf(r), 0)
	if lerr != nil {
		s.serverError(w, r, lerr)
		return
	}
	data := templatesPage{Page: s.page(r, "letters.templates.title"), Form: form, Kinds: unit.Kinds, Variables: letters.Variables}
	for _, t := range list {
		data.Rows = append(data.Rows, templateRow{Template: t, Editing: form != nil && form.ID == t.ID})
	}
	if err != nil {
		data.withError(printer(r), err)
		if apperr.As(err).Msg.Key == "err.invalid" {
			data.Error = printer(r).Error(err)
		}
	}
	s.render(w, r, status, "letters_templates", data)
}

// letterTemplateSave creates or updates a template from the form.
func (s *Server) letterTemplateSave(w http.ResponseWriter, r *http.Request) {
	if !s.app.LetterSvc.CanEditTemplates(userOf(r)) {
		s.forbidden(w, r) // before the form's own errors: the form is not theirs to fill in
		return
	}
	form := parseTemplateForm(r)
	t, err := form.template()
	if err == nil {
		t, err = s.app.LetterSvc.SaveTemplate(r.Context(), s.actor(r), userOf(r), t)
	}
	if err != nil {
		switch apperr.As(err).Code {
		case apperr.Internal:
			s.serverError(w, r, err)
		case apperr.Forbidden:
			s.forbidden(w, r)
		case apperr.NotFound:
			s.notFound(w, r)
		default:
			s.renderTemplates(w, r, statusFor(err), &form, err)
		}
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/letters/templates?id="+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}
