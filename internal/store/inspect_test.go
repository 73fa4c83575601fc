package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestInspectionStore: one scheduled inspection per community and week,
// optimistic locking, the checklist's versions, and what the hotspot
// search and the agenda read, on both databases.
func TestInspectionStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, db); err != nil {
			t.Fatal(err)
		}
		comm := demo.CommunityCode(0)
		cl := inspect.DefaultChecklist(2026)
		in := inspect.Inspection{Region: comm, Street: demo.StreetCode, Date: "2026-09-18", Slot: "2026-09-14", Status: inspect.StatusPlanned,
			Year: 2026, Items: cl.Sheet(), Max: cl.Max()}
		var created [2]bool
		for i := range created {
			c := in
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				var err error
				created[i], err = tx.CreateInspection(ctx, &c)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			in.ID = max(in.ID, c.ID)
		}
		if !created[0] || created[1] {
			t.Fatalf("created %v, want the week's inspection once", created)
		}
		extra := in
		extra.Slot = ""
		for range 2 {
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.CreateInspection(ctx, &extra); return err }); err != nil {
				t.Fatal(err)
			}
		}
		if _, n, err := db.Inspections(ctx, store.InspectionFilter{All: true, Region: comm}); err != nil || n != 3 {
			t.Fatalf("inspections of the community: %d, %v; want 3 (one scheduled, two extra)", n, err)
		}
		got, err := db.Inspection(ctx, in.ID)
		if err != nil || got.Slot != "2026-09-14" || len(got.Items) != 6 || got.Score != nil {
			t.Fatalf("read back %+v, %v", got, err)
		}
		after := got
		after.Items, _ = inspect.ApplyScores(got.Items, []inspect.Score{{Key: "patrol", Score: 17.5}})
		after.Score, after.Status = inspect.Total(after.Items), inspect.StatusOpen
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.UpdateInspection(ctx, got, &after, "score") }); err != nil {
			t.Fatal(err)
		}
		stale := after
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.UpdateInspection(ctx, got, &stale, "score") })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a stale update: %v, want a conflict", err)
		}
		if again, _ := db.Inspection(ctx, in.ID); again.Score == nil || *again.Score != 17.5 || again.Version != 2 {
			t.Fatalf("after scoring: %+v", again)
		}

		// Checklists: the default until saved, then versions.
		if c, found, err := db.InspectionChecklist(ctx, 2027); err != nil || found || !c.Default {
			t.Fatalf("an unsaved year: %+v %v %v", c, found, err)
		}
		for want := 1; want <= 2; want++ {
			c := inspect.DefaultChecklist(2027)
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveChecklist(ctx, &c) }); err != nil || c.Version != want {
				t.Fatalf("save %d: version %d, %v", want, c.Version, err)
			}
		}

		// The hotspot search's points, and a community's overdue cases.
		now := time.Now()
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			for i, st := range []cases.Status{cases.StatusAssigned, cases.StatusRejected, cases.StatusClosed} {
				c := cases.Case{ClientID: "7c0e0c52-0000-4000-8000-00000000000" + string(rune('1'+i)), Description: "x", Region: demo.GridCode(0, 0),
					Source: cases.SourcePatrol, Day: now.Format("2006-01-02"), Held: comm, UpdatedAt: now}
				c.Category, c.Lat, c.Lon, c.ReportedAt, c.Status, c.Class = "06010", 34.5725, 105.7025, now, st, cases.ClassEscalated
				c.Severity, c.Level, c.Version, c.Deadline, c.Rework = cases.SeverityMinor, 3, 1, now.Add(-time.Hour), i
				if err := tx.InsertCaseHistory(ctx, "XG", &c, nil); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		pts, err := db.HotspotPoints(ctx, []string{comm, demo.CommunityCode(1)}, now.AddDate(0, 0, -1).Format("2006-01-02"))
		if err != nil || len(pts) != 2 || pts[0].Community != comm || pts[0].Number == "" {
			t.Fatalf("hotspot points: %+v, %v; want the two cases that are not rejected", pts, err)
		}
		list, total, err := db.OverdueOf(ctx, comm, now, 10)
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("overdue: %v %d %v; want the one assigned case", list, total, err)
		}
	})
}
