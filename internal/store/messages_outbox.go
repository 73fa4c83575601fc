package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/messages"
)

// The outbox: messages written by Tx.Notify, claimed and recorded by the
// delivery worker. On PostgreSQL a claimed message stays locked (SELECT …
// FOR UPDATE SKIP LOCKED) in a transaction held open while it is sent, so
// a server that dies mid-send releases it at once and no two servers send
// it together. On SQLite, whose single writer cannot stay open during a
// send, a claim sets a lease instead; one server owns a SQLite file, so it
// clears the leases when it starts (ReleaseLeases).

// OutboxItem is one outbox message.
type OutboxItem struct {
	ID          int64
	ChannelID   int64
	ChannelName string
	ChannelKind messages.Kind
	PersonID    int64 // a personal e-mail's recipient; 0 for a group message
	Event       messages.Event
	Kind        string // the notify kind
	RecordKind  string
	RecordID    int64
	RecordRef   string
	Region      string
	Facts       string // JSON
	Status      string
	Attempts    int
	NextAt      time.Time
	Since       time.Time
	LastError   string
	CreatedAt   time.Time
	SentAt      time.Time
}

const outboxCols = `o.id, o.channel_id, c.name, c.kind, COALESCE(o.person_id, 0), o.event, o.kind, o.record_kind, o.record_id, o.record_ref, o.region,
	o.facts, o.status, o.attempts, o.next_at, o.since, o.last_error, o.created_at, o.sent_at`

func scanOutbox(sc interface{ Scan(...any) error }) (OutboxItem, error) {
	var it OutboxItem
	var next, since, created, sent int64
	err := sc.Scan(&it.ID, &it.ChannelID, &it.ChannelName, &it.ChannelKind, &it.PersonID, &it.Event, &it.Kind, &it.RecordKind, &it.RecordID,
		&it.RecordRef, &it.Region, &it.Facts, &it.Status, &it.Attempts, &next, &since, &it.LastError, &created, &sent)
	it.NextAt, it.Since, it.CreatedAt, it.SentAt = fromMS(next), fromMS(since), fromMS(created), fromMS(sent)
	return it, err
}

// OutboxFilter limits the outbox list: the channels of regions under Roots
// (or All), one status, one channel.
type OutboxFilter struct {
	All     bool
	Roots   []string
	Status  string
	Channel int64
	Page    Page
}

// Outbox lists outbox messages, newest first, with the total.
func (db *DB) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxItem, int, error) {
	var args []any
	where := []string{"1=1"}
	if !f.All {
		where = append(where, scopeClause("c.region", f.Roots, &args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, "o.status = "+ph(len(args)))
	}
	if f.Channel != 0 {
		args = append(args, f.Channel)
		where = append(where, "o.channel_id = "+ph(len(args)))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox o JOIN channels c ON c.id = o.channel_id WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox o JOIN channels c ON c.id = o.channel_id WHERE `+w+
		` ORDER BY o.id DESC LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanOutbox)
	return list, total, err
}

// OutboxMessage loads one outbox message.
func (db *DB) OutboxMessage(ctx context.Context, id int64) (OutboxItem, error) {
	it, err := scanOutbox(db.r.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox o JOIN channels c ON c.id = o.channel_id WHERE o.id = $1`, id))
	if isNoRows(err) {
		return it, apperr.ErrNotFound
	}
	return it, err
}

// RetryOutbox puts a dead or discarded message back in line, due now, with
// a fresh day of retries; a pending or sent one is a conflict.
func (tx *Tx) RetryOutbox(ctx context.Context, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', next_at = $2, since = $2, attempts = 0, lease_until = 0
		WHERE id = $1 AND status IN ('dead', 'discarded')`, id, tx.now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.messages.not_dead")
	}
	tx.change.Outbox = true
	return nil
}

// DiscardOutbox gives up a dead message for good; any other is a conflict.
func (tx *Tx) DiscardOutbox(ctx context.Context, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'discarded' WHERE id = $1 AND status = 'dead'`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.messages.not_dead")
	}
	return nil
}

// DueChannels lists the enabled, unresting channels with a message due at now.
func (db *DB) DueChannels(ctx context.Context, now time.Time) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT DISTINCT o.channel_id FROM outbox o JOIN channels c ON c.id = o.channel_id
		WHERE o.status = 'pending' AND o.next_at <= $1 AND o.lease_until < $1 AND c.enabled = 1 AND c.rest_until <= $1`, now.UnixMilli())
}

