package store

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Session kinds: a browser cookie, an API bearer token, or a field device's long-lived token.
const (
	SessionWeb    = "web"
	SessionAPI    = "api"
	SessionDevice = "device"
)

// CreateSession stores a session by the hash of its token; the sign-in is
// audited (who, from which client address and which kind of session, never the token).
func (db *DB) CreateSession(ctx context.Context, personID int64, kind, tokenHash string, ttl time.Duration, ip string) error {
	return db.Write(ctx, Actor{ID: personID, Name: "sign-in", IP: ip}, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, person_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			tokenHash, personID, kind, tx.now, tx.now+ttl.Milliseconds()); err != nil {
			return err
		}
		return tx.Audit(ctx, "person", personID, "sign_in", nil, map[string]any{"session": kind})
	})
}

// SessionPerson returns the id of the active person holding an unexpired session of one of kinds.
func (db *DB) SessionPerson(ctx context.Context, tokenHash string, kinds ...string) (int64, error) {
	var id int64
	var kind string
	err := db.queryRow(ctx, `SELECT s.person_id, s.kind FROM sessions s JOIN people p ON p.id = s.person_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND p.active = 1`, tokenHash, db.now()).Scan(&id, &kind)
	if err != nil {
		if isNoRows(err) {
			return 0, apperr.New(apperr.Unauthorized, "err.unauthorized")
		}
		return 0, err
	}
	for _, k := range kinds {
		if k == kind {
			return id, nil
		}
	}
	return 0, apperr.New(apperr.Unauthorized, "err.unauthorized")
}

// DeleteSession ends one session (signing out), audited.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.Write(ctx, System, func(tx *Tx) error {
		var person int64
		var kind string
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = $1 RETURNING person_id, kind`, tokenHash).Scan(&person, &kind)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		tx.actor = Actor{ID: person, Name: "sign-out"}
		return tx.Audit(ctx, "person", person, "sign_out", nil, map[string]any{"session": kind})
	})
}

// DeleteExpiredSessions removes sessions past their expiry; it returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, db.now())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
