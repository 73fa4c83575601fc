package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The home page's to-do list: what waits for the person's action today,
// each line a link to the filtered list (issue 16).

type todoRow struct {
	Kind       string
	RegionName string
	Count      int
	Href       string
}

type todoInspection struct {
	inspect.Inspection
	Community string
}

type todoBoard struct {
	Rows []todoRow
	// Grids without a patrol in the latest window begun today.
	Unpatrolled []store.GridRef
	Window      string
	// Letters issued this year and not signed yet.
	Unsigned     int
	UnsignedHref string
	// This week's inspections.
	Inspections []todoInspection
	Empty       bool
}

// homeTodo fills the to-do list; parts the person may not see are left out.
func (s *Server) homeTodo(r *http.Request, data *homePage) error {
	ctx := r.Context()
	u := userOf(r)
	b := &todoBoard{}
	items, err := s.app.Cases.Todo(ctx, u)
	if err != nil {
		return err
	}
	names, err := s.app.DB.RegionNames(ctx)
	if err != nil {
		return err
	}
	for _, it := range items {
		b.Rows = append(b.Rows, todoRow{Kind: it.Kind, RegionName: names[it.Region], Count: it.Count, Href: it.Href()})
	}
	if u.CanSomewhere(auth.PatrolRead) && (u.CanSomewhere(auth.PersonRead) || u.CanSomewhere(auth.CaseAdmin)) {
		un, err := s.app.Patrols.Unpatrolled(ctx, u, "")
		if err != nil && !apperr.Is(err, apperr.Forbidden) {
			return err
		}
		b.Unpatrolled, b.Window = un.Grids, un.Window.String()
	}
	if data.Coverage != nil && data.Coverage.Issued > 0 {
		b.Unsigned = data.Coverage.Issued
		b.UnsignedHref = "/letters?" + url.Values{"year": {strconv.Itoa(data.CoverageYear)}, "status": {"issued"}}.Encode()
	}
	if u.CanSomewhere(auth.InspectRead) {
		now := s.app.Cases.Now().In(s.app.Loc)
		monday := now.AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
		list, _, err := s.app.Inspect.List(ctx, u, inspectsvc.Query{From: monday.Format(time.DateOnly), To: monday.AddDate(0, 0, 6).Format(time.DateOnly), Page: store.Page{Page: 1, Size: 20}})
		if err != nil && !apperr.Is(err, apperr.Forbidden) {
			return err
		}
		for _, in := range list {
			b.Inspections = append(b.Inspections, todoInspection{Inspection: in, Community: names[in.Region]})
		}
	}
	b.Empty = len(b.Rows) == 0 && len(b.Unpatrolled) == 0 && b.Unsigned == 0 && len(b.Inspections) == 0
	data.Todo = b
	return nil
}
