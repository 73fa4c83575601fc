package casesvc

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// Report is a new case as a reporter gives it.
type Report struct {
	cases.Input
	UnitID int64
	// A committed case found on the spot may carry the party's written
	// commitment and due date; it is then assigned to the unit at once.
	Commitment string
	Due        time.Time
	// ReporterName and ReporterMobile come with public reports (no account).
	ReporterName   string
	ReporterMobile string
	// TrackingHash is the hash of a public reporter's tracking secret (see ReportPublic).
	TrackingHash string
	// ManualPosition: the point was set by hand (no location on the phone).
	ManualPosition bool
}

// reservedSource names the sources only some roles may give: what the
// inspection group, the hotline desk and a clean-up campaign found.
var reservedSource = map[cases.Source]auth.Action{
	cases.SourceInspection: auth.CaseSourceInspection,
	cases.SourceCampaign:   auth.CaseSourceCampaign,
}

// visibleUnit returns an active unit p may see; anything else is NotFound,
// so an answer never tells whether a unit outside the caller's scope exists.
// The public (p nil) may name any active unit.
func (s *Service) visibleUnit(ctx context.Context, p *auth.Principal, id int64) (unit.Unit, error) {
	u, err := s.DB.Unit(ctx, id)
	if err != nil {
		return u, err
	}
	if u.Status != unit.Active || (p != nil && !p.Can(auth.UnitRead, auth.Target{Region: u.Region, UnitID: u.ID})) {
		return unit.Unit{}, apperr.ErrNotFound
	}
	return u, nil
}

// defaultSource is the source of a signed-in reporter who names none.
func defaultSource(p *auth.Principal) cases.Source {
	switch {
	case p.Has(people.Patroller), p.Has(people.Leader), p.Has(people.Admin):
		return cases.SourcePatrol
	case p.Has(people.Inspector):
		return cases.SourceInspection
	case p.Has(people.Volunteer):
		return cases.SourceVolunteer
	case p.Has(people.UnitContact):
		return cases.SourceUnit
	}
	return cases.SourcePublic
}

