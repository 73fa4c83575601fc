// Package campaignsvc is the service of the month-end clean-ups and the
// outreach work around them: campaigns with tasks, results, photos and the
// cases they find; the materials store whose balance never goes below zero;
// publicity events that draw materials in the same transaction; handouts and
// their household coverage. Pages and the API call it alike.
package campaignsvc

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// MaxPhotos is how many photos one task may carry at each step (before, after).
const MaxPhotos = 9

// Service runs campaigns, the materials store, publicity and handouts.
type Service struct {
	DB    *store.DB
	Index *region.Index
	Loc   *time.Location
	Now   func() time.Time
	Cal   *service.Calendar
	// Cases reports the problems found during a campaign, by the case rules.
	Cases  *casesvc.Service
	Photos *photo.Store
	// Lang is the office's language, for the titles Lantian writes itself (proposals).
	Lang string
}

// New returns the service.
func New(db *store.DB, ix *region.Index, loc *time.Location, cal *service.Calendar, cases *casesvc.Service, photos *photo.Store, lang string) *Service {
	return &Service{DB: db, Index: ix, Loc: loc, Now: time.Now, Cal: cal, Cases: cases, Photos: photos, Lang: lang}
}

// Today returns today's local date (YYYY-MM-DD).
func (s *Service) Today() string { return s.Now().In(s.Loc).Format(campaign.DateLayout) }

// printer returns the office's language, for text Lantian writes into records.
func (s *Service) printer() locale.Printer { return locale.New(s.Lang) }

// scopeOf is where p may take action a, as the store filters by it.
func scopeOf(p *auth.Principal, a auth.Action) store.AreaScope {
	return store.AreaScope{All: p.Can(a, auth.Target{}), Roots: p.Scopes(a), UnitIDs: p.UnitScopes(a)}
}

// overlaps reports whether p may take action a on something at code or on
// something above it in p's own area: code lies in one of p's scopes, or
// one of p's scopes lies under code (a street-wide record concerns a grid's
// patrollers too).
func overlaps(p *auth.Principal, a auth.Action, code string) bool {
	if p.Can(a, auth.Target{Region: code}) {
		return true
	}
	for _, r := range p.Scopes(a) {
		if region.Contains(code, r) {
			return true
		}
	}
	return false
}

// visibleUnit returns an active unit p may see; anything else is NotFound.
func (s *Service) visibleUnit(ctx context.Context, p *auth.Principal, id int64) (unit.Unit, error) {
	u, err := s.DB.Unit(ctx, id)
	if err != nil {
		return u, err
	}
	if u.Status != unit.Active || !p.Can(auth.UnitRead, auth.Target{Region: u.Region, UnitID: u.ID}) {
		return unit.Unit{}, apperr.ErrNotFound
	}
	return u, nil
}

// region returns the region with code; NotFound when there is none.
func (s *Service) region(ctx context.Context, code string) (region.Region, error) {
	if !region.ValidCode(code) {
		return region.Region{}, apperr.ErrNotFound
	}
	return s.DB.Region(ctx, code)
}

// processPhoto checks an upload by its content (package photo) and turns its
// errors into field errors on "photo".
func (s *Service) processPhoto(r io.Reader) (*photo.Processed, error) {
	proc, err := photo.Process(r, photo.Limits{Location: s.Loc})
	if err != nil {
		var pe *photo.Error
		if errors.As(err, &pe) {
			e := pe.AppErr()
			e.Fields = map[string]apperr.Msg{"photo": e.Msg}
			if pe.Key == photo.KeyTooLarge {
				e.Code = apperr.TooLarge
			}
			return nil, e
		}
		return nil, err
	}
	return proc, nil
}

// photoRecord is what the database keeps of a processed photo stored under id.
func photoRecord(id string, proc *photo.Processed) store.PhotoRecord {
	rec := store.PhotoRecord{ID: id, Width: proc.Width, Height: proc.Height, Format: proc.Format, Lat: proc.Lat, Lon: proc.Lon}
	if proc.Taken != nil {
		rec.Taken = *proc.Taken
	}
	return rec
}

// notFoundAsField turns a NotFound into the field error for field, so that a
// body naming something out of scope is answered as one naming nothing.
func notFoundAsField(err error, field, key string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field(field, key)
	}
	return err
}

func uniq[T int64 | string](v []T) []T {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}
