package assesssvc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Snapshot is what a bulletin freezes: every figure and the records behind
// it. It is stored as the exact JSON bytes its SHA-256 was taken of.
type Snapshot struct {
	Title       string                              `json:"title"`
	Period      SnapPeriod                          `json:"period"`
	PublishedAt string                              `json:"published_at"`
	Supersedes  int64                               `json:"supersedes,omitempty"`
	Area        SnapArea                            `json:"area"`
	Rubric      SnapRubric                          `json:"rubric"`
	Scores      []assess.Score                      `json:"scores"`
	Records     map[string]map[assess.Key]SnapDrill `json:"records"`
}

// SnapPeriod is the period of a snapshot.
type SnapPeriod struct {
	Key  string `json:"key"`
	From string `json:"from"`
	To   string `json:"to"`
}

// SnapArea is the area ranked.
type SnapArea struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// SnapRubric is the rubric as it stood.
type SnapRubric struct {
	ID      int64              `json:"id"`
	Year    int                `json:"year"`
	Kind    assess.SubjectKind `json:"kind"`
	Title   string             `json:"title"`
	Version int                `json:"version"`
	Items   []assess.Item      `json:"items"`
}

// SnapDrill is the records behind one figure.
type SnapDrill struct {
	Kind string   `json:"kind"`
	Num  []string `json:"num"`
	Den  []string `json:"den"`
}

// PublishInput asks for a bulletin of a rubric's period; Supersedes names
// the period's current bulletin when this one replaces it.
type PublishInput struct {
	Rubric     int64
	Period     string
	Title      string
	Public     bool
	Supersedes int64
}

// Publish freezes a period's scores as a bulletin (admins): 422 for bad
// input (a public bulletin of persons, which would publish personal data,
// among them), 409 when the period has a bulletin the request does not say
// it replaces. The old one stays, readable, marked as superseded.
func (s *Service) Publish(ctx context.Context, actor store.Actor, p *auth.Principal, in PublishInput) (store.Bulletin, error) {
	if !p.CanSomewhere(auth.AssessAdmin) {
		return store.Bulletin{}, apperr.ErrForbidden
	}
	r, err := s.Rubric(ctx, p, in.Rubric)
	if err != nil {
		return store.Bulletin{}, notFoundAsField(err, "rubric")
	}
	if !p.Can(auth.AssessAdmin, auth.Target{Region: r.Region}) {
		return store.Bulletin{}, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	per, err := assess.ParsePeriod(in.Period)
	if err != nil {
		f.Add("period", "err.assess.period")
	}
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "":
		f.Add("title", "err.required")
	case len([]rune(title)) > 100:
		f.Add("title", "err.too_long", 100)
	}
	if in.Public && r.Kind == assess.Person {
		f.Add("public", "err.assess.public_person")
	}
	if err := f.Err(); err != nil {
		return store.Bulletin{}, err
	}
	area, err := s.DB.Region(ctx, r.Region)
	if err != nil {
		return store.Bulletin{}, err
	}
	sh, err := s.sheet(ctx, r, per, true)
	if err != nil {
		return store.Bulletin{}, err
	}
	snap := Snapshot{Title: title, Period: SnapPeriod{per.Key, per.From, per.To}, PublishedAt: s.Now().In(s.Loc).Format(time.RFC3339),
		Supersedes: in.Supersedes, Area: SnapArea{area.Code, area.Name},
		Rubric: SnapRubric{r.ID, r.Year, r.Kind, r.Title, r.Version, r.Items}, Scores: sh.Scores, Records: map[string]map[assess.Key]SnapDrill{}}
	for subj, m := range sh.Records {
		snap.Records[subj] = map[assess.Key]SnapDrill{}
		for k, d := range m {
			snap.Records[subj][k] = SnapDrill{d.Kind, d.Num, d.Den}
		}
	}
	// encoding/json writes struct fields in order and map keys sorted: the
	// same snapshot always gives the same bytes.
	body, err := json.Marshal(snap)
	if err != nil {
		return store.Bulletin{}, err
	}
	sum := sha256.Sum256(body)
	b := store.Bulletin{Rubric: r.ID, Period: per.Key, Kind: string(r.Kind), Region: r.Region, Title: title, Public: in.Public,
		Snapshot: body, SHA256: hex.EncodeToString(sum[:]), Supersedes: in.Supersedes}
	err = s.DB.Write(ctx, actor, func(tx *store.Tx) error {
		cur, err := tx.CurrentBulletin(ctx, r.ID, per.Key)
		if err != nil {
			return err
		}
		if err := assess.Decide(assess.ActionPublish, assess.State{Existing: cur, Supersedes: in.Supersedes}); err != nil {
			return err
		}
		b.ID, err = tx.InsertBulletin(ctx, b)
		return err
	})
	return b, err
}

