package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Several servers on one PostgreSQL database. Three things here make them
// behave as one:
//
//   - each commit that others wait for (inbox messages, live events, outbox
//     messages, a cache made stale) is announced with pg_notify inside its own
//     transaction, so the announcement goes out if and only if it commits;
//     every server LISTENs (Listen) and passes what it hears to the same
//     OnCommit hooks as its own commits, marked Remote;
//   - the periodic jobs run on the one server that holds a session-level
//     advisory lock (JobLock), retaken by another within seconds when that
//     server dies (its session ends and PostgreSQL releases the lock);
//   - the channel and the lock are named after the database and schema, so
//     that several Lantian deployments (or test schemas) on one PostgreSQL
//     server never hear or block each other.
//
// On SQLite one server owns the file: nothing is announced, Listen returns
// at once, and the job lock is always held.

// Cache topics: what a commit can make stale in every server's memory.
const (
	TopicRegions  = "regions"  // the point-to-grid index
	TopicCalendar = "calendar" // the working-day calendar
	TopicSettings = "settings" // per-street settings
)

// Topics lists every cache topic, for a listener that may have missed some.
var Topics = []string{TopicRegions, TopicCalendar, TopicSettings}

// notifyLimit keeps a payload below PostgreSQL's 8000-byte NOTIFY limit.
const notifyLimit = 7600

// Invalidate marks a cache stale: this server's hooks hear of it when the
// transaction commits, and on PostgreSQL so does every other server.
func (tx *Tx) Invalidate(topic string) {
	if !slices.Contains(tx.change.Caches, topic) {
		tx.change.Caches = append(tx.change.Caches, topic)
	}
}

// announcement is one NOTIFY payload: the sending DB's origin and part of a Change.
type announcement struct {
	Origin string `json:"o"`
	Change Change `json:"c"`
}

// clusterInit names the channel and the job lock after the database and
// schema, and picks this DB's origin id. It runs once, at Open, on PostgreSQL.
func (db *DB) clusterInit(ctx context.Context) error {
	var dbname, schema string
	if err := db.w.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).Scan(&dbname, &schema); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(dbname + "." + schema))
	db.channel = "lantian_" + hex.EncodeToString(sum[:8])
	jobs := sha256.Sum256([]byte(dbname + "." + schema + ".jobs"))
	db.jobKey = int64(binary.BigEndian.Uint64(jobs[:8]))
	buf := make([]byte, 8)
	rand.Read(buf)
	db.origin = hex.EncodeToString(buf)
	return nil
}

// NotifyChannel is the LISTEN/NOTIFY channel of this database ("" on SQLite).
func (db *DB) NotifyChannel() string { return db.channel }

// JobKey is the advisory lock key the job leader holds (0 on SQLite).
func (db *DB) JobKey() int64 { return db.jobKey }

// announce sends tx's change to the other servers, inside tx.
func (tx *Tx) announce(ctx context.Context) error {
	db := tx.db
	if db.Dialect != Postgres || db.channel == "" || tx.change.empty() {
		return nil
	}
	for _, part := range splitChange(tx.change) {
		b, err := json.Marshal(announcement{Origin: db.origin, Change: part})
		if err != nil {
			return err
		}
		if len(b) > notifyLimit {
			// A live event too large to relay: the other servers' streams
			// miss it (a page fetches fresh state on its next event).
			db.Log.Warn("live event too large to relay to other servers", "bytes", len(b))
			continue
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, db.channel, string(b)); err != nil {
			return err
		}
	}
	return nil
}

// splitChange cuts c into parts small enough for one NOTIFY each: the
// caches, the outbox flag and the inbox ids (in chunks), then each live event.
func splitChange(c Change) []Change {
	var out []Change
	head := Change{Outbox: c.Outbox, Caches: c.Caches}
	inbox := c.Inbox
	for {
		n := min(len(inbox), 500)
		head.Inbox = inbox[:n]
		inbox = inbox[n:]
		if !head.empty() {
			out = append(out, head)
		}
		if len(inbox) == 0 {
			break
		}
		head = Change{}
	}
	for _, l := range c.Live {
		out = append(out, Change{Live: []Live{l}})
	}
	return out
}

