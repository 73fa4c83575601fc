package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// seedCases adds n reported cases in the first grid, one per minute from now.
func seedCases(t *testing.T, db *store.DB, n int, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		at := now.Add(time.Duration(i) * time.Minute)
		c := &cases.Case{ClientID: fmt.Sprintf("22222222-2222-4333-8444-%012d", i), Description: "分页", Region: demo.GridCode(0, 0),
			Source: cases.SourcePatrol, Day: at.Format("2006-01-02"), Held: demo.CommunityCode(0)}
		c.Category, c.Lat, c.Lon, c.ReportedAt, c.Class, c.Severity, c.Status, c.Level, c.Version =
			"06010", 34.5725, 105.7025, at, cases.ClassEscalated, cases.SeverityMinor, cases.StatusReported, 3, 1
		entry := []cases.Entry{{Action: cases.ActionReport, Status: cases.StatusReported, Level: 3, At: at}}
		if _, err := db.CreateCase(ctx, store.Actor{Name: "t"}, "XG", c, entry, nil); err != nil {
			t.Fatalf("create case %d: %v", i, err)
		}
	}
}

// TestPagesShareOneStatement pages through a list: every page runs the same
// SQL with LIMIT and OFFSET bound, so the statement cache does not grow
// (PostgreSQL has no cache of ours, its length stays 0: pgx caches there).
func TestPagesShareOneStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		seedCases(t, db, 30, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		f := store.CaseFilter{Roots: []string{demo.StreetCode}, Page: store.Page{Page: 1, Size: 3}}
		if _, _, err := db.Cases(ctx, f); err != nil {
			t.Fatalf("page 1: %v", err)
		}
		before := store.StmtCacheLen(db)
		seen := map[int64]bool{}
		for page := 1; page <= 12; page++ {
			f.Page.Page = page
			list, total, err := db.Cases(ctx, f)
			if err != nil {
				t.Fatalf("page %d: %v", page, err)
			}
			if total != 30 {
				t.Fatalf("page %d: total %d, want 30", page, total)
			}
			want := 3
			if page > 10 {
				want = 0
			}
			if len(list) != want {
				t.Fatalf("page %d: %d cases, want %d", page, len(list), want)
			}
			for _, c := range list {
				if seen[c.ID] {
					t.Fatalf("page %d repeats case %d", page, c.ID)
				}
				seen[c.ID] = true
			}
		}
		if len(seen) != 30 {
			t.Errorf("the pages showed %d distinct cases, want 30", len(seen))
		}
		if after := store.StmtCacheLen(db); after != before {
			t.Errorf("paging through 12 pages grew the statement cache from %d to %d entries, want no growth", before, after)
		}
	})
}

// TestStmtCacheUnderLoad runs many paged list queries at once over far more
// distinct filters than the statement cache holds: evicting a statement must
// never break a query that is using it ("sql: statement is closed").
func TestStmtCacheUnderLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		seedCases(t, db, 40, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		units, _, err := db.Units(ctx, store.UnitFilter{Roots: []string{demo.StreetCode}, Page: store.Page{Size: 100}})
		if err != nil || len(units) < 10 {
			t.Fatalf("demo units: %d, %v; want at least 10", len(units), err)
		}
		store.SetStmtCacheSize(db, 4)
		const workers, rounds = 12, 60
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rounds {
					n := w*rounds + i
					// The number of unit ids and roots changes the SQL text: dozens of distinct statements.
					ids := make([]int64, 1+n%len(units))
					for k := range ids {
						ids[k] = units[k].ID
					}
					roots := []string{demo.StreetCode}
					for k := range n % 7 {
						roots = append(roots, demo.GridCode(k%5, k/5))
					}
					page := store.Page{Page: 1 + n%9, Size: 5}
					if _, _, err := db.Cases(ctx, store.CaseFilter{Roots: roots, UnitIDs: ids, Page: page}); err != nil {
						errs <- fmt.Errorf("cases with %d roots and %d units, page %d: %w", len(roots), len(ids), page.Page, err)
						return
					}
					if _, _, err := db.Patrols(ctx, store.PatrolFilter{Roots: roots, Page: page}); err != nil {
						errs <- fmt.Errorf("patrols with %d roots, page %d: %w", len(roots), page.Page, err)
						return
					}
					if _, err := db.Person(ctx, int64(1+n%20)); err != nil {
						errs <- fmt.Errorf("person %d: %w", 1+n%20, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent paged query failed, want none: %v", err)
		}
	})
}
