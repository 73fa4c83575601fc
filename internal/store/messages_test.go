package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

func addChannel(t *testing.T, db *store.DB, c messages.Channel) messages.Channel {
	t.Helper()
	c.Enabled = true
	if err := db.Write(context.Background(), store.System, func(tx *store.Tx) error { return tx.CreateChannel(context.Background(), &c) }); err != nil {
		t.Fatal(err)
	}
	return c
}

func outboxRows(t *testing.T, db *store.DB) []store.OutboxItem {
	t.Helper()
	list, _, err := db.Outbox(context.Background(), store.OutboxFilter{All: true, Page: store.Page{Size: 100}})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// assigned is a case_assigned event for a case in grid (0, 0) assigned to that grid.
func assigned(ref string) notify.Event {
	return notify.Event{Kind: notify.CaseAssigned, Record: notify.Record{Kind: "case", Ref: ref, Region: demo.GridCode(0, 0)},
		Subject: notify.Subject{Held: demo.CommunityCode(0), Assignee: "region:" + demo.GridCode(0, 0)}}
}

// TestOutboxRidesTheTransaction: Notify writes outbox rows with the inbox,
// in the caller's transaction, so a rolled-back write leaves neither; the
// commit hook hears of a committed one only.
func TestOutboxRidesTheTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		var mu sync.Mutex
		var heard []store.Change
		db.OnCommit(func(c store.Change) { mu.Lock(); heard = append(heard, c); mu.Unlock() })
		robot := addChannel(t, db, messages.Channel{Kind: messages.WeCom, Name: "社区群", URL: "http://127.0.0.1:1/r", Region: demo.CommunityCode(0),
			Events: []messages.Event{messages.CaseAssigned}})
		addChannel(t, db, messages.Channel{Kind: messages.WeCom, Name: "别的社区", URL: "http://127.0.0.1:1/o", Region: demo.CommunityCode(1),
			Events: []messages.Event{messages.CaseAssigned}})
		failed := errors.New("the write fails after notifying")
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			if _, err := tx.Notify(ctx, assigned("XG-ROLLBACK")); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) || len(outboxRows(t, db)) != 0 || len(heard) != 0 {
			t.Fatalf("after a rollback: %v, %d outbox rows, %d commits heard", err, len(outboxRows(t, db)), len(heard))
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.Notify(ctx, assigned("XG-COMMIT")); return err })
		if err != nil {
			t.Fatal(err)
		}
		rows := outboxRows(t, db)
		if len(rows) != 1 || rows[0].ChannelID != robot.ID || rows[0].Event != messages.CaseAssigned || rows[0].RecordRef != "XG-COMMIT" ||
			rows[0].Status != messages.Pending || rows[0].Region != demo.GridCode(0, 0) {
			t.Fatalf("outbox %+v", rows)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(heard) != 1 || !heard[0].Outbox || len(heard[0].Inbox) != 3 {
			t.Fatalf("heard %+v, want one commit with outbox rows and three inbox recipients", heard)
		}
	})
}

// TestPersonalMail: a recipient who asked for a kind by e-mail gets an
// outbox row on the office's SMTP channel; others do not; with no SMTP
// channel nothing is queued for them.
func TestPersonalMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		p1 := personID(t, db, "patrol01")
		save := func(id int64, s messages.Settings) {
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveSettings(ctx, id, s) }); err != nil {
				t.Fatal(err)
			}
		}
		save(p1, messages.Settings{Email: "p1@example.com", Kinds: []notify.Kind{notify.CaseAssigned, notify.CaseOverdue}})
		save(personID(t, db, "patrol02"), messages.Settings{Email: "p2@example.com", Kinds: []notify.Kind{notify.CaseOverdue}})
		notifyOnce := func(ev notify.Event) {
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.Notify(ctx, ev); return err }); err != nil {
				t.Fatal(err)
			}
		}
		notifyOnce(assigned("XG-NOMAIL"))
		if rows := outboxRows(t, db); len(rows) != 0 {
			t.Fatalf("queued without an SMTP channel: %+v", rows)
		}
		mail := addChannel(t, db, messages.Channel{Kind: messages.SMTP, Name: "街道邮件", URL: "smtp://mail.example?from=a@example.com", Region: demo.StreetCode})
		notifyOnce(assigned("XG-MAIL"))
		rows := outboxRows(t, db)
		if len(rows) != 1 || rows[0].PersonID != p1 || rows[0].ChannelID != mail.ID || rows[0].Event != messages.Personal || rows[0].Kind != "assigned" {
			t.Fatalf("outbox %+v, want one personal e-mail to patrol01", rows)
		}
		got, err := db.Settings(ctx, p1)
		if err != nil || got.Email != "p1@example.com" || fmt.Sprint(got.Kinds) != "[assigned overdue]" {
			t.Fatalf("settings read back %+v %v", got, err)
		}
	})
}

