package patrolsvc

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/store"
)

// Unpatrolled is the answer of Unpatrolled: the plan window looked at (the
// latest one begun today) and the grids without a patrol started in it.
type Unpatrolled struct {
	Window patrol.Window
	Grids  []store.GridRef
}

// Unpatrolled lists the grids p may see under regionCode (all of p's when
// empty) that require patrols today and have not started one in their
// latest plan window begun by now. Grids whose plans differ are judged each
// by its own window; the answer's Window is the one most grids share.
// Before the first window of the day it lists nothing.
func (s *Service) Unpatrolled(ctx context.Context, p *auth.Principal, regionCode string) (Unpatrolled, error) {
	var out Unpatrolled
	grids, err := s.Grids(ctx, p, regionCode)
	if err != nil || len(grids) == 0 {
		return out, err
	}
	cal, err := s.Cal.Get(ctx)
	if err != nil {
		return out, err
	}
	plans, err := s.DB.StoredPatrolPlans(ctx, "", "")
	if err != nil {
		return out, err
	}
	now := s.Now().In(s.Loc)
	y, m, d := now.Date()
	started, err := s.DB.WindowsStarted(ctx, time.Date(y, m, d, 0, 0, 0, 0, s.Loc), time.Date(y, m, d+1, 0, 0, 0, 0, s.Loc))
	if err != nil {
		return out, err
	}
	votes := map[patrol.Window]int{}
	for _, g := range grids {
		plan, ok := plans[g.Code]
		if !ok {
			plan = patrol.DefaultPlan(g.Code)
		}
		if plan.RequiredWindows(plan.Required(cal, now)) == 0 {
			continue
		}
		latest := -1
		for i, w := range plan.Windows {
			if begin, _ := w.Bounds(now, s.Loc); !begin.After(now) {
				latest = i
			}
		}
		if latest < 0 || started[g.Code]&(1<<latest) != 0 {
			continue
		}
		votes[plan.Windows[latest]]++
		out.Grids = append(out.Grids, g)
	}
	best := 0
	for w, n := range votes {
		if n > best || n == best && w.Start > out.Window.Start {
			out.Window, best = w, n
		}
	}
	return out, nil
}
