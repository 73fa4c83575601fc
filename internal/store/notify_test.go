package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestNotify resolves audiences against the demo street's people and writes
// one message per person and event, in the caller's transaction.
func TestNotify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		comm, street := personID(t, db, "community1"), personID(t, db, "street")
		grid := demo.GridCode(0, 0)
		gridLeader, walkers := personID(t, db, "grid01"), []int64{personID(t, db, "patrol01"), personID(t, db, "patrol02")}
		resolve := func(sels ...notify.Selector) []int64 {
			t.Helper()
			var ids []int64
			err := db.Write(ctx, store.System, func(tx *store.Tx) (err error) {
				ids, err = tx.Recipients(ctx, sels)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		t.Run("GridAssignee", func(t *testing.T) {
			got := resolve(notify.Audience(notify.Event{Kind: notify.CaseAssigned, Subject: notify.Subject{Assignee: "region:" + grid}})...)
			want := append([]int64{gridLeader}, walkers...)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("grid assignee told %v, want grid leader and patrollers %v", got, want)
			}
		})
		t.Run("EachPersonOnce", func(t *testing.T) {
			got := resolve(notify.Selector{Role: notify.Leaders, Region: demo.CommunityCode(0)}, notify.Selector{Role: notify.Person, PersonID: comm})
			if !slices.Equal(got, []int64{comm}) {
				t.Errorf("told %v, want %v once", got, []int64{comm})
			}
		})
		t.Run("UpWhenNobodyHoldsTheRole", func(t *testing.T) {
			// The community has one leader; made inactive, the alert climbs to the street.
			p, err := db.Person(ctx, comm)
			if err != nil {
				t.Fatal(err)
			}
			p.Active = false
			if err := db.UpdatePerson(ctx, store.System, &p); err != nil {
				t.Fatal(err)
			}
			sel := notify.Selector{Role: notify.Leaders, Region: demo.CommunityCode(0)}
			if got := resolve(sel); len(got) != 0 {
				t.Errorf("without Up: told %v, want nobody (the leader is inactive)", got)
			}
			sel.Up = true
			if got := resolve(sel); !slices.Equal(got, []int64{street}) {
				t.Errorf("with Up: told %v, want the street leader %d", got, street)
			}
			p.Active = true
			if err := db.UpdatePerson(ctx, store.System, &p); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("WritesInboxInTheTransaction", func(t *testing.T) {
			ev := notify.Event{Kind: notify.LetterReminder, Record: notify.Record{Kind: "letter", ID: 1},
				Subject: notify.Subject{Unit: 1}, Args: map[string]any{"letter": 1}}
			var n int
			err := db.Write(ctx, store.System, func(tx *store.Tx) (err error) {
				n, err = tx.Notify(ctx, ev)
				return err
			})
			if err != nil || n == 0 {
				t.Fatalf("Notify: %d messages, %v; want at least one for unit 1's contact", n, err)
			}
			contact := personID(t, db, "unit01")
			items, _, err := db.Inbox(ctx, contact, true, store.Page{})
			if err != nil || len(items) == 0 || items[0].Kind != string(notify.LetterReminder) || !strings.Contains(items[0].Args, `"letter":1`) {
				t.Fatalf("unit01's inbox %+v %v, want the letter reminder", items, err)
			}
		})
		t.Run("UnknownKindIsAnError", func(t *testing.T) {
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				_, err := tx.Notify(ctx, notify.Event{Kind: "nonsense"})
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "nonsense") {
				t.Errorf("unknown kind: err = %v, want one naming it", err)
			}
		})
	})
}
