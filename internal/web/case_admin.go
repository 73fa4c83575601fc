package web

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/cases"
)

// missingYears returns the years the calendar lacks that deadlines will
// soon fall in: this year, and next year from October on.
func (s *Server) missingYears(r *http.Request) []int {
	cal, err := s.app.Cases.Calendar(r.Context())
	if err != nil {
		return nil
	}
	now := s.app.Cases.Now().In(s.app.Loc)
	to := now.Year()
	if now.Month() >= time.October {
		to++
	}
	return cal.MissingYears(now.Year(), to)
}

type calendarYear struct {
	Year     int
	Holidays []calendar.Day
	Workdays []calendar.Day
}

type calendarPage struct {
	Page
	Years   []calendarYear
	Missing []int
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) {
	s.renderCalendar(w, r, http.StatusOK, nil)
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, status int, err error) {
	if !userOf(r).Can(auth.CaseAdmin, auth.Target{}) {
		s.forbidden(w, r)
		return
	}
	days, derr := s.app.DB.CalendarDays(r.Context())
	if derr != nil {
		s.serverError(w, r, derr)
		return
	}
	data := calendarPage{Page: s.page(r, "calendar.title"), Missing: s.missingYears(r)}
	byYear := map[int]*calendarYear{}
	for _, d := range days {
		y, _ := strconv.Atoi(d.Date[:4])
		cy, ok := byYear[y]
		if !ok {
			data.Years = append(data.Years, calendarYear{Year: y})
			cy = &data.Years[len(data.Years)-1]
			byYear[y] = cy
			// Appending may move the slice; rebuild the index.
			for i := range data.Years {
				byYear[data.Years[i].Year] = &data.Years[i]
			}
			cy = byYear[y]
		}
		if d.Kind == calendar.Holiday {
			cy.Holidays = append(cy.Holidays, d)
		} else {
			cy.Workdays = append(cy.Workdays, d)
		}
	}
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, status, "admin_calendar", data)
}

// calendarImport replaces the years a CSV (the official format: date,kind,name) covers.
func (s *Server) calendarImport(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.Can(auth.CaseAdmin, auth.Target{}) {
		s.forbidden(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	file, _, err := r.FormFile("file")
	if err != nil {
		s.renderCalendar(w, r, http.StatusUnprocessableEntity, apperr.Field("file", "err.required"))
		return
	}
	defer file.Close()
	b, err := io.ReadAll(file)
	if err != nil {
		s.renderCalendar(w, r, http.StatusUnprocessableEntity, apperr.Field("file", "import.file_unreadable"))
		return
	}
	days, err := calendar.ParseCSV(bytes.NewReader(b))
	if err != nil {
		e := apperr.Field("file", "calendar.csv_error", err.Error())
		s.renderCalendar(w, r, http.StatusUnprocessableEntity, e)
		return
	}
	if len(days) == 0 {
		s.renderCalendar(w, r, http.StatusUnprocessableEntity, apperr.Field("file", "import.file_empty"))
		return
	}
	if err := s.app.DB.ReplaceCalendarYears(r.Context(), s.actor(r), days); err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		s.renderCalendar(w, r, statusFor(err), err)
		return
	}
	s.app.Calendar.Reload()
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/admin/calendar", http.StatusSeeOther)
}

type categoriesPage struct {
	Page
	Groups     []cases.Category
	Severities []cases.Severity
	Missing    []int
	Problems   []string        // the table's field errors, in words (categories_table.go)
	Bad        map[string]bool // "field.code" of each field in error
	BaseURL    string          // a warning about the base URL, empty when fine
}

// Invalid reports whether the field of category code is in error.
func (p categoriesPage) Invalid(field, code string) bool { return p.Bad[field+"."+code] }

func (s *Server) categoriesPage(w http.ResponseWriter, r *http.Request) {
	s.renderCategories(w, r, http.StatusOK, nil)
}

func (s *Server) renderCategories(w http.ResponseWriter, r *http.Request, status int, err error) {
	s.renderCategoriesWith(w, r, status, err, nil)
}

// renderCategoriesWith shows the table, with the values sent (kept) when a save failed.
func (s *Server) renderCategoriesWith(w http.ResponseWriter, r *http.Request, status int, err error, kept []cases.Category) {
	if !userOf(r).Can(auth.CaseAdmin, auth.Target{}) {
		s.forbidden(w, r)
		return
	}
	tree, terr := s.app.DB.Categories(r.Context())
	if terr != nil {
		s.serverError(w, r, terr)
		return
	}
	data := categoriesPage{Page: s.page(r, "categories.title"), Groups: tree, Severities: cases.Severities, Missing: s.missingYears(r)}
	if msg := s.app.Cfg.BaseURLProblem(s.app.Cfg.Addr); msg != "" {
		data.BaseURL = printer(r).T(msg, s.app.Cfg.Addr)
	}
	for gi := range data.Groups {
		for ci, c := range data.Groups[gi].Children {
			for _, k := range kept {
				if k.Code == c.Code {
					data.Groups[gi].Children[ci] = k
				}
			}
		}
	}
	if err != nil {
		if len(apperr.As(err).Fields) > 0 {
			data.Problems, data.Bad = categoryErrors(r, err)
			data.Error = printer(r).T("err.invalid")
		} else {
			data.withError(printer(r), err)
		}
	}
	s.render(w, r, status, "admin_categories", data)
}

// limitFrom reads "N" and "unit" form fields into a limit.
func limitFrom(r *http.Request, name string) calendar.Limit {
	n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name + "_n")))
	return calendar.Limit{N: n, Unit: r.PostFormValue(name + "_unit")}
}

func (s *Server) categorySave(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).Can(auth.CaseAdmin, auth.Target{}) {
		s.forbidden(w, r)
		return
	}
	c, err := s.app.DB.Category(r.Context(), r.PathValue("code"))
	if !s.loaded(w, r, err) {
		return
	}
	c.NameZh, c.NameEn = strings.TrimSpace(r.PostFormValue("name_zh")), strings.TrimSpace(r.PostFormValue("name_en"))
	c.Severity = cases.Severity(r.PostFormValue("severity"))
	c.Level, _ = strconv.Atoi(r.PostFormValue("level"))
	c.File, c.Handle, c.Verify = limitFrom(r, "file"), limitFrom(r, "handle"), limitFrom(r, "verify")
	c.Active = r.PostFormValue("active") == "1"
	// One row of the table, through the same service as the table's save.
	if _, err := s.app.Cases.SaveCategories(r.Context(), s.actor(r), userOf(r), []cases.Category{c}); err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		s.renderCategoriesWith(w, r, statusFor(err), err, []cases.Category{c})
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/admin/categories#c-"+c.Code, http.StatusSeeOther)
}
