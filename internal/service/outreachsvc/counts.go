package outreachsvc

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/store"
)

// CountFilter is the period [From, To) (either end open when zero) and,
// optionally, the region whose subtree is counted.
type CountFilter struct {
	Region   string
	From, To time.Time
}

// Counts returns what the assessment counts of outreach for p: lectures
// held and their attendance, quizzes held and their entries, by community
// and by unit, over the period, within p's scope (narrowed to f.Region). A
// region outside p's scope is not found.
func (s *Service) Counts(ctx context.Context, p *auth.Principal, f CountFilter) (outreach.Tally, error) {
	all, roots, err := p.Within(auth.OutreachRead, f.Region)
	if err != nil {
		return outreach.Tally{}, err
	}
	if f.Region != "" {
		ok, err := s.DB.RegionExists(ctx, f.Region)
		if err != nil {
			return outreach.Tally{}, err
		}
		if !ok {
			return outreach.Tally{}, apperr.ErrNotFound
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return outreach.Tally{}, apperr.Field("to", "err.outreach.end_before_start")
	}
	return s.Tally(ctx, store.OutreachScope{All: all, Roots: roots}, f.From, f.To)
}

// Tally counts outreach in a scope over [from, to) without a caller, for the
// assessment's own computations (it decides the scope itself).
func (s *Service) Tally(ctx context.Context, sc store.OutreachScope, from, to time.Time) (outreach.Tally, error) {
	return s.DB.OutreachTally(ctx, store.TallyFilter{Scope: sc, From: from, To: to, Now: s.Now()})
}
