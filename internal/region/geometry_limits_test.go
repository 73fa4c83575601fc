package region

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lantian-org/lantian/internal/apperr"
)

// pairwise is the plain quadratic check the sweep must agree with.
func pairwise(r orb.Ring) bool {
	n := len(r) - 1
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if j == i+1 || (i == 0 && j == n-1) {
				continue
			}
			if segmentsIntersect(r[i], r[i+1], r[j], r[j+1]) {
				return true
			}
		}
	}
	return false
}

func TestSelfIntersectsAgreesWithPairwise(t *testing.T) {
	rnd := rand.New(rand.NewPCG(8, 8))
	crossing := 0
	for k := range 3000 {
		n := 3 + k%12
		r := make(orb.Ring, 0, n+1)
		for range n {
			// A coarse grid makes touching and collinear edges common.
			r = append(r, orb.Point{float64(rnd.IntN(6)), float64(rnd.IntN(6))})
		}
		r = append(r, r[0])
		want := pairwise(r)
		got := selfIntersects(r)
		if (got == errCrossing) != want || got == errComplex {
			t.Fatalf("ring %v: sweep %v, pairwise %v", r, got, want)
		}
		if want {
			crossing++
		}
	}
	if crossing < 300 || crossing > 2700 {
		t.Errorf("%d of 3000 random rings cross: the sample proves little", crossing)
	}
}

// circle is a simple ring of n points.
func circle(n int) orb.Ring {
	r := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		r = append(r, orb.Point{105.7 + 0.01*math.Cos(a), 34.57 + 0.01*math.Sin(a)})
	}
	return append(r, r[0])
}

func TestGeometryLimits(t *testing.T) {
	// A long ordinary outline passes: the sweep tests a few edges per edge.
	if err := (&Geometry{orb.Polygon{circle(200_000)}}).Validate(); err != nil {
		t.Errorf("a 200,000-point circle: %v", err)
	}
	// Too many points.
	err := (&Geometry{orb.MultiPolygon{{circle(MaxPoints / 2)}, {circle(MaxPoints / 2)}}}).Validate()
	if e := apperr.As(err); e.Msg.Key != "err.geojson_too_many_points" || e.Msg.Args[0] != MaxPoints {
		t.Errorf("%d points: %v", MaxPoints+2, err)
	}
	// A comb whose teeth all span the same longitudes: every edge overlaps
	// every other in x, so checking it would be quadratic. Refused as complex.
	var comb orb.Ring
	const teeth = 20_000
	for i := range teeth {
		y := 34.0 + float64(i)*1e-5
		comb = append(comb, orb.Point{105.0, y}, orb.Point{106.0, y + 0.5e-5})
	}
	comb = append(comb, orb.Point{104.0, 34.0 + teeth*1e-5}, orb.Point{104.0, 33.9}, comb[0])
	err = (&Geometry{orb.Polygon{comb}}).Validate()
	if e := apperr.As(err); e.Msg.Key != "err.geojson_complex" {
		t.Errorf("comb: %v", err)
	}
}
