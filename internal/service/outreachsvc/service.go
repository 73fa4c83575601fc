// Package outreachsvc runs the lectures and prize quizzes of measure 6: it
// takes the organisers' requests from the pages and the API and the
// residents' sign-ins and answers from the public pages, asks package
// outreach's rule tables, and stores the result through package store in one
// audited transaction per change. The public door (no account) is limited
// per client address here, so that both doors count together.
package outreachsvc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// Defaults of the public door's limit: a lecture hall of residents behind
// one Wi-Fi address signs in and answers within minutes, so the limit is
// generous per address and tight only for a flood.
const (
	PublicLimit  = 300
	PublicWindow = 5 * time.Minute
	// MaxPublicBody is the largest body a public request may carry.
	MaxPublicBody = 16 << 10
	// codeBytes is the randomness of a public code (26 base32 characters).
	codeBytes = 16
	// tokenBytes is the randomness of an entry token.
	tokenBytes = 20
	// DeviceCookie names the cookie that tells one phone from another at a
	// lecture's sign-in (its value is stored hashed).
	DeviceCookie = "lantian_device"
)

// Service runs lectures, the question bank and quizzes.
type Service struct {
	DB     *store.DB
	Loc    *time.Location
	Now    func() time.Time
	Photos *photo.Store
	// Public limits the public door per client address.
	Public *Limiter
}

// New returns a service with the default public limit.
func New(db *store.DB, loc *time.Location, photos *photo.Store) *Service {
	return &Service{DB: db, Loc: loc, Now: time.Now, Photos: photos, Public: NewLimiter(PublicLimit, PublicWindow)}
}

// Limiter counts events per key (a client address) over a sliding window, in memory.
type Limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	hits   map[string][]time.Time
}

// limiterMaxKeys is how many addresses are kept before old ones are swept.
const limiterMaxKeys = 10000

// NewLimiter allows limit events per key within window.
func NewLimiter(limit int, window time.Duration) *Limiter {
	return &Limiter{limit: limit, window: window, now: time.Now, hits: map[string][]time.Time{}}
}

// Allow records an event for key and reports whether it is within the limit.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	recent := func(k string) []time.Time {
		hits := l.hits[k]
		i := 0
		for i < len(hits) && now.Sub(hits[i]) >= l.window {
			i++
		}
		if i == len(hits) {
			delete(l.hits, k)
			return nil
		}
		l.hits[k] = hits[i:]
		return hits[i:]
	}
	if len(l.hits) >= limiterMaxKeys {
		for k := range l.hits {
			recent(k)
		}
	}
	hits := recent(key)
	if len(hits) >= l.limit {
		return false
	}
	l.hits[key] = append(hits, now)
	return true
}

// allow checks the public limit for who's address.
func (s *Service) allow(who store.Actor) error {
	if s.Public != nil && !s.Public.Allow(who.IP) {
		return apperr.New(apperr.TooMany, "err.rate_limited")
	}
	return nil
}

// newToken returns n random bytes as lower-case base32 without padding.
func newToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// NewCode returns an unguessable public code (26 characters).
func NewCode() string { return newToken(codeBytes) }

// ValidCode reports whether s has the shape of a public code or entry token,
// so that junk is refused before the database is asked.
func ValidCode(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// hashToken is how entry tokens and device cookies are stored.
func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// intn returns a uniform number in [0, n) from crypto/rand, for dealing layouts.
func intn(n int) int {
	if n <= 1 {
		return 0
	}
	var b [8]byte
	max := ^uint64(0) - ^uint64(0)%uint64(n)
	for {
		rand.Read(b[:])
		if v := binary.LittleEndian.Uint64(b[:]); v < max {
			return int(v % uint64(n))
		}
	}
}

// roleOf says how p stands to an event at home: organiser, reader, or
// nothing (ok false), in which case the event answers 404.
func roleOf(p *auth.Principal, home string) (outreach.Role, bool) {
	t := auth.Target{Region: home}
	switch {
	case p.Can(auth.OutreachManage, t):
		return outreach.Organiser, true
	case p.Can(auth.OutreachRead, t):
		return outreach.Reader, true
	}
	return "", false
}

// scope returns the store scope of what p may read.
func scope(p *auth.Principal) store.OutreachScope {
	return store.OutreachScope{All: p.Can(auth.OutreachRead, auth.Target{}), Roots: p.Scopes(auth.OutreachRead)}
}

// audience checks an event's audience against p's organising scope: every
// region must exist and lie in it, every unit be active and visible; an
// audience p may not organise reads as unknown (422 naming the field, as for
// none). It returns the units' grids, for the event's home.
func (s *Service) audience(ctx context.Context, p *auth.Principal, regions []string, units []int64, f apperr.Fields) ([]string, error) {
	var homes []string
	for _, code := range regions {
		ok := region.ValidCode(code) && p.Can(auth.OutreachManage, auth.Target{Region: code})
		if ok {
			exists, err := s.DB.RegionExists(ctx, code)
			if err != nil {
				return nil, err
			}
			ok = exists
		}
		if !ok {
			f.Add("regions", "err.region_unknown")
			continue
		}
		homes = append(homes, code)
	}
	for _, id := range units {
		u, err := s.unitFor(ctx, p, id)
		if err != nil {
			if !apperr.Is(err, apperr.NotFound) {
				return nil, err
			}
			f.Add("units", "err.unit_unknown")
			continue
		}
		homes = append(homes, u.Region)
	}
	return homes, nil
}

// unitFor returns an active unit that p may see and organise events for.
func (s *Service) unitFor(ctx context.Context, p *auth.Principal, id int64) (unit.Unit, error) {
	u, err := s.DB.Unit(ctx, id)
	if err != nil {
		return u, err
	}
	t := auth.Target{Region: u.Region, UnitID: u.ID}
	if u.Status != unit.Active || !p.Can(auth.UnitRead, t) || !p.Can(auth.OutreachManage, auth.Target{Region: u.Region}) {
		return unit.Unit{}, apperr.ErrNotFound
	}
	return u, nil
}

// Communities lists the communities residents may name for an event at
// home: those of its street (of every street, for a district-wide event).
func (s *Service) Communities(ctx context.Context, home string) ([]region.Region, error) {
	root := region.AncestorAt(home, region.Street)
	if root == "" {
		root = home
	}
	if !region.ValidCode(root) {
		return nil, nil
	}
	rs, err := s.DB.Regions(ctx, []string{root}, false)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r region.Region) bool { return r.Level != region.Community }), nil
}

// checkCommunity adds a field error when code is not one of the communities.
func checkCommunity(f apperr.Fields, cs []region.Region, code string) {
	if code == "" {
		return // already reported as required
	}
	if !slices.ContainsFunc(cs, func(r region.Region) bool { return r.Code == code }) {
		f.Add("region", "err.outreach.region_street")
	}
}

// fmtTime formats a time for a message, in the street's zone.
func (s *Service) fmtTime(t time.Time) string { return t.In(s.Loc).Format("2006-01-02 15:04") }

// withArgs fills in the arguments of a rule's message that names a window.
func withArgs(err error, args ...any) error {
	if e, ok := err.(*apperr.Error); ok && e.Code != apperr.Forbidden && len(e.Msg.Args) == 0 &&
		(e.Msg.Key == "err.outreach.signin_window" || e.Msg.Key == "err.outreach.quiz_window" || e.Msg.Key == "err.outreach.desk_window") {
		e.Msg.Args = args
	}
	return err
}
