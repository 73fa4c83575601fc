package store

import (
	"context"
	"errors"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/notify"
)

// Group commit for case creation on SQLite. SQLite has one writer, and the
// commit (writing the WAL frames) is a third of the cost of recording a case;
// reports that arrive together are written in one transaction, each inside
// its own savepoint, so that one bad report never undoes the others.

// maxBatch bounds how many creations share a transaction.
const maxBatch = 64

type createReq struct {
	ctx     context.Context
	actor   Actor
	prefix  string
	c       *cases.Case
	entries []cases.Entry
	events  []notify.Event
	created bool
	err     error
	done    chan struct{}
}

var errClosed = errors.New("store: database closed")

// batchCreate queues a creation for the batch writer and waits for its result.
func (db *DB) batchCreate(ctx context.Context, actor Actor, prefix string, c *cases.Case, entries []cases.Entry, events []notify.Event) (bool, error) {
	db.batchOnce.Do(func() {
		db.batch = make(chan *createReq, 4*maxBatch)
		go db.runBatches()
	})
	r := &createReq{ctx: ctx, actor: actor, prefix: prefix, c: c, entries: entries, events: events, done: make(chan struct{})}
	select {
	case db.batch <- r:
	case <-db.quit:
		return false, errClosed
	case <-ctx.Done():
		return false, ctx.Err()
	}
	<-r.done
	return r.created, r.err
}

// runBatches writes queued creations: it takes what is waiting (up to
// maxBatch) without waiting for more, so a lone report is not delayed.
func (db *DB) runBatches() {
	for {
		var first *createReq
		select {
		case first = <-db.batch:
		case <-db.quit:
			return
		}
		reqs := []*createReq{first}
	drain:
		for len(reqs) < maxBatch {
			select {
			case r := <-db.batch:
				reqs = append(reqs, r)
			default:
				break drain
			}
		}
		db.commitBatch(reqs)
	}
}

func (db *DB) commitBatch(reqs []*createReq) {
	ctx := context.Background()
	defer func() {
		for _, r := range reqs {
			close(r.done)
		}
	}()
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range reqs {
			r.err = err
		}
		return
	}
	now := db.now()
	txs := make([]*Tx, len(reqs))
	for i, r := range reqs {
		tx := &Tx{Tx: sqlTx, db: db, actor: r.actor, now: now}
		txs[i] = tx
		if _, err := tx.ExecContext(ctx, `SAVEPOINT one_case`); err != nil {
			r.err = err
			continue
		}
		r.created, r.err = tx.createCase(r.ctx, r.prefix, r.c, r.entries, r.events)
		if r.err != nil {
			tx.ExecContext(ctx, `ROLLBACK TO one_case`)
			tx.tally = nil
		}
		if _, err := tx.ExecContext(ctx, `RELEASE one_case`); err != nil && r.err == nil {
			r.err, tx.tally = err, nil
		}
	}
	var changes []Change
	err = flushTally(ctx, sqlTx, txs...)
	if err == nil {
		err = sqlTx.Commit()
	} else {
		sqlTx.Rollback()
	}
	if err != nil {
		for _, r := range reqs {
			if r.err == nil {
				r.err, r.created = err, false
			}
		}
	} else {
		for i, r := range reqs {
			if r.err == nil {
				changes = append(changes, txs[i].change)
			}
		}
	}
	db.counts.invalidate()
	db.prepareWanted(ctx)
	for _, c := range changes {
		db.committed(c)
	}
}
