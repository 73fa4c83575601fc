package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/lantian-org/lantian/internal/messages"
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
	db     *DB
	actor  Actor
	now    int64
	change Change // what listeners hear of once it commits
	chans  *[]messages.Channel
	tally  map[tallyKey]int64 // case_tally changes, written at commit (case_tally.go)
}

// Write runs fn in a transaction on the writer; it commits when fn returns nil.
func (db *DB) Write(ctx context.Context, actor Actor, fn func(tx *Tx) error) error {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: sqlTx, db: db, actor: actor, now: db.now()}
	err = fn(tx)
	if err == nil {
		err = flushTally(ctx, sqlTx, tx)
	}
	if err == nil {
		err = tx.announce(ctx) // to the other servers (cluster.go)
	}
	if err != nil {
		sqlTx.Rollback()
		db.prepareWanted(context.WithoutCancel(ctx))
		return err
	}
	err = sqlTx.Commit()
	db.counts.invalidate()
	db.prepareWanted(context.WithoutCancel(ctx))
	if err == nil {
		db.committed(tx.change)
	}
	return err
}

// Change is what a committed transaction wrote that others wait for: new
// inbox messages (live inbox counts), outbox messages (the delivery
// worker), and events for people's live streams.
type Change struct {
	Inbox  []int64 // people who got inbox messages
	Outbox bool    // outbox messages were written
	Live   []Live
	// Caches names the in-memory caches the transaction made stale (Tx.Invalidate).
	Caches []string `json:",omitempty"`
	// Remote is set on a change another server committed (heard through Listen).
	Remote bool `json:"-"`
}

// Live is an event for the live streams of the people it names, or of
// everyone whose feed shows Region.
type Live struct {
	Name   string // "notice", "post", …
	People []int64
	Region string
	Data   map[string]any
}

func (c Change) empty() bool {
	return len(c.Inbox) == 0 && !c.Outbox && len(c.Live) == 0 && len(c.Caches) == 0
}

// OnCommit registers fn to hear of every committed transaction that wrote
// inbox or outbox messages or live events. fn runs on the committing
// goroutine after the commit, so it must not block.
func (db *DB) OnCommit(fn func(Change)) {
	db.hookMu.Lock()
	db.hooks = append(db.hooks, fn)
	db.hookMu.Unlock()
}

// committed tells the listeners of c.
func (db *DB) committed(c Change) {
	if c.empty() {
		return
	}
	db.hookMu.Lock()
	hooks := db.hooks
	db.hookMu.Unlock()
	for _, fn := range hooks {
		fn(c)
	}
}

// Signal adds a live event, sent to listeners once the transaction commits.
func (tx *Tx) Signal(l Live) { tx.change.Live = append(tx.change.Live, l) }

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
