package region

import (
	"encoding/json"
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/locale"
)

// FuzzParseGeometry: a geometry is refused with a translated message, or
// accepted valid within MaxPoints, written back as GeoJSON that reads the
// same, and usable for point lookups.
func FuzzParseGeometry(f *testing.F) {
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[105.70,34.57],[105.71,34.57],[105.71,34.58],[105.70,34.58],[105.70,34.57]]]}`))
	f.Add([]byte(`{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[105.70,34.57],[105.71,34.57],[105.71,34.58],[105.70,34.57]]],[[[105.8,34.6],[105.9,34.6],[105.9,34.7],[105.8,34.6]]]]}}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[105.70,34.57],[105.71,34.58],[105.71,34.57],[105.70,34.58],[105.70,34.57]]]}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.1],[0.8,0.1],[0.8,0.5],[0.2,0.1]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGeometry(data)
		if err != nil {
			e := apperr.As(err)
			if e.Code != apperr.Invalid || !locale.Has("zh-CN", e.Msg.Key) {
				t.Fatalf("error %v", err)
			}
			return
		}
		n := Points(g)
		if n > MaxPoints || n < 4 {
			t.Fatalf("accepted %d points", n)
		}
		out, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseGeometry(out)
		if err != nil || Points(again) != n {
			t.Fatalf("written back as %s: %v", out, err)
		}
		c := g.Bound().Center()
		g.Contains(c[0], c[1])
	})
}
