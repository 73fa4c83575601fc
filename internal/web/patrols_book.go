package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/patrol"
)

// bookProblem is one finding as the record book shows it.
type bookProblem struct {
	Number   string
	Category string
	Class    string // translated
	Status   string // translated
}

// bookRow is one line of the patrol record book (巡查记录), in the paper
// form's columns.
type bookRow struct {
	UID       string
	Date      string
	Start     string
	End       string
	Patroller string
	Route     string // key sites visited, in order
	Summary   string
	Records   string // disputes mediated and promotion, in short
	Problems  []bookProblem
	Flags     string
}

// ProblemsText is the problems column as plain text (for Excel).
func (b bookRow) ProblemsText() string {
	var parts []string
	for _, p := range b.Problems {
		parts = append(parts, p.Number+" "+p.Category+"（"+p.Class+"，"+p.Status+"）")
	}
	return strings.Join(parts, "；")
}

type bookPage struct {
	Page
	Grid      string
	GridName  string
	Month     string
	MonthText string
	Prev      string
	Next      string
	Grids     []option
	Rows      []bookRow
	Truncated bool
	Printed   time.Time
	XLSXURL   string
}

// bookRows builds the record book of grid for the month starting at first,
// oldest first, with texts in p's language; 404 when u may not see the grid.
func (s *Server) bookRows(ctx context.Context, u *auth.Principal, p locale.Printer, grid string, first time.Time) ([]bookRow, bool, error) {
	list, truncated, err := s.app.Patrols.Book(ctx, u, grid, first, patrolBookMax)
	if err != nil {
		return nil, false, err
	}
	sites, err := s.app.Patrols.SiteNames(ctx, grid)
	if err != nil {
		return nil, false, err
	}
	cats, _, err := s.categoryNames(ctx, p.Lang)
	if err != nil {
		return nil, false, err
	}
	loc := s.app.Loc
	out := make([]bookRow, 0, len(list))
	for _, d := range list {
		pt := d.Patrol
		row := bookRow{UID: pt.UID, Date: pt.Day, Start: pt.StartedAt.In(loc).Format("15:04"), Patroller: pt.PatrollerName, Summary: pt.Summary}
		if !pt.EndedAt.IsZero() {
			row.End = pt.EndedAt.In(loc).Format("15:04")
		} else {
			row.End = p.T("patrols.state.open")
		}
		var names []string
		seen := map[string]bool{}
		for _, v := range d.Visits {
			n := sites[v.Site.Key()]
			if n == "" {
				n = v.Site.Key()
			}
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
		row.Route = strings.Join(names, " → ")
		var parts []string
		for _, rc := range d.Records {
			if rc.Kind == patrol.KindDispute {
				parts = append(parts, p.T("patrols.record.dispute")+"："+rc.Summary+"，"+rc.Outcome)
			} else {
				parts = append(parts, p.T("patrols.record.promotion_n", rc.Households))
			}
		}
		row.Records = strings.Join(parts, "；")
		for _, fd := range d.Findings {
			row.Problems = append(row.Problems, bookProblem{Number: fd.Number, Category: cats[fd.Category],
				Class: p.T("case.class." + fd.Class), Status: p.T("case.status." + fd.Status)})
		}
		var flags []string
		for _, fl := range pt.Flags.Names() {
			flags = append(flags, p.T("patrols.flag."+string(fl)))
		}
		row.Flags = strings.Join(flags, "、")
		out = append(out, row)
	}
	return out, truncated, nil
}

// patrolBook serves /patrols/book: the record book of a grid for a month,
// printable on A4, and with format=xlsx its Excel export.
func (s *Server) patrolBook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, p := userOf(r), printer(r)
	q := r.URL.Query()
	grid := q.Get("grid")
	grids, err := s.app.Patrols.Grids(ctx, u, "")
	if err != nil {
		s.patrolFail(w, r, err)
		return
	}
	if grid == "" && len(grids) > 0 {
		grid = grids[0].Code
	}
	gridName := ""
	for _, g := range grids {
		if g.Code == grid {
			gridName = g.Name
		}
	}
	first, _ := s.monthOf(q.Get("month"))
	month := first.Format(monthLayout)
	if q.Get("format") == "xlsx" {
		s.patrolBookExport(w, r, grid, gridName, first)
		return
	}
	rows, truncated, err := s.bookRows(ctx, u, p, grid, first)
	if err != nil {
		s.patrolFail(w, r, err)
		return
	}
	data := bookPage{Page: s.page(r, "recordbook.title"), Grid: grid, GridName: gridName, Month: month,
		MonthText: p.T("recordbook.month", first.Year(), int(first.Month())),
		Prev:      first.AddDate(0, -1, 0).Format(monthLayout), Next: first.AddDate(0, 1, 0).Format(monthLayout),
		Printed: s.app.Patrols.Now(), XLSXURL: "/patrols/book?grid=" + url.QueryEscape(grid) + "&month=" + month + "&format=xlsx"}
	for _, g := range grids {
		data.Grids = append(data.Grids, option{g.Code, g.Name})
	}
	data.Rows, data.Truncated = rows, truncated
	s.render(w, r, http.StatusOK, "recordbook", data)
}
