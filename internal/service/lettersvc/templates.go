package lettersvc

import (
	"context"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/store"
)

// Templates lists the templates of a year (every year when 0), for those
// who read letters or edit templates; 403 for anyone else.
func (s *Service) Templates(ctx context.Context, p *auth.Principal, year int) ([]letters.Template, error) {
	if !s.CanReadAny(p) && !s.CanEditTemplates(p) {
		return nil, apperr.ErrForbidden
	}
	if year != 0 && (year < letters.MinYear || year > letters.MaxYear) {
		return nil, apperr.Field("year", "err.out_of_range")
	}
	return s.DB.LetterTemplates(ctx, year)
}

// Template returns one template to those who read letters or edit
// templates; not found for anyone else.
func (s *Service) Template(ctx context.Context, p *auth.Principal, id int64) (letters.Template, error) {
	if !s.CanReadAny(p) && !s.CanEditTemplates(p) {
		return letters.Template{}, apperr.ErrNotFound
	}
	return s.DB.LetterTemplate(ctx, id)
}

// SaveTemplate adds t (ID 0) at version 1, or changes template t.ID and
// raises its version (t.Version, when set, must be the stored one: 409
// otherwise), audited. 403 for who may not edit templates; field errors
// for bad texts, unknown variables and unknown categories. Letters already
// issued keep their text.
func (s *Service) SaveTemplate(ctx context.Context, who store.Actor, p *auth.Principal, t letters.Template) (letters.Template, error) {
	if err := letters.Decide(relations(p, auth.Target{}), letters.Letter{}, letters.ActionEditTemplates); err != nil {
		return t, err
	}
	t.Normalize()
	if err := t.Validate(); err != nil {
		return t, err
	}
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if t.ID == 0 {
			return tx.InsertLetterTemplate(ctx, &t)
		}
		return tx.UpdateLetterTemplate(ctx, &t)
	})
	return t, err
}
