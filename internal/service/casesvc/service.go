// Package casesvc is the case service (the ledger): it takes reports and actions from the
// pages and the API, applies the rules of package cases (who may do what in
// which state), works out levels, deadlines on the working-day calendar and
// who is told, and stores the result through package store in one
// transaction per change.
package casesvc

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/store"
)

// Service runs the case ledger.
type Service struct {
	DB     *store.DB
	Index  *region.Index
	Loc    *time.Location
	Now    func() time.Time
	Cal    *service.Calendar
	Prefix string        // case number prefix, e.g. "XG"
	Grace  time.Duration // overdue time before a case climbs to the street
	// Streets, when set, gives each street's own prefix and grace (streets.go).
	Streets StreetSettings
}

// New returns a service with the defaults: prefix XG, a grace of 4 hours.
func New(db *store.DB, ix *region.Index, loc *time.Location, cal *service.Calendar) *Service {
	return &Service{DB: db, Index: ix, Loc: loc, Now: time.Now, Cal: cal, Prefix: "XG", Grace: 4 * time.Hour}
}

// Calendar returns the working-day calendar.
func (s *Service) Calendar(ctx context.Context) (*calendar.Calendar, error) { return s.Cal.Get(ctx) }

// deadline counts a limit on the calendar from now.
func (s *Service) deadline(ctx context.Context, l calendar.Limit, from time.Time) (time.Time, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return l.Deadline(cal, from)
}

// Timer returns how much of a case's time limit is used and its colour.
func (s *Service) Timer(ctx context.Context, c cases.Case) (float64, string) {
	if c.Deadline.IsZero() || !c.Status.Pending() && c.Status != cases.StatusHandled {
		return 0, ""
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return 0, ""
	}
	now := s.Now()
	if now.After(c.Deadline) {
		// Overdue is red whatever the share; counting working time over a long overdue span costs a walk per day.
		return 100, calendar.Red
	}
	from := c.DeadlineFrom
	if from.IsZero() {
		from = c.ReportedAt
	}
	return calendar.Timer(cal, from, c.Deadline, now)
}

// CanRead reports whether p may see the case: its grid lies in p's scope, or
// p reported it, holds it, or is a contact of its unit. The public sees
// nothing here (public views go through their own, redacted path).
func CanRead(p *auth.Principal, c cases.Case) bool {
	if p == nil {
		return false
	}
	if p.Can(auth.CaseRead, auth.Target{Region: c.Region}) {
		return true
	}
	if c.ReporterID != 0 && c.ReporterID == p.PersonID {
		return true
	}
	kind, v := cases.ParseAssignee(c.Assignee)
	if kind == "person" && v == strconv.FormatInt(p.PersonID, 10) {
		return true
	}
	for _, u := range p.UnitScopes(auth.CaseRead) {
		if u == c.UnitID || (kind == "unit" && v == strconv.FormatInt(u, 10)) {
			return true
		}
	}
	return false
}

// Filter returns the store filter limiting a list to what p may see.
func Filter(p *auth.Principal) store.CaseFilter {
	return store.CaseFilter{All: p.Can(auth.CaseRead, auth.Target{}), Roots: p.Scopes(auth.CaseRead),
		UnitIDs: p.UnitScopes(auth.CaseRead), PersonID: p.PersonID}
}

// actor builds the rules' view of p for case c: the role assignments that
// contain the case, and whether p is on the assignee side.
func actor(p *auth.Principal, c cases.Case) cases.Actor {
	a := cases.Actor{ID: p.PersonID}
	kind, v := cases.ParseAssignee(c.Assignee)
	for _, as := range p.Roles {
		if as.Role == people.UnitContact {
			if kind == "unit" && v == strconv.FormatInt(as.UnitID, 10) {
				a.Assignee = true
			}
			continue
		}
		if region.Contains(as.Region, c.Region) {
			a.Grants = append(a.Grants, cases.Grant{Role: cases.Role(as.Role), Level: int(region.LevelOf(as.Region))})
		}
		// People of the assigned region (its leaders and patrollers, and those of the grids inside it) handle the case.
		if kind == "region" && (as.Role == people.Leader || as.Role == people.Patroller) && region.Contains(v, as.Region) {
			a.Assignee = true
		}
	}
	if kind == "person" && v == strconv.FormatInt(p.PersonID, 10) {
		a.Assignee = true
	}
	return a
}

// Allowed lists the actions p may take on c now (for the case page's buttons).
func (s *Service) Allowed(p *auth.Principal, c cases.Case) []cases.Action {
	if p == nil {
		return nil
	}
	return cases.Allowed(actor(p, c), c.Snapshot, s.Now())
}

// Get returns a case p may read (404 otherwise).
func (s *Service) Get(ctx context.Context, p *auth.Principal, number string) (cases.Case, error) {
	c, err := s.DB.CaseByNumber(ctx, number)
	if err != nil {
		return c, err
	}
	if !CanRead(p, c) {
		return c, apperr.ErrNotFound
	}
	return c, nil
}

// localDay returns the local date of t.
func (s *Service) localDay(t time.Time) string { return t.In(s.Loc).Format("2006-01-02") }

// caseEvent is an event of kind about case c, caused by the person actor (0 for the system).
func caseEvent(kind notify.Kind, c cases.Case, actor int64) notify.Event {
	return notify.Event{Kind: kind, Subject: notify.Subject{Held: c.Held, Assignee: c.Assignee, Reporter: c.ReporterID, Actor: actor}}
}

func uniq(ids []int64) []int64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}

func trim(s string) string { return strings.TrimSpace(s) }
