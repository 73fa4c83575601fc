package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/store"
)

// AuditCount counts the audit entries of one record.
func AuditCount(tb testing.TB, db *store.DB, entity, id string) int {
	tb.Helper()
	_, n, err := db.AuditLog(context.Background(), store.AuditFilter{Entity: entity, EntityID: id})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// ActiveUnits returns the ids of the active units under a region.
func ActiveUnits(tb testing.TB, db *store.DB, region string) []int64 {
	tb.Helper()
	var ids []int64
	for page := 1; ; page++ {
		list, total, err := db.Units(context.Background(), store.UnitFilter{Roots: []string{region}, Status: "active", Page: store.Page{Page: page, Size: 100}})
		if err != nil {
			tb.Fatal(err)
		}
		for _, u := range list {
			ids = append(ids, u.ID)
		}
		if len(ids) >= total {
			return ids
		}
	}
}

// Walk is a patrol for tests of patrol days and compliance: the n-th of a
// test (its ids end in n), walked in grid by walker from start, ended after
// dur with flags and a visit to the plan's first point unless open.
type Walk struct {
	N      int
	Grid   string
	Walker int64
	Start  time.Time
	Dur    time.Duration
	Flags  patrol.Flags
	Open   bool
}

// AddWalk stores w with a two-point track and sums its day again, as the
// patrol service does when a patrol ends.
func AddWalk(tb testing.TB, db *store.DB, w Walk) {
	tb.Helper()
	ctx := context.Background()
	day := patrol.Day(w.Start, w.Start.Location())
	h := store.PatrolHistory{Patrol: patrol.Patrol{UID: fmt.Sprintf("7f1c1c52-0000-4000-8000-%012d", w.N), Grid: w.Grid, PatrollerID: w.Walker, Day: day,
		Window: patrol.DefaultPlan(w.Grid).WindowOf(w.Start, w.Start.Location()), State: patrol.StateOpen, StartedAt: w.Start, UpdatedAt: w.Start}}
	if !w.Open {
		end := w.Start.Add(w.Dur)
		h.Patrol.State, h.Patrol.EndedAt = patrol.StateEnded, end
		h.Patrol.Assessment = patrol.Assessment{Duration: w.Dur, Length: 1500, Flags: w.Flags, Points: 2}
		h.Track = []patrol.Point{{T: w.Start, Lat: 34.5722, Lon: 105.7022}, {T: end, Lat: 34.5742, Lon: 105.7022}}
		h.Visits = []patrol.Visit{{UID: fmt.Sprintf("7f1c1c52-0000-4000-9000-%012d", w.N), Site: patrol.SiteRef{Point: 1}, At: w.Start, Lat: 34.5722, Lon: 105.7022}}
	}
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		if err := tx.InsertPatrolHistories(ctx, []store.PatrolHistory{h}); err != nil {
			return err
		}
		return tx.RefreshPatrolDays(ctx, w.Grid, w.Grid, day, day)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
