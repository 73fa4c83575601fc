package authn

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/store"
)

// DBFailures keeps failed sign-ins in the database, so that several servers
// on one database count the same guesses and a restart forgets none.
type DBFailures struct{ DB *store.DB }

// Since implements Failures.
func (f DBFailures) Since(ctx context.Context, key string, since time.Time) ([]time.Time, error) {
	return f.DB.SignInFailuresSince(ctx, key, since)
}

// Add implements Failures.
func (f DBFailures) Add(ctx context.Context, key string, at time.Time) error {
	return f.DB.AddSignInFailure(ctx, key, at)
}

// Clear implements Failures.
func (f DBFailures) Clear(ctx context.Context, key string) error {
	return f.DB.ClearSignInFailures(ctx, key)
}

// NewDBThrottle returns the default throttle counting in db.
func NewDBThrottle(db *store.DB) *Throttle {
	t := NewThrottle()
	t.Failures = DBFailures{DB: db}
	return t
}
