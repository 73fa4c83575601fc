package store

import (
	"context"
	"time"
)

// Failed sign-ins, counted in the database so that several servers add up
// the same guesses (authn.DBFailures wraps these for authn.Throttle).

// SignInFailuresSince returns key's failures at or after since, oldest first.
func (db *DB) SignInFailuresSince(ctx context.Context, key string, since time.Time) ([]time.Time, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT at FROM signin_failures WHERE key = $1 AND at >= $2 ORDER BY at`, key, ms(since))
	if err != nil {
		return nil, err
	}
	var out []time.Time
	err = eachRow(rows, func(sc rowScanner) error {
		var at int64
		if err := sc.Scan(&at); err != nil {
			return err
		}
		out = append(out, fromMS(at))
		return nil
	})
	return out, err
}

// AddSignInFailure records a failure of key at at. It is not audited: the
// sign-in itself is the record, and a guesser must not grow the audit log.
func (db *DB) AddSignInFailure(ctx context.Context, key string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO signin_failures (key, at) VALUES ($1, $2)`, key, ms(at))
	return err
}

// ClearSignInFailures forgets key's failures.
func (db *DB) ClearSignInFailures(ctx context.Context, key string) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM signin_failures WHERE key = $1`, key)
	return err
}

// SweepSignInFailures removes failures older than before; it returns how many.
func (db *DB) SweepSignInFailures(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM signin_failures WHERE at < $1`, ms(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
