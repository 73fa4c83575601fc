package patrolsvc

import (
	"context"
	"slices"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// Patroller is one of a grid's patrollers; Named when the plan names them.
type Patroller struct {
	ID    int64
	Name  string
	Named bool
}

// PlanView is a grid's plan (stored or default) with the grid's patrollers
// and key sites, and whether the viewer may change it.
type PlanView struct {
	Grid store.GridRef
	patrol.Plan
	Patrollers []Patroller // the grid's patrollers, by name
	KeySites   []unit.Unit // the grid's units with risk tags, by name
	CanEdit    bool
}

// view completes a plan for viewer p.
func (s *Service) view(ctx context.Context, p *auth.Principal, g store.GridRef, plan patrol.Plan) (PlanView, error) {
	v := PlanView{Grid: g, Plan: plan, Patrollers: []Patroller{},
		CanEdit: patrol.Decide(actorOf(p, g.Code), patrol.Subject{Plan: plan}, patrol.ActionPlan) == nil}
	if v.Windows == nil {
		v.Windows = []patrol.Window{}
	}
	holders, _, err := s.DB.People(ctx, store.PeopleFilter{All: true, Region: g.Code, Role: string(people.Patroller), Page: store.Page{Size: 100}})
	if err != nil {
		return v, err
	}
	for _, h := range holders {
		v.Patrollers = append(v.Patrollers, Patroller{ID: h.ID, Name: h.Name, Named: slices.Contains(plan.Patrollers, h.ID)})
	}
	if v.KeySites, err = s.DB.KeySites(ctx, g.Code); err != nil {
		return v, err
	}
	if v.KeySites == nil {
		v.KeySites = []unit.Unit{}
	}
	return v, nil
}

// Plan returns grid's plan for p: 404 unless it is a grid p may see.
func (s *Service) Plan(ctx context.Context, p *auth.Principal, grid string) (PlanView, error) {
	g, plan, err := s.gridFor(ctx, p, grid, patrol.ActionRead)
	if err != nil {
		return PlanView{}, err
	}
	return s.view(ctx, p, g, plan)
}

// Plans returns the plans of the grids p may see, under regionCode when
// given, one page of them by grid code, with how many grids there are.
func (s *Service) Plans(ctx context.Context, p *auth.Principal, regionCode string, page store.Page) ([]PlanView, int, error) {
	grids, err := s.Grids(ctx, p, regionCode)
	if err != nil {
		return nil, 0, err
	}
	total := len(grids)
	page = page.Clamp()
	grids = grids[min(page.Offset(), total):min(page.Offset()+page.Size, total)]
	stored := map[string]patrol.Plan{}
	if len(grids) > 0 {
		if stored, err = s.DB.StoredPatrolPlans(ctx, grids[0].Code, grids[len(grids)-1].Code); err != nil {
			return nil, 0, err
		}
	}
	out := make([]PlanView, 0, len(grids))
	for _, g := range grids {
		plan, ok := stored[g.Code]
		if !ok {
			if plan, err = s.defaultPlan(ctx, g.Code); err != nil {
				return nil, 0, err
			}
		}
		v, err := s.view(ctx, p, g, plan)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, nil
}

// PlanInput is a grid's whole plan as a leader sets it.
type PlanInput struct {
	PerDay     *int     // required
	Windows    []string // like "08:00-12:00", in order
	Weekends   bool
	Patrollers []int64 // empty: the grid's patrollers
	// Points are the free key sites; nil keeps the plan's current ones (the
	// page's form does not edit them).
	Points *[]patrol.FreePoint
}

// SetPlan stores grid's plan for p, audited with before and after: 404
// unless p may see the grid, 403 unless p leads or administers it, 422
// naming the fields for a bad plan (windows that do not read or overlap, a
// patroller who is not the grid's).
func (s *Service) SetPlan(ctx context.Context, who store.Actor, p *auth.Principal, grid string, in PlanInput) (PlanView, error) {
	g, old, err := s.gridFor(ctx, p, grid, patrol.ActionPlan)
	if err != nil {
		return PlanView{}, err
	}
	plan := patrol.Plan{Grid: g.Code, Weekends: in.Weekends, Patrollers: in.Patrollers, Points: old.Points}
	if in.Points != nil {
		plan.Points = *in.Points
	}
	f := apperr.Fields{}
	if in.PerDay == nil {
		f.Add("per_day", "err.required")
	} else {
		plan.PerDay = *in.PerDay
	}
	for _, w := range in.Windows {
		win, err := patrol.ParseWindow(w)
		if err != nil {
			f.Add("windows", patrol.MsgWindows)
			break
		}
		plan.Windows = append(plan.Windows, win)
	}
	if err := plan.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if len(plan.Patrollers) > 0 {
		holders, err := s.DB.PeopleWithRole(ctx, string(people.Patroller), g.Code)
		if err != nil {
			return PlanView{}, err
		}
		for _, id := range plan.Patrollers {
			if !slices.Contains(holders, id) {
				f.Add("patrollers", "err.patrol.not_patroller")
			}
		}
	}
	if err := f.Err(); err != nil {
		return PlanView{}, err
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		before, err := tx.SavePatrolPlan(ctx, &plan)
		if err != nil {
			return err
		}
		var prev any
		if before != nil {
			prev = planAudit(*before)
		}
		return tx.Audit(ctx, "patrol_plan", plan.Grid, "save", prev, planAudit(plan))
	})
	if err != nil {
		return PlanView{}, err
	}
	return s.view(ctx, p, g, plan)
}

// planAudit is what the audit log keeps of a plan.
func planAudit(p patrol.Plan) map[string]any {
	ws := make([]string, len(p.Windows))
	for i, w := range p.Windows {
		ws[i] = w.String()
	}
	return map[string]any{"per_day": p.PerDay, "windows": strings.Join(ws, ","), "weekends": p.Weekends, "patrollers": p.Patrollers, "points": p.Points}
}
