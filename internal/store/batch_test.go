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

// TestConcurrentCreates sends many creations at once (on SQLite they share
// transactions): repeated client ids give one case each, a bad one fails
// alone, and numbers are unique and consecutive.
func TestConcurrentCreates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		mk := func(i int, category string) *cases.Case {
			c := &cases.Case{ClientID: fmt.Sprintf("11111111-2222-4333-8444-%012d", i%40), Description: "并发", Region: demo.GridCode(0, 0),
				Source: cases.SourcePatrol, Day: "2026-11-23", Held: demo.CommunityCode(0)}
			c.Category, c.Lat, c.Lon, c.ReportedAt, c.Class, c.Severity, c.Status, c.Level, c.Version =
				category, 34.5725, 105.7025, now, cases.ClassEscalated, cases.SeverityMinor, cases.StatusReported, 3, 1
			return c
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		created, numbers, failed := 0, map[string]bool{}, 0
		for i := 0; i < 80; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				cat := "06010"
				if i == 79 {
					cat = "NOPE" // violates the category foreign key
				}
				c := mk(i, cat)
				if i == 79 {
					c.ClientID = "11111111-2222-4333-8444-999999999999"
				}
				ok, err := db.CreateCase(ctx, store.Actor{Name: "t"}, "XG", c, []cases.Entry{{Action: cases.ActionReport, Status: cases.StatusReported, Level: 3, At: now}}, nil)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed++
					return
				}
				if ok {
					created++
				}
				numbers[c.Number] = true
			}(i)
		}
		wg.Wait()
		if failed != 1 || created != 40 || len(numbers) != 40 {
			t.Fatalf("failed %d, created %d, distinct numbers %d; want 1, 40, 40", failed, created, len(numbers))
		}
		for i := 1; i <= 40; i++ {
			if !numbers[fmt.Sprintf("XG-20261123-%04d", i)] {
				t.Errorf("number XG-20261123-%04d missing, want 1 to 40 all used", i)
			}
		}
		_, n, err := db.Cases(ctx, store.CaseFilter{All: true, Page: store.Page{Size: 1}})
		if err != nil || n != 40 {
			t.Fatalf("%d cases stored, want 40", n)
		}
	})
}
