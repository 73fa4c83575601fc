package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// BenchmarkNotify is the cost the work group adds to every write that
// notifies: a case_assigned event to a grid (three inbox rows) with no
// channel, and with three matching channels and a person who has it
// e-mailed (four outbox rows more, and the case's facts read once).
func BenchmarkNotify(b *testing.B) {
	for _, withChannels := range []bool{false, true} {
		b.Run(fmt.Sprintf("channels=%v", withChannels), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, "sqlite")
			if _, err := demo.Seed(ctx, db); err != nil {
				b.Fatal(err)
			}
			if withChannels {
				err := db.Write(ctx, store.System, func(tx *store.Tx) error {
					for i, k := range []messages.Kind{messages.WeCom, messages.DingTalk, messages.Webhook, messages.SMTP} {
						c := messages.Channel{Kind: k, Name: fmt.Sprint("c", i), URL: "http://127.0.0.1:1/x", Region: demo.StreetCode,
							Events: []messages.Event{messages.CaseAssigned}, Enabled: true}
						if k == messages.SMTP {
							c.URL, c.Events = "smtp://127.0.0.1:1?from=a@example.com", nil
						}
						if err := tx.CreateChannel(ctx, &c); err != nil {
							return err
						}
					}
					p, _, err := db.Credentials(ctx, "patrol01")
					if err != nil {
						return err
					}
					return tx.SaveSettings(ctx, p.ID, messages.Settings{Email: "p@example.com", Kinds: []notify.Kind{notify.CaseAssigned}})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			ev := notify.Event{Kind: notify.CaseAssigned, Record: notify.Record{Kind: "case", Ref: "XG-B", Region: demo.GridCode(0, 0)},
				Subject: notify.Subject{Assignee: "region:" + demo.GridCode(0, 0)}}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.Notify(ctx, ev); return err }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
