package store_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestMigrateConcurrently starts four servers on one fresh database at
// once: every one opens, and each migration is applied exactly once.
func TestMigrateConcurrently(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var wg sync.WaitGroup
			dbs := make([]*store.DB, 4)
			errs := make([]error, 4)
			for i := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					dbs[i], errs[i] = store.Open(ctx, dsn, nil)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("server %d: %v", i, err)
				}
				defer dbs[i].Close()
			}
			ms, err := dbs[0].MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := dbs[0].Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != len(ms) {
				t.Errorf("%d rows in schema_migrations for %d migrations", n, len(ms))
			}
			for _, m := range ms {
				if m.AppliedAt == 0 {
					t.Errorf("migration %s not applied", m.Version)
				}
			}
		})
	}
}

// TestRefuseNewerSchema: a database migrated by a newer version is refused
// with a message saying so; an unknown older migration is only logged.
func TestRefuseNewerSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Reader().ExecContext(ctx, `SELECT 1`); err != nil {
			t.Fatal(err)
		}
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('0000_elsewhere', 1)`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("an unknown older migration stops the server: %v", err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_future', 1)`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Migrate(ctx)
		if !errors.Is(err, store.ErrNewerSchema) {
			t.Fatalf("Migrate on a newer schema: %v, want ErrNewerSchema", err)
		}
		t.Log(err)
	})
}

func postgresDSN(t *testing.T) string {
	if os.Getenv("LANTIAN_TEST_POSTGRES") == "" {
		if storetest.Required() {
			t.Fatal("LANTIAN_TEST_REQUIRE=1 but LANTIAN_TEST_POSTGRES is not set")
		}
		t.Skip("needs PostgreSQL")
	}
	return storetest.DSN(t, "postgres")
}

// TestJobLockOneHolder: of two servers one holds the job lock; when it
// releases or its database connection ends, the other takes it.
func TestJobLockOneHolder(t *testing.T) {
	dsn := postgresDSN(t)
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1, db2, other := open(), open(), storetest.Open(t, "postgres")
	defer db2.Close()
	l1, l2, l3 := db1.NewJobLock(), db2.NewJobLock(), other.NewJobLock()
	hold := func(l *store.JobLock) bool {
		ok, err := l.Hold(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !hold(l1) || hold(l2) || !hold(l1) {
		t.Fatal("want the first server alone to hold the lock")
	}
	if !hold(l3) {
		t.Error("a deployment in another schema waits for this one's job lock")
	}
	l1.Release()
	if !hold(l2) || hold(l1) {
		t.Fatal("after a release, want the second server alone to hold the lock")
	}
	// The holder's session ends, as when its server dies or its network goes.
	var killed bool
	err := db1.Reader().QueryRowContext(ctx, `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`, db2.JobKey()).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminating the holder's session: %v", err)
	}
	free := false
	for i := 0; i < 50 && !free; i++ { // the backend takes a moment to exit
		free = hold(l1)
		time.Sleep(50 * time.Millisecond)
	}
	if !free {
		t.Fatal("the lock of a dead session is not free")
	}
	if ok, _ := l2.Hold(ctx); ok {
		t.Fatal("a server whose session ended still believes it holds the lock")
	}
	l1.Release()
	db1.Close()
}

// TestAnnounce: what one server commits (inbox, live events, stale
// caches) reaches the hooks of another through LISTEN/NOTIFY, marked
// Remote; a rolled-back transaction announces nothing.
func TestAnnounce(t *testing.T) {
	dsn := postgresDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db1, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db1.Close()
	db2, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	heard := make(chan store.Change, 16)
	db2.OnCommit(func(c store.Change) { heard <- c })
	own := make(chan store.Change, 16)
	db1.OnCommit(func(c store.Change) { own <- c })
	go db2.Listen(ctx)
	go db1.Listen(ctx)
	time.Sleep(300 * time.Millisecond) // the LISTEN is in place
	db1.Write(ctx, store.System, func(tx *store.Tx) error {
		tx.Invalidate(store.TopicRegions)
		return errors.New("rolled back")
	})
	err = db1.Write(ctx, store.System, func(tx *store.Tx) error {
		tx.Invalidate(store.TopicCalendar)
		tx.Signal(store.Live{Name: "post", Region: "620502004000000", Data: map[string]any{"id": 7}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var caches []string
	var live []store.Live
	deadline := time.After(5 * time.Second)
	for len(caches) == 0 || len(live) == 0 {
		select {
		case c := <-heard:
			if !c.Remote {
				t.Errorf("change from another server not marked remote: %+v", c)
			}
			caches, live = append(caches, c.Caches...), append(live, c.Live...)
		case <-deadline:
			t.Fatalf("heard caches %v, live %v", caches, live)
		}
	}
	if !slices.Equal(caches, []string{store.TopicCalendar}) || live[0].Name != "post" || live[0].Data["id"] != float64(7) {
		t.Errorf("heard caches %v, live %+v", caches, live)
	}
	time.Sleep(300 * time.Millisecond)
	if len(own) != 1 {
		t.Errorf("the committing server heard its change %d times, want once (not again through NOTIFY)", len(own))
	}
}
