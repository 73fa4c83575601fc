package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared read statements by their SQL text. Parsing SQL was
// a sixth of the time of a ledger page under load; database/sql prepares a
// cached statement once on each pooled connection and reuses it.
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	wanted map[string]bool // writer statements to prepare once the connection is free
}

const stmtCacheSize = 500

// stmt returns a prepared statement for q on the read pool.
func (db *DB) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	return db.stmts.get(ctx, db.r, q)
}

func (c *stmtCache) get(ctx context.Context, pool *sql.DB, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok {
		st.Close()
		return old, nil
	}
	if c.m == nil || len(c.m) >= stmtCacheSize {
		for _, s := range c.m {
			s.Close()
		}
		c.m = map[string]*sql.Stmt{}
	}
	c.m[q] = st
	return st, nil
}

// query runs a read query through the statement cache.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a single-row read query through the statement cache.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := db.stmt(ctx, q)
	if err != nil {
		// Let the error surface from Scan, as QueryRowContext would.
		return db.r.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// wstmt returns the statement for q prepared on SQLite's single writer
// connection, or nil. A transaction holds that connection, so a statement
// cannot be prepared inside one: a miss is remembered and prepared by
// prepareWanted after the transaction ends, for the next one to use.
// PostgreSQL's transactions run on any pooled connection; it gets nil.
func (db *DB) wstmt(q string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	c := &db.wstmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st
	}
	if c.wanted == nil {
		c.wanted = map[string]bool{}
	}
	c.wanted[q] = true
	return nil
}

// prepareWanted prepares the writer statements missed during transactions.
func (db *DB) prepareWanted(ctx context.Context) {
	c := &db.wstmts
	c.mu.Lock()
	wanted := c.wanted
	c.wanted = nil
	c.mu.Unlock()
	for q := range wanted {
		c.get(ctx, db.w, q) // an error leaves the statement unprepared, which only costs speed
	}
}

// ExecContext runs a statement in the transaction, prepared once on SQLite.
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := tx.db.wstmt(q); st != nil {
		return tx.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query in the transaction, prepared once on SQLite.
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := tx.db.wstmt(q); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, q, args...)
}

// QueryContext runs a query in the transaction, prepared once on SQLite.
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := tx.db.wstmt(q); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, q, args...)
}
