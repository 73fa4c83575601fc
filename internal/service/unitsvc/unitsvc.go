// Package unitsvc is the unit service: who may see and edit which units,
// adding and changing them (the grid found from the point when none is
// given), closing and reopening them. Pages and API both call it.
package unitsvc

import (
	"context"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// Service runs the register of units.
type Service struct {
	DB    *store.DB
	Index *region.Index // point to grid
}

// New returns the service over db and the point-to-grid index.
func New(db *store.DB, ix *region.Index) *Service { return &Service{DB: db, Index: ix} }

// Get returns a unit p may see (its contacts: their own unit); 404 otherwise.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (unit.Unit, error) {
	un, err := s.DB.Unit(ctx, id)
	if err != nil {
		return un, err
	}
	if !p.Can(auth.UnitRead, auth.Target{Region: un.Region, UnitID: un.ID}) {
		return unit.Unit{}, apperr.ErrNotFound
	}
	return un, nil
}

// Editable returns a unit p may edit: 404 when p may not see it, 403 when
// p may see it but not edit it.
func (s *Service) Editable(ctx context.Context, p *auth.Principal, id int64) (unit.Unit, error) {
	un, err := s.Get(ctx, p, id)
	if err == nil && !p.Can(auth.UnitEdit, auth.Target{Region: un.Region, UnitID: un.ID}) {
		err = apperr.ErrForbidden
	}
	return un, err
}

// CanEdit reports whether p may edit un (for the page's buttons).
func CanEdit(p *auth.Principal, un unit.Unit) bool {
	return p.Can(auth.UnitEdit, auth.Target{Region: un.Region, UnitID: un.ID})
}

// Save stores u: a new unit when u.ID is 0 (created reports it), else the
// changed unit u.ID, which p must be able to edit. A unit with a point but
// no grid gets the grid holding the point; a point must lie in a grid. The
// grid must be one p may edit: any other answers as a grid that does not
// exist, so the answer never tells what lies outside p's scope.
func (s *Service) Save(ctx context.Context, who store.Actor, p *auth.Principal, u unit.Unit) (unit.Unit, bool, error) {
	if !p.CanSomewhere(auth.UnitEdit) {
		return u, false, apperr.ErrForbidden
	}
	if u.ID != 0 {
		if _, err := s.Editable(ctx, p, u.ID); err != nil {
			return u, false, err
		}
	}
	f := apperr.Fields{}
	if u.HasLocation() {
		g, err := s.Index.Lookup(u.Lat, u.Lon)
		switch {
		case err != nil:
			f.Add("lat", apperr.As(err).Msg.Key)
		case u.Region == "":
			u.Region = g
		}
	}
	if u.Region == "" {
		f.Add("region", "err.required")
	} else if !p.Can(auth.UnitEdit, auth.Target{Region: u.Region}) {
		f.Add("region", "err.grid_unknown")
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if err := f.Err(); err != nil {
		return u, false, err
	}
	created := u.ID == 0
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if created {
			return tx.CreateUnit(ctx, &u)
		}
		return tx.UpdateUnit(ctx, &u)
	})
	return u, created, err
}

// SetStatus closes a unit (its history stays) or reopens it.
func (s *Service) SetStatus(ctx context.Context, who store.Actor, p *auth.Principal, id int64, status string) (unit.Unit, error) {
	un, err := s.Editable(ctx, p, id)
	if err != nil {
		return un, err
	}
	if status != unit.Active && status != unit.Closed {
		return un, apperr.Field("status", "err.invalid_choice")
	}
	un.Status = status
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateUnit(ctx, &un) })
	return un, err
}
