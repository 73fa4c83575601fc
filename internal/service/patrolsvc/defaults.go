package patrolsvc

import (
	"context"

	"github.com/lantian-org/lantian/internal/patrol"
)

// defaultPlan is the plan of a grid that has none stored: its street's or
// district's default (Defaults), else the built-in one.
func (s *Service) defaultPlan(ctx context.Context, grid string) (patrol.Plan, error) {
	if s.Defaults == nil {
		return patrol.DefaultPlan(grid), nil
	}
	return s.Defaults.DefaultPlan(ctx, grid)
}

// plan is grid's stored plan, else its default plan.
func (s *Service) plan(ctx context.Context, grid string) (patrol.Plan, error) {
	stored, err := s.DB.StoredPatrolPlans(ctx, grid, grid)
	if err != nil {
		return patrol.Plan{}, err
	}
	if p, ok := stored[grid]; ok {
		return p, nil
	}
	return s.defaultPlan(ctx, grid)
}
