package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// syncBuffer is a log sink that two migrators may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConcurrentMigrators starts two servers at once on one fresh database:
// both open, every migration is applied exactly once, the schema works, and
// on PostgreSQL the migration lock is free again afterwards.
func TestConcurrentMigrators(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			dsn := storetest.DSN(t, backend)
			var logs syncBuffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			dbs := make([]*store.DB, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					dbs[i], errs[i] = store.Open(ctx, dsn, log)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("migrator %d: %v, want it to open the database", i+1, err)
				}
				t.Cleanup(func() { dbs[i].Close() })
			}
			status, err := dbs[0].MigrationStatus(ctx)
			if err != nil {
				t.Fatalf("migration status: %v", err)
			}
			for _, m := range status {
				if m.AppliedAt == 0 {
					t.Errorf("migration %s is pending after both migrators, want applied", m.Version)
				}
			}
			if n := strings.Count(logs.String(), "migration applied"); n != len(status) {
				t.Errorf("the two migrators applied %d migrations, want each of the %d once\n%s", n, len(status), logs.String())
			}
			if _, err := demo.Seed(ctx, dbs[1]); err != nil {
				t.Fatalf("seeding the migrated schema: %v", err)
			}
			if n, err := dbs[0].CountRegions(ctx); err != nil || n != 38 {
				t.Errorf("the other migrator sees %d regions (%v), want 38", n, err)
			}
			if backend == "postgres" {
				assertMigrationLockFree(t, ctx)
			}
		})
	}
}

// assertMigrationLockFree takes and drops the migration lock from a
// session of its own. Other tests' migrators may hold it for a moment; a
// lock leaked by a migrator stays held until its connection closes.
func assertMigrationLockFree(t *testing.T, ctx context.Context) {
	t.Helper()
	admin, err := sql.Open("pgx", os.Getenv("LANTIAN_TEST_POSTGRES"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(727172)`).Scan(&got); err != nil {
			t.Fatalf("try the migration lock: %v", err)
		}
		if got {
			conn.ExecContext(ctx, `SELECT pg_advisory_unlock(727172)`)
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the migration lock is still held 20 s after both migrators finished, want it released")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
