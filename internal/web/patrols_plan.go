package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// planPatroller is one of the grid's patrollers, ticked when the plan names them.
type planPatroller struct {
	ID      int64
	Name    string
	Checked bool
}

type planPage struct {
	Page
	Grid       string
	GridName   string
	Grids      []option
	PerDay     string
	Windows    string
	Weekends   bool
	Patrollers []planPatroller
	Sites      []unit.Unit
	Stored     bool
	CanEdit    bool
}

// planData fills the plan page for grid from plan (as stored, or as typed).
func (s *Server) planData(r *http.Request, grid string, plan patrol.Plan) (planPage, error) {
	u := userOf(r)
	data := planPage{Page: s.page(r, "patrols.plan_title"), Grid: grid, PerDay: strconv.Itoa(plan.PerDay), Weekends: plan.Weekends,
		Stored: plan.Stored, CanEdit: u.Can(auth.PatrolPlan, auth.Target{Region: grid})}
	var ws []string
	for _, w := range plan.Windows {
		ws = append(ws, w.String())
	}
	data.Windows = strings.Join(ws, ", ")
	opts, names, err := s.regionOptions(r, region.Grid)
	if err != nil {
		return data, err
	}
	for _, o := range opts {
		if region.LevelOf(o.Value) == region.Grid && u.Can(auth.PatrolRead, auth.Target{Region: o.Value}) {
			data.Grids = append(data.Grids, o)
		}
	}
	data.GridName = names[grid]
	ps, _, err := s.app.DB.People(r.Context(), store.PeopleFilter{All: true, Region: grid, Role: string(people.Patroller), Page: store.Page{Size: 100}})
	if err != nil {
		return data, err
	}
	for _, p := range ps {
		checked := false
		for _, id := range plan.Patrollers {
			checked = checked || id == p.ID
		}
		data.Patrollers = append(data.Patrollers, planPatroller{ID: p.ID, Name: p.Name, Checked: checked})
	}
	data.Sites, err = s.app.DB.KeySites(r.Context(), grid)
	return data, err
}

// patrolPlan shows a grid's patrol plan: patrols a day, time windows,
// whether rest days count, who walks it, and its key sites.
func (s *Server) patrolPlan(w http.ResponseWriter, r *http.Request) {
	grid := r.URL.Query().Get("grid")
	if !region.ValidCode(grid) || region.LevelOf(grid) != region.Grid || !userOf(r).Can(auth.PatrolRead, auth.Target{Region: grid}) {
		s.notFound(w, r)
		return
	}
	plan, err := s.app.DB.PatrolPlan(r.Context(), grid)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data, err := s.planData(r, grid, plan)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "patrols_plan", data)
}

// patrolPlanSave stores a grid's plan, audited; bad values come back as field errors.
func (s *Server) patrolPlanSave(w http.ResponseWriter, r *http.Request) {
	grid := r.PostFormValue("grid")
	u := userOf(r)
	if !region.ValidCode(grid) || region.LevelOf(grid) != region.Grid || !u.Can(auth.PatrolRead, auth.Target{Region: grid}) {
		s.notFound(w, r)
		return
	}
	if !u.Can(auth.PatrolPlan, auth.Target{Region: grid}) {
		s.forbidden(w, r)
		return
	}
	old, err := s.app.DB.PatrolPlan(r.Context(), grid)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	plan := patrol.Plan{Grid: grid, Weekends: r.PostFormValue("weekends") == "1", Points: old.Points}
	errs := apperr.Fields{}
	if n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("per_day"))); err != nil {
		errs.Add("per_day", "err.format")
	} else {
		plan.PerDay = n
	}
	for _, part := range strings.FieldsFunc(r.PostFormValue("windows"), func(c rune) bool { return c == ',' || c == '，' || c == ';' || c == ' ' }) {
		win, err := patrol.ParseWindow(strings.TrimSpace(part))
		if err != nil {
			errs.Add("windows", "err.patrol.windows")
			continue
		}
		plan.Windows = append(plan.Windows, win)
	}
	for _, v := range r.PostForm["patrollers"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			plan.Patrollers = append(plan.Patrollers, id)
		}
	}
	err = errs.Err()
	if err == nil {
		err = s.app.DB.SavePatrolPlan(r.Context(), s.actor(r), &plan)
	}
	if err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		data, derr := s.planData(r, grid, plan)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		data.Windows = r.PostFormValue("windows")
		data.PerDay = r.PostFormValue("per_day")
		data.withError(printer(r), err)
		s.render(w, r, statusFor(err), "patrols_plan", data)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/patrols/plan?grid="+grid, http.StatusSeeOther)
}
