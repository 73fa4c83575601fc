package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestSeedMessages: the demo work group has notices with receipts partly
// outstanding, a feed with comments, and a disabled example channel that
// leaves the outbox empty; seeding again adds nothing.
func TestSeedMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, db); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))
		n, err := demo.SeedMessages(ctx, db, now)
		if err != nil || n != 3 {
			t.Fatalf("SeedMessages = %d, %v", n, err)
		}
		if again, err := demo.SeedMessages(ctx, db, now); err != nil || again != 0 {
			t.Fatalf("again: %d, %v", again, err)
		}
		p, _, _ := db.Credentials(ctx, "street")
		sent, _, err := db.SentNotices(ctx, store.SentFilter{Sender: p.ID})
		if err != nil || len(sent) != 2 {
			t.Fatalf("the street's notices %+v %v", sent, err)
		}
		monthEnd := sent[0]
		if monthEnd.Recipients != 6 || monthEnd.Acked != 4 || monthEnd.Read != 5 || !monthEnd.CreatedAt.Equal(now.Add(-51*time.Hour)) {
			t.Fatalf("the month-end notice %+v", monthEnd)
		}
		c1, _, _ := db.Credentials(ctx, "community1")
		own, _, err := db.SentNotices(ctx, store.SentFilter{Sender: c1.ID})
		if err != nil || len(own) != 1 || own[0].Recipients != 10 || own[0].Acked != 4 || own[0].Read != 6 || own[0].RemindedAt.IsZero() {
			t.Fatalf("community1's notice to its patrollers %+v %v", own, err)
		}
		mine, _, err := db.MyNotices(ctx, c1.ID, false, store.Page{})
		if err != nil || len(mine) != 2 {
			t.Fatalf("community1's notices %+v %v", mine, err)
		}
		posts, total, err := db.Feed(ctx, store.FeedFilter{All: true})
		if err != nil || total != 5 || posts[len(posts)-1].Comments != 2 {
			t.Fatalf("feed %d %+v %v", total, posts, err)
		}
		chans, _, err := db.Channels(ctx, store.ChannelFilter{All: true})
		if err != nil || len(chans) != 1 || chans[0].Enabled {
			t.Fatalf("channels %+v %v", chans, err)
		}
		if _, n, _ := db.Outbox(ctx, store.OutboxFilter{All: true}); n != 0 {
			t.Fatalf("%d outbox messages from the demo", n)
		}
	})
}
