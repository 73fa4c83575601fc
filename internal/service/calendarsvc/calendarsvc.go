// Package calendarsvc is the one calendar of everything with a date. Each
// area gives its dated items through a Source; the service merges them for
// the calendar page and the API, and writes each person's private iCalendar
// feed, reached by a secret URL the person can reset.
//
// Wiring a new area is one call in app.New:
//
//	a.Agenda.Register([]agenda.Kind{agenda.Inspection}, calendarsvc.SourceFunc(a.Inspections.CalendarItems))
//
// where CalendarItems(ctx, p, q) returns the items of q (its days, region and
// kinds) that p may see, each with a stable ID, a local Date, and a Path to
// its page.
package calendarsvc

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/authn"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Source gives the calendar one area's dated items: those of q (its days
// From to To, its region and kinds) that p may see. A source answers for
// its own scope rules; an item it does not want p to see is never returned.
type Source interface {
	Items(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error)
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error)

// Items calls f.
func (f SourceFunc) Items(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	return f(ctx, p, q)
}

type registered struct {
	kinds []agenda.Kind
	src   Source
}

// Service merges the sources and serves the feeds.
type Service struct {
	DB  *store.DB
	Loc *time.Location
	Now func() time.Time
	// BaseURL makes the feed's links and the feed URL shown to people; "" leaves them relative.
	BaseURL string
	sources []registered
}

// New returns a calendar with the sources of letters' terms and committed
// cases' due dates; areas register theirs with Register.
func New(db *store.DB, loc *time.Location, baseURL string) *Service {
	s := &Service{DB: db, Loc: loc, Now: time.Now, BaseURL: strings.TrimRight(baseURL, "/")}
	s.Register([]agenda.Kind{agenda.Letter}, SourceFunc(s.letterItems))
	s.Register([]agenda.Kind{agenda.Commitment}, SourceFunc(s.commitmentItems))
	return s
}

// Register adds a source of items of the given kinds. Call it while wiring, before serving.
func (s *Service) Register(kinds []agenda.Kind, src Source) {
	s.sources = append(s.sources, registered{kinds: kinds, src: src})
}

// Kinds lists the kinds some source gives, in display order.
func (s *Service) Kinds() []agenda.Kind {
	var out []agenda.Kind
	for _, k := range agenda.Kinds {
		for _, r := range s.sources {
			if slices.Contains(r.kinds, k) && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// Items returns the items of q that p may see, from every source that gives
// a kind q asks for, in day order.
func (s *Service) Items(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	if p == nil {
		return nil, apperr.ErrForbidden
	}
	var out []agenda.Item
	for _, r := range s.sources {
		if !slices.ContainsFunc(r.kinds, q.Wants) {
			continue
		}
		items, err := r.src.Items(ctx, p, q)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if q.Wants(it.Kind) && it.Date >= q.From && it.Date <= q.To && q.Touches(it.Region) {
				out = append(out, it)
			}
		}
	}
	agenda.Sort(out)
	return out, nil
}

// Today returns today's local date.
func (s *Service) Today() time.Time {
	n := s.Now().In(s.Loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 12, 0, 0, 0, time.UTC)
}

// HasFeed reports whether p has a feed, and since when.
func (s *Service) HasFeed(ctx context.Context, p *auth.Principal) (bool, time.Time, error) {
	ok, at, err := s.DB.HasFeed(ctx, p.PersonID)
	if !ok || err != nil {
		return false, time.Time{}, err
	}
	return true, time.UnixMilli(at), nil
}

// ResetFeed gives p a new secret feed URL path (/calendar/<secret>.ics) and
// returns it; the old one stops working at once. Only the secret's hash is
// kept, so the path is shown this once.
func (s *Service) ResetFeed(ctx context.Context, who store.Actor, p *auth.Principal) (string, error) {
	if p == nil {
		return "", apperr.ErrForbidden
	}
	b := make([]byte, 24)
	rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.SetFeedSecret(ctx, p.PersonID, authn.HashToken(secret)) })
	return FeedPath(secret), err
}

// FeedPath is the path of the feed with secret.
func FeedPath(secret string) string { return "/calendar/" + url.PathEscape(secret) + ".ics" }

// FeedURL is the full URL of a feed path, when the base URL is known.
func (s *Service) FeedURL(path string) string { return s.BaseURL + path }

// feedBack and feedAhead bound the feed: recent past and the year to come.
const (
	feedBack  = 62 * 24 * time.Hour
	feedAhead = 366 * 24 * time.Hour
)

