package unitsvc_test

import (
	"context"
	"testing"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
	"github.com/lantian-org/lantian/internal/unit"
)

// TestSave: the grid comes from the point when none is named; a grid outside
// the editor's scope answers exactly as one that does not exist; those who
// may not edit units are refused; closing and reopening keep the unit.
func TestSave(t *testing.T) {
	testutil.EachApp(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		comm, who := testutil.As(t, a, "community1")
		fieldKey := func(err error, field string) string { return apperr.As(err).Fields[field].Key }
		u, created, err := a.Units.Save(ctx, who, comm, unit.Unit{Name: "新开餐馆", Kind: "restaurant", CreditCode: unit.CompleteCreditCode("91620502MA7APXX01"), Lat: 34.572, Lon: 105.702})
		if err != nil || !created || u.ID == 0 || u.Region != demo.GridCode(0, 0) {
			t.Fatalf("save from a point: %+v created %v, %v; want a new unit in grid (0, 0)", u, created, err)
		}
		_, _, errOther := a.Units.Save(ctx, who, comm, unit.Unit{Name: "越界", Kind: "shop", Region: demo.GridCode(3, 0)})
		_, _, errNone := a.Units.Save(ctx, who, comm, unit.Unit{Name: "越界", Kind: "shop", Region: "620502004009009"})
		if fieldKey(errOther, "region") == "" || fieldKey(errOther, "region") != fieldKey(errNone, "region") {
			t.Errorf("another community's grid: %v; a grid that does not exist: %v; want the same field error", errOther, errNone)
		}
		if _, _, err := a.Units.Save(ctx, who, comm, unit.Unit{Name: "远方", Kind: "shop", Lat: 34.9, Lon: 105.9}); fieldKey(err, "lat") == "" {
			t.Errorf("a point outside every grid: %v, want an error on lat", err)
		}
		patroller, pw := testutil.As(t, a, "patrol01")
		if _, _, err := a.Units.Save(ctx, pw, patroller, unit.Unit{Name: "巡查", Kind: "shop", Region: demo.GridCode(0, 0)}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a patroller adds a unit: %v, want forbidden", err)
		}
		if _, err := a.Units.Editable(ctx, patroller, u.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a patroller edits a unit of their grid: %v, want forbidden (they may read it)", err)
		}
		other, ow := testutil.As(t, a, "community4")
		if _, err := a.Units.SetStatus(ctx, ow, other, u.ID, unit.Closed); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another community closes the unit: %v, want not found", err)
		}
		if c, err := a.Units.SetStatus(ctx, who, comm, u.ID, unit.Closed); err != nil || c.Status != unit.Closed {
			t.Fatalf("close: %+v %v", c, err)
		}
		if c, err := a.Units.SetStatus(ctx, who, comm, u.ID, unit.Active); err != nil || c.Status != unit.Active || c.Name != "新开餐馆" {
			t.Fatalf("reopen: %+v %v", c, err)
		}
	})
}
