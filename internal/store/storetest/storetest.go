// Package storetest opens fresh databases for tests: a SQLite file in a
// temporary folder, and, when LANTIAN_TEST_POSTGRES holds a URL, a fresh
// schema on that PostgreSQL server.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/store"
)

// Required reports whether tests must not skip for a missing dependency (CI sets LANTIAN_TEST_REQUIRE=1).
func Required() bool { return os.Getenv("LANTIAN_TEST_REQUIRE") == "1" }

// Backends lists the databases tests run on: "sqlite" always, "postgres" when configured.
func Backends(tb testing.TB) []string {
	out := []string{"sqlite"}
	if os.Getenv("LANTIAN_TEST_POSTGRES") != "" {
		out = append(out, "postgres")
	} else if Required() {
		tb.Fatal("LANTIAN_TEST_REQUIRE=1 but LANTIAN_TEST_POSTGRES is not set")
	}
	return out
}

// Each runs fn once per backend as a subtest with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, b := range Backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, Open(t, b)) })
	}
}

// DSN returns a fresh database's connection string for backend, dropped when tb ends.
func DSN(tb testing.TB, backend string) string {
	if backend == "sqlite" {
		return filepath.Join(tb.TempDir(), "lantian.db")
	}
	base := os.Getenv("LANTIAN_TEST_POSTGRES")
	buf := make([]byte, 6)
	rand.Read(buf)
	schema := "t_" + hex.EncodeToString(buf)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema on %s: %v", base, err)
	}
	tb.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated, empty database on backend, closed when tb ends.
func Open(tb testing.TB, backend string) *store.DB {
	dsn := DSN(tb, backend)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		tb.Fatalf("open %s: %v", backend, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