// Bulletin returns a bulletin p may see (its area overlaps theirs; unit
// contacts and patrollers see every published bulletin, which is what
// they are ranked by); 404 otherwise. Its Snapshot is the frozen bytes.
func (s *Service) Bulletin(ctx context.Context, p *auth.Principal, id int64) (store.Bulletin, error) {
	b, err := s.DB.BulletinByID(ctx, id)
	if err != nil {
		return b, err
	}
	if err := s.seesArea(ctx, p, b.Region); err != nil {
		return store.Bulletin{}, err
	}
	return b, nil
}

// seesArea answers nil when p may see what ranks the region code (it
// overlaps p's area, or holds p's unit or grid), 404 otherwise.
func (s *Service) seesArea(ctx context.Context, p *auth.Principal, code string) error {
	v := viewerOf(p)
	if v.none() {
		return apperr.ErrNotFound
	}
	if v.overlaps(code) {
		return nil
	}
	own, err := s.ownAreas(ctx, p, v)
	if err != nil {
		return err
	}
	for _, c := range own {
		if region.Contains(code, c) {
			return nil
		}
	}
	return apperr.ErrNotFound
}

// ownAreas are the regions where unit contacts' units and patrollers' grids
// lie: they see the bulletins ranking those areas.
func (s *Service) ownAreas(ctx context.Context, p *auth.Principal, v viewer) ([]string, error) {
	var out []string
	for _, id := range v.Units {
		u, err := s.DB.Unit(ctx, id)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				continue
			}
			return nil, err
		}
		out = append(out, u.Region)
	}
	if v.Self != 0 {
		for _, as := range p.Roles {
			if as.Role == people.Patroller && as.Region != "" {
				out = append(out, as.Region)
			}
		}
	}
	return out, nil
}

// PublicBulletin returns a bulletin made public; 404 for any other.
func (s *Service) PublicBulletin(ctx context.Context, id int64) (store.Bulletin, error) {
	b, err := s.DB.BulletinByID(ctx, id)
	if err != nil || !b.Public {
		return store.Bulletin{}, apperr.ErrNotFound
	}
	return b, nil
}

// VerifyBulletin returns any bulletin for the verification page, which
// shows only its title, period, date and hash, and whether the stored
// bytes still give that hash.
func (s *Service) VerifyBulletin(ctx context.Context, id int64) (store.Bulletin, bool, error) {
	b, err := s.DB.BulletinByID(ctx, id)
	if err != nil {
		return b, false, err
	}
	sum := sha256.Sum256(b.Snapshot)
	return b, hex.EncodeToString(sum[:]) == b.SHA256, nil
}

// Bulletins lists the bulletins p may see, newest first.
func (s *Service) Bulletins(ctx context.Context, p *auth.Principal) ([]store.Bulletin, error) {
	v := viewerOf(p)
	if v.none() {
		return nil, apperr.ErrForbidden
	}
	own, err := s.ownAreas(ctx, p, v)
	if err != nil {
		return nil, err
	}
	return s.DB.Bulletins(ctx, v.All, append(slices.Clone(v.Roots), own...), 200)
}

// ParseSnapshot reads a bulletin's frozen snapshot.
func ParseSnapshot(b store.Bulletin) (Snapshot, error) {
	var sn Snapshot
	err := json.Unmarshal(b.Snapshot, &sn)
	return sn, err
}

// Change is a figure that differs between a bulletin and the records now.
type Change struct {
	Subject assess.Subject
	Item    string // "" for the total
	Then    float64
	Now     float64
}

// Compare scores the bulletin's period again on the rubric as it stood
// and lists what changed since publishing: totals and items, by subject.
func (s *Service) Compare(ctx context.Context, p *auth.Principal, b store.Bulletin) ([]Change, error) {
	sn, err := ParseSnapshot(b)
	if err != nil {
		return nil, err
	}
	r, err := s.Rubric(ctx, p, b.Rubric)
	if err != nil {
		return nil, err
	}
	// The rubric cannot have changed since (it is frozen once published),
	// but score on the items the bulletin recorded all the same.
	r.Items = sn.Rubric.Items
	per, err := assess.ParsePeriod(b.Period)
	if err != nil {
		return nil, err
	}
	sh, err := s.sheet(ctx, r, per, false)
	if err != nil {
		return nil, err
	}
	now := map[string]assess.Score{}
	for _, sc := range sh.Scores {
		now[sc.Subject.ID] = sc
	}
	var out []Change
	for _, then := range sn.Scores {
		cur, ok := now[then.Subject.ID]
		if !ok {
			continue
		}
		if cur.Total != then.Total {
			out = append(out, Change{Subject: then.Subject, Then: then.Total, Now: cur.Total})
		}
		for i, it := range then.Items {
			if i < len(cur.Items) && cur.Items[i].Points != it.Points {
				out = append(out, Change{Subject: then.Subject, Item: it.Name, Then: it.Points, Now: cur.Items[i].Points})
			}
		}
	}
	return out, nil
}
