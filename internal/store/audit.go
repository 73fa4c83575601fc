package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID        int64
	At        time.Time
	ActorID   int64
	ActorName string
	Entity    string
	EntityID  string
	Action    string
	Before    string
	After     string
	IP        string
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Entity   string
	EntityID string
	ActorID  int64
	From, To time.Time // [From, To); zero leaves that end open (issue 16)
	Page     Page
}

// AuditLog lists audit entries, newest first, with the total.
func (db *DB) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	var args []any
	where := []string{"1=1"}
	if f.Entity != "" {
		args = append(args, f.Entity)
		where = append(where, "entity = "+ph(len(args)))
	}
	if f.EntityID != "" {
		args = append(args, f.EntityID)
		where = append(where, "entity_id = "+ph(len(args)))
	}
	if f.ActorID != 0 {
		args = append(args, f.ActorID)
		where = append(where, "actor_id = "+ph(len(args)))
	}
	if !f.From.IsZero() {
		args = append(args, f.From.UnixMilli())
		where = append(where, "at >= "+ph(len(args)))
	}
	if !f.To.IsZero() {
		args = append(args, f.To.UnixMilli())
		where = append(where, "at < "+ph(len(args)))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, args := limitPage(f.Page.Clamp(), args)
	rows, err := db.r.QueryContext(ctx, `SELECT id, at, COALESCE(actor_id, 0), actor_name, entity, entity_id, action, before, after, ip
		FROM audit_log WHERE `+w+` ORDER BY id DESC`+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, func(sc rowScanner) (AuditEntry, error) {
		var e AuditEntry
		var at int64
		var before, after sql.NullString
		err := sc.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Entity, &e.EntityID, &e.Action, &before, &after, &e.IP)
		e.At, e.Before, e.After = fromMS(at), before.String, after.String
		return e, err
	})
	return out, total, err
}

// Setting returns a stored setting, "" when unset.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if isNoRows(err) {
		return "", nil
	}
	return v, err
}

// SetSetting stores a setting inside a transaction.
func (tx *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
