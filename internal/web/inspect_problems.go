package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Hotspots (热点难点) found from the records, as a list and on a map drawn
// here in SVG, each one adoptable as a tracked problem; and the tracked
// problems with their notes to the end.

type hotspotRow struct {
	inspectsvc.HotspotView
	Anchor       string
	Category     string
	Community    string
	CanAdopt     bool
	Owners       []option
	DefaultTitle string
	CasesText    string
}

type hotspotsPage struct {
	Page
	Region  string
	Weeks   int
	Regions []option
	Rows    []hotspotRow
	Map     template.HTML
	Due     string
	Total   int
	Pager   pager
}

// ownerChoices lists the people who may own a problem in region: its
// leaders and patrollers (and those of its grids).
func (s *Server) ownerChoices(ctx context.Context, code string) ([]option, error) {
	var out []option
	for _, role := range []people.Role{people.Leader, people.Patroller} {
		list, _, err := s.app.DB.People(ctx, store.PeopleFilter{All: true, Region: code, Role: string(role), Page: store.Page{Size: 100}})
		if err != nil {
			return nil, err
		}
		for _, pp := range list {
			if pp.Active {
				out = append(out, option{strconv.FormatInt(pp.ID, 10), pp.Name})
			}
		}
	}
	return out, nil
}

