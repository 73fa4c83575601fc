package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/cases"
)

// The categories settings as one table with one save (POST
// /admin/categories), through casesvc.SaveCategories (issue 16).

// categoriesSaveAll reads every row of the table and saves them together.
func (s *Server) categoriesSaveAll(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tree, err := s.app.DB.Categories(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var list []cases.Category
	for _, g := range tree {
		for _, c := range g.Children {
			if _, ok := r.PostForm["name_zh."+c.Code]; !ok {
				continue // not on the form: left as it is
			}
			v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k + "." + c.Code)) }
			c.NameZh, c.NameEn = v("name_zh"), v("name_en")
			c.Severity = cases.Severity(v("severity"))
			c.Level, _ = strconv.Atoi(v("level"))
			n := func(k string) int { x, _ := strconv.Atoi(v(k)); return x }
			c.File.N, c.File.Unit = n("file_n"), v("file_unit")
			c.Handle.N, c.Handle.Unit = n("handle_n"), v("handle_unit")
			c.Verify.N, c.Verify.Unit = n("verify_n"), v("verify_unit")
			c.Active = v("active") == "1"
			list = append(list, c)
		}
	}
	if _, err := s.app.Cases.SaveCategories(ctx, s.actor(r), userOf(r), list); err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		s.renderCategoriesWith(w, r, statusFor(err), err, list)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/admin/categories", http.StatusSeeOther)
}

// categoryErrors says each field error of the table as "code field: message".
func categoryErrors(r *http.Request, err error) (msgs []string, bad map[string]bool) {
	p := printer(r)
	bad = map[string]bool{}
	for k, m := range apperr.As(err).Fields {
		field, code, _ := strings.Cut(k, ".")
		bad[k] = true
		msgs = append(msgs, code+" "+p.T("field."+field)+p.T("punct.colon")+p.Msg(m))
	}
	sort.Strings(msgs)
	return msgs, bad
}

// limitCell is one time-limit cell of the table.
type limitCell struct {
	Name, Code, Unit string
	N                int
	Bad              bool
}

// LimitCell returns the cell of limit name (file, handle, verify) of category code.
func (p categoriesPage) LimitCell(name string, l calendar.Limit, code string) limitCell {
	return limitCell{Name: name, Code: code, Unit: l.Unit, N: l.N, Bad: p.Bad[name+"_limit."+code]}
}
