package campaignsvc

import (
	"context"
	"io"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// MaxPublicityPhotos is how many photos one event may carry.
const MaxPublicityPhotos = 12

// PublicityListInput selects events: days From to To, in Region, one page.
type PublicityListInput struct {
	From, To string
	Region   string
	Page     store.Page
}

// Publicities lists the events p may see with the totals of reach and
// materials over all matching events (not just the page).
func (s *Service) Publicities(ctx context.Context, p *auth.Principal, in PublicityListInput) ([]campaign.Publicity, int, store.PublicityTotals, error) {
	var tot store.PublicityTotals
	if !p.CanSomewhere(auth.PublicityRead) {
		return nil, 0, tot, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	for field, v := range map[string]string{"from": in.From, "to": in.To} {
		if v != "" {
			if _, err := campaign.ParseDate(v); err != nil {
				f.Add(field, "err.format")
			}
		}
	}
	if in.Region != "" && !region.ValidCode(in.Region) {
		f.Add("region", "err.region_code")
	}
	if err := f.Err(); err != nil {
		return nil, 0, tot, err
	}
	pf := store.PublicityFilter{Scope: scopeOf(p, auth.PublicityRead), Region: in.Region, From: in.From, To: in.To, Page: in.Page}
	list, total, err := s.DB.Publicities(ctx, pf)
	if err != nil {
		return nil, 0, tot, err
	}
	tot, err = s.DB.PublicityTotals(ctx, pf)
	return list, total, tot, err
}

// GetPublicity returns an event p may see (404 otherwise).
func (s *Service) GetPublicity(ctx context.Context, p *auth.Principal, id int64) (campaign.Publicity, error) {
	ev, err := s.DB.Publicity(ctx, id)
	if err != nil {
		return ev, err
	}
	if !p.Can(auth.PublicityRead, auth.Target{Region: ev.Region}) {
		return campaign.Publicity{}, apperr.ErrNotFound
	}
	return ev, nil
}

// PublicityInput is an event as recorded: the venue is a unit (UnitID) or a
// named place with a point.
type PublicityInput struct {
	Date      string
	UnitID    int64
	Venue     string
	Lat, Lon  *float64
	Kind      string
	Reach     int
	People    string
	Note      string
	Materials []campaign.Use
}

// CreatePublicity records an event and takes its materials from the store
// in the same transaction: if any material lacks stock the event is refused
// with a ShortError naming it (409) and nothing is written, neither the
// event nor any move. A venue outside p's area is a 422 on "venue".
func (s *Service) CreatePublicity(ctx context.Context, who store.Actor, p *auth.Principal, in PublicityInput) (campaign.Publicity, error) {
	if !p.CanSomewhere(auth.PublicityWrite) {
		return campaign.Publicity{}, apperr.ErrForbidden
	}
	ev := campaign.Publicity{Date: strings.TrimSpace(in.Date), UnitID: in.UnitID, Venue: strings.TrimSpace(in.Venue), Lat: in.Lat, Lon: in.Lon,
		Kind: campaign.PublicityKind(strings.TrimSpace(in.Kind)), Reach: in.Reach, People: strings.TrimSpace(in.People), Note: strings.TrimSpace(in.Note),
		Materials: in.Materials}
	f := apperr.Fields{}
	if err := ev.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	// The venue gives the grid the event belongs to.
	if _, bad := f["venue"]; !bad {
		if ev.UnitID != 0 {
			u, err := s.visibleUnit(ctx, p, ev.UnitID)
			switch {
			case apperr.Is(err, apperr.NotFound):
				f.Add("venue", "err.unit_unknown")
			case err != nil:
				return ev, err
			default:
				ev.Region, ev.Venue = u.Region, u.Name
				if u.HasLocation() {
					lat, lon := u.Lat, u.Lon
					ev.Lat, ev.Lon = &lat, &lon
				}
			}
		} else {
			grid, err := s.Index.Lookup(*ev.Lat, *ev.Lon)
			if err != nil {
				f.Add("venue", apperr.As(err).Msg.Key)
			}
			ev.Region = grid
		}
		if ev.Region != "" && !p.Can(auth.PublicityWrite, auth.Target{Region: ev.Region}) {
			f.Add("venue", "err.campaign.venue_outside")
		}
	}
	// Materials come from a store holding the venue that p may see.
	mats := map[int64]campaign.Material{}
	for _, u := range ev.Materials {
		if u.MaterialID <= 0 {
			continue
		}
		m, err := s.DB.Material(ctx, u.MaterialID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return ev, err
		}
		if err != nil || ev.Region == "" || !region.Contains(m.Region, ev.Region) || !canSeeStore(p, auth.PublicityWrite, m.Region) {
			f.Add("materials", "err.campaign.material_unknown")
			continue
		}
		mats[m.ID] = m
	}
	if err := f.Err(); err != nil {
		return ev, err
	}
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.InsertPublicity(ctx, &ev); err != nil {
			return err
		}
		for i, u := range ev.Materials {
			cur, err := tx.Material(ctx, u.MaterialID)
			if err != nil {
				return err
			}
			mv := campaign.Move{MaterialID: u.MaterialID, Delta: -u.Quantity, Kind: campaign.MoveUse, Reason: ev.Venue, PublicityID: ev.ID}
			before, after, ok, err := tx.MoveStock(ctx, &mv)
			if err != nil {
				return err
			}
			if !ok {
				return shortOf(cur, before, u.Quantity, "materials")
			}
			ev.Materials[i].Name, ev.Materials[i].Unit = cur.Name, cur.Unit
			if err := s.lowNotice(ctx, tx, cur, before, after); err != nil {
				return err
			}
		}
		return nil
	})
	return ev, err
}

// AddPublicityPhoto checks an uploaded image by its content and attaches it to an event.
func (s *Service) AddPublicityPhoto(ctx context.Context, who store.Actor, p *auth.Principal, id int64, r io.Reader) (string, error) {
	ev, err := s.GetPublicity(ctx, p, id)
	if err != nil {
		return "", err
	}
	if !p.Can(auth.PublicityWrite, auth.Target{Region: ev.Region}) {
		return "", apperr.ErrForbidden
	}
	if len(ev.Photos) >= MaxPublicityPhotos {
		return "", apperr.Field("photo", "err.photo_too_many", MaxPublicityPhotos)
	}
	proc, err := s.processPhoto(r)
	if err != nil {
		return "", err
	}
	photoID, err := s.Photos.Put(proc)
	if err != nil {
		return "", err
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		n, err := tx.CountPublicityPhotos(ctx, id)
		if err != nil {
			return err
		}
		if n >= MaxPublicityPhotos {
			return apperr.Field("photo", "err.photo_too_many", MaxPublicityPhotos)
		}
		return tx.AttachPublicityPhoto(ctx, id, photoRecord(photoID, proc))
	})
	return photoID, err
}

// CanSeePublicityPhoto reports whether p may see a photo of event id.
func (s *Service) CanSeePublicityPhoto(ctx context.Context, p *auth.Principal, id int64, photoID string) (bool, error) {
	ev, err := s.GetPublicity(ctx, p, id)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, ph := range ev.Photos {
		if ph == photoID {
			return true, nil
		}
	}
	return false, nil
}