// hotspotsList shows the hotspots of the last weeks (?region=&weeks=).
func (s *Server) hotspotsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userOf(r)
	q := r.URL.Query()
	p := printer(r)
	weeks := atoiDefault(q.Get("weeks"), inspect.DefaultWeeks)
	list, err := s.app.Inspect.Hotspots(ctx, u, q.Get("region"), weeks)
	if err != nil {
		s.inspectListFailed(w, r, err)
		return
	}
	data := hotspotsPage{Page: s.page(r, "inspect.hotspots_title"), Region: q.Get("region"), Weeks: weeks,
		Due: s.app.Inspect.Now().In(s.app.Loc).AddDate(0, 0, 14).Format(inspect.DateLayout)}
	comms, err := s.app.Inspect.Communities(ctx, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range comms {
		data.Regions = append(data.Regions, option{c.Code, c.Name})
	}
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_, cats, err := s.categoryChoices(ctx, p.Lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 50}.Clamp()
	data.Total = len(list)
	data.Pager = newPager(r, page.Page, page.Size, len(list))
	lo := len(list)
	if page.Page-1 <= len(list)/page.Size {
		lo = min((page.Page-1)*page.Size, len(list))
	}
	shown := list[lo:min(lo+page.Size, len(list))]
	owners := map[string][]option{}
	for _, h := range shown {
		row := hotspotRow{HotspotView: h, Anchor: hotspotAnchor(h.ID), Category: cats[h.Category], Community: names(h.Community),
			CasesText: strings.Join(h.Cases, ",")}
		row.CanAdopt = h.Problem == 0 && u.Can(auth.ProblemAdopt, auth.Target{Region: h.Community})
		if row.CanAdopt {
			if _, ok := owners[h.Community]; !ok {
				if owners[h.Community], err = s.ownerChoices(ctx, h.Community); err != nil {
					s.serverError(w, r, err)
					return
				}
			}
			row.Owners = owners[h.Community]
			row.DefaultTitle = p.T("inspect.default_title."+string(h.Kind), row.Community, row.Category)
		}
		data.Rows = append(data.Rows, row)
	}
	m, err := s.hotspotMap(ctx, u, data.Region, shown, p.T("inspect.map_label"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Map = m
	s.render(w, r, http.StatusOK, "hotspots", data)
}

// hotspotMap draws the communities in view and the hotspots on them as an
// SVG map; each dot links to its line in the list.
func (s *Server) hotspotMap(ctx context.Context, u *auth.Principal, code string, hs []inspectsvc.HotspotView, label string) (template.HTML, error) {
	rs, err := s.app.DB.AllRegions(ctx)
	if err != nil {
		return "", err
	}
	var shapes []orb.Polygon
	bound := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, rg := range rs {
		if rg.Level != region.Community || rg.Geometry == nil || !u.Can(auth.InspectRead, auth.Target{Region: rg.Code}) {
			continue
		}
		if code != "" && !region.Contains(code, rg.Code) && !region.Contains(rg.Code, code) {
			continue
		}
		switch g := rg.Geometry.Geometry.(type) {
		case orb.Polygon:
			shapes = append(shapes, g)
		case orb.MultiPolygon:
			shapes = append(shapes, g...)
		}
		bound = bound.Union(rg.Geometry.Bound())
	}
	if len(shapes) == 0 {
		return "", nil
	}
	const W = 600.0
	kx := math.Cos((bound.Min[1] + bound.Max[1]) / 2 * math.Pi / 180)
	dx, dy := (bound.Max[0]-bound.Min[0])*kx, bound.Max[1]-bound.Min[1]
	if dx <= 0 || dy <= 0 {
		return "", nil
	}
	H := math.Round(W * dy / dx)
	xy := func(lon, lat float64) (float64, float64) {
		return (lon - bound.Min[0]) * kx / dx * W, (bound.Max[1] - lat) / dy * H
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="hs-map" id="hotspot-map" viewBox="0 0 %g %g" role="img" aria-label="%s">`, W, H, template.HTMLEscapeString(label))
	for _, pg := range shapes {
		b.WriteString(`<path class="hs-area" d="`)
		for _, ring := range pg {
			for i, pt := range ring {
				x, y := xy(pt[0], pt[1])
				cmd := "L"
				if i == 0 {
					cmd = "M"
				}
				fmt.Fprintf(&b, "%s%.1f %.1f ", cmd, x, y)
			}
			b.WriteString("Z ")
		}
		b.WriteString(`"/>`)
	}
	for _, h := range hs {
		x, y := xy(h.Lon, h.Lat)
		r := 5 + math.Min(float64(len(h.Cases)), 10)
		fmt.Fprintf(&b, `<a href="#%s"><circle class="hs-dot hs-%s%s" cx="%.1f" cy="%.1f" r="%.0f"><title>%s</title></circle></a>`,
			hotspotAnchor(h.ID), h.Kind, map[bool]string{true: " hs-tracked", false: ""}[h.Problem != 0], x, y, r, template.HTMLEscapeString(h.ID))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), nil
}

// problemCreate adopts a hotspot (or any cases) as a tracked problem.
func (s *Server) problemCreate(w http.ResponseWriter, r *http.Request) {
	owner, _ := strconv.ParseInt(r.PostFormValue("owner"), 10, 64)
	var nums []string
	for _, n := range strings.Split(r.PostFormValue("cases"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			nums = append(nums, n)
		}
	}
	pr, err := s.app.Inspect.Adopt(r.Context(), s.actor(r), userOf(r), inspect.Adoption{Title: r.PostFormValue("title"), OwnerID: owner,
		Due: r.PostFormValue("due"), Cases: nums, Hotspot: r.PostFormValue("hotspot")})
	if err != nil {
		s.inspectListFailed(w, r, err)
		return
	}
	setFlash(w, "flash.problem_adopted")
	http.Redirect(w, r, "/problems/"+strconv.FormatInt(pr.ID, 10), http.StatusSeeOther)
}

type problemsPage struct {
	Page
	Region  string
	Status  string
	Regions []option
	Rows    []inspect.Problem
	Names   map[string]string
	Pager   pager
}

// problemsList lists the tracked problems (?region=&status=).
func (s *Server) problemsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userOf(r)
	q := r.URL.Query()
	status := q.Get("status")
	if !q.Has("status") {
		status = "live"
	}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 50}.Clamp()
	list, total, err := s.app.Inspect.Problems(ctx, u, inspectsvc.ProblemQuery{Region: q.Get("region"), Status: status, Page: page})
	if err != nil {
		s.inspectListFailed(w, r, err)
		return
	}
	data := problemsPage{Page: s.page(r, "inspect.problems_title"), Region: q.Get("region"), Status: status, Rows: list, Names: map[string]string{},
		Pager: newPager(r, page.Page, page.Size, total)}
	comms, err := s.app.Inspect.Communities(ctx, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range comms {
		data.Regions = append(data.Regions, option{c.Code, c.Name})
	}
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, pr := range list {
		data.Names[pr.Region] = names(pr.Region)
	}
	s.render(w, r, http.StatusOK, "problems", data)
}

type problemPage struct {
	Page
	V         inspectsvc.ProblemView
	Community string
	Note      string
	Open      string
}

// Can reports whether the page offers action a.
func (p problemPage) Can(a string) bool {
	for _, x := range p.V.Allowed {
		if string(x) == a {
			return true
		}
	}
	return false
}

// problemDetail shows a tracked problem with its notes and forms.
func (s *Server) problemDetail(w http.ResponseWriter, r *http.Request) {
	s.renderProblem(w, r, http.StatusOK, "", "", nil)
}

func (s *Server) renderProblem(w http.ResponseWriter, r *http.Request, status int, open, note string, err error) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	v, gerr := s.app.Inspect.Problem(r.Context(), userOf(r), id)
	switch {
	case apperr.Is(gerr, apperr.NotFound):
		s.notFound(w, r)
		return
	case apperr.Is(gerr, apperr.Forbidden):
		s.forbidden(w, r)
		return
	case gerr != nil:
		s.serverError(w, r, gerr)
		return
	}
	data := problemPage{Page: s.page(r, "inspect.problem_title"), V: v, Community: s.inspectCommunityName(r, v.Region), Note: note, Open: open}
	if region.LevelOf(v.Region) == region.Street {
		if rg, err := s.app.DB.Region(r.Context(), v.Region); err == nil {
			data.Community = rg.Name
		}
	}
	data.Title = v.Title
	if err != nil {
		data.withError(printer(r), err)
		data.Error = printer(r).Error(err)
	}
	s.render(w, r, status, "problem", data)
}

// problemFlash is the message after each action.
var problemFlash = map[inspect.ProblemAction]string{inspect.ProblemNote: "flash.problem_noted", inspect.ProblemResolve: "flash.problem_resolved",
	inspect.ProblemReopen: "flash.problem_reopened", inspect.ProblemClose: "flash.problem_closed"}

// problemAct adds a note, resolves, reopens or closes a tracked problem.
func (s *Server) problemAct(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	act := inspect.ProblemAction(r.PostFormValue("action"))
	note := r.PostFormValue("note")
	if _, err := s.app.Inspect.ProblemAct(r.Context(), s.actor(r), userOf(r), id, act, note); err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		s.renderProblem(w, r, statusFor(err), string(act), note, err)
		return
	}
	setFlash(w, problemFlash[act])
	http.Redirect(w, r, "/problems/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
