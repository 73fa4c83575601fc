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
	"net/http"
	"net/netip"
	"strconv"
	"strings"
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
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Real-IP are believed (see ClientIP); none by default.
	TrustedProxies []netip.Prefix
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

// SignedIn is what a successful sign-in gives.
type SignedIn struct {
	Token  string // hand it to the client; only its hash is stored
	Person people.Person
	// PasswordChange is set when the password used no longer meets the rules
	// (too short, too common, or the username or mobile): it still works, and
	// its holder is asked to change it.
	PasswordChange bool
}

// SignIn checks a username or mobile and password and opens a session of
// kind for a client at ip. Failures answer with one message that does not say
// which part was wrong, and are throttled (see Throttle) per account — the
// person, whether named by username or mobile — and client address.
func (s *Service) SignIn(ctx context.Context, login, password, ip, kind string) (SignedIn, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	f := apperr.Fields{}
	if login == "" {
		f.Add("username", "err.required")
	}
	if password == "" {
		f.Add("password", "err.required")
	}
	if err := f.Err(); err != nil {
		return SignedIn{}, err
	}
	p, hash, err := s.DB.Credentials(ctx, login)
	found := err == nil
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return SignedIn{}, err
	}
	account := "login:" + login
	if found {
		account = "person:" + strconv.FormatInt(p.ID, 10)
	}
	wait, err := s.Throttle.Wait(ctx, account, ip)
	if err != nil {
		return SignedIn{}, err
	}
	if wait > 0 {
		mins := int((wait + time.Minute - 1) / time.Minute)
		return SignedIn{}, apperr.TooManyFor(wait, "err.signin_throttled", mins)
	}
	if !found || !people.CheckPassword(hash, password) || !p.Active {
		if !found {
			// Spend the same time as a real check so timing does not reveal which usernames exist.
			people.CheckPassword(dummyHash, password)
		}
		if err := s.Throttle.Fail(ctx, account, ip); err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, apperr.New(apperr.Unauthorized, "err.signin_failed")
	}
	if err := s.Throttle.Success(ctx, account, ip); err != nil {
		return SignedIn{}, err
	}
	token, th := NewToken()
	ttl := map[string]time.Duration{store.SessionWeb: WebTTL, store.SessionAPI: APITTL, store.SessionDevice: DeviceTTL}[kind]
	if err := s.DB.CreateSession(ctx, p.ID, kind, th, ttl, ip); err != nil {
		return SignedIn{}, err
	}
	weak := people.ValidatePassword("password", password, p.Username, p.Mobile) != nil
	return SignedIn{Token: token, Person: p, PasswordChange: weak}, nil
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

// ChangePassword changes the signed-in person's own password after checking
// the current one, for the profile page and the API alike. Wrong current
// passwords count against the same throttle as sign-in, so a borrowed session
// cannot be used to guess it. The new one must pass people.ValidatePassword
// (its error names newField). Every other session of the person ends;
// keepSession, the token hash in use, stays.
func (s *Service) ChangePassword(ctx context.Context, actor store.Actor, personID int64, current, next, newField, keepSession string) error {
	me, err := s.DB.Person(ctx, personID)
	if err != nil {
		return err
	}
	account := "person:" + strconv.FormatInt(personID, 10)
	wait, err := s.Throttle.Wait(ctx, account, actor.IP)
	if err != nil {
		return err
	}
	if wait > 0 {
		mins := int((wait + time.Minute - 1) / time.Minute)
		return apperr.TooManyFor(wait, "err.signin_throttled", mins)
	}
	_, hash, err := s.DB.Credentials(ctx, me.Username)
	if err != nil {
		return err
	}
	if !people.CheckPassword(hash, current) {
		if err := s.Throttle.Fail(ctx, account, actor.IP); err != nil {
			return err
		}
		return apperr.Field("current", "err.password_wrong")
	}
	if err := people.ValidatePassword(newField, next, me.Username, me.Mobile); err != nil {
		return err
	}
	h, err := people.HashPassword(next)
	if err != nil {
		return err
	}
	return s.DB.SetPassword(ctx, actor, personID, h, keepSession)
}