// TestClaim: claims take the oldest due message, count towards the robot's
// rate limit, leave disabled and resting channels alone, and a message
// given back (Abort) or deferred is claimed again when due.
func TestClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		robot := addChannel(t, db, messages.Channel{Kind: messages.WeCom, Name: "街道群", URL: "http://127.0.0.1:1/r", Region: demo.StreetCode,
			Events: []messages.Event{messages.CaseAssigned}})
		for i := 0; i < 22; i++ {
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.Notify(ctx, assigned(fmt.Sprintf("XG-%02d", i))); return err }); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now().Add(time.Second)
		first, _, err := db.Claim(ctx, robot.ID, now)
		if err != nil || first == nil || first.Item.RecordRef != "XG-00" || first.Channel.URL != "http://127.0.0.1:1/r" {
			t.Fatalf("first claim %+v %v", first, err)
		}
		// Given back, it is the next one claimed again.
		if err := first.Abort(ctx); err != nil {
			t.Fatal(err)
		}
		// On SQLite the claim given back still counts towards the rate (its
		// lease was taken); on PostgreSQL its transaction rolled back, count and all.
		admitted := 1
		if db.Dialect == store.Postgres {
			admitted = 0
		}
		for i := 0; i < 25; i++ {
			d, _, err := db.Claim(ctx, robot.ID, now)
			if err != nil {
				t.Fatal(err)
			}
			if d == nil {
				break
			}
			admitted++
			if i == 0 && d.Item.RecordRef != "XG-00" {
				d.Abort(ctx)
				t.Fatalf("after Abort the claim took %s", d.Item.RecordRef)
			}
			if i == 1 {
				// Deferred for a minute: not claimed now.
				if err := d.Defer(ctx, now.Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := d.Sent(ctx, now); err != nil {
				t.Fatal(err)
			}
		}
		if admitted != 20 {
			t.Fatalf("%d claims admitted within a minute, want 20", admitted)
		}
		// Twenty claims within the minute: the robot must wait.
		d, wait, err := db.Claim(ctx, robot.ID, now)
		if d != nil {
			d.Abort(ctx)
		}
		if err != nil || d != nil || wait <= 0 || wait > time.Minute+time.Millisecond {
			t.Fatalf("21st claim in a minute: %+v, wait %v, %v", d, wait, err)
		}
		sentBefore := admitted - 2
		if db.Dialect == store.Postgres {
			sentBefore = admitted - 1
		}
		later := now.Add(time.Minute + time.Second)
		d, _, err = db.Claim(ctx, robot.ID, later)
		if err != nil || d == nil || d.Item.RecordRef != "XG-01" {
			if d != nil {
				d.Abort(ctx)
			}
			t.Fatalf("a minute later the deferred one comes first: %+v %v", d, err)
		}
		next, dead := messages.Retry(d.Item.Since, later, 1)
		if err := d.Failed(ctx, "errcode 93000", next, dead, later.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if d, wait, _ := db.Claim(ctx, robot.ID, later.Add(time.Second)); d != nil || wait <= 0 {
			t.Fatalf("a resting channel was claimed: %+v %v", d, wait)
		}
		c, _ := db.Channel(ctx, robot.ID)
		if c.LastError != "errcode 93000" {
			t.Fatalf("channel's last error %q", c.LastError)
		}
		// Disabled: nothing is claimed, and it is not due.
		c.Enabled = false
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.UpdateChannel(ctx, c.Channel) }); err != nil {
			t.Fatal(err)
		}
		if d, wait, _ := db.Claim(ctx, robot.ID, later.Add(time.Hour)); d != nil || wait != 0 {
			t.Fatalf("a disabled channel was claimed: %+v %v", d, wait)
		}
		if ids, _ := db.DueChannels(ctx, later.Add(time.Hour)); len(ids) != 0 {
			t.Fatalf("a disabled channel is due: %v", ids)
		}
		if _, n, _ := db.Outbox(ctx, store.OutboxFilter{All: true, Status: messages.Sent}); n != sentBefore {
			t.Fatalf("%d sent, want %d", n, sentBefore)
		}
	})
}

// TestClaimsDoNotBlockOtherChannels holds one channel's message in flight
// while another claim on the same channel comes back empty-handed at once,
// and another channel's message is claimed and recorded (on PostgreSQL each
// holds its row locks in an open transaction).
func TestClaimsDoNotBlockOtherChannels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		on := []messages.Event{messages.CaseAssigned}
		a := addChannel(t, db, messages.Channel{Kind: messages.WeCom, Name: "A", URL: "http://127.0.0.1:1/a", Region: demo.StreetCode, Events: on})
		b := addChannel(t, db, messages.Channel{Kind: messages.WeCom, Name: "B", URL: "http://127.0.0.1:1/b", Region: demo.CommunityCode(0), Events: on})
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.Notify(ctx, assigned("XG-AB")); return err }); err != nil {
			t.Fatal(err)
		}
		now := time.Now().Add(time.Second)
		da, _, err := db.Claim(ctx, a.ID, now)
		if err != nil || da == nil {
			t.Fatalf("claim A: %v %v", da, err)
		}
		done := make(chan error, 1)
		go func() {
			// A's own message is in flight: a second claim on A gets nothing, without waiting for it.
			if again, _, err := db.Claim(ctx, a.ID, now); err != nil || again != nil {
				if again != nil {
					again.Abort(ctx)
				}
				done <- fmt.Errorf("a second claim on A: %v, %v", again, err)
				return
			}
			db2, _, err := db.Claim(ctx, b.ID, now)
			if err == nil && db2 != nil {
				err = db2.Sent(ctx, now)
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("channel B waited for channel A's message in flight")
		}
		if err := da.Sent(ctx, now); err != nil {
			t.Fatal(err)
		}
	})
}
