package authn

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// Throttle slows down password guessing without letting anyone lock the
// real user out. It counts failed sign-ins per (account, client address) and
// per client address:
//
//   - AccountLimit failures for one account from one address block that
//     account from that address only; the owner signing in from elsewhere is
//     not affected (a lock on the account alone would let anyone lock anyone out);
//   - IPLimit failures from one address, whatever the accounts, block that
//     address (one machine guessing many accounts).
//
// An account is a person id when the login names someone (by username or
// mobile alike), else the login string itself. IPv6 addresses count by their
// /64, the block one subscriber usually holds. The counts live in Failures.
type Throttle struct {
	Failures     Failures
	Now          func() time.Time
	Window       time.Duration
	AccountLimit int
	IPLimit      int
}

// Failures keeps the times of failed attempts by key. MemoryFailures is the
// only one today; a table of (key, at) rows can take its place so that
// several servers share the counts and a restart keeps them.
type Failures interface {
	// Since returns key's failures at or after since, oldest first.
	Since(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	// Add records a failure of key at at.
	Add(ctx context.Context, key string, at time.Time) error
	// Clear forgets key's failures.
	Clear(ctx context.Context, key string) error
}

// NewThrottle returns a throttle with the defaults: 5 failures per account and
// address, 20 per address, in 15 minutes, counted in memory.
func NewThrottle() *Throttle {
	w := 15 * time.Minute
	return &Throttle{Failures: NewMemoryFailures(w), Now: time.Now, Window: w, AccountLimit: 5, IPLimit: 20}
}

func (t *Throttle) keys(account, ip string) (pair, addr string) {
	a := ipKey(ip)
	return "a:" + account + "@" + a, "i:" + a
}

// ipKey is the address failures count under: IPv6 by its /64.
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// Wait returns how long a sign-in to account from ip must wait before it may
// be tried: 0 when it may be tried now, else the time until the oldest
// failure that counts against it leaves the window.
func (t *Throttle) Wait(ctx context.Context, account, ip string) (time.Duration, error) {
	now := t.Now()
	pair, addr := t.keys(account, ip)
	var wait time.Duration
	for _, k := range []struct {
		key   string
		limit int
	}{{pair, t.AccountLimit}, {addr, t.IPLimit}} {
		f, err := t.Failures.Since(ctx, k.key, now.Add(-t.Window))
		if err != nil {
			return 0, err
		}
		if k.limit > 0 && len(f) >= k.limit {
			if w := f[len(f)-k.limit].Add(t.Window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait, nil
}

// Fail records a failed sign-in to account from ip.
func (t *Throttle) Fail(ctx context.Context, account, ip string) error {
	now := t.Now()
	pair, addr := t.keys(account, ip)
	if err := t.Failures.Add(ctx, pair, now); err != nil {
		return err
	}
	return t.Failures.Add(ctx, addr, now)
}

// Success forgets the account's failures from ip. The address's own count
// stays: signing in to one's own account must not reset a guesser's tally.
func (t *Throttle) Success(ctx context.Context, account, ip string) error {
	pair, _ := t.keys(account, ip)
	return t.Failures.Clear(ctx, pair)
}

// MemoryFailures keeps failures in a map. Entries older than the window are
// dropped when read, and every so often all stale keys are swept, so that
// guesses from many addresses cannot grow it without bound.
type MemoryFailures struct {
	mu     sync.Mutex
	window time.Duration
	m      map[string][]time.Time
	adds   int
}

// NewMemoryFailures returns an empty in-memory store that forgets failures older than window.
func NewMemoryFailures(window time.Duration) *MemoryFailures {
	return &MemoryFailures{window: window, m: map[string][]time.Time{}}
}

// Since implements Failures.
func (m *MemoryFailures) Since(_ context.Context, key string, since time.Time) ([]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.m[key]
	i := 0
	for i < len(f) && f[i].Before(since) {
		i++
	}
	if i == len(f) {
		delete(m.m, key)
		return nil, nil
	}
	f = f[i:]
	m.m[key] = f
	return append([]time.Time(nil), f...), nil
}

// Add implements Failures.
func (m *MemoryFailures) Add(_ context.Context, key string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = append(m.m[key], at)
	if m.adds++; m.adds >= 1024 {
		m.adds = 0
		for k, f := range m.m {
			if at.Sub(f[len(f)-1]) >= m.window {
				delete(m.m, k)
			}
		}
	}
	return nil
}

// Clear implements Failures.
func (m *MemoryFailures) Clear(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.m, key)
	m.mu.Unlock()
	return nil
}

// size is the number of keys held (for tests).
func (m *MemoryFailures) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
