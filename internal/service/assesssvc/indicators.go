package assesssvc

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/store"
)

// IndicatorQuery asks for the indicators of the subjects of a kind
// (community when empty) under Region (all the caller's when empty) for a
// period (this month when empty).
type IndicatorQuery struct {
	Subject string
	Region  string
	Period  string
}

// SubjectFigures is one subject's indicators.
type SubjectFigures struct {
	Subject assess.Subject
	Values  map[assess.Key]assess.Value
}

// parse reads a subject kind and a period, defaulting to communities and this month.
func (s *Service) parse(kind, period string) (assess.SubjectKind, assess.Period, error) {
	k := assess.SubjectKind(strings.TrimSpace(kind))
	if k == "" {
		k = assess.Community
	}
	f := apperr.Fields{}
	if !k.Valid() {
		f.Add("subject", "err.invalid_choice")
	}
	var per assess.Period
	if strings.TrimSpace(period) == "" {
		per = assess.MonthOf(s.Now().In(s.Loc))
	} else {
		var err error
		if per, err = assess.ParsePeriod(period); err != nil {
			f.Add("period", "err.assess.period")
		}
	}
	return k, per, f.Err()
}

// visible returns the subjects of kind p may see under region (all of
// theirs when empty) and the query covering their records.
func (s *Service) visible(ctx context.Context, p *auth.Principal, kind assess.SubjectKind, code string, per assess.Period) ([]assess.Subject, store.AssessQuery, error) {
	v := viewerOf(p)
	if v.none() {
		return nil, store.AssessQuery{}, apperr.ErrForbidden
	}
	all, roots := v.All, v.Roots
	if code != "" {
		if !v.seesRegion(code) {
			return nil, store.AssessQuery{}, apperr.ErrNotFound
		}
		all, roots = false, []string{code}
	}
	q := s.query(kind, all, roots, per)
	var out []assess.Subject
	if all || len(roots) > 0 {
		subs, err := s.DB.AssessSubjects(ctx, q, nil, nil)
		if err != nil {
			return nil, q, err
		}
		out = subs
	}
	if kind == assess.Unit && code == "" && len(v.Units) > 0 {
		subs, err := s.DB.AssessSubjects(ctx, q, v.Units, nil)
		if err != nil {
			return nil, q, err
		}
		for _, u := range subs {
			if !slices.ContainsFunc(out, func(o assess.Subject) bool { return o.ID == u.ID }) {
				out = append(out, u)
				if !q.All {
					un, err := s.DB.Unit(ctx, mustID(u.ID))
					if err != nil {
						return nil, q, err
					}
					q.Roots = append(q.Roots, un.Region)
				}
			}
		}
	}
	if kind == assess.Person && code == "" && v.Self != 0 {
		self := strconv.FormatInt(v.Self, 10)
		if !slices.ContainsFunc(out, func(o assess.Subject) bool { return o.ID == self }) {
			subs, err := s.DB.AssessSubjects(ctx, q, nil, []int64{v.Self})
			if err != nil {
				return nil, q, err
			}
			out = append(out, subs...)
			// A patroller's reports may lie anywhere: their own figures are counted everywhere.
			q.All = true
		}
	}
	return out, q, nil
}

func mustID(s string) int64 {
	id, _ := strconv.ParseInt(s, 10, 64)
	return id
}

// Indicators computes every indicator that applies to the kind for each
// subject p may see: 403 with no assessment scope, 404 for a region
// outside it, 422 for a kind or period that does not read.
func (s *Service) Indicators(ctx context.Context, p *auth.Principal, in IndicatorQuery) ([]SubjectFigures, assess.Period, error) {
	kind, per, err := s.parse(in.Subject, in.Period)
	if err != nil {
		return nil, per, err
	}
	subs, q, err := s.visible(ctx, p, kind, strings.TrimSpace(in.Region), per)
	if err != nil {
		return nil, per, err
	}
	out := make([]SubjectFigures, 0, len(subs))
	if len(subs) == 0 {
		return out, per, nil
	}
	var keys []assess.Key
	for _, d := range assess.Defs {
		if d.Applies(kind) {
			keys = append(keys, d.Key)
		}
	}
	figs, err := s.compute(ctx, q, keys)
	if err != nil {
		return nil, per, err
	}
	for _, sub := range subs {
		sf := SubjectFigures{Subject: sub, Values: map[assess.Key]assess.Value{}}
		for _, k := range keys {
			d, _ := assess.DefOf(k)
			v, ok := figs[k][sub.ID]
			if !ok {
				v = assess.Value{HasDen: d.Rate}
			}
			sf.Values[k] = v
		}
		out = append(out, sf)
	}
	return out, per, nil
}

// RecordsQuery names one figure: an indicator of a subject in a period.
type RecordsQuery struct {
	Key     string
	Subject string // kind
	ID      string
	Period  string
}

// Records lists the records behind one figure: 404 for an unknown
// indicator or a subject p may not see, 422 for a kind or period that
// does not read.
func (s *Service) Records(ctx context.Context, p *auth.Principal, in RecordsQuery) (store.Drill, error) {
	d, ok := assess.DefOf(assess.Key(in.Key))
	if !ok {
		return store.Drill{}, apperr.ErrNotFound
	}
	kind, per, err := s.parse(in.Subject, in.Period)
	if err != nil {
		return store.Drill{}, err
	}
	subs, q, err := s.visible(ctx, p, kind, "", per)
	if err != nil {
		return store.Drill{}, err
	}
	id := strings.TrimSpace(in.ID)
	if id == "" || !slices.ContainsFunc(subs, func(o assess.Subject) bool { return o.ID == id }) {
		return store.Drill{}, apperr.ErrNotFound
	}
	q.Subject = id
	drills, err := s.drills(ctx, q, d)
	if err != nil {
		return store.Drill{}, err
	}
	out, ok := drills[id]
	if !ok {
		out = store.Drill{Kind: d.Record, Num: []string{}, Den: []string{}}
	}
	return out, nil
}

// drills lists the records behind indicator d by subject.
func (s *Service) drills(ctx context.Context, q store.AssessQuery, d assess.Def) (map[string]store.Drill, error) {
	if !d.Applies(q.Kind) {
		return map[string]store.Drill{}, nil
	}
	switch {
	case d.Record == "case":
		return s.DB.CaseDrills(ctx, q, d.Key)
	case d.Key == assess.PatrolCompletion:
		_, days, err := s.patrols(ctx, q)
		if err != nil {
			return nil, err
		}
		ids, err := s.DB.PatrolIDs(ctx, q)
		if err != nil {
			return nil, err
		}
		out := map[string]store.Drill{}
		for subj, ds := range days {
			out[subj] = store.Drill{Kind: "patrol", Num: orEmpty(ids[subj]), Den: ds}
		}
		for subj, ps := range ids {
			if _, ok := out[subj]; !ok {
				out[subj] = store.Drill{Kind: "patrol", Num: ps, Den: []string{}}
			}
		}
		return out, nil
	}
	return s.DB.OtherDrills(ctx, q, d.Key, s.endOf)
}

func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
