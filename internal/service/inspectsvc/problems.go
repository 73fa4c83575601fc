package inspectsvc

import (
	"context"
	"slices"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Adopt makes a tracked problem of cases p may see (a hotspot's, usually):
// it belongs to the community the cases lie in (the street when they lie in
// several), has an owner who works in it, a target date, and a first note.
// No cases, cases p cannot see, an owner from elsewhere or a past date are
// field errors and nothing is written.
func (s *Service) Adopt(ctx context.Context, who store.Actor, p *auth.Principal, a inspect.Adoption) (inspect.Problem, error) {
	if !p.CanSomewhere(auth.ProblemAdopt) {
		return inspect.Problem{}, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	if err := a.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	today := s.today()
	if strings.TrimSpace(a.Due) != "" {
		if d, err := inspect.ParseDate("due", a.Due, today); err != nil {
			m := apperr.As(err).Fields["due"]
			f.Add("due", m.Key, m.Args...)
		} else if d.Before(today) {
			f.Add("due", "err.case.deadline_past")
		} else {
			a.Due = d.Format(inspect.DateLayout)
		}
	}
	// The cases: each one p may read; they give the problem its region.
	var refs []store.CaseRef
	if _, bad := f["cases"]; !bad {
		nums := slices.Compact(slices.Sorted(slices.Values(trimAll(a.Cases))))
		var err error
		if refs, err = s.DB.CaseRefs(ctx, nums); err != nil {
			return inspect.Problem{}, err
		}
		found := map[string]bool{}
		for _, r := range refs {
			found[r.Number] = true
		}
		for _, n := range nums {
			ok := found[n]
			if ok {
				if _, err := s.Cases.Get(ctx, p, n); err != nil {
					if !apperr.Is(err, apperr.NotFound) {
						return inspect.Problem{}, err
					}
					ok = false
				}
			}
			if !ok {
				f.Add("cases", "err.inspect.case_unknown", n)
				break
			}
		}
	}
	code := ""
	if _, bad := f["cases"]; !bad && len(refs) > 0 {
		code = refs[0].Community
		for _, r := range refs[1:] {
			if r.Community != code {
				code = region.AncestorAt(refs[0].Region, region.Street)
				if region.AncestorAt(r.Region, region.Street) != code {
					f.Add("cases", "err.inspect.cases_spread")
				}
			}
		}
	}
	if _, bad := f["owner"]; !bad && a.OwnerID > 0 && code != "" {
		if err := s.checkOwner(ctx, code, a.OwnerID); err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				return inspect.Problem{}, err
			}
			f.Add("owner", "err.inspect.owner_outside")
		}
	}
	if err := f.Err(); err != nil {
		return inspect.Problem{}, err
	}
	if !p.Can(auth.ProblemAdopt, auth.Target{Region: code}) {
		return inspect.Problem{}, apperr.ErrForbidden
	}
	pr := inspect.Problem{Region: code, Street: region.AncestorAt(code, region.Street), Title: strings.TrimSpace(a.Title), OwnerID: a.OwnerID,
		Due: a.Due, Hotspot: strings.TrimSpace(a.Hotspot)}
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.CreateProblem(ctx, &pr, refs, pr.Title); err != nil {
			return err
		}
		if a.OwnerID == p.PersonID {
			return nil
		}
		_, err := tx.Notify(ctx, notify.Event{Kind: notify.ProblemOwner, Record: notify.Record{Kind: "problem", ID: pr.ID, Ref: pr.Title},
			Subject: notify.Subject{Owner: a.OwnerID, Actor: p.PersonID}, Args: map[string]any{"problem": pr.ID, "due": pr.Due}})
		return err
	})
	if err != nil {
		return pr, err
	}
	return s.DB.Problem(ctx, pr.ID)
}

