// Package store keeps Lantian's records in SQLite (embedded, the default) or
// PostgreSQL, behind the storage interfaces the domain packages need. All SQL
// is written in the subset both databases share; the few differences live in
// dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// Dialect names the database behind a DB.
type Dialect string

// The two databases Lantian runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database: a single writer connection and a read pool on
// SQLite (so writers never see SQLITE_BUSY), one pool on PostgreSQL.
type DB struct {
	w, r    *sql.DB
	Dialect Dialect
	Path    string // SQLite file, for backups
	Now     func() time.Time
	Log     *slog.Logger

	counts countCache
	stmts  stmtCache // read statements (SQLite)
	wstmts stmtCache // statements on SQLite's writer connection

	batchOnce sync.Once
	batch     chan *createReq // case creations waiting for the group commit (SQLite)
	quit      chan struct{}   // closed by Close
	closeOnce sync.Once

	hookMu sync.Mutex
	hooks  []func(Change) // told of each commit (OnCommit)

	// Several servers on one PostgreSQL database (cluster.go).
	dsn     string // for the listener's own connection
	channel string // LISTEN/NOTIFY channel
	jobKey  int64  // the job leader's advisory lock
	origin  string // this DB's id in announcements
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn (a SQLite file path or a postgres:// URL) and applies pending migrations.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{Now: time.Now, Log: log, quit: make(chan struct{}), dsn: dsn}
	if IsPostgres(dsn) {
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		p.SetMaxOpenConns(16)
		p.SetMaxIdleConns(8)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r, db.Dialect = p, p, Postgres
	} else {
		if dir := filepath.Dir(dsn); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
		}
		abs, err := filepath.Abs(dsn)
		if err != nil {
			return nil, err
		}
		db.Path, db.Dialect = abs, SQLite
		q := url.Values{}
		// mmap_size: reads map the file instead of copying each page in with a
		// system call (a fifth of the ledger's CPU over a million cases); the
		// mapped pages are the kernel's page cache, shared and reclaimable.
		for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)", "cache_size(-8000)", "mmap_size(2147483648)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		w, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxLifetime(0)
		q.Del("_txlock")
		q.Add("_pragma", "query_only(1)")
		r, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
		if err != nil {
			w.Close()
			return nil, err
		}
		// A small read pool: four connections served the load tests as well as
		// sixteen at a quarter of the memory (DESIGN.md §8).
		r.SetMaxOpenConns(4)
		r.SetMaxIdleConns(4)
		db.w, db.r = w, r
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.Dialect == Postgres {
		if err := db.clusterInit(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.quit) })
	db.stmts.close()
	db.wstmts.close()
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// now returns the current time in Unix milliseconds.
func (db *DB) now() int64 { return db.Now().UnixMilli() }

// Reader returns the pool for read-only queries.
func (db *DB) Reader() *sql.DB { return db.r }

// Backup writes a consistent copy of a SQLite database to path while it is in use.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return errors.New("backup works on SQLite only; use pg_dump for PostgreSQL (see docs/operating.md)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("%s exists; choose a new file", abs)
	}
	_, err = db.w.ExecContext(ctx, "VACUUM INTO $1", abs)
	return err
}

// ms converts a time to Unix milliseconds; the zero time becomes 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts Unix milliseconds to a time; 0 becomes the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// b2i stores a bool as 0 or 1, the form both databases accept in an INTEGER column.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullStr stores "" as NULL, so optional UNIQUE columns allow many blanks.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// rowScanner is a row or a query's rows, which scan functions read from.
type rowScanner = interface{ Scan(...any) error }

// eachRow calls fn on every row of a query, then closes the rows; it is the
// one loop over rows in the store, for results that fill a map or stream.
func eachRow(rows *sql.Rows, fn func(rowScanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanAll reads every row of a query with scan, then closes the rows. The
// slice is never nil, so that an empty list encodes as [] in JSON.
func scanAll[T any](rows *sql.Rows, scan func(rowScanner) (T, error)) ([]T, error) {
	out := []T{}
	err := eachRow(rows, func(sc rowScanner) error {
		v, err := scan(sc)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanValue reads a row of one column, for scanAll(rows, scanValue[int64]).
func scanValue[T any](sc rowScanner) (T, error) {
	var v T
	err := sc.Scan(&v)
	return v, err
}
