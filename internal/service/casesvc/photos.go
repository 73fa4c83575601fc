package casesvc

import (
	"context"
	"io"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/store"
)

// AddPhoto checks an uploaded image by its content, stores it by content
// hash and attaches it to the case at step (before or after). Anyone with a
// part in the case may add photos: its reporter, handlers, leaders and
// inspectors in scope. It returns the photo id.
func (s *Service) AddPhoto(ctx context.Context, who store.Actor, p *auth.Principal, photos *photo.Store, number, step string, r io.Reader) (string, error) {
	c, err := s.Get(ctx, p, number)
	if err != nil {
		return "", err
	}
	if actor(p, c).Relations(c.Snapshot) == 0 {
		return "", apperr.ErrForbidden
	}
	if step == "" {
		step = cases.StepBefore
		if c.Status == cases.StatusHandled || c.Status == cases.StatusClosed {
			step = cases.StepAfter
		}
	}
	if step != cases.StepBefore && step != cases.StepAfter {
		return "", apperr.Field("step", "err.invalid_choice")
	}
	n := 0
	for _, ph := range c.Photos {
		if ph.Step == step {
			n++
		}
	}
	if n >= MaxPhotos {
		return "", apperr.Field("photo", "err.photo_too_many", MaxPhotos)
	}
	rec, err := service.StorePhoto(ctx, photos, s.Loc, r, "photo")
	if err != nil {
		return "", err
	}
	return rec.ID, s.DB.AttachPhoto(ctx, who, c.ID, c.Number, rec, step)
}

// SavePhoto checks and stores an uploaded photo (an error names field)
// without attaching it; the action that names it attaches it.
func (s *Service) SavePhoto(ctx context.Context, who store.Actor, photos *photo.Store, r io.Reader, field string) (string, error) {
	rec, err := service.StorePhoto(ctx, photos, s.Loc, r, field)
	if err != nil {
		return "", err
	}
	return rec.ID, s.DB.SavePhoto(ctx, who, rec)
}

// AddPublicPhoto keeps a photo of a report from the public at the case it
// just recorded (the caller vouches for c: AddPhoto needs a signed-in person).
func (s *Service) AddPublicPhoto(ctx context.Context, who store.Actor, photos *photo.Store, c cases.Case, r io.Reader) error {
	rec, err := service.StorePhoto(ctx, photos, s.Loc, r, "photos")
	if err != nil {
		return err
	}
	return s.DB.AttachPhoto(ctx, who, c.ID, c.Number, rec, cases.StepBefore)
}

// OpenPhoto opens a photo (its thumbnail with thumb) for p, who must be
// able to read a case it is attached to; 404 otherwise.
func (s *Service) OpenPhoto(ctx context.Context, p *auth.Principal, photos *photo.Store, id string, thumb bool) (io.ReadSeekCloser, error) {
	if !photo.ValidID(id) {
		return nil, apperr.ErrNotFound
	}
	ok, err := s.CanSeePhoto(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.ErrNotFound
	}
	f, err := photos.Open(id, thumb)
	if err != nil {
		return nil, apperr.ErrNotFound
	}
	return f, nil
}

// CanSeePhoto reports whether p may see a photo: it must be attached to a case p may read.
func (s *Service) CanSeePhoto(ctx context.Context, p *auth.Principal, id string) (bool, error) {
	numbers, err := s.DB.PhotoCaseIDs(ctx, id)
	if err != nil {
		return false, err
	}
	for _, n := range numbers {
		if _, err := s.Get(ctx, p, n); err == nil {
			return true, nil
		}
	}
	return false, nil
}
