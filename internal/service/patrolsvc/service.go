// Package patrolsvc is the patrol service: grid patrols walked from the field
// phone (start, track, key-site visits and their photos, records, findings,
// end, and all of these at once from an offline batch), what leaders read of
// them (patrols, tracks, a day's map, the record book, compliance), the
// grids' plans, and the missed-patrol alerts of the background job.
//
// It follows the pattern of package service: the rules of package patrol
// decide (Decide, Validate), the store writes inside one transaction per
// change through its primitives, and pages and API only parse and render.
package patrolsvc

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Service runs patrols.
type Service struct {
	DB    *store.DB
	Index *region.Index // the grids' polygons, to measure tracks against
	Loc   *time.Location
	// Now is the clock. It defaults to the case service's, so that a case
	// reported on a patrol and the patrol are judged at the same instant
	// (tests move both by setting the case service's).
	Now    func() time.Time
	Cal    *service.Calendar
	Cases  *casesvc.Service // findings reported on a patrol are cases
	Photos *photo.Store     // check-in photos
	// Defaults, when set, gives the plan of a grid that has none of its own
	// (its street's or district's, service.Streets); else patrol.DefaultPlan.
	Defaults interface {
		DefaultPlan(ctx context.Context, grid string) (patrol.Plan, error)
	}
}

// New returns the patrol service over the case service's database, index and clock.
func New(cases *casesvc.Service, cal *service.Calendar, photos *photo.Store) *Service {
	return &Service{DB: cases.DB, Index: cases.Index, Loc: cases.Loc, Cal: cal, Cases: cases, Photos: photos,
		Now: func() time.Time { return cases.Now() }}
}

// actorOf describes p to the rules for grid: the roles p holds over regions containing it.
func actorOf(p *auth.Principal, grid string) patrol.Actor {
	if p == nil {
		return patrol.Actor{}
	}
	a := patrol.Actor{ID: p.PersonID}
	for _, as := range p.Roles {
		switch as.Role {
		case people.Admin, people.Leader, people.Inspector, people.Patroller:
			if as.Region != "" && region.Contains(as.Region, grid) {
				a.Roles = append(a.Roles, patrol.Role(as.Role))
			}
		}
	}
	return a
}

// patrolFor loads patrol uid for action act by p: 404 when it does not
// exist or p may not see it, the rules' answer otherwise. The plan matters
// to the rules only for starting a patrol, so the subject's plan here names
// only the grid.
func (s *Service) patrolFor(ctx context.Context, p *auth.Principal, uid string, act patrol.Action) (patrol.Patrol, error) {
	if !patrol.ValidUUID(uid) {
		return patrol.Patrol{}, apperr.ErrNotFound
	}
	pt, err := s.DB.PatrolByUID(ctx, uid)
	if err != nil {
		return pt, err
	}
	if err := patrol.Decide(actorOf(p, pt.Grid), patrol.Subject{Plan: patrol.Plan{Grid: pt.Grid}, Patrol: &pt}, act); err != nil {
		return pt, err
	}
	return pt, nil
}

// gridFor checks that code is a grid p may act on with act (read or plan)
// and returns it: 404 when it is not a grid or p may not see it.
func (s *Service) gridFor(ctx context.Context, p *auth.Principal, code string, act patrol.Action) (store.GridRef, patrol.Plan, error) {
	if region.LevelOf(code) != region.Grid {
		return store.GridRef{}, patrol.Plan{}, apperr.ErrNotFound
	}
	if err := patrol.Decide(actorOf(p, code), patrol.Subject{Plan: patrol.Plan{Grid: code}}, patrol.ActionRead); err != nil {
		return store.GridRef{}, patrol.Plan{}, err
	}
	rg, err := s.DB.Region(ctx, code)
	if err != nil {
		return store.GridRef{}, patrol.Plan{}, err
	}
	plan, err := s.plan(ctx, code)
	if err != nil {
		return store.GridRef{}, plan, err
	}
	if act != patrol.ActionRead {
		if err := patrol.Decide(actorOf(p, code), patrol.Subject{Plan: plan}, act); err != nil {
			return store.GridRef{}, plan, err
		}
	}
	return store.GridRef{Code: rg.Code, Name: rg.Name}, plan, nil
}

// assess measures a patrol over its track against its grid's polygon.
func (s *Service) assess(p patrol.Patrol, pts []patrol.Point) patrol.Assessment {
	var inside func(lat, lon float64) bool
	if g := s.Index.Geometry(p.Grid); g != nil {
		inside = func(lat, lon float64) bool { return g.Contains(lon, lat) }
	}
	return patrol.Assess(p.StartedAt, p.EndedAt, pts, inside)
}

// Outline returns a grid's polygon, nil when it has none.
func (s *Service) Outline(grid string) *region.Geometry { return s.Index.Geometry(grid) }

// patrolAudit is what the audit log keeps of a patrol.
func patrolAudit(p patrol.Patrol) map[string]any {
	m := map[string]any{"grid": p.Grid, "patroller": p.PatrollerID, "state": p.State, "started_at": p.StartedAt.UnixMilli(), "window": p.Window}
	if p.State == patrol.StateEnded {
		m["ended_at"], m["duration_s"], m["length_m"], m["flags"] = p.EndedAt.UnixMilli(), int64(p.Duration/time.Second), int64(p.Length), p.Flags.Names()
	}
	return m
}

// timeOf is the instant of a write transaction (what the store stamps on rows).
func timeOf(tx *store.Tx) time.Time { return time.UnixMilli(tx.Now()) }
