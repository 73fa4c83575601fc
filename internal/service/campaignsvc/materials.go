package campaignsvc

import (
	"context"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// ShortError says a material lacks stock for a move or an event: nothing was
// written. It is a Conflict naming the material and what is left.
type ShortError struct {
	Material campaign.Material
	Left     int
	err      *apperr.Error
}

func (e *ShortError) Error() string { return e.err.Error() }

// Unwrap gives the user-safe Conflict error.
func (e *ShortError) Unwrap() error { return e.err }

func shortOf(m campaign.Material, left, want int, field string) *ShortError {
	e := apperr.New(apperr.Conflict, "err.campaign.stock_short", m.Name, left, m.Unit, want)
	e.Fields = map[string]apperr.Msg{field: {Key: "err.campaign.stock_short", Args: []any{m.Name, left, m.Unit, want}}}
	return &ShortError{Material: m, Left: left, err: e}
}

// canSeeStore reports whether p may take action a (MaterialRead, PublicityWrite)
// on the store of region code: its own, one inside its scope, or one above it.
func canSeeStore(p *auth.Principal, a auth.Action, code string) bool { return overlaps(p, a, code) }

// Materials lists the materials of the stores p may see, with the total.
func (s *Service) Materials(ctx context.Context, p *auth.Principal, pg store.Page) ([]campaign.Material, int, error) {
	if !p.CanSomewhere(auth.MaterialRead) {
		return nil, 0, apperr.ErrForbidden
	}
	return s.DB.Materials(ctx, scopeOf(p, auth.MaterialRead), pg)
}

// UsableMaterials lists the materials an event at grid may draw from: those
// of the stores holding grid (the street's, the community's).
func (s *Service) UsableMaterials(ctx context.Context, grid string) ([]campaign.Material, error) {
	list, _, err := s.DB.Materials(ctx, store.AreaScope{Roots: []string{grid}}, store.Page{Size: 100})
	return list, err
}

// Material returns a material p may see (404 otherwise) with one page of its ledger.
func (s *Service) Material(ctx context.Context, p *auth.Principal, id int64, pg store.Page) (campaign.Material, []campaign.Move, int, error) {
	m, err := s.DB.Material(ctx, id)
	if err != nil {
		return m, nil, 0, err
	}
	if !canSeeStore(p, auth.MaterialRead, m.Region) {
		return campaign.Material{}, nil, 0, apperr.ErrNotFound
	}
	moves, total, err := s.DB.Moves(ctx, id, pg)
	return m, moves, total, err
}

// CanWriteStore reports whether p may add to and take from the store of region code.
func CanWriteStore(p *auth.Principal, code string) bool {
	return p.Can(auth.MaterialWrite, auth.Target{Region: code})
}

// MaterialInput is a new material with its opening balance.
type MaterialInput struct {
	Region string // the store: a street or community; "" for p's own street
	Name   string
	Kind   string
	Unit   string
	Low    int
	Stock  int // the opening balance, 0 for none
	Reason string
}

// defaultStore is the store a person writes to when they name none: the one
// street (or community) of their scope for action a.
func (s *Service) defaultStore(ctx context.Context, p *auth.Principal, a auth.Action) (string, error) {
	var roots []string
	for _, r := range p.Scopes(a) {
		switch region.LevelOf(r) {
		case region.Street, region.Community:
			roots = append(roots, r)
		case region.District:
			rs, err := s.DB.Regions(ctx, []string{r}, false)
			if err != nil {
				return "", err
			}
			for _, x := range rs {
				if x.Level == region.Street {
					roots = append(roots, x.Code)
				}
			}
		}
	}
	if len(roots) == 1 {
		return roots[0], nil
	}
	return "", apperr.Field("region", "err.required")
}

// CreateMaterial adds a material to a store p may write, with its opening balance as a first move.
func (s *Service) CreateMaterial(ctx context.Context, who store.Actor, p *auth.Principal, in MaterialInput) (campaign.Material, error) {
	if !p.CanSomewhere(auth.MaterialWrite) {
		return campaign.Material{}, apperr.ErrForbidden
	}
	code := strings.TrimSpace(in.Region)
	if code == "" {
		var err error
		if code, err = s.defaultStore(ctx, p, auth.MaterialWrite); err != nil {
			return campaign.Material{}, err
		}
	}
	m := campaign.Material{Region: code, Name: strings.TrimSpace(in.Name), Kind: campaign.MaterialKind(strings.TrimSpace(in.Kind)), Unit: strings.TrimSpace(in.Unit), Low: in.Low}
	f := apperr.Fields{}
	if err := m.Validate(); err != nil {
		for k, v := range apperr.As(err).Fields {
			f.Add(k, v.Key, v.Args...)
		}
	}
	if _, bad := f["region"]; !bad {
		if _, err := s.region(ctx, code); err != nil || !CanWriteStore(p, code) {
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return m, err
			}
			f.Add("region", "err.region_unknown")
		}
	}
	if in.Stock < 0 {
		f.Add("stock", "err.not_negative")
	} else if in.Stock > campaign.MaxStock {
		f.Add("stock", "err.out_of_range")
	}
	if err := f.Err(); err != nil {
		return m, err
	}
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.CreateMaterial(ctx, &m); err != nil {
			return err
		}
		if in.Stock == 0 {
			return nil
		}
		reason := strings.TrimSpace(in.Reason)
		if reason == "" {
			reason = s.printer().T("campaign.move.opening")
		}
		mv := campaign.Move{MaterialID: m.ID, Delta: in.Stock, Kind: campaign.MoveStart, Reason: reason}
		_, after, _, err := tx.MoveStock(ctx, &mv)
		m.Stock = after
		return err
	})
	return m, err
}

