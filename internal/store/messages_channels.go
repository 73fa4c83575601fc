package store

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/messages"
)

// The work group's outbound channels: SQL only; the rules are in package
// messages and the service.

func joinEvents(evs []messages.Event) string {
	s := make([]string, len(evs))
	for i, e := range evs {
		s[i] = string(e)
	}
	return strings.Join(s, ",")
}

func splitEvents(s string) []messages.Event {
	var out []messages.Event
	for _, e := range strings.Split(s, ",") {
		if e != "" {
			out = append(out, messages.Event(e))
		}
	}
	return out
}

// ChannelStatus is a channel with its delivery state, for the channels page.
type ChannelStatus struct {
	messages.Channel
	RestUntil  int64  // Unix ms; the channel rests until then
	LastError  string // the last failure, "" after a success
	LastSentAt int64  // Unix ms
	Pending    int    // messages waiting
	Dead       int    // messages given up
}

const channelCols = `c.id, c.kind, c.name, c.url, c.secret, c.region, c.events, c.enabled, c.created_at, c.updated_at, c.rest_until, c.last_error, c.last_sent_at`

func scanChannel(sc interface{ Scan(...any) error }) (ChannelStatus, error) {
	var c ChannelStatus
	var evs string
	var enabled int
	var created, updated int64
	err := sc.Scan(&c.ID, &c.Kind, &c.Name, &c.URL, &c.Secret, &c.Region, &evs, &enabled, &created, &updated, &c.RestUntil, &c.LastError, &c.LastSentAt)
	c.Events, c.Enabled, c.CreatedAt, c.UpdatedAt = splitEvents(evs), enabled == 1, fromMS(created), fromMS(updated)
	c.HasSecret = c.Secret != ""
	return c, err
}

// ChannelFilter limits a channel list: All, or the channels of regions under Roots.
type ChannelFilter struct {
	All   bool
	Roots []string
	Page  Page
}

// Channels lists channels by region then id, with each one's pending and
// dead message counts, and the total.
func (db *DB) Channels(ctx context.Context, f ChannelFilter) ([]ChannelStatus, int, error) {
	var args []any
	where := "1=1"
	if !f.All {
		where = scopeClause("c.region", f.Roots, &args)
	}
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM channels c WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT `+channelCols+`,
			(SELECT COUNT(*) FROM outbox o WHERE o.channel_id = c.id AND o.status = 'pending'),
			(SELECT COUNT(*) FROM outbox o WHERE o.channel_id = c.id AND o.status = 'dead')
		FROM channels c WHERE `+where+` ORDER BY c.region, c.id LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (ChannelStatus, error) {
		var c ChannelStatus
		var evs string
		var enabled int
		var created, updated int64
		err := sc.Scan(&c.ID, &c.Kind, &c.Name, &c.URL, &c.Secret, &c.Region, &evs, &enabled, &created, &updated, &c.RestUntil, &c.LastError, &c.LastSentAt,
			&c.Pending, &c.Dead)
		c.Events, c.Enabled, c.CreatedAt, c.UpdatedAt = splitEvents(evs), enabled == 1, fromMS(created), fromMS(updated)
		c.HasSecret = c.Secret != ""
		return c, err
	})
	return list, total, err
}

// Channel loads one channel, with its secret (for signing; never for display).
func (db *DB) Channel(ctx context.Context, id int64) (ChannelStatus, error) {
	c, err := scanChannel(db.r.QueryRowContext(ctx, `SELECT `+channelCols+` FROM channels c WHERE c.id = $1`, id))
	if isNoRows(err) {
		return c, apperr.ErrNotFound
	}
	return c, err
}

// CreateChannel stores a new channel and sets its id.
func (tx *Tx) CreateChannel(ctx context.Context, c *messages.Channel) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO channels (kind, name, url, secret, region, events, enabled, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		string(c.Kind), c.Name, c.URL, c.Secret, c.Region, joinEvents(c.Events), b2i(c.Enabled), nullID(tx.actor.ID), tx.now).Scan(&c.ID)
	if err != nil {
		return mapRegionErr(err)
	}
	c.CreatedAt, c.UpdatedAt, c.HasSecret = fromMS(tx.now), fromMS(tx.now), c.Secret != ""
	return nil
}

// UpdateChannel stores a channel's new fields (its secret only when
// c.Secret is not empty) and clears its rest, so that a repaired channel is
// tried again at once.
func (tx *Tx) UpdateChannel(ctx context.Context, c messages.Channel) error {
	q := `UPDATE channels SET kind = $2, name = $3, url = $4, region = $5, events = $6, enabled = $7, updated_at = $8, rest_until = 0`
	args := []any{c.ID, string(c.Kind), c.Name, c.URL, c.Region, joinEvents(c.Events), b2i(c.Enabled), tx.now}
	if c.Secret != "" {
		q += `, secret = $9`
		args = append(args, c.Secret)
	}
	res, err := tx.ExecContext(ctx, q+` WHERE id = $1`, args...)
	if err != nil {
		return mapRegionErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// isForeignKey reports whether err is a foreign-key failure on either database.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// mapRegionErr turns a foreign-key failure on a region into the field error
// for an unknown region (the service checks first; this covers a race).
func mapRegionErr(err error) error {
	if isForeignKey(err) {
		return apperr.Field("region", "err.region_unknown")
	}
	return err
}
