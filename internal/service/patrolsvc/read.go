package patrolsvc

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Detail is a patrol with what was recorded on it (its counts stay in
// Patrol.Visits, Patrol.Findings and Patrol.Records). An open patrol's
// measures and flags are computed as it stands.
type Detail struct {
	patrol.Patrol
	Track    []patrol.Point
	Visits   []patrol.Visit
	Findings []store.Finding
	Records  []patrol.Record
}

// Get returns patrol uid with its track, visits, findings and records when p
// may see it (404 otherwise).
func (s *Service) Get(ctx context.Context, p *auth.Principal, uid string) (Detail, error) {
	pt, err := s.patrolFor(ctx, p, uid, patrol.ActionRead)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Patrol: pt}
	if d.Track, err = s.DB.Track(ctx, pt.ID); err != nil {
		return d, err
	}
	if pt.State == patrol.StateOpen {
		d.Assessment = s.assess(pt, d.Track)
	}
	if d.Visits, err = s.DB.Visits(ctx, pt.ID); err != nil {
		return d, err
	}
	if d.Findings, err = s.DB.Findings(ctx, pt.ID); err != nil {
		return d, err
	}
	d.Records, err = s.DB.Records(ctx, pt.ID)
	return d, err
}

// Query is the patrol list's filter as people give it: the query parameters
// of GET /api/v1/patrols (the pages set it directly).
type Query struct {
	Grid      string // a region code: patrols of the grids in its subtree
	From, To  string // local dates, inclusive
	Patroller string // a person id
	State     string
	Flagged   bool // only doubtful patrols
	Mine      bool // only the caller's own
	Page      store.Page
}

// ParseQuery reads the filter parameters (grid, from, to, patroller, state,
// flagged, mine) from a URL query; the page is the caller's.
func ParseQuery(q url.Values) Query {
	v := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	yes := func(k string) bool { return v(k) == "1" || v(k) == "true" }
	return Query{Grid: v("grid"), From: v("from"), To: v("to"), Patroller: v("patroller"), State: v("state"), Flagged: yes("flagged"), Mine: yes("mine")}
}

// filter turns the query into a store filter limited to what p may see: the
// grids of p's patrol scope and p's own patrols. No patrol scope at all is
// 403; a grid outside the scope 404; values that do not parse are field
// errors, named by their parameter.
func (q Query) filter(p *auth.Principal) (store.PatrolFilter, error) {
	if !p.CanSomewhere(auth.PatrolRead) {
		return store.PatrolFilter{}, apperr.ErrForbidden
	}
	f := store.PatrolFilter{PersonID: p.PersonID, Page: q.Page}
	errs := apperr.Fields{}
	for field, val := range map[string]string{"from": q.From, "to": q.To} {
		if val == "" {
			continue
		}
		if _, err := time.Parse(patrol.DateLayout, val); err != nil {
			errs.Add(field, "err.format")
		}
	}
	f.From, f.To = q.From, q.To
	if q.Grid != "" && !region.ValidCode(q.Grid) {
		errs.Add("grid", "err.region_code")
	}
	if q.Patroller != "" {
		id, err := strconv.ParseInt(q.Patroller, 10, 64)
		if err != nil || id <= 0 {
			errs.Add("patroller", "err.format")
		}
		f.Patroller = id
	}
	switch s := patrol.State(q.State); s {
	case "", patrol.StateOpen, patrol.StateEnded:
		f.State = s
	default:
		errs.Add("state", "err.invalid_choice")
	}
	if err := errs.Err(); err != nil {
		return f, err
	}
	all, roots, err := p.Within(auth.PatrolRead, q.Grid)
	if err != nil {
		return f, err
	}
	f.All, f.Roots, f.Region = all, roots, q.Grid
	if q.Mine {
		f.Patroller = p.PersonID
	}
	if q.Flagged {
		f.Flags = patrol.Doubtful
	}
	return f, nil
}

