package lettersvc

import (
	"context"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// MaxIssueUnits bounds the units chosen in one issue.
const MaxIssueUnits = 1000

// IssueInput says which units get a letter: the active units of Region's
// subtree, or the units UnitIDs (one of the two). Year 0 is the chosen
// template's year, else this year; TemplateID 0 takes, per unit, the
// year's template for its kind or for all kinds.
type IssueInput struct {
	Year       int
	TemplateID int64
	Region     string
	UnitIDs    []int64
}

// RenewInput issues Year's letters (0: this year) to the units that had
// one the year before, in Region (or wherever the caller issues).
type RenewInput struct {
	Year       int
	TemplateID int64
	Region     string
}

// Issued reports what an issue or renewal did: the year it issued for, the
// letters issued, and how many units were skipped because they are closed
// or already hold a letter for the year.
type Issued struct {
	Year    int
	Issued  int
	Skipped int
	IDs     []int64
}

// unknownRegion is the answer for a region in a body that does not exist or
// that the caller may not issue in: the same, so that it reveals nothing.
func unknownRegion() error { return apperr.Field("region", "err.region_unknown") }

// checkRegion makes sure region exists and p may issue letters there.
func (s *Service) checkRegion(ctx context.Context, p *auth.Principal, code string) error {
	if !region.ValidCode(code) {
		return apperr.Field("region", "err.region_code")
	}
	if !p.Can(auth.LetterIssue, auth.Target{Region: code}) {
		return unknownRegion()
	}
	ok, err := s.DB.RegionExists(ctx, code)
	if err != nil {
		return err
	}
	if !ok {
		return unknownRegion()
	}
	return nil
}

// template loads the template chosen by id (nil for none): an unknown one
// is a field error on template_id.
func (s *Service) template(ctx context.Context, id int64) (*letters.Template, error) {
	switch {
	case id == 0:
		return nil, nil
	case id < 0:
		return nil, apperr.Field("template_id", "err.letter.template_unknown")
	}
	t, err := s.DB.LetterTemplate(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.Field("template_id", "err.letter.template_unknown")
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Issue issues letters to the units in.Region or in.UnitIDs in one
// transaction, one audit row per letter; units that are closed or already
// hold a letter for the year are skipped and counted. When the year has no
// template, last year's are carried forward. 403 for who issues nowhere;
// 422 for a region or unit outside the caller's scope, as for one that does
// not exist.
func (s *Service) Issue(ctx context.Context, who store.Actor, p *auth.Principal, in IssueInput) (Issued, error) {
	if !s.CanIssue(p) {
		return Issued{}, apperr.ErrForbidden
	}
	in.Region = strings.TrimSpace(in.Region)
	errs := apperr.Fields{}
	switch {
	case in.Region == "" && len(in.UnitIDs) == 0:
		errs.Add("region", "err.letter.region_or_units")
	case in.Region != "" && len(in.UnitIDs) > 0:
		errs.Add("unit_ids", "err.letter.region_or_units")
	case len(in.UnitIDs) > MaxIssueUnits:
		errs.Add("unit_ids", "err.too_many_items", MaxIssueUnits)
	}
	if in.Region != "" && !region.ValidCode(in.Region) {
		errs.Add("region", "err.region_code")
	}
	if in.Year != 0 && (in.Year < letters.MinYear || in.Year > letters.MaxYear) {
		errs.Add("year", "err.out_of_range")
	}
	if in.TemplateID < 0 {
		errs.Add("template_id", "err.letter.template_unknown")
	}
	if err := errs.Err(); err != nil {
		return Issued{}, err
	}
	if in.Region != "" {
		if err := s.checkRegion(ctx, p, in.Region); err != nil {
			return Issued{}, err
		}
	}
	for _, id := range in.UnitIDs {
		u, err := s.DB.Unit(ctx, id)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !p.Can(auth.LetterIssue, unitTarget(u))) {
			// A unit outside one's scope is as unknown as one that does not exist.
			return Issued{}, apperr.Field("unit_ids", "err.letter.unit_unknown", id)
		} else if err != nil {
			return Issued{}, err
		}
	}
	t, err := s.template(ctx, in.TemplateID)
	if err != nil {
		return Issued{}, err
	}
	year, err := letters.IssueYear(in.Year, s.ThisYear(), t)
	if err != nil {
		return Issued{}, err
	}
	var res Issued
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		var units []unit.Unit
		var err error
		if in.Region != "" {
			units, err = tx.ActiveLetterUnits(ctx, in.Region)
		} else {
			units, err = tx.LetterUnits(ctx, in.UnitIDs)
		}
		if err != nil {
			return err
		}
		res, err = s.issue(ctx, tx, p, letters.ActionIssue, year, t, units)
		return err
	})
	return res, err
}