// Feed writes the iCalendar feed of the person holding secret, in their
// language; an unknown or reset secret, or an inactive person, is NotFound.
func (s *Service) Feed(ctx context.Context, secret string, host string) ([]byte, error) {
	if secret == "" || len(secret) > 100 {
		return nil, apperr.ErrNotFound
	}
	id, err := s.DB.FeedPerson(ctx, authn.HashToken(secret))
	if err != nil {
		return nil, err
	}
	person, err := s.DB.Person(ctx, id)
	if err != nil {
		return nil, err
	}
	if !person.Active {
		return nil, apperr.ErrNotFound
	}
	p := &auth.Principal{PersonID: person.ID, Username: person.Username, Name: person.Name, Roles: person.Roles}
	today := s.Today()
	q := agenda.Query{From: today.Add(-feedBack).Format(time.DateOnly), To: today.Add(feedAhead).Format(time.DateOnly)}
	items, err := s.Items(ctx, p, q)
	if err != nil {
		return nil, err
	}
	lang, _ := s.DB.Language(ctx, person.ID)
	pr := locale.New(lang)
	cats := map[agenda.Kind]string{}
	for _, k := range agenda.Kinds {
		cats[k] = pr.T("agenda.kind." + string(k))
	}
	for i := range items {
		items[i].Title = cats[items[i].Kind] + pr.T("punct.colon") + items[i].Text(pr.T)
	}
	if h, _, ok := strings.Cut(host, ":"); ok || h != "" {
		host = h
	}
	var buf bytes.Buffer
	err = agenda.WriteICS(&buf, agenda.Feed{Name: pr.T("agenda.feed_name", person.Name), Host: host, BaseURL: s.BaseURL, Loc: s.Loc, Now: s.Now(),
		Categories: cats}, items)
	return buf.Bytes(), err
}

// commitmentItems are committed cases' due dates, in the case scope of p.
func (s *Service) commitmentItems(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	if !p.CanSomewhere(auth.CaseRead) {
		return nil, nil
	}
	from, err1 := time.ParseInLocation(time.DateOnly, q.From, s.Loc)
	to, err2 := time.ParseInLocation(time.DateOnly, q.To, s.Loc)
	if err1 != nil || err2 != nil {
		return nil, apperr.Field("from", "err.format")
	}
	f := casesvc.Filter(p)
	f.Region = q.Region
	list, err := s.DB.CommitmentsDue(ctx, f, from, to.AddDate(0, 0, 1), 1000)
	if err != nil {
		return nil, err
	}
	var out []agenda.Item
	for _, c := range list {
		out = append(out, agenda.Item{Kind: agenda.Commitment, ID: c.Number, Title: c.Number, Date: c.Due.In(s.Loc).Format(time.DateOnly),
			Start: c.Due, End: c.Due, Region: c.Region, Note: c.Text, Path: "/cases/" + url.PathEscape(c.Number)})
	}
	return out, nil
}

// letterItems are the ends of the letters' terms (31 December), one item per
// year with the letters p may see.
func (s *Service) letterItems(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	if !p.CanSomewhere(auth.LetterRead) || len(q.From) < 4 || len(q.To) < 4 {
		return nil, nil
	}
	y1, _ := strconv.Atoi(q.From[:4])
	y2, _ := strconv.Atoi(q.To[:4])
	all := p.Can(auth.LetterRead, auth.Target{})
	roots := p.Scopes(auth.LetterRead)
	units := p.UnitScopes(auth.LetterRead)
	if q.Region != "" {
		// Narrow to the region asked, within p's scope.
		var narrowed []string
		for _, r := range roots {
			switch {
			case region.Contains(r, q.Region):
				narrowed = append(narrowed, q.Region)
			case region.Contains(q.Region, r):
				narrowed = append(narrowed, r)
			}
		}
		if all {
			narrowed = []string{q.Region}
		}
		all, roots, units = false, narrowed, nil
	}
	terms, err := s.DB.LetterTerms(ctx, all, roots, units, y1, y2)
	if err != nil {
		return nil, err
	}
	var out []agenda.Item
	for _, t := range terms {
		day := strconv.Itoa(t.Year) + "-12-31"
		out = append(out, agenda.Item{Kind: agenda.Letter, ID: strconv.Itoa(t.Year), Key: "agenda.letter_title", Args: []any{t.Year, t.Signed, t.Signed + t.Issued},
			Date: day, Path: "/letters?year=" + strconv.Itoa(t.Year)})
	}
	return out, nil
}