func trimAll(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkOwner accepts an active person who works in the region: a role over
// it or inside it (a leader, patroller or inspector; an admin over it), or
// the contact of a unit in it.
func (s *Service) checkOwner(ctx context.Context, code string, id int64) error {
	pp, err := s.DB.Person(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field("owner", "err.inspect.owner_outside")
	}
	if err != nil {
		return err
	}
	if pp.Active {
		for _, as := range pp.Roles {
			switch as.Role {
			case people.UnitContact:
				u, err := s.DB.Unit(ctx, as.UnitID)
				if err == nil && region.Contains(code, u.Region) {
					return nil
				}
			case people.Volunteer:
			default:
				if region.Contains(as.Region, code) || region.Contains(code, as.Region) {
					return nil
				}
			}
		}
	}
	return apperr.Field("owner", "err.inspect.owner_outside")
}

// ProblemView is a tracked problem with what p may do with it.
type ProblemView struct {
	inspect.Problem
	Allowed []inspect.ProblemAction
}

// rel is how p stands to a problem.
func rel(p *auth.Principal, pr inspect.Problem) inspect.Cap {
	var c inspect.Cap
	t := auth.Target{Region: pr.Region}
	if p.Can(auth.ProblemAdopt, t) {
		c |= inspect.ByLeader
	}
	if p.Can(auth.ProblemNote, t) {
		c |= inspect.ByInspector
	}
	if pr.OwnerID == p.PersonID {
		c |= inspect.ByOwner
	}
	return c
}

// canSeeProblem: those who read inspections of its region, and its owner.
func canSeeProblem(p *auth.Principal, pr inspect.Problem) bool {
	return p.Can(auth.InspectRead, auth.Target{Region: pr.Region}) || (p != nil && pr.OwnerID == p.PersonID)
}

// Problem returns a tracked problem p may see.
func (s *Service) Problem(ctx context.Context, p *auth.Principal, id int64) (ProblemView, error) {
	if p == nil {
		return ProblemView{}, apperr.ErrForbidden
	}
	pr, err := s.DB.Problem(ctx, id)
	if err != nil {
		return ProblemView{}, err
	}
	if !canSeeProblem(p, pr) {
		if !p.CanSomewhere(auth.InspectRead) {
			return ProblemView{}, apperr.ErrForbidden
		}
		return ProblemView{}, apperr.ErrNotFound
	}
	return ProblemView{Problem: pr, Allowed: inspect.ProblemAllowed(rel(p, pr), pr.Status)}, nil
}

// ProblemQuery is a list of tracked problems as people ask for it.
type ProblemQuery struct {
	Region string
	Status string // "", "live" (not closed), open, resolved or closed
	Page   store.Page
}

// Problems lists the tracked problems p may see, newest first, with the total.
func (s *Service) Problems(ctx context.Context, p *auth.Principal, q ProblemQuery) ([]inspect.Problem, int, error) {
	all, roots, err := scope(p, q.Region)
	if err != nil {
		return nil, 0, err
	}
	if q.Status != "" && q.Status != "live" && !inspect.ProblemStatus(q.Status).Valid() {
		return nil, 0, apperr.Field("status", "err.invalid_choice")
	}
	return s.DB.Problems(ctx, store.ProblemFilter{All: all, Roots: roots, Region: q.Region, Status: q.Status, Page: q.Page})
}

// ProblemAct takes an action on a tracked problem with its note: a note on
// progress, resolve, reopen, or close (which needs a note saying what solved it).
func (s *Service) ProblemAct(ctx context.Context, who store.Actor, p *auth.Principal, id int64, a inspect.ProblemAction, note string) (ProblemView, error) {
	v, err := s.Problem(ctx, p, id)
	if err != nil {
		return v, err
	}
	to, err := inspect.DecideProblem(rel(p, v.Problem), v.Status, a, note)
	if err != nil {
		return v, err
	}
	before := v.Problem
	after := v.Problem
	after.Status = to
	now := s.Now()
	switch a {
	case inspect.ProblemResolve:
		after.ResolvedAt = now
	case inspect.ProblemReopen:
		after.ResolvedAt = before.ResolvedAt
	case inspect.ProblemClose:
		after.ClosedAt = now
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		return tx.UpdateProblem(ctx, before, &after, string(a), strings.TrimSpace(note))
	})
	if err != nil {
		return v, err
	}
	return s.Problem(ctx, p, id)
}
