// Package authn signs people in and finds who is behind a request: browser
// sessions in a cookie, API bearer tokens and field-device tokens, all stored
// as hashes in the database, with throttling of repeated failures.
package authn

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/store"
)

// CookieName is the browser session cookie.
const CookieName = "lantian_session"

// Lifetimes of each kind of session.
const (
	WebTTL    = 12 * time.Hour
	APITTL    = 30 * 24 * time.Hour
	DeviceTTL = 180 * 24 * time.Hour
)

// Service signs people in and resolves requests to principals.
type Service struct {
	DB       *store.DB
	Throttle *Throttle
	// TrustProxy makes the client IP come from X-Forwarded-For (behind a reverse proxy).
	TrustProxy bool
}

// NewToken returns a random token and the hash under which it is stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken hashes a token for storage; tokens themselves are never stored.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// ClientIP returns the request's client address.
func (s *Service) ClientIP(r *http.Request) string {
	if s.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SignIn checks a username or mobile and password and opens a session of kind;
// it returns the token to hand to the client. Failures are throttled per
// account and per IP and answer with one message that does not say which part was wrong.
func (s *Service) SignIn(ctx context.Context, login, password, ip, kind string) (string, people.Person, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	f := apperr.Fields{}
	if login == "" {
		f.Add("username", "err.required")
	}
	if password == "" {
		f.Add("password", "err.required")
	}
	if err := f.Err(); err != nil {
		return "", people.Person{}, err
	}
	if wait := s.Throttle.Blocked(login, ip); wait > 0 {
		mins := int(wait.Minutes()) + 1
		return "", people.Person{}, apperr.New(apperr.TooMany, "err.signin_throttled", mins)
	}
	p, hash, err := s.DB.Credentials(ctx, login)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", p, err
	}
	if err != nil || !people.CheckPassword(hash, password) || !p.Active {
		if err != nil {
			// Spend the same time as a real check so timing does not reveal which usernames exist.
			people.CheckPassword(dummyHash, password)
		}
		s.Throttle.Fail(login, ip)
		return "", people.Person{}, apperr.New(apperr.Unauthorized, "err.signin_failed")
	}
	s.Throttle.Success(login)
	token, th := NewToken()
	ttl := map[string]time.Duration{store.SessionWeb: WebTTL, store.SessionAPI: APITTL, store.SessionDevice: DeviceTTL}[kind]
	if err := s.DB.CreateSession(ctx, p.ID, kind, th, ttl); err != nil {
		return "", p, err
	}
	return token, p, nil
}

var dummyHash, _ = people.HashPassword("lantian-dummy-password")

// Principal loads the person behind a token hash as a principal.
func (s *Service) Principal(ctx context.Context, tokenHash string, kinds ...string) (*auth.Principal, error) {
	id, err := s.DB.SessionPerson(ctx, tokenHash, kinds...)
	if err != nil {
		return nil, err
	}
	p, err := s.DB.Person(ctx, id)
	if err != nil {
		return nil, err
	}
	return &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}, nil
}

// FromCookie returns the principal of a browser request, or nil and "" when not signed in.
func (s *Service) FromCookie(r *http.Request) (*auth.Principal, string) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, ""
	}
	h := HashToken(c.Value)
	p, err := s.Principal(r.Context(), h, store.SessionWeb)
	if err != nil {
		return nil, ""
	}
	return p, h
}

// FromBearer returns the principal of an API request's bearer token.
func (s *Service) FromBearer(r *http.Request) (*auth.Principal, string, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return nil, "", apperr.New(apperr.Unauthorized, "err.unauthorized")
	}
	th := HashToken(strings.TrimSpace(token))
	p, err := s.Principal(r.Context(), th, store.SessionAPI, store.SessionDevice)
	return p, th, err
}

// Throttle counts sign-in failures per account and per IP in memory. After
// AccountLimit failures for one account, or IPLimit from one address, within
// Window, further attempts are refused until the window has passed.
type Throttle struct {
	mu           sync.Mutex
	Now          func() time.Time
	Window       time.Duration
	AccountLimit int
	IPLimit      int
	fails        map[string][]time.Time
}

// NewThrottle returns a throttle with the defaults: 5 per account, 20 per IP, in 15 minutes.
func NewThrottle() *Throttle {
	return &Throttle{Now: time.Now, Window: 15 * time.Minute, AccountLimit: 5, IPLimit: 20, fails: map[string][]time.Time{}}
}

func (t *Throttle) recent(key string, now time.Time) []time.Time {
	var keep []time.Time
	for _, at := range t.fails[key] {
		if now.Sub(at) < t.Window {
			keep = append(keep, at)
		}
	}
	if len(keep) == 0 {
		delete(t.fails, key)
	} else {
		t.fails[key] = keep
	}
	return keep
}

// Blocked returns how long the account or IP must wait, 0 when it may try.
func (t *Throttle) Blocked(login, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	var wait time.Duration
	for key, limit := range map[string]int{"a:" + login: t.AccountLimit, "i:" + ip: t.IPLimit} {
		f := t.recent(key, now)
		if len(f) >= limit {
			if w := f[len(f)-limit].Add(t.Window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait
}

// Fail records a failed attempt.
func (t *Throttle) Fail(login, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	t.fails["a:"+login] = append(t.recent("a:"+login, now), now)
	t.fails["i:"+ip] = append(t.recent("i:"+ip, now), now)
}

// Success clears an account's failures (not the IP's).
func (t *Throttle) Success(login string) {
	t.mu.Lock()
	delete(t.fails, "a:"+login)
	t.mu.Unlock()
}