// Report records a new case. A client id seen before returns the case made
// then, with created false, and writes nothing. p is nil for the public.
func (s *Service) Report(ctx context.Context, who store.Actor, p *auth.Principal, in Report) (cases.Case, bool, error) {
	if in.ClientID != "" && cases.ValidUUID(in.ClientID) {
		if c, err := s.DB.CaseByClientID(ctx, in.ClientID); err == nil {
			if p == nil || CanRead(p, c) || c.ReporterID == p.PersonID {
				return c, false, nil
			}
			return cases.Case{}, false, apperr.Field("client_id", "err.duplicate_value")
		} else if !apperr.Is(err, apperr.NotFound) {
			return c, false, err
		}
	}
	now := s.Now()
	f := apperr.Fields{}
	// Who may report what.
	if p == nil {
		in.Source = cases.SourcePublic
		if in.Class == "" {
			in.Class = cases.ClassEscalated
		}
		if in.Class == cases.ClassOnSpot {
			f.Add("class", "err.case.onspot_staff")
		}
		if in.ReporterMobile != "" && !people.ValidMobile(in.ReporterMobile) {
			f.Add("mobile", "err.mobile")
		}
	} else {
		if !p.CanSomewhere(auth.CaseReport) {
			return cases.Case{}, false, apperr.ErrForbidden
		}
		if in.Source == "" {
			in.Source = defaultSource(p)
		}
		if in.Source.Hotline() && !p.CanSomewhere(auth.CaseHotline) {
			f.Add("source", "err.case.hotline_staff")
		}
		if a, ok := reservedSource[in.Source]; ok && !p.CanSomewhere(a) {
			f.Add("source", "err.case.source_reserved")
		}
		if in.Class == cases.ClassOnSpot && !p.CanSomewhere(auth.CaseOnSpot) {
			f.Add("class", "err.case.onspot_staff")
		}
	}
	// The category gives the default severity and the level responsible.
	cat, err := s.DB.Category(ctx, in.Category)
	switch {
	case apperr.Is(err, apperr.NotFound) || (err == nil && (cat.Parent == "" || !cat.Active)):
		if in.Category != "" {
			f.Add("category", "err.case.category_unknown")
		}
	case err != nil:
		return cases.Case{}, false, err
	}
	if in.Severity == "" && err == nil {
		in.Severity = cat.Severity
	}
	if err := in.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			if k == "lon" {
				k = "lat"
			}
			f.Add(k, m.Key, m.Args...)
		}
	}
	grid := ""
	if _, bad := f["lat"]; !bad {
		grid, err = s.Index.Lookup(in.Lat, in.Lon)
		if err != nil {
			f.Add("lat", apperr.As(err).Msg.Key)
		}
	}
	// On the spot only inside one's own area: elsewhere the finder reports
	// the problem (escalated) to those who hold it.
	if p != nil && grid != "" && in.Class == cases.ClassOnSpot && !p.Can(auth.CaseOnSpot, auth.Target{Region: grid}) {
		f.Add("class", "err.case.onspot_scope")
	}
	if in.UnitID != 0 {
		if _, err := s.visibleUnit(ctx, p, in.UnitID); err != nil {
			if !apperr.Is(err, apperr.NotFound) {
				return cases.Case{}, false, err
			}
			f.Add("unit_id", "err.unit_unknown")
		}
	}
	committed := in.Class == cases.ClassCommitted && in.UnitID != 0 && trim(in.Commitment) != ""
	if committed && !in.Due.After(now) {
		f.Add("due", "err.case.deadline_past")
	}
	if len([]rune(in.Commitment)) > cases.MaxNote {
		f.Add("commitment", "err.too_long", cases.MaxNote)
	}
	if err := f.Err(); err != nil {
		return cases.Case{}, false, err
	}

	reporter := int64(0)
	if p != nil {
		reporter = p.PersonID
	}
	snap, entries, err := cases.NewCase(in.Input, reporter, now)
	if err != nil {
		return cases.Case{}, false, err
	}
	if cat.Level < snap.Level && snap.Status != cases.StatusClosed {
		snap.Level = cat.Level // the category's responsible level is higher than the severity's
	}
	c := cases.Case{Snapshot: snap, ClientID: in.ClientID, Description: trim(in.Description), Address: trim(in.Address), Region: grid,
		UnitID: in.UnitID, Source: in.Source, HotlineRef: trim(in.HotlineRef), ReporterName: trim(in.ReporterName),
		ReporterMobile: in.ReporterMobile, Day: s.localDay(now)}
	if p == nil {
		c.TrackingHash = in.TrackingHash
	}
	c.ManualPosition = in.ManualPosition
	c.Held = region.AncestorAt(grid, region.Level(c.Level))
	var events []notify.Event
	switch {
	case c.Status == cases.StatusClosed:
		c.ClosedAt = now
	case committed:
		// Found and promised on the spot: the unit owes the fix by the due date.
		c.Status, c.Assignee, c.Commitment = cases.StatusAssigned, cases.AssigneeRef("unit", in.UnitID), trim(in.Commitment)
		c.Deadline, c.DeadlineFrom = in.Due, now
		entries = append(entries, cases.Entry{Action: cases.ActionAssign, Status: cases.StatusAssigned, Level: c.Level, ActorID: reporter, At: now, Note: c.Commitment})
		events = append(events, caseEvent(notify.CaseAssigned, c, reporter), caseEvent(notify.CaseCommitted, c, reporter))
	default:
		if c.Deadline, err = s.deadline(ctx, cat.File, now); err != nil {
			return c, false, err
		}
		c.DeadlineFrom = now
		events = append(events, caseEvent(notify.CaseReported, c, reporter))
	}
	prefix, err := s.prefix(ctx, c.Region)
	if err != nil {
		return c, false, err
	}
	created, err := s.DB.CreateCase(ctx, who, prefix, &c, entries, events)
	return c, created, err
}

// Duplicates lists open cases of the same category within 100 m reported in the last 7 days that p may see.
func (s *Service) Duplicates(ctx context.Context, p *auth.Principal, category string, lat, lon float64) ([]cases.Case, error) {
	minLat, minLon, maxLat, maxLon := cases.Around(lat, lon, cases.DuplicateRadius)
	cands, err := s.DB.NearbyOpen(ctx, category, minLat, minLon, maxLat, maxLon, s.Now().Add(-cases.DuplicateWindow))
	if err != nil {
		return nil, err
	}
	probe := cases.Snapshot{Category: category, Lat: lat, Lon: lon, ReportedAt: s.Now(), Status: cases.StatusReported}
	var out []cases.Case
	for _, c := range cands {
		if cases.IsDuplicateCandidate(probe, c.Snapshot) && (p == nil || CanRead(p, c)) {
			out = append(out, c)
		}
	}
	return out, nil
}
