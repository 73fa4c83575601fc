package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by their SQL text on SQLite. Parsing
// SQL was a sixth of the time of a ledger page under load; database/sql
// prepares a cached statement once on each pooled connection and reuses it.
// Lists bind LIMIT and OFFSET as parameters, so the texts are few (one per
// filter shape, not per page).
//
// A statement handed out is counted until its caller has started its query
// (after which the query's rows hold the statement open themselves); an entry
// evicted while counted is closed by its last user, never under a query.
//
// PostgreSQL does not use this cache: pgx already prepares and caches each
// query's statement per connection (512 by default, dropped with the
// connection), so a second cache of database/sql statements on top only
// doubled the prepared statements on the server.
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*cachedStmt
	wanted map[string]bool // writer statements to prepare once the connection is free
	max    int             // entries kept; 0 means stmtCacheSize (tests set it small)
}

// cachedStmt is one prepared statement and the number of callers using it.
type cachedStmt struct {
	st      *sql.Stmt
	users   int
	evicted bool // out of the map: the last user closes it
}

const stmtCacheSize = 500

func (c *stmtCache) size() int {
	if c.max > 0 {
		return c.max
	}
	return stmtCacheSize
}

// get returns the statement for q, prepared on pool, counted as in use until release.
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, q string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.m[q]; ok {
		e.users++
		c.mu.Unlock()
		return e, nil
	}
	c.mu.Unlock()
	st, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[q]; ok { // prepared meanwhile by another caller
		st.Close()
		e.users++
		return e, nil
	}
	if c.m == nil {
		c.m = map[string]*cachedStmt{}
	}
	for k, old := range c.m { // map order is random: random replacement
		if len(c.m) < c.size() {
			break
		}
		delete(c.m, k)
		old.evicted = true
		if old.users == 0 {
			old.st.Close()
		}
	}
	e := &cachedStmt{st: st, users: 1}
	c.m[q] = e
	return e, nil
}

// release ends one use of e, closing it when it was evicted meanwhile.
func (c *stmtCache) release(e *cachedStmt) {
	c.mu.Lock()
	e.users--
	closeIt := e.evicted && e.users == 0
	c.mu.Unlock()
	if closeIt {
		e.st.Close()
	}
}

// close closes every statement not in use; those in use close on release.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.m {
		e.evicted = true
		if e.users == 0 {
			e.st.Close()
		}
	}
	c.m = nil
}

// query runs a read query, through the statement cache on SQLite.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.Dialect != SQLite {
		return db.r.QueryContext(ctx, q, args...)
	}
	e, err := db.stmts.get(ctx, db.r, q)
	if err != nil {
		return nil, err
	}
	defer db.stmts.release(e)
	return e.st.QueryContext(ctx, args...)
}

// queryRow runs a single-row read query, through the statement cache on SQLite.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if db.Dialect != SQLite {
		return db.r.QueryRowContext(ctx, q, args...)
	}
	e, err := db.stmts.get(ctx, db.r, q)
	if err != nil {
		// Let the error surface from Scan, as QueryRowContext would.
		return db.r.QueryRowContext(ctx, q, args...)
	}
	defer db.stmts.release(e)
	return e.st.QueryRowContext(ctx, args...)
}

// wstmt returns the statement for q prepared on SQLite's single writer
// connection, or nil; call release(e) once the statement has run. A
// transaction holds that connection, so a statement cannot be prepared
// inside one: a miss is remembered and prepared by prepareWanted after the
// transaction ends, for the next one to use. PostgreSQL's transactions run
// on any pooled connection; it gets nil.
func (db *DB) wstmt(q string) *cachedStmt {
	if db.Dialect != SQLite {
		return nil
	}
	c := &db.wstmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[q]; ok {
		e.users++
		return e
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
		// An error leaves the statement unprepared, which only costs speed.
		if e, err := c.get(ctx, db.w, q); err == nil {
			c.release(e)
		}
	}
}

// ExecContext runs a statement in the transaction, prepared once on SQLite.
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if e := tx.db.wstmt(q); e != nil {
		defer tx.db.wstmts.release(e)
		return tx.Tx.StmtContext(ctx, e.st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query in the transaction, prepared once on SQLite.
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if e := tx.db.wstmt(q); e != nil {
		defer tx.db.wstmts.release(e)
		return tx.Tx.StmtContext(ctx, e.st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, q, args...)
}

// QueryContext runs a query in the transaction, prepared once on SQLite.
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if e := tx.db.wstmt(q); e != nil {
		defer tx.db.wstmts.release(e)
		return tx.Tx.StmtContext(ctx, e.st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, q, args...)
}
