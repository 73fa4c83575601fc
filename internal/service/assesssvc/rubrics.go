package assesssvc

import (
	"context"
	"slices"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Rubrics lists the rubrics of year (every year when 0) over areas p may see.
func (s *Service) Rubrics(ctx context.Context, p *auth.Principal, year int) ([]store.RubricRow, error) {
	v := viewerOf(p)
	if v.none() {
		return nil, apperr.ErrForbidden
	}
	// Unit contacts and patrollers see the rubrics over their unit's or grid's area.
	own, err := s.ownAreas(ctx, p, v)
	if err != nil {
		return nil, err
	}
	return s.DB.Rubrics(ctx, year, v.All, append(slices.Clone(v.Roots), own...))
}

// Rubric returns one rubric p may see; 404 otherwise.
func (s *Service) Rubric(ctx context.Context, p *auth.Principal, id int64) (store.RubricRow, error) {
	r, err := s.DB.Rubric(ctx, id)
	if err != nil {
		return r, err
	}
	if err := s.seesArea(ctx, p, r.Region); err != nil {
		return store.RubricRow{}, err
	}
	return r, nil
}

// RubricInput is a rubric as written: year, kind and area only on creation
// (the area defaults to the admin's own; CopyOf copies another rubric's
// items when Items is empty); Version on edits.
type RubricInput struct {
	Year    int
	Kind    string
	Region  string
	Title   string
	Items   []assess.Item
	CopyOf  int64
	Version int
}

// CreateRubric adds a rubric (admins): 422 naming the field for bad input,
// 404 (as a field error on region) for an area outside theirs.
func (s *Service) CreateRubric(ctx context.Context, actor store.Actor, p *auth.Principal, in RubricInput) (store.RubricRow, error) {
	if !p.CanSomewhere(auth.AssessAdmin) {
		return store.RubricRow{}, apperr.ErrForbidden
	}
	if in.Kind == "patroller" {
		// The word for the persons a rubric of patrollers ranks.
		in.Kind = string(assess.Person)
	}
	r := store.RubricRow{Rubric: assess.Rubric{Year: in.Year, Kind: assess.SubjectKind(in.Kind), Title: strings.TrimSpace(in.Title), Items: in.Items}, Region: strings.TrimSpace(in.Region)}
	if in.CopyOf != 0 {
		src, err := s.Rubric(ctx, p, in.CopyOf)
		if err != nil {
			return r, notFoundAsField(err, "copy_of")
		}
		r.CopiedFrom = src.ID
		if len(r.Items) == 0 {
			r.Items = src.Items
		}
		if r.Year == 0 {
			r.Year = src.Year
		}
		if r.Kind == "" {
			r.Kind = src.Kind
		}
		if r.Region == "" {
			r.Region = src.Region
		}
	}
	if r.Region == "" {
		if sc := p.Scopes(auth.AssessAdmin); len(sc) > 0 {
			r.Region = sc[0]
		}
	}
	f := apperr.Fields{}
	if !region.ValidCode(r.Region) || !p.Can(auth.AssessAdmin, auth.Target{Region: r.Region}) {
		f.Add("region", "err.not_found")
	}
	if err := r.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if err := f.Err(); err != nil {
		return r, err
	}
	if _, err := s.DB.Region(ctx, r.Region); err != nil {
		return r, notFoundAsField(err, "region")
	}
	err := s.DB.Write(ctx, actor, func(tx *store.Tx) error {
		id, err := tx.InsertRubric(ctx, r)
		r.ID, r.Version = id, 1
		return err
	})
	return r, err
}

// UpdateRubric changes a rubric's title and items (admins): 409 once a
// published bulletin uses it (copy it to change it) or when it changed
// since Version; 422 for bad input.
func (s *Service) UpdateRubric(ctx context.Context, actor store.Actor, p *auth.Principal, id int64, in RubricInput) (store.RubricRow, error) {
	cur, err := s.Rubric(ctx, p, id)
	if err != nil {
		return cur, err
	}
	if !p.Can(auth.AssessAdmin, auth.Target{Region: cur.Region}) {
		return cur, apperr.ErrForbidden
	}
	if err := assess.Decide(assess.ActionEditRubric, assess.State{Published: cur.Published}); err != nil {
		return cur, err
	}
	next := cur
	next.Title, next.Items = strings.TrimSpace(in.Title), in.Items
	if err := next.Validate(); err != nil {
		return cur, err
	}
	err = s.DB.Write(ctx, actor, func(tx *store.Tx) error {
		now, err := tx.Rubric(ctx, id)
		if err != nil {
			return err
		}
		if err := assess.Decide(assess.ActionEditRubric, assess.State{Published: now.Published}); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != now.Version {
			return apperr.New(apperr.Conflict, "err.assess.stale")
		}
		ok, err := tx.UpdateRubric(ctx, now, next)
		if err == nil && !ok {
			err = apperr.New(apperr.Conflict, "err.assess.stale")
		}
		return err
	})
	if err != nil {
		return cur, err
	}
	return s.DB.Rubric(ctx, id)
}

// EnsureDefaults adds the default community and unit rubrics of year over
// the area code when it has none of that kind, with item names in the
// office's language; it returns the rubrics of the year over the area.
func (s *Service) EnsureDefaults(ctx context.Context, actor store.Actor, year int, code string) ([]store.RubricRow, error) {
	have, err := s.DB.Rubrics(ctx, year, false, []string{code})
	if err != nil {
		return nil, err
	}
	pr := s.printer()
	err = s.DB.Write(ctx, actor, func(tx *store.Tx) error {
		for _, kind := range []assess.SubjectKind{assess.Community, assess.Unit} {
			found := false
			for _, r := range have {
				found = found || (r.Kind == kind && r.Region == code)
			}
			if found {
				continue
			}
			items := assess.DefaultItems(kind)
			for i := range items {
				items[i].Name = pr.T(assess.ItemNameKey(items[i].Key))
			}
			r := store.RubricRow{Rubric: assess.Rubric{Year: year, Kind: kind, Title: pr.T("assess.default_title."+string(kind), year), Items: items}, Region: code}
			if err := r.Validate(); err != nil {
				return err
			}
			if _, err := tx.InsertRubric(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.DB.Rubrics(ctx, year, false, []string{code})
}
