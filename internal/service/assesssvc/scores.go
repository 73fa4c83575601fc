package assesssvc

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/store"
)

// Sheet is a rubric applied to every subject of its kind in its area for
// a period: the scores ranked, and (for bulletins) the records behind every
// figure by subject and indicator.
type Sheet struct {
	Rubric  store.RubricRow
	Period  assess.Period
	Scores  []assess.Score
	Records map[string]map[assess.Key]store.Drill
}

// indicatorsOf lists the indicators a rubric's items use.
func indicatorsOf(r assess.Rubric) []assess.Key {
	var keys []assess.Key
	for _, it := range r.Items {
		if it.Indicator != "" && !slices.Contains(keys, it.Indicator) {
			keys = append(keys, it.Indicator)
		}
	}
	return keys
}

// sheet scores every subject of the rubric's area; with records it also
// lists the records behind each figure.
func (s *Service) sheet(ctx context.Context, r store.RubricRow, per assess.Period, records bool) (Sheet, error) {
	out := Sheet{Rubric: r, Period: per, Scores: []assess.Score{}}
	q := s.query(r.Kind, false, []string{r.Region}, per)
	subs, err := s.DB.AssessSubjects(ctx, q, nil, nil)
	if err != nil {
		return out, err
	}
	keys := indicatorsOf(r.Rubric)
	figs, err := s.compute(ctx, q, keys)
	if err != nil {
		return out, err
	}
	manual, err := s.DB.ManualScores(ctx, r.ID, per.Key)
	if err != nil {
		return out, err
	}
	for _, sub := range subs {
		vals := map[assess.Key]assess.Value{}
		for _, k := range keys {
			d, _ := assess.DefOf(k)
			v, ok := figs[k][sub.ID]
			if !ok {
				v = assess.Value{HasDen: d.Rate}
			}
			vals[k] = v
		}
		out.Scores = append(out.Scores, assess.Apply(r.Rubric, sub, vals, manual[sub.ID]))
	}
	assess.Rank(out.Scores)
	if records {
		out.Records = map[string]map[assess.Key]store.Drill{}
		for _, sub := range subs {
			out.Records[sub.ID] = map[assess.Key]store.Drill{}
		}
		for _, k := range keys {
			d, _ := assess.DefOf(k)
			drills, err := s.drills(ctx, q, d)
			if err != nil {
				return out, err
			}
			for _, sub := range subs {
				dr, ok := drills[sub.ID]
				if !ok {
					dr = store.Drill{Kind: d.Record, Num: []string{}, Den: []string{}}
				}
				out.Records[sub.ID][k] = dr
			}
		}
	}
	return out, nil
}

// visibleIDs is the set of subjects of kind p may see.
func (s *Service) visibleIDs(ctx context.Context, p *auth.Principal, kind assess.SubjectKind, per assess.Period) (map[string]bool, error) {
	subs, _, err := s.visible(ctx, p, kind, "", per)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, sub := range subs {
		out[sub.ID] = true
	}
	return out, nil
}

// Scores applies a rubric to a period and returns the ranked scores of the
// subjects p may see (ranks are over the whole area): 404 for a rubric p
// may not see, 422 for a period that does not read.
func (s *Service) Scores(ctx context.Context, p *auth.Principal, rubric int64, period string) (Sheet, error) {
	r, err := s.Rubric(ctx, p, rubric)
	if err != nil {
		return Sheet{}, err
	}
	per, err := s.period(period)
	if err != nil {
		return Sheet{}, err
	}
	sh, err := s.sheet(ctx, r, per, false)
	if err != nil {
		return sh, err
	}
	ids, err := s.visibleIDs(ctx, p, r.Kind, per)
	if err != nil {
		return sh, err
	}
	sh.Scores = slices.DeleteFunc(sh.Scores, func(sc assess.Score) bool { return !ids[sc.Subject.ID] })
	return sh, nil
}

// period reads a period, this month when empty.
func (s *Service) period(v string) (assess.Period, error) {
	_, per, err := s.parse("", v)
	return per, err
}

// ManualInput is a hand-entered score of one item for one subject.
type ManualInput struct {
	Rubric  int64
	Period  string
	Subject string
	Item    string
	Points  *float64
	Reason  string
}

// SetManual enters (or changes) a manual score with its reason (admins):
// 422 without a reason, for points outside 0..max, or naming a rubric,
// subject or item that does not exist; audited with the entry before.
// It returns the subject's score after the change.
func (s *Service) SetManual(ctx context.Context, actor store.Actor, p *auth.Principal, in ManualInput) (assess.Score, error) {
	if !p.CanSomewhere(auth.AssessAdmin) {
		return assess.Score{}, apperr.ErrForbidden
	}
	r, err := s.Rubric(ctx, p, in.Rubric)
	if err != nil {
		return assess.Score{}, notFoundAsField(err, "rubric")
	}
	if !p.Can(auth.AssessAdmin, auth.Target{Region: r.Region}) {
		return assess.Score{}, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	per, err := assess.ParsePeriod(in.Period)
	if err != nil {
		f.Add("period", "err.assess.period")
	}
	it, ok := r.Item(strings.TrimSpace(in.Item))
	if !ok {
		f.Add("item", "err.not_found")
	}
	m := assess.Manual{Reason: strings.TrimSpace(in.Reason), Points: math.NaN()}
	if in.Points != nil {
		m.Points = *in.Points
	}
	if ok {
		if err := assess.CheckManual(it, m); err != nil {
			for k, msg := range apperr.As(err).Fields {
				f.Add(k, msg.Key, msg.Args...)
			}
		}
	}
	if in.Points == nil {
		f["points"] = apperr.Msg{Key: "err.required"}
	}
	subject := strings.TrimSpace(in.Subject)
	if subject == "" {
		f.Add("subject", "err.required")
	}
	if err := f.Err(); err != nil {
		return assess.Score{}, err
	}
	subs, err := s.DB.AssessSubjects(ctx, s.query(r.Kind, false, []string{r.Region}, per), nil, nil)
	if err != nil {
		return assess.Score{}, err
	}
	if !slices.ContainsFunc(subs, func(o assess.Subject) bool { return o.ID == subject }) {
		return assess.Score{}, apperr.Field("subject", "err.not_found")
	}
	if err := assess.Decide(assess.ActionManual, assess.State{Published: r.Published}); err != nil {
		return assess.Score{}, err
	}
	m.Points = math.Round(m.Points*100) / 100
	if err := s.DB.Write(ctx, actor, func(tx *store.Tx) error {
		return tx.SetManual(ctx, r.ID, per.Key, subject, it.Key, m)
	}); err != nil {
		return assess.Score{}, err
	}
	sh, err := s.sheet(ctx, r, per, false)
	if err != nil {
		return assess.Score{}, err
	}
	i := slices.IndexFunc(sh.Scores, func(o assess.Score) bool { return o.Subject.ID == subject })
	if i < 0 {
		return assess.Score{}, apperr.ErrNotFound
	}
	return sh.Scores[i], nil
}
