package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The rubric pages: the list of a year's rubrics (with the defaults an
// admin makes in one click, and copying), and a rubric's items to edit
// until a published bulletin freezes it.

type assessRubricsPage struct {
	Page
	Tabs    []NavItem
	Year    int
	Rubrics []rubricRow
	IsAdmin bool
}

type rubricRow struct {
	store.RubricRow
	Total string
}

// assessRubrics lists the rubrics of a year.
func (s *Server) assessRubrics(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !mayAssess(u) {
		s.forbidden(w, r)
		return
	}
	year := atoiDefault(r.URL.Query().Get("year"), s.app.Assess.Now().In(s.app.Loc).Year())
	if year < 2000 || year > 2100 {
		year = s.app.Assess.Now().In(s.app.Loc).Year()
	}
	data := assessRubricsPage{Page: s.page(r, "assess.rubrics_title"), Tabs: s.assessTabs(r), Year: year, IsAdmin: u.CanSomewhere(auth.AssessAdmin)}
	list, err := s.app.Assess.Rubrics(r.Context(), u, year)
	if err != nil && !apperr.Is(err, apperr.Forbidden) {
		s.serverError(w, r, err)
		return
	}
	for _, rb := range list {
		data.Rubrics = append(data.Rubrics, rubricRow{RubricRow: rb, Total: assesssvc.FmtNum(rb.Total())})
	}
	s.render(w, r, http.StatusOK, "assess_rubrics", data)
}

// assessDefaults makes the default community and unit rubrics of a year over the admin's area.
func (s *Server) assessDefaults(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	roots := u.Scopes(auth.AssessAdmin)
	if len(roots) == 0 {
		s.forbidden(w, r)
		return
	}
	year := atoiDefault(r.FormValue("year"), 0)
	if year < 2000 || year > 2100 {
		s.render(w, r, http.StatusUnprocessableEntity, "error", errorPage{Page: s.page(r, "err.invalid"), Message: printer(r).Field("year", apperr.Msg{Key: "err.out_of_range"})})
		return
	}
	_, err := s.app.Assess.EnsureDefaults(r.Context(), s.actor(r), year, roots[0])
	s.saved(w, r, err, "/assess/rubrics?year="+strconv.Itoa(year), func() {
		s.render(w, r, statusFor(err), "error", errorPage{Page: s.page(r, "err.invalid"), Message: printer(r).Error(err)})
	})
}