// ReleaseLeases frees every leased message, for a SQLite server starting:
// a lease left by a server that died is not waited out. It returns how many.
func (db *DB) ReleaseLeases(ctx context.Context) (int, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE outbox SET lease_until = 0 WHERE status = 'pending' AND lease_until > 0`)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SweepOutbox deletes sent and discarded messages created before before; it returns how many.
func (db *DB) SweepOutbox(ctx context.Context, before time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM outbox WHERE status IN ('sent', 'discarded') AND created_at < $1`, before.UnixMilli())
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Recipient is who a personal e-mail goes to, read when it is sent (so a
// changed address or quiet hours apply to what still waits).
type Recipient struct {
	Email     string
	Lang      string
	Active    bool
	QuietFrom string
	QuietTo   string
}

// Delivery is one claimed outbox message on its way out. Exactly one of
// Sent, Failed, Defer or Abort ends it.
type Delivery struct {
	Item      OutboxItem
	Channel   ChannelStatus // with its secret
	Recipient *Recipient    // for a personal e-mail
	db        *DB
	tx        *sql.Tx // PostgreSQL: the transaction holding the message's lock
}

// Lease is how long a SQLite claim holds a message: longer than any send's timeout.
const Lease = 2 * time.Minute

// busyWait is how long a channel another server is sending on is left alone.
const busyWait = time.Second

// Claim takes channel's oldest message due at now, if the channel is
// enabled, not resting and within its rate limit (the send is counted now).
// It returns nil and how long to wait when the channel must wait, or nil
// and 0 when it has nothing due.
func (db *DB) Claim(ctx context.Context, channel int64, now time.Time) (*Delivery, time.Duration, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, err
	}
	d, wait, err := db.claim(ctx, tx, channel, now)
	if err != nil || d == nil || db.Dialect == SQLite {
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		if d != nil && err != nil {
			d = nil
		}
		return d, wait, err
	}
	d.tx = tx
	return d, 0, nil
}

func (db *DB) claim(ctx context.Context, tx *sql.Tx, channel int64, now time.Time) (*Delivery, time.Duration, error) {
	skip := ""
	if db.Dialect == Postgres {
		// The channel's row is the lock of its sender: another server
		// sending on this channel holds it, and this one moves on.
		skip = " FOR UPDATE SKIP LOCKED"
	}
	ms := now.UnixMilli()
	c, err := scanChannel(tx.QueryRowContext(ctx, `SELECT `+channelCols+` FROM channels c WHERE c.id = $1`+skip, channel))
	var sends string
	if err == nil {
		err = tx.QueryRowContext(ctx, `SELECT sends FROM channels WHERE id = $1`, channel).Scan(&sends)
	}
	if isNoRows(err) {
		// Gone, or (PostgreSQL) busy on another server: look again shortly.
		return nil, busyWait, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if !c.Enabled {
		return nil, 0, nil
	}
	if c.RestUntil > ms {
		return nil, time.UnixMilli(c.RestUntil).Sub(now), nil
	}
	it, err := scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox o JOIN channels c ON c.id = o.channel_id
		WHERE o.id = (SELECT id FROM outbox WHERE channel_id = $1 AND status = 'pending' AND next_at <= $2 AND lease_until < $2
			ORDER BY id LIMIT 1`+skip+`)`, channel, ms))
	if isNoRows(err) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	ok, keep, wait := messages.Admit(messages.RateOf(c.Kind), parseTimes(sends), now)
	if !ok {
		return nil, wait, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE channels SET sends = $2 WHERE id = $1`, channel, joinTimes(keep)); err != nil {
		return nil, 0, err
	}
	if db.Dialect == SQLite {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_until = $2 WHERE id = $1`, it.ID, now.Add(Lease).UnixMilli()); err != nil {
			return nil, 0, err
		}
	}
	d := &Delivery{Item: it, Channel: c, db: db}
	if it.PersonID != 0 {
		var r Recipient
		var active int
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(s.email, ''), p.lang, p.active, COALESCE(s.quiet_from, ''), COALESCE(s.quiet_to, '')
			FROM people p LEFT JOIN person_settings s ON s.person_id = p.id WHERE p.id = $1`, it.PersonID).
			Scan(&r.Email, &r.Lang, &active, &r.QuietFrom, &r.QuietTo)
		if err != nil {
			return nil, 0, err
		}
		r.Active = active == 1
		d.Recipient = &r
	}
	return d, 0, nil
}

