// Package inspectsvc is the weekly inspection service: the schedule on the
// working-day calendar, the agenda built from the records of every area,
// the scored checklist, findings recorded as cases through the case
// service, the acknowledgement of the sheet, the hotspots found from the
// cases, the problems leaders adopt, and the week's summary. Pages and API
// call the same methods; the rules are package inspect's.
package inspectsvc

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Service runs the weekly inspections and the tracked problems.
type Service struct {
	DB    *store.DB
	Loc   *time.Location
	Now   func() time.Time
	Cal   *service.Calendar
	Cases *casesvc.Service // findings are cases: the case rules stay in one place
	// Patrols judges the grid-days an agenda lists as missed or doubtful.
	Patrols *patrolsvc.Service
	// Photos keeps the items' photos; Files the drawn acknowledgements (the
	// letters' content-addressed store of signature images).
	Photos *photo.Store
	Files  *letters.FileStore
	// Streets, when set, gives the district's default inspection day for
	// streets that set none of their own.
	Streets *service.Streets
}

// New returns the service over the shared database, calendar and case service.
func New(db *store.DB, loc *time.Location, cal *service.Calendar, cases *casesvc.Service, patrols *patrolsvc.Service, photos *photo.Store, files *letters.FileStore) *Service {
	return &Service{DB: db, Loc: loc, Now: time.Now, Cal: cal, Cases: cases, Patrols: patrols, Photos: photos, Files: files}
}

// today returns the current local date at midnight.
func (s *Service) today() time.Time {
	y, m, d := s.Now().In(s.Loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, s.Loc)
}

func (s *Service) date(t time.Time) string { return t.In(s.Loc).Format(inspect.DateLayout) }

// caps is what p may do with inspections of community.
func caps(p *auth.Principal, community string) inspect.Cap {
	t := auth.Target{Region: community}
	var c inspect.Cap
	if p.Can(auth.InspectScore, t) {
		c |= inspect.CanScore
	}
	if p.Can(auth.InspectPlan, t) {
		c |= inspect.CanPlan
	}
	if p.Can(auth.InspectAck, t) {
		c |= inspect.CanAck
	}
	return c
}

// Caps returns what p may do with inspections of community (for pages).
func Caps(p *auth.Principal, community string) inspect.Cap { return caps(p, community) }

// scope returns where p may read inspections, narrowed to regionCode.
func scope(p *auth.Principal, regionCode string) (bool, []string, error) {
	return p.Within(auth.InspectRead, regionCode)
}

// load returns an inspection p may read; anything else is not found.
func (s *Service) load(ctx context.Context, p *auth.Principal, id int64) (inspect.Inspection, error) {
	in, err := s.DB.Inspection(ctx, id)
	if err != nil {
		return in, err
	}
	if !p.Can(auth.InspectRead, auth.Target{Region: in.Region}) {
		return inspect.Inspection{}, apperr.ErrNotFound
	}
	return in, nil
}

// community checks that code names a community p may read: a malformed
// code, a region that is no community and one out of p's sight are the
// same field error.
func (s *Service) community(ctx context.Context, p *auth.Principal, field, code string, act auth.Action) (region.Region, error) {
	if region.LevelOf(code) != region.Community {
		return region.Region{}, apperr.Field(field, "err.inspect.community")
	}
	r, err := s.DB.Region(ctx, code)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !p.Can(act, auth.Target{Region: code})) {
		return region.Region{}, apperr.Field(field, "err.inspect.community")
	}
	return r, err
}

// Settings are a street's inspection settings.
type Settings struct {
	Weekday    int     // 1 Monday … 7 Sunday
	Inspectors []int64 // the group sent on scheduled inspections
}

func settingKey(name, street string) string { return "inspect." + name + "." + street }

// settings reads a street's settings, with the defaults: Friday, and the
// street's inspectors.
func (s *Service) settings(ctx context.Context, street string) (Settings, error) {
	st := Settings{Weekday: inspect.DefaultWeekday}
	if s.Streets != nil {
		e, err := s.Streets.For(ctx, street)
		if err != nil {
			return st, err
		}
		if e.InspectWeekday > 0 {
			st.Weekday = e.InspectWeekday
		}
	}
	v, err := s.DB.Setting(ctx, settingKey("weekday", street))
	if err != nil {
		return st, err
	}
	if n, err := strconv.Atoi(v); err == nil {
		if _, ok := inspect.Weekday(n); ok {
			st.Weekday = n
		}
	}
	v, err = s.DB.Setting(ctx, settingKey("inspectors", street))
	if err != nil {
		return st, err
	}
	if v == "" {
		st.Inspectors, err = s.DB.PeopleWithRole(ctx, "inspector", street)
		return st, err
	}
	for _, f := range strings.Split(v, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 {
			st.Inspectors = append(st.Inspectors, id)
		}
	}
	return st, nil
}

// Settings returns the settings of a street p may plan in.
func (s *Service) Settings(ctx context.Context, p *auth.Principal, street string) (Settings, error) {
	if !p.CanSomewhere(auth.InspectRead) {
		return Settings{}, apperr.ErrForbidden
	}
	if region.LevelOf(street) != region.Street || !p.Can(auth.InspectRead, auth.Target{Region: street}) {
		return Settings{}, apperr.ErrNotFound
	}
	return s.settings(ctx, street)
}

// SaveSettings sets a street's inspection weekday and inspectors.
func (s *Service) SaveSettings(ctx context.Context, who store.Actor, p *auth.Principal, street string, st Settings) (Settings, error) {
	if !p.CanSomewhere(auth.InspectPlan) {
		return st, apperr.ErrForbidden
	}
	if region.LevelOf(street) != region.Street || !p.Can(auth.InspectRead, auth.Target{Region: street}) {
		return st, apperr.ErrNotFound
	}
	if !p.Can(auth.InspectPlan, auth.Target{Region: street}) {
		return st, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	if _, ok := inspect.Weekday(st.Weekday); !ok {
		f.Add("weekday", "err.invalid_choice")
	}
	ids, err := s.checkInspectors(ctx, street, st.Inspectors)
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			return st, err
		}
		f.Add("inspectors", apperr.As(err).Fields["inspectors"].Key)
	}
	if err := f.Err(); err != nil {
		return st, err
	}
	st.Inspectors = ids
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, settingKey("weekday", street), strconv.Itoa(st.Weekday)); err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, settingKey("inspectors", street), strings.Join(parts, ",")); err != nil {
			return err
		}
		return tx.Audit(ctx, "inspection_settings", street, "save", nil, map[string]any{"weekday": st.Weekday, "inspectors": ids})
	})
	return st, err
}

// checkInspectors keeps the people who may inspect the region (active,
// an inspector, leader or admin over it); anyone else is a field error, as
// is someone who does not exist.
func (s *Service) checkInspectors(ctx context.Context, code string, ids []int64) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		pp, err := s.DB.Person(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Field("inspectors", "err.inspect.inspector")
		}
		if err != nil {
			return nil, err
		}
		pr := &auth.Principal{PersonID: pp.ID, Roles: pp.Roles}
		if !pp.Active || !pr.Can(auth.InspectScore, auth.Target{Region: code}) {
			return nil, apperr.Field("inspectors", "err.inspect.inspector")
		}
		out = append(out, id)
	}
	return out, nil
}
