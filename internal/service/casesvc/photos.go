package casesvc

import (
	"context"
	"errors"
	"io"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/photo"
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
	proc, err := photo.ProcessContext(ctx, r, photo.Limits{Location: s.Loc})
	if err != nil {
		var pe *photo.Error
		if errors.As(err, &pe) {
			return "", pe.FieldErr("photo")
		}
		return "", err
	}
	id, err := photos.Put(proc)
	if err != nil {
		return "", err
	}
	rec := store.PhotoRecord{ID: id, Width: proc.Width, Height: proc.Height, Format: proc.Format, Lat: proc.Lat, Lon: proc.Lon}
	if proc.Taken != nil {
		rec.Taken = *proc.Taken
	}
	return id, s.DB.AttachPhoto(ctx, who, c.ID, c.Number, rec, step)
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
