package importer_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/importer"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestRegionsLimits: a regions file over its points is refused as a whole;
// a feature over region.MaxPoints, or too complex to check, is a problem
// of its row; a body over MaxGeoJSONBytes is refused before decoding.
func TestRegionsLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		ok := `{"type":"Polygon","coordinates":` + square(105.745, 34.575, 0.002) + `}` // 5 points
		file := collection(
			feature(`{"code":"620502004001021","name":"一"}`, ok),
			feature(`{"code":"620502004001022","name":"二"}`, ok),
			feature(`{"code":"620502004001023","name":"三"}`, ok),
		)
		_, err := importer.ParseRegions(ctx, db, bytes.NewReader(file), importer.Options{MaxPoints: 14})
		wantKey(t, err, apperr.TooLarge, "import.too_many_points", 14)
		if _, err := importer.ParseRegions(ctx, db, bytes.NewReader(file), importer.Options{MaxPoints: 15}); err != nil {
			t.Fatalf("at the limit: %v", err)
		}

		big := bytes.Repeat([]byte(" "), importer.MaxGeoJSONBytes+1)
		_, err = importer.ParseRegions(ctx, db, bytes.NewReader(big), importer.Options{})
		wantKey(t, err, apperr.TooLarge, "import.file_too_large")

		var comb strings.Builder
		comb.WriteString(`{"type":"Polygon","coordinates":[[`)
		for i := range 5000 {
			y := 34.0 + float64(i)*1e-5
			comb.WriteString(`[105.0,` + ftoa(y) + `],[106.0,` + ftoa(y+0.5e-5) + `],`)
		}
		comb.WriteString(`[104.0,34.06],[104.0,33.9],[105.0,34.0]]]}`)
		p, err := importer.ParseRegions(ctx, db, bytes.NewReader(collection(feature(`{"code":"620502004001024","name":"梳子"}`, comb.String()))), importer.Options{})
		if err != nil || len(p.Report.Problems) != 1 || p.Report.Problems[0].Key != "err.geojson_complex" {
			t.Fatalf("comb: %v %+v", err, p.Report.Problems)
		}
	})
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
