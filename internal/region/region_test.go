package region

import (
	"strconv"
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
)

func TestCodes(t *testing.T) {
	for _, tc := range []struct {
		code   string
		level  Level
		parent string
	}{
		{"620502000000000", District, ""},
		{"620502004000000", Street, "620502000000000"},
		{"620502004001000", Community, "620502004000000"},
		{"620502004001002", Grid, "620502004001000"},
		{"62050200400100", 0, ""},
		{"62050200400100x", 0, ""},
	} {
		if got := LevelOf(tc.code); got != tc.level {
			t.Errorf("LevelOf(%s) = %d, want %d", tc.code, got, tc.level)
		}
		if got := ParentOf(tc.code); got != tc.parent {
			t.Errorf("ParentOf(%s) = %q, want %q", tc.code, got, tc.parent)
		}
	}
	if !Contains("620502004000000", "620502004001002") || Contains("620502004001000", "620502004002001") || Contains("620502004001002", "620502004001000") {
		t.Error("Contains is wrong")
	}
	if got := AncestorAt("620502004001002", Community); got != "620502004001000" {
		t.Errorf("AncestorAt = %s", got)
	}
}

func TestParseGeometry(t *testing.T) {
	for _, tc := range []struct {
		name, json, err string
	}{
		{"OK", `{"type":"Polygon","coordinates":[[[105.70,34.57],[105.71,34.57],[105.71,34.58],[105.70,34.58],[105.70,34.57]]]}`, ""},
		{"OKFeature", `{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[105.70,34.57],[105.71,34.57],[105.71,34.58],[105.70,34.57]]]]}}`, ""},
		{"ErrNotClosed", `{"type":"Polygon","coordinates":[[[105.70,34.57],[105.71,34.57],[105.71,34.58],[105.70,34.58]]]}`, "err.geojson_not_closed"},
		{"ErrSelfIntersecting", `{"type":"Polygon","coordinates":[[[105.70,34.57],[105.71,34.58],[105.71,34.57],[105.70,34.58],[105.70,34.57]]]}`, "err.geojson_self_intersect"},
		{"ErrType", `{"type":"LineString","coordinates":[[105.70,34.57],[105.71,34.57]]}`, "err.geojson_type"},
		{"ErrSyntax", `{"type":"Polygon","coordinates":[[[105.70,34.57]`, "err.geojson_syntax"},
		{"ErrRange", `{"type":"Polygon","coordinates":[[[205.70,34.57],[105.71,34.57],[105.71,34.58],[205.70,34.57]]]}`, "err.geojson_coords"},
		{"ErrShort", `{"type":"Polygon","coordinates":[[[105.70,34.57],[105.71,34.57],[105.70,34.57]]]}`, "err.geojson_ring_short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseGeometry([]byte(tc.json))
			got := ""
			if err != nil {
				got = apperr.As(err).Msg.Key
			}
			if got != tc.err {
				t.Fatalf("error %q, want %q", got, tc.err)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) *Geometry {
		g, err := ParseGeometry([]byte(`{"type":"Polygon","coordinates":[[[` +
			f(x0) + `,` + f(y0) + `],[` + f(x1) + `,` + f(y0) + `],[` + f(x1) + `,` + f(y1) + `],[` + f(x0) + `,` + f(y1) + `],[` + f(x0) + `,` + f(y0) + `]]]}`))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	var ix Index
	ix.Rebuild([]Region{
		{Code: "620502004001001", Level: Grid, Geometry: sq(105.70, 34.57, 105.71, 34.58)},
		{Code: "620502004001002", Level: Grid, Geometry: sq(105.71, 34.57, 105.72, 34.58)},
		{Code: "620502004001000", Level: Community, Geometry: sq(105.70, 34.57, 105.72, 34.58)},
	})
	if ix.Len() != 2 {
		t.Fatalf("indexed %d grids, want 2 (communities are not grids)", ix.Len())
	}
	if g, err := ix.Lookup(34.575, 105.715); err != nil || g != "620502004001002" {
		t.Fatalf("Lookup = %q, %v", g, err)
	}
	if _, err := ix.Lookup(34.60, 105.715); err != ErrOutside {
		t.Fatalf("outside point: %v, want ErrOutside", err)
	}
	if _, err := ix.Lookup(95, 105); err == nil {
		t.Fatal("impossible latitude accepted")
	}
}

func f(v float64) string { return fmtFloat(v) }

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
