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
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const stmtCacheSize = 500

// stmt returns a prepared statement for q on the read pool.
func (db *DB) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	c := &db.stmts
	c.mu.Lock()
	st, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := db.r.PrepareContext(ctx, q)
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
