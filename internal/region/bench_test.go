package region_test

import (
	"context"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// BenchmarkLookup measures point-to-grid over the demo street's 30 grids.
func BenchmarkLookup(b *testing.B) {
	db := storetest.Open(b, "sqlite")
	if _, err := demo.Seed(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	rs, _ := db.AllRegions(context.Background())
	var ix region.Index
	ix.Rebuild(rs)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		lat := 34.571 + float64(i%180)*0.0001
		lon := 105.701 + float64(i%380)*0.0001
		ix.Lookup(lat, lon)
	}
}
