package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
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

// planData fills the plan page from the service's view of the plan.
func (s *Server) planData(r *http.Request, v patrolsvc.PlanView) (planPage, error) {
	u := userOf(r)
	data := planPage{Page: s.page(r, "patrols.plan_title"), Grid: v.Grid.Code, GridName: v.Grid.Name, PerDay: strconv.Itoa(v.PerDay),
		Weekends: v.Weekends, Stored: v.Stored, CanEdit: v.CanEdit, Sites: v.KeySites}
	var ws []string
	for _, w := range v.Windows {
		ws = append(ws, w.String())
	}
	data.Windows = strings.Join(ws, ", ")
	opts, _, err := s.regionOptions(r, region.Grid)
	if err != nil {
		return data, err
	}
	for _, o := range opts {
		if region.LevelOf(o.Value) == region.Grid && u.Can(auth.PatrolRead, auth.Target{Region: o.Value}) {
			data.Grids = append(data.Grids, o)
		}
	}
	for _, p := range v.Patrollers {
		data.Patrollers = append(data.Patrollers, planPatroller{ID: p.ID, Name: p.Name, Checked: p.Named})
	}
	return data, nil
}

// patrolPlan shows a grid's patrol plan: patrols a day, time windows,
// whether rest days count, who walks it, and its key sites.
func (s *Server) patrolPlan(w http.ResponseWriter, r *http.Request) {
	if data, ok := s.planPageOf(w, r, r.URL.Query().Get("grid")); ok {
		s.render(w, r, http.StatusOK, "patrols_plan", data)
	}
}

// planPageOf loads grid's plan as the user may see it and what its page
// shows, or answers the error.
func (s *Server) planPageOf(w http.ResponseWriter, r *http.Request, grid string) (planPage, bool) {
	v, err := s.app.Patrols.Plan(r.Context(), userOf(r), grid)
	if err != nil {
		s.patrolFail(w, r, err)
		return planPage{}, false
	}
	data, err := s.planData(r, v)
	if err != nil {
		s.serverError(w, r, err)
		return data, false
	}
	return data, true
}

// patrolPlanSave stores a grid's plan through the patrol service; bad
// values come back on the form as field errors.
func (s *Server) patrolPlanSave(w http.ResponseWriter, r *http.Request) {
	grid := r.PostFormValue("grid")
	in := patrolsvc.PlanInput{Weekends: r.PostFormValue("weekends") == "1"}
	perDay := strings.TrimSpace(r.PostFormValue("per_day"))
	if n, err := strconv.Atoi(perDay); err == nil {
		in.PerDay = &n
	}
	for _, part := range strings.FieldsFunc(r.PostFormValue("windows"), func(c rune) bool { return c == ',' || c == '，' || c == ';' || c == ' ' }) {
		in.Windows = append(in.Windows, strings.TrimSpace(part))
	}
	for _, v := range r.PostForm["patrollers"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Patrollers = append(in.Patrollers, id)
		}
	}
	_, err := s.app.Patrols.SetPlan(r.Context(), s.actor(r), userOf(r), grid, in)
	if e := apperr.As(err); in.PerDay == nil && perDay != "" && e.Fields["per_day"].Key != "" {
		// Typed, but not a number: say so rather than that it is missing.
		e.Fields["per_day"] = apperr.Msg{Key: "err.format"}
	}
	if err == nil {
		setFlash(w, "flash.saved")
		http.Redirect(w, r, "/patrols/plan?grid="+grid, http.StatusSeeOther)
		return
	}
	if !apperr.Is(err, apperr.Invalid) {
		s.patrolFail(w, r, err)
		return
	}
	data, ok := s.planPageOf(w, r, grid)
	if !ok {
		return
	}
	data.Windows, data.PerDay, data.Weekends = r.PostFormValue("windows"), r.PostFormValue("per_day"), in.Weekends
	for i := range data.Patrollers {
		data.Patrollers[i].Checked = false
		for _, id := range in.Patrollers {
			data.Patrollers[i].Checked = data.Patrollers[i].Checked || id == data.Patrollers[i].ID
		}
	}
	data.withError(printer(r), err)
	s.render(w, r, statusFor(err), "patrols_plan", data)
}