// Listen passes what other servers announce to this DB's OnCommit hooks,
// marked Remote, until ctx ends; it reconnects by itself after a lost
// connection and then reports every cache topic stale, since it may have
// missed announcements meanwhile. On SQLite it returns at once.
func (db *DB) Listen(ctx context.Context) {
	if db.Dialect != Postgres || db.channel == "" {
		return
	}
	first := true
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, func() {
			if !first {
				db.counts.invalidate()
				db.committed(Change{Caches: Topics, Remote: true})
			}
			first = false
		})
		if ctx.Err() != nil {
			return
		}
		db.Log.Warn("cluster listener: connection lost; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// listenOnce listens on one connection until it fails; ready runs once the LISTEN is in place.
func (db *DB) listenOnce(ctx context.Context, ready func()) error {
	cfg, err := pgx.ParseConfig(db.dsn)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{db.channel}.Sanitize()); err != nil {
		return err
	}
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var a announcement
		if err := json.Unmarshal([]byte(n.Payload), &a); err != nil {
			db.Log.Warn("cluster listener: unreadable announcement", "err", err)
			continue
		}
		if a.Origin == db.origin {
			continue // this server's own commit, already heard
		}
		db.counts.invalidate()
		a.Change.Remote = true
		db.committed(a.Change)
	}
}

// JobLock makes one server of several run the periodic jobs: a
// session-level advisory lock held on a connection of its own. When the
// holder dies its session ends and PostgreSQL releases the lock for the
// next server's try. The connection asks the server for TCP keepalives, so
// that a holder whose machine vanished without closing its connection is
// noticed within about half a minute.
type JobLock struct {
	db   *DB
	conn *sql.Conn
	held bool
}

// NewJobLock returns the job lock of db, not yet taken.
func (db *DB) NewJobLock() *JobLock { return &JobLock{db: db} }

// Hold reports whether this server holds the lock, trying to take it when
// it does not. On SQLite it is always held. An error means the lock's
// connection failed; the lock counts as not held and the next call starts afresh.
func (l *JobLock) Hold(ctx context.Context) (bool, error) {
	if l.db.Dialect != Postgres {
		return true, nil
	}
	if l.conn == nil {
		conn, err := l.db.w.Conn(ctx)
		if err != nil {
			return false, err
		}
		for _, set := range []string{`SET tcp_keepalives_idle = 10`, `SET tcp_keepalives_interval = 5`, `SET tcp_keepalives_count = 3`} {
			conn.ExecContext(ctx, set) // ignored on a Unix socket
		}
		l.conn = conn
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if l.held {
		// The lock lives as long as the session: a live session still holds it.
		var one int
		if err := l.conn.QueryRowContext(cctx, `SELECT 1`).Scan(&one); err != nil {
			l.drop()
			return false, err
		}
		return true, nil
	}
	if err := l.conn.QueryRowContext(cctx, `SELECT pg_try_advisory_lock($1)`, l.db.jobKey).Scan(&l.held); err != nil {
		l.drop()
		return false, err
	}
	return l.held, nil
}

// drop throws the lock's connection away: ending its session releases the lock.
func (l *JobLock) drop() {
	if l.conn != nil {
		l.conn.Raw(func(any) error { return driver.ErrBadConn })
		l.conn.Close()
	}
	l.conn, l.held = nil, false
}

// Release gives the lock up (a server shutting down lets another take over at once).
func (l *JobLock) Release() {
	if l.conn == nil {
		return
	}
	if l.held {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.db.jobKey)
		cancel()
		if err != nil {
			l.drop()
			return
		}
	}
	l.conn.Close()
	l.conn, l.held = nil, false
}