// assessCopy copies a rubric (to change a frozen one).
func (s *Server) assessCopy(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	src, err := s.app.Assess.Rubric(r.Context(), userOf(r), id)
	if !s.loaded(w, r, err) {
		return
	}
	rb, err := s.app.Assess.CreateRubric(r.Context(), s.actor(r), userOf(r), assesssvc.RubricInput{CopyOf: id, Title: src.Title + printer(r).T("assess.copy_suffix")})
	if err != nil {
		if apperr.Is(err, apperr.Forbidden) {
			s.forbidden(w, r)
			return
		}
		s.render(w, r, statusFor(err), "error", errorPage{Page: s.page(r, "err.invalid"), Message: printer(r).Error(err)})
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/assess/rubrics/"+strconv.FormatInt(rb.ID, 10), http.StatusSeeOther)
}

// itemRow is one line of the rubric form.
type itemRow struct {
	N                                        int
	Key, Name, Max, Method, Indicator, Bands string
	Per                                      string
}

type assessRubricPage struct {
	Page
	Tabs       []NavItem
	Rubric     store.RubricRow
	Title      string
	Rows       []itemRow
	Methods    []assess.Method
	Indicators []assess.Key
	CanEdit    bool
	Total      string
}

func bandsText(b []assess.Band) string {
	var parts []string
	for _, x := range b {
		parts = append(parts, assesssvc.FmtNum(x.Min)+":"+assesssvc.FmtNum(x.Share))
	}
	return strings.Join(parts, " ")
}

func (s *Server) rubricPage(r *http.Request, rb store.RubricRow) assessRubricPage {
	u := userOf(r)
	data := assessRubricPage{Page: s.page(r, "assess.rubric_title"), Tabs: s.assessTabs(r), Rubric: rb, Title: rb.Title, Methods: assess.Methods,
		CanEdit: !rb.Published && u.Can(auth.AssessAdmin, auth.Target{Region: rb.Region}), Total: assesssvc.FmtNum(rb.Total())}
	data.Page.Title = rb.Title
	for _, d := range assess.Defs {
		data.Indicators = append(data.Indicators, d.Key)
	}
	for i, it := range rb.Items {
		row := itemRow{N: i, Key: it.Key, Name: it.Name, Max: assesssvc.FmtNum(it.Max), Method: string(it.Method), Indicator: string(it.Indicator), Bands: bandsText(it.Bands)}
		if it.Per != 0 {
			row.Per = assesssvc.FmtNum(it.Per)
		}
		data.Rows = append(data.Rows, row)
	}
	if data.CanEdit {
		for i := 0; i < 3; i++ {
			data.Rows = append(data.Rows, itemRow{N: len(data.Rows)})
		}
	}
	return data
}

// assessRubric shows a rubric, as a form while it may be edited.
func (s *Server) assessRubric(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	rb, err := s.app.Assess.Rubric(r.Context(), userOf(r), id)
	if !s.loaded(w, r, err) {
		return
	}
	s.render(w, r, http.StatusOK, "assess_rubric", s.rubricPage(r, rb))
}

// parseItems reads the rubric form's rows; rows without a key are left out.
func parseItems(r *http.Request) []assess.Item {
	var out []assess.Item
	num := func(v string) float64 {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return -1
		}
		return f
	}
	for i := 0; i < assess.MaxItems+5; i++ {
		n := strconv.Itoa(i)
		key := strings.TrimSpace(r.PostForm.Get("key_" + n))
		if key == "" {
			continue
		}
		it := assess.Item{Key: key, Name: strings.TrimSpace(r.PostForm.Get("name_" + n)), Max: num(r.PostForm.Get("max_" + n)),
			Method: assess.Method(r.PostForm.Get("method_" + n)), Indicator: assess.Key(r.PostForm.Get("indicator_" + n))}
		if it.Method == assess.MethodManual {
			it.Indicator = ""
		}
		if v := strings.TrimSpace(r.PostForm.Get("per_" + n)); v != "" && (it.Method == assess.MethodDeduct || it.Method == assess.MethodBonus) {
			it.Per = num(v)
		}
		if it.Method == assess.MethodBands {
			for _, part := range strings.Fields(r.PostForm.Get("bands_" + n)) {
				a, b, _ := strings.Cut(part, ":")
				it.Bands = append(it.Bands, assess.Band{Min: num(a), Share: num(b)})
			}
		}
		out = append(out, it)
	}
	return out
}

// assessRubricSave saves a rubric's title and items; 409 once a bulletin uses it.
func (s *Server) assessRubricSave(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || r.ParseForm() != nil {
		s.notFound(w, r)
		return
	}
	in := assesssvc.RubricInput{Title: r.PostForm.Get("title"), Items: parseItems(r), Version: atoiDefault(r.PostForm.Get("version"), 0)}
	_, err = s.app.Assess.UpdateRubric(r.Context(), s.actor(r), userOf(r), id, in)
	s.saved(w, r, err, "/assess/rubrics/"+strconv.FormatInt(id, 10), func() {
		switch apperr.As(err).Code {
		case apperr.NotFound:
			s.notFound(w, r)
			return
		case apperr.Forbidden:
			s.forbidden(w, r)
			return
		}
		rb, lerr := s.app.Assess.Rubric(r.Context(), userOf(r), id)
		if !s.loaded(w, r, lerr) {
			return
		}
		if apperr.As(err).Code == apperr.Invalid {
			rb.Title, rb.Items = in.Title, in.Items
		}
		data := s.rubricPage(r, rb)
		data.withError(printer(r), err)
		data.Error = printer(r).Error(err)
		s.render(w, r, statusFor(err), "assess_rubric", data)
	})
}
