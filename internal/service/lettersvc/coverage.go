package lettersvc

import (
	"context"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/store"
)

// coverageFilter is the coverage of year (0: this year) over the regions p
// reads letters in, narrowed to reg when given: a region wholly outside
// p's scope is not found; no regional scope at all (a unit contact) is
// forbidden; a malformed code is a field error.
func (s *Service) coverageFilter(p *auth.Principal, year int, reg string) (store.CoverageFilter, error) {
	if year == 0 {
		year = s.ThisYear()
	}
	if year < letters.MinYear || year > letters.MaxYear {
		return store.CoverageFilter{}, apperr.Field("year", "err.out_of_range")
	}
	all, roots, err := p.Within(auth.LetterRead, reg)
	if err != nil {
		return store.CoverageFilter{}, err
	}
	if !all && len(roots) == 0 {
		return store.CoverageFilter{}, apperr.ErrForbidden
	}
	return store.CoverageFilter{Year: year, All: all, Roots: roots}, nil
}

// Coverage counts a year's letters of the units p oversees (in reg when
// given): signed, issued and unsigned, not issued, in total, by community
// and by unit kind.
func (s *Service) Coverage(ctx context.Context, p *auth.Principal, year int, reg string) (store.Coverage, error) {
	f, err := s.coverageFilter(p, year, reg)
	if err != nil {
		return store.Coverage{}, err
	}
	return s.DB.LetterCoverage(ctx, f)
}

// UnsignedRow is an active unit without a signed letter, with what the
// caller may do about it.
type UnsignedRow struct {
	store.UnsignedUnit
	CanRemind bool // its letter is issued and the caller may remind it
	CanIssue  bool // it has no letter and the caller may issue it one
}

// Unsigned lists a page of the active units p oversees (in reg when given)
// that have not signed the year's letter — bucket letters.BucketIssued or
// BucketNotIssued, "" both — with the total.
func (s *Service) Unsigned(ctx context.Context, p *auth.Principal, year int, reg, bucket string, page store.Page) ([]UnsignedRow, int, error) {
	f, err := s.coverageFilter(p, year, reg)
	if err != nil {
		return nil, 0, err
	}
	switch bucket {
	case "", letters.BucketIssued, letters.BucketNotIssued:
		f.Bucket = bucket
	default:
		return nil, 0, apperr.Field("bucket", "err.invalid_choice")
	}
	f.Page = page
	list, total, err := s.DB.UnsignedLetterUnits(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]UnsignedRow, 0, len(list))
	for _, u := range list {
		rel := relations(p, auth.Target{Region: u.Region, UnitID: u.UnitID})
		row := UnsignedRow{UnsignedUnit: u}
		row.CanRemind = u.LetterID != 0 && letters.Decide(rel, letters.Letter{ID: u.LetterID, UnitID: u.UnitID, Status: u.Status}, letters.ActionRemind) == nil
		row.CanIssue = u.LetterID == 0 && letters.Decide(rel, letters.Letter{UnitID: u.UnitID, Status: letters.StatusNone}, letters.ActionIssue) == nil
		out = append(out, row)
	}
	return out, total, nil
}
