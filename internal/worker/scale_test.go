package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/live"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// servers builds n apps over one fresh demo database on backend, each with
// its own store (its own connections), as n servers would.
func servers(t *testing.T, backend string, n int) []*app.App {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, backend)
	var out []*app.App
	for i := range n {
		db, err := store.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if _, err := demo.Seed(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		cfg := config.Default()
		cfg.Data = t.TempDir()
		loc, _ := cfg.Validate()
		a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// TestEscalateDueTwiceAtOnce: even without the job lock, three servers
// escalating the same overdue cases at the same moment move each exactly
// once — the version check of every case update lets one of them win.
func TestEscalateDueTwiceAtOnce(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			apps := servers(t, backend, 3)
			db := apps[0].DB
			now := time.Now()
			var ids []int64
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				for i := range 120 {
					at := now.Add(-30 * time.Hour)
					c := cases.Case{ClientID: fmt.Sprintf("7e7e7e7e-0000-4000-8000-%012d", i), Description: "逾期", Region: demo.GridCode(i%6, 0),
						Source: cases.SourcePatrol, Day: at.Format("2006-01-02"), UpdatedAt: at}
					c.Category, c.Lat, c.Lon, c.ReportedAt = "06010", 34.572, 105.702, at
					c.Status, c.Class, c.Severity, c.Level, c.Version = cases.StatusAssigned, cases.ClassEscalated, cases.SeverityMinor, 3, 1
					c.Held, c.Deadline, c.DeadlineFrom = demo.CommunityCode(i%6), now.Add(-5*time.Hour), at
					if err := tx.InsertCaseHistory(ctx, "TW", &c, []cases.Event{{At: at, ActorName: "test", Action: cases.ActionReport, Status: cases.StatusReported, Level: 3}}); err != nil {
						return err
					}
					ids = append(ids, c.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			moved := make([]int, len(apps))
			for i, a := range apps {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := a.Cases.EscalateDue(ctx)
					if err != nil {
						t.Error(err)
					}
					moved[i] = n
				}()
			}
			wg.Wait()
			if total := moved[0] + moved[1] + moved[2]; total != len(ids) {
				t.Errorf("servers moved %v cases, %d in all; want %d in all", moved, total, len(ids))
			}
			for _, id := range ids {
				var n int
				db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND action = 'escalate'`, id).Scan(&n)
				if n != 1 {
					t.Errorf("case %d escalated %d times", id, n)
				}
			}
			t.Logf("moved by server: %v", moved)
		})
	}
}

// TestLiveAcrossServers: a post made through one server reaches a live
// stream open on another (PostgreSQL; one SQLite file has one server).
func TestLiveAcrossServers(t *testing.T) {
	backends := storetest.Backends(t)
	if len(backends) < 2 {
		t.Skip("needs PostgreSQL")
	}
	apps := servers(t, "postgres", 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go apps[1].DB.Listen(ctx)
	events, stop := apps[1].Live.Subscribe(live.Subscriber{Person: 1, Shows: func(r string) bool { return r == demo.StreetCode }})
	defer stop()
	time.Sleep(300 * time.Millisecond) // the LISTEN is in place
	err := apps[0].DB.Write(ctx, store.System, func(tx *store.Tx) error {
		tx.Signal(store.Live{Name: "post", Region: demo.StreetCode, Data: map[string]any{"id": 42}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if ev.Name != "post" || string(ev.Data) != `{"id":42}` {
			t.Errorf("event %s %s", ev.Name, ev.Data)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream on the other server heard nothing")
	}
}
