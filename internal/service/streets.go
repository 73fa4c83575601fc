package service

import (
	"context"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Streets holds the settings that differ by street (region.Settings): a
// street's own, else its district's, else the server's configuration. The
// rows are few and read on every case created, so they are kept in memory
// and reloaded when any server saves one (store.TopicSettings).
type Streets struct {
	DB *store.DB
	// DefaultPrefix and DefaultGrace are the server's configuration, the last fallback.
	DefaultPrefix string
	DefaultGrace  time.Duration

	mu   sync.Mutex
	rows map[string]region.Settings // by region; nil until loaded
}

// NewStreets returns the settings over db with the configured fallbacks.
func NewStreets(db *store.DB, prefix string, grace time.Duration) *Streets {
	return &Streets{DB: db, DefaultPrefix: prefix, DefaultGrace: grace}
}

// Reload forgets the loaded rows; the next read loads them again.
func (s *Streets) Reload() {
	s.mu.Lock()
	s.rows = nil
	s.mu.Unlock()
}

func (s *Streets) load(ctx context.Context) (map[string]region.Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rows != nil {
		return s.rows, nil
	}
	list, err := s.DB.AllStreetSettings(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]region.Settings, len(list))
	for _, r := range list {
		m[r.Region] = r
	}
	s.rows = m
	return m, nil
}

// For returns the settings in force for code (any region at or below a street).
func (s *Streets) For(ctx context.Context, code string) (region.Effective, error) {
	m, err := s.load(ctx)
	if err != nil {
		return region.Effective{}, err
	}
	street := m[region.AncestorAt(code, region.Street)]
	district := m[region.AncestorAt(code, region.District)]
	return region.Resolve(street, district, s.DefaultPrefix, s.DefaultGrace), nil
}

// CasePrefix returns the case-number prefix of code's street.
func (s *Streets) CasePrefix(ctx context.Context, code string) (string, error) {
	e, err := s.For(ctx, code)
	return e.CasePrefix, err
}

// Grace returns the escalation grace of code's street.
func (s *Streets) Grace(ctx context.Context, code string) (time.Duration, error) {
	e, err := s.For(ctx, code)
	return e.Grace, err
}

// Get returns the settings stored on a street or district p may edit
// (RegionEdit there), unset values as such; 404 otherwise.
func (s *Streets) Get(ctx context.Context, p *auth.Principal, code string) (region.Settings, error) {
	if l := region.LevelOf(code); (l != region.Street && l != region.District) || !p.Can(auth.RegionEdit, auth.Target{Region: code}) {
		return region.Settings{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	if ok, err := s.DB.RegionExists(ctx, code); err != nil {
		return region.Settings{}, err
	} else if !ok {
		return region.Settings{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	m, err := s.load(ctx)
	if err != nil {
		return region.Settings{}, err
	}
	if r, ok := m[code]; ok {
		return r, nil
	}
	return region.Unset(code), nil
}

// Save stores the settings of a street or district, as p (an admin there).
func (s *Streets) Save(ctx context.Context, actor store.Actor, p *auth.Principal, in region.Settings) (region.Settings, error) {
	before, err := s.Get(ctx, p, in.Region)
	if err != nil {
		return region.Settings{}, err
	}
	if err := in.Validate(); err != nil {
		return region.Settings{}, err
	}
	err = s.DB.Write(ctx, actor, func(tx *store.Tx) error { return tx.SaveStreetSettings(ctx, before, in) })
	if err != nil {
		return region.Settings{}, err
	}
	s.Reload()
	return s.Get(ctx, p, in.Region)
}