func parseTimes(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if v, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func joinTimes(ts []int64) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = strconv.FormatInt(t, 10)
	}
	return strings.Join(s, ",")
}

// finish runs the statements that end a delivery: in its held transaction
// on PostgreSQL, in a new one on SQLite.
func (d *Delivery) finish(ctx context.Context, fn func(tx *sql.Tx) error) error {
	ctx = context.WithoutCancel(ctx)
	tx := d.tx
	if tx == nil {
		var err error
		if tx, err = d.db.w.BeginTx(ctx, nil); err != nil {
			return err
		}
	}
	d.tx = nil
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Sent records that the channel accepted the message at now: it is never sent again.
func (d *Delivery) Sent(ctx context.Context, now time.Time) error {
	return d.finish(ctx, func(tx *sql.Tx) error {
		ms := now.UnixMilli()
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, lease_until = 0, last_error = ''
			WHERE id = $1 AND status = 'pending'`, d.Item.ID, ms); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE channels SET last_sent_at = $2, last_error = '' WHERE id = $1`, d.Item.ChannelID, ms)
		return err
	})
}

// Failed records a failed attempt: the message waits until next, or is
// dead; the channel rests until rest (zero for no rest).
func (d *Delivery) Failed(ctx context.Context, msg string, next time.Time, dead bool, rest time.Time) error {
	return d.finish(ctx, func(tx *sql.Tx) error {
		status, nextMS := messages.Pending, next.UnixMilli()
		if dead {
			status, nextMS = messages.Dead, d.Item.NextAt.UnixMilli()
		}
		msg = messages.Shorten(msg, 500)
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = $2, next_at = $3, attempts = attempts + 1, lease_until = 0, last_error = $4
			WHERE id = $1 AND status = 'pending'`, d.Item.ID, status, nextMS, msg); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE channels SET last_error = $2, rest_until = CASE WHEN rest_until > $3 THEN rest_until ELSE $3 END WHERE id = $1`,
			d.Item.ChannelID, msg, ms(rest))
		return err
	})
}

// Defer puts the message back, unsent and not counted as an attempt, until
// until (a person's quiet hours).
func (d *Delivery) Defer(ctx context.Context, until time.Time) error {
	return d.finish(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET next_at = $2, lease_until = 0 WHERE id = $1 AND status = 'pending'`, d.Item.ID, until.UnixMilli())
		return err
	})
}

// Drop ends a message that cannot be sent at all (its recipient left or
// has no address any more): it is discarded with the reason.
func (d *Delivery) Drop(ctx context.Context, reason string) error {
	return d.finish(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'discarded', lease_until = 0, last_error = $2 WHERE id = $1 AND status = 'pending'`,
			d.Item.ID, reason)
		return err
	})
}

// Abort gives the message back unsent, as if never claimed (the server is stopping).
func (d *Delivery) Abort(ctx context.Context) error {
	if d.tx != nil {
		tx := d.tx
		d.tx = nil
		return tx.Rollback()
	}
	_, err := d.db.w.ExecContext(context.WithoutCancel(ctx), `UPDATE outbox SET lease_until = 0 WHERE id = $1 AND status = 'pending'`, d.Item.ID)
	return err
}