// List returns the patrols p may see that match q, newest first, with the total.
func (s *Service) List(ctx context.Context, p *auth.Principal, q Query) ([]patrol.Patrol, int, error) {
	f, err := q.filter(p)
	if err != nil {
		return nil, 0, err
	}
	return s.DB.Patrols(ctx, f)
}

// Day returns up to max patrols of local date day p may see, under grid
// region when given, newest first, each with its track; and how many there are.
func (s *Service) Day(ctx context.Context, p *auth.Principal, regionCode, day string, max int) ([]Detail, int, error) {
	q := Query{Grid: regionCode, From: day, To: day}
	var out []Detail
	total := 0
	for page := 1; len(out) < max; page++ {
		q.Page = store.Page{Page: page, Size: 100}
		list, n, err := s.List(ctx, p, q)
		if err != nil {
			return nil, 0, err
		}
		total = n
		for _, pt := range list {
			if len(out) == max {
				break
			}
			track, err := s.DB.Track(ctx, pt.ID)
			if err != nil {
				return nil, 0, err
			}
			out = append(out, Detail{Patrol: pt, Track: track})
		}
		if len(list) < 100 {
			break
		}
	}
	return out, total, nil
}

// Book returns the patrol record book (巡查记录) of grid for the month that
// starts at first: up to max patrols, oldest first, each with its visits,
// findings and records (no track); and whether more were left out. 404 when
// p may not see the grid.
func (s *Service) Book(ctx context.Context, p *auth.Principal, grid string, first time.Time, max int) ([]Detail, bool, error) {
	if _, _, err := s.gridFor(ctx, p, grid, patrol.ActionRead); err != nil {
		return nil, false, err
	}
	q := Query{Grid: grid, From: first.Format(patrol.DateLayout), To: first.AddDate(0, 1, -1).Format(patrol.DateLayout)}
	var list []patrol.Patrol
	truncated := false
	for page := 1; ; page++ {
		q.Page = store.Page{Page: page, Size: 100}
		got, total, err := s.List(ctx, p, q)
		if err != nil {
			return nil, false, err
		}
		list = append(list, got...)
		if len(got) < 100 || len(list) >= max {
			truncated = total > len(list)
			break
		}
	}
	out := make([]Detail, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		d := Detail{Patrol: list[i]}
		var err error
		if d.Patrol.Visits > 0 {
			if d.Visits, err = s.DB.Visits(ctx, d.ID); err != nil {
				return nil, false, err
			}
		}
		if d.Patrol.Records > 0 {
			if d.Records, err = s.DB.Records(ctx, d.ID); err != nil {
				return nil, false, err
			}
		}
		if d.Patrol.Findings > 0 {
			if d.Findings, err = s.DB.Findings(ctx, d.ID); err != nil {
				return nil, false, err
			}
		}
		out = append(out, d)
	}
	return out, truncated, nil
}

// SiteNames names a grid's key sites by their key ("unit:12", "point:3").
func (s *Service) SiteNames(ctx context.Context, grid string) (map[string]string, error) {
	out := map[string]string{}
	units, err := s.DB.KeySites(ctx, grid)
	if err != nil {
		return nil, err
	}
	for _, un := range units {
		out[patrol.SiteRef{UnitID: un.ID}.Key()] = un.Name
	}
	plan, err := s.DB.PatrolPlan(ctx, grid)
	if err != nil {
		return nil, err
	}
	for i, fp := range plan.Points {
		out[patrol.SiteRef{Point: i + 1}.Key()] = fp.Name
	}
	return out, nil
}

// Grids lists the grids p may see patrols of, under regionCode when given,
// by code: 403 with no patrol scope, 404 for a region outside it.
func (s *Service) Grids(ctx context.Context, p *auth.Principal, regionCode string) ([]store.GridRef, error) {
	all, roots, err := p.Within(auth.PatrolRead, regionCode)
	if err != nil {
		return nil, err
	}
	return s.DB.GridsUnder(ctx, all, roots)
}
