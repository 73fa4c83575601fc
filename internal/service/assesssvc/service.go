// Package assesssvc is the assessment's service: indicators computed from
// the records for the subjects a person may see, rubrics, scores with the
// basis of every point, manual entries with their reasons, bulletins that
// freeze a period's scores, and the leaders' dashboard. Pages and the API
// call it alike.
package assesssvc

import (
	"context"
	"slices"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/store"
)

// Service computes and publishes assessments.
type Service struct {
	DB   *store.DB
	Loc  *time.Location
	Now  func() time.Time
	Cal  *service.Calendar
	Lang string // the office's language, for default rubrics' item names
}

// New returns the service.
func New(db *store.DB, loc *time.Location, cal *service.Calendar, lang string) *Service {
	return &Service{DB: db, Loc: loc, Now: time.Now, Cal: cal, Lang: lang}
}

// viewer is what a person may see of the assessment: regions (leaders,
// inspectors, admins), units (unit contacts), themselves (patrollers).
type viewer struct {
	All   bool
	Roots []string
	Units []int64
	Self  int64
}

func (v viewer) none() bool { return !v.All && len(v.Roots) == 0 && len(v.Units) == 0 && v.Self == 0 }

func viewerOf(p *auth.Principal) viewer {
	v := viewer{All: p.Can(auth.AssessRead, auth.Target{}), Roots: p.Scopes(auth.AssessRead), Units: p.UnitScopes(auth.AssessRead)}
	if p != nil && p.Has(people.Patroller) {
		v.Self = p.PersonID
	}
	return v
}

// seesRegion reports whether v sees the region code (in one of its roots).
func (v viewer) seesRegion(code string) bool {
	if v.All {
		return region.ValidCode(code)
	}
	return slices.ContainsFunc(v.Roots, func(r string) bool { return region.Contains(r, code) })
}

// overlaps reports whether the area code and v's regions share ground.
func (v viewer) overlaps(code string) bool {
	return v.seesRegion(code) || slices.ContainsFunc(v.Roots, func(r string) bool { return region.Contains(code, r) })
}

func (s *Service) printer() locale.Printer { return locale.New(s.Lang) }

// query turns a period into the store's query over roots.
func (s *Service) query(kind assess.SubjectKind, all bool, roots []string, per assess.Period) store.AssessQuery {
	end := per.End(s.Loc).UnixMilli()
	return store.AssessQuery{Kind: kind, All: all, Roots: roots, From: per.From, To: per.To, Start: per.Start(s.Loc).UnixMilli(),
		End: end, Cutoff: min(end, s.Now().UnixMilli()), Year: per.Year}
}

// endOf is the first instant after the local date d.
func (s *Service) endOf(d string) int64 {
	t, err := time.ParseInLocation(assess.DateLayout, d, s.Loc)
	if err != nil {
		return 0
	}
	return t.AddDate(0, 0, 1).UnixMilli()
}

// today is the local date now.
func (s *Service) today() string { return s.Now().In(s.Loc).Format(assess.DateLayout) }

// compute returns the figures of keys for every subject of q's kind.
func (s *Service) compute(ctx context.Context, q store.AssessQuery, keys []assess.Key) (map[assess.Key]store.Figures, error) {
	out := map[assess.Key]store.Figures{}
	var cases bool
	for _, k := range keys {
		d, _ := assess.DefOf(k)
		if !d.Applies(q.Kind) {
			out[k] = store.Figures{}
			continue
		}
		switch {
		case d.Record == "case":
			cases = true
		case k == assess.PatrolCompletion:
			f, _, err := s.patrols(ctx, q)
			if err != nil {
				return nil, err
			}
			out[k] = f
		default:
			f, err := s.DB.OtherFigures(ctx, q, k, s.endOf)
			if err != nil {
				return nil, err
			}
			out[k] = f
		}
	}
	if cases {
		f, err := s.DB.CaseFigures(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if v, ok := f[k]; ok {
				out[k] = v
			}
		}
	}
	return out, nil
}

// subjectOf is the id of the subject of kind holding the grid code g.
func subjectOf(kind assess.SubjectKind, g string) string {
	switch kind {
	case assess.Street:
		return region.AncestorAt(g, region.Street)
	case assess.Community:
		return region.AncestorAt(g, region.Community)
	}
	return g
}

// patrols computes patrol completion over the grid-days of the period up
// to today, as the compliance page counts them: each grid-day's required
// patrols from its plan and the calendar, and its ended patrols up to that
// number. It also returns the required grid-days ("grid/date") by subject.
func (s *Service) patrols(ctx context.Context, q store.AssessQuery) (store.Figures, map[string][]string, error) {
	out, days := store.Figures{}, map[string][]string{}
	if !q.Kind.IsRegion() {
		return out, days, nil
	}
	gq := q
	gq.Kind = assess.Grid
	grids, err := s.DB.AssessSubjects(ctx, gq, nil, nil)
	if err != nil || len(grids) == 0 {
		return out, days, err
	}
	cal, err := s.Cal.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	plans, err := s.DB.StoredPatrolPlans(ctx, grids[0].ID, grids[len(grids)-1].ID)
	if err != nil {
		return nil, nil, err
	}
	done, err := s.DB.PatrolDone(ctx, gq)
	if err != nil {
		return nil, nil, err
	}
	tally := map[[2]string]int{}
	for _, d := range done {
		tally[[2]string{d.Grid, d.Day}] = d.Done
	}
	today := s.today()
	var dates []time.Time
	per := assess.Period{From: q.From, To: q.To}
	for _, d := range per.Days() {
		if d > today {
			break
		}
		t, _ := time.ParseInLocation(assess.DateLayout, d, s.Loc)
		dates = append(dates, t)
	}
	for _, g := range grids {
		subj := subjectOf(q.Kind, g.ID)
		if q.Subject != "" && subj != q.Subject {
			continue
		}
		plan, ok := plans[g.ID]
		if !ok {
			plan = patrol.DefaultPlan(g.ID)
		}
		v := out[subj]
		v.HasDen = true
		for _, t := range dates {
			req := plan.Required(cal, t)
			if req == 0 {
				continue
			}
			d := t.Format(assess.DateLayout)
			v.Den += float64(req)
			v.Num += float64(min(tally[[2]string{g.ID, d}], req))
			days[subj] = append(days[subj], g.ID+"/"+d)
		}
		out[subj] = v
	}
	return out, days, nil
}

// notFoundAsField turns a NotFound into a field error, so that a body
// naming something out of scope is answered as one naming nothing.
func notFoundAsField(err error, field string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field(field, "err.not_found")
	}
	return err
}
