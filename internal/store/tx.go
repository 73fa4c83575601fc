package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Actor is who performs a write, for the audit log. A zero ID is the system.
type Actor struct {
	ID   int64
	Name string
	IP   string
}

// System is the actor for background jobs and the command line.
var System = Actor{Name: "system"}

// Tx is a write transaction that audits as it goes.
type Tx struct {
	*sql.Tx
	db    *DB
	actor Actor
	now   int64
}

// Write runs fn in a transaction on the writer; it commits when fn returns nil.
func (db *DB) Write(ctx context.Context, actor Actor, fn func(tx *Tx) error) error {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: sqlTx, db: db, actor: actor, now: db.now()}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		db.prepareWanted(context.WithoutCancel(ctx))
		return err
	}
	err = sqlTx.Commit()
	db.counts.invalidate()
	db.prepareWanted(context.WithoutCancel(ctx))
	return err
}

// Audit records one write: entity and id, an action, and before/after
// summaries (any JSON-marshalable values; nil for none).
func (tx *Tx) Audit(ctx context.Context, entity string, id any, action string, before, after any) error {
	enc := func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, entity, entity_id, action, before, after, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		tx.now, nullID(tx.actor.ID), tx.actor.Name, entity, fmt.Sprint(id), action, b, a, tx.actor.IP)
	return err
}

// Now returns the transaction's timestamp in Unix milliseconds.
func (tx *Tx) Now() int64 { return tx.now }