// Renew issues in.Year's letters to the units whose letter for the year
// before was issued, signed or archived, in in.Region or wherever p issues,
// in one transaction; like Issue, it skips closed units and those that hold
// a letter for the year already.
func (s *Service) Renew(ctx context.Context, who store.Actor, p *auth.Principal, in RenewInput) (Issued, error) {
	if !s.CanIssue(p) {
		return Issued{}, apperr.ErrForbidden
	}
	in.Region = strings.TrimSpace(in.Region)
	year, err := letters.RenewYear(in.Year, s.ThisYear())
	if err != nil {
		return Issued{}, err
	}
	roots := p.Scopes(auth.LetterIssue)
	if in.Region != "" {
		if err := s.checkRegion(ctx, p, in.Region); err != nil {
			return Issued{}, err
		}
		roots = []string{in.Region}
	}
	if len(roots) == 0 {
		return Issued{}, apperr.ErrForbidden
	}
	t, err := s.template(ctx, in.TemplateID)
	if err != nil {
		return Issued{}, err
	}
	if _, err := letters.IssueYear(year, year, t); err != nil {
		return Issued{}, err
	}
	var res Issued
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		units, err := tx.RenewalUnits(ctx, year-1, roots)
		if err != nil {
			return err
		}
		res, err = s.issue(ctx, tx, p, letters.ActionRenew, year, t, units)
		return err
	})
	return res, err
}

// issue gives each of units that the rules do not skip its letter for year,
// from t or else the year's templates (carried forward from last year when
// the year has none).
func (s *Service) issue(ctx context.Context, tx *store.Tx, p *auth.Principal, action letters.Action, year int, t *letters.Template, units []unit.Unit) (Issued, error) {
	res := Issued{Year: year}
	var templates []letters.Template
	if t != nil {
		templates = []letters.Template{*t}
	} else {
		var err error
		if templates, err = tx.EnsureLetterTemplates(ctx, year); err != nil {
			return res, err
		}
	}
	current, err := tx.CurrentLetters(ctx, year, units)
	if err != nil {
		return res, err
	}
	streets := map[string]string{}
	now := s.Now()
	for _, u := range units {
		if letters.Skip(u, current[u.ID]) {
			res.Skipped++
			continue
		}
		if err := letters.Decide(relations(p, unitTarget(u)), letters.Letter{UnitID: u.ID, Status: current[u.ID]}, action); err != nil {
			return res, err
		}
		code := region.AncestorAt(u.Region, region.Street)
		name, ok := streets[code]
		if !ok {
			if name, err = tx.RegionNameOf(ctx, code); err != nil {
				return res, err
			}
			streets[code] = name
		}
		l, err := letters.ForUnit(templates, u, year, name, now)
		if err != nil {
			return res, err
		}
		if err := tx.InsertLetter(ctx, &l); err != nil {
			return res, err
		}
		res.Issued++
		res.IDs = append(res.IDs, l.ID)
	}
	return res, nil
}

// IssueRegions lists the street, communities and grids where p may issue
// letters, tree order (the issue form's choices).
func (s *Service) IssueRegions(ctx context.Context, p *auth.Principal) ([]region.Region, error) {
	roots := p.Scopes(auth.LetterIssue)
	if len(roots) == 0 {
		return nil, nil
	}
	rs, err := s.DB.Regions(ctx, roots, false)
	if err != nil {
		return nil, err
	}
	var out []region.Region
	for _, rg := range rs {
		if rg.Level >= region.Street && p.Can(auth.LetterIssue, auth.Target{Region: rg.Code}) {
			out = append(out, rg)
		}
	}
	return out, nil
}