// UpdateMaterial changes a material's name, kind, unit of count and threshold.
func (s *Service) UpdateMaterial(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in MaterialInput) (campaign.Material, error) {
	before, err := s.DB.Material(ctx, id)
	if err != nil {
		return before, err
	}
	if !canSeeStore(p, auth.MaterialRead, before.Region) {
		return before, apperr.ErrNotFound
	}
	if !CanWriteStore(p, before.Region) {
		return before, apperr.ErrForbidden
	}
	m := before
	m.Name, m.Kind, m.Unit, m.Low = strings.TrimSpace(in.Name), campaign.MaterialKind(strings.TrimSpace(in.Kind)), strings.TrimSpace(in.Unit), in.Low
	if err := m.Validate(); err != nil {
		return m, err
	}
	return m, s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateMaterial(ctx, before, m) })
}

// Move adds to or takes from a material's stock, with why (and for a gift,
// the community given to). A move that would take the balance below zero
// is refused with a ShortError (409) and writes nothing; a move that takes
// it to its low-stock threshold tells the store's leaders.
func (s *Service) Move(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in campaign.MoveInput) (campaign.Material, campaign.Move, error) {
	m, err := s.DB.Material(ctx, id)
	if err != nil {
		return m, campaign.Move{}, err
	}
	if !canSeeStore(p, auth.MaterialRead, m.Region) {
		return m, campaign.Move{}, apperr.ErrNotFound
	}
	if !CanWriteStore(p, m.Region) {
		return m, campaign.Move{}, apperr.ErrForbidden
	}
	in.Region = strings.TrimSpace(in.Region)
	if err := in.Validate(); err != nil {
		return m, campaign.Move{}, err
	}
	if in.Region != "" {
		if _, err := s.region(ctx, in.Region); err != nil || !region.Contains(m.Region, in.Region) {
			return m, campaign.Move{}, notFoundAsField(orNotFound(err), "region", "err.region_unknown")
		}
	}
	mv := campaign.Move{MaterialID: id, Delta: in.Delta, Kind: in.Kind(), Reason: strings.TrimSpace(in.Reason), Region: in.Region}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		cur, err := tx.Material(ctx, id)
		if err != nil {
			return err
		}
		before, after, ok, err := tx.MoveStock(ctx, &mv)
		if err != nil {
			return err
		}
		if !ok {
			return shortOf(cur, before, -in.Delta, "delta")
		}
		m = cur
		m.Stock = after
		return s.lowNotice(ctx, tx, cur, before, after)
	})
	return m, mv, err
}

// lowNotice tells the store's leaders when a move took m to its threshold.
func (s *Service) lowNotice(ctx context.Context, tx *store.Tx, m campaign.Material, before, after int) error {
	if !campaign.LowCrossed(m.Low, before, after) {
		return nil
	}
	_, err := tx.Notify(ctx, notify.Event{Kind: notify.MaterialLow, Record: notify.Record{Kind: "material", ID: m.ID, Ref: m.Name},
		Subject: notify.Subject{Region: m.Region}, Args: map[string]any{"material": m.ID, "name": m.Name, "stock": after, "unit": m.Unit, "low": m.Low}})
	return err
}
