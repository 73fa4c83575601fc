// Package service holds what Lantian's area services share; each area's
// service lives in a folder beside this file (casesvc, lettersvc, patrolsvc,
// …) and is where that area's use cases run.
//
// The pattern every area follows (docs/development.md shows a worked example):
//
//   - The domain package (internal/cases, internal/letters, …) holds types,
//     Validate methods and the rule table (Decide/Allowed) — pure, no I/O —
//     and returns *apperr.Error values with their own message keys.
//   - The service holds the database, the clock and the calendar. It has one
//     method per use case, taking the acting store.Actor and *auth.Principal;
//     it loads what the request names and answers 404 for anything outside
//     the caller's scope (422 naming the field for a body field), asks the
//     domain to decide, and writes inside one store.DB.Write transaction
//     through store primitives, with tx.Notify for messages and tx.Audit.
//   - The store runs SQL only. Pages and API parse, call the same method, and
//     render, so the same request gets the same answer through either door.
package service

import (
	"context"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/store"
)

// Calendar is the working-day calendar, loaded from the database once and
// shared by the services that count working days.
type Calendar struct {
	DB  *store.DB
	Loc *time.Location

	mu  sync.Mutex
	cal *calendar.Calendar
}

// NewCalendar returns a calendar source over db in loc.
func NewCalendar(db *store.DB, loc *time.Location) *Calendar { return &Calendar{DB: db, Loc: loc} }

// Get returns the calendar, loading it on first use.
func (c *Calendar) Get(ctx context.Context) (*calendar.Calendar, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cal != nil {
		return c.cal, nil
	}
	cal, err := c.DB.Calendar(ctx, c.Loc)
	if err != nil {
		return nil, err
	}
	c.cal = cal
	return cal, nil
}

// Reload drops the loaded calendar after holidays change.
func (c *Calendar) Reload() {
	c.mu.Lock()
	c.cal = nil
	c.mu.Unlock()
}
