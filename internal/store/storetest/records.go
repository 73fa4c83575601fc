package storetest

import (
	"context"
	"testing"

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
