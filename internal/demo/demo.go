// Package demo fills an empty database with a realistic, deterministic demo
// street: 西关街道 of 秦州区, Tianshui, with six communities, thirty grids,
// its units and its people. Tests rely on it staying the same run to run.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Password is every demo account's password.
const Password = "demo-pass"

// Codes of the demo street's upper levels.
const (
	DistrictCode = "620502000000000" // 秦州区 (GB/T 2260: 620502)
	StreetCode   = "620502004000000" // 西关街道
)

// Communities are the six communities, west to east.
var Communities = []string{"忠武巷社区", "砚房背后社区", "澄源巷社区", "双桥社区", "自由路社区", "官泉社区"}

// Lattice of the street: 7 × 6 corner points over about 3.7 km × 2.2 km
// around 34.58 N, 105.72 E; community c owns column c, grid r its row r.
const (
	cols, rows = 6, 5
	west, east = 105.700, 105.740
	south      = 34.570
	north      = 34.590
)

// CommunityCode returns the code of community c (0-based).
func CommunityCode(c int) string { return fmt.Sprintf("620502004%03d000", c+1) }

// GridCode returns the code of grid r (0-based) of community c.
func GridCode(c, r int) string { return fmt.Sprintf("620502004%03d%03d", c+1, r+1) }

type builder struct {
	rnd     *rand.Rand
	lattice [cols + 1][rows + 1]orb.Point
}

func newBuilder() *builder {
	b := &builder{rnd: rand.New(rand.NewPCG(2017, 116))}
	dx, dy := (east-west)/cols, (north-south)/rows
	for i := 0; i <= cols; i++ {
		for j := 0; j <= rows; j++ {
			p := orb.Point{west + float64(i)*dx, south + float64(j)*dy}
			if i > 0 && i < cols {
				p[0] += (b.rnd.Float64() - 0.5) * dx * 0.3
			}
			if j > 0 && j < rows {
				p[1] += (b.rnd.Float64() - 0.5) * dy * 0.3
			}
			b.lattice[i][j] = p
		}
	}
	return b
}

func ring(pts ...orb.Point) *region.Geometry {
	r := orb.Ring(append(pts, pts[0]))
	return &region.Geometry{Geometry: orb.Polygon{r}}
}

// cell returns grid (c, r)'s quad, counter-clockwise.
func (b *builder) cell(c, r int) *region.Geometry {
	l := b.lattice
	return ring(l[c][r], l[c+1][r], l[c+1][r+1], l[c][r+1])
}

// column returns the outline of columns c0..c1-1, counter-clockwise.
func (b *builder) column(c0, c1 int) *region.Geometry {
	var pts []orb.Point
	for i := c0; i <= c1; i++ {
		pts = append(pts, b.lattice[i][0])
	}
	for j := 1; j <= rows; j++ {
		pts = append(pts, b.lattice[c1][j])
	}
	for i := c1 - 1; i >= c0; i-- {
		pts = append(pts, b.lattice[i][rows])
	}
	for j := rows - 1; j >= 1; j-- {
		pts = append(pts, b.lattice[c0][j])
	}
	return ring(pts...)
}

// spot returns a deterministic point well inside grid (c, r).
func (b *builder) spot(c, r int) (lat, lon float64) {
	l := b.lattice
	u, v := 0.25+b.rnd.Float64()*0.5, 0.25+b.rnd.Float64()*0.5
	// Bilinear interpolation inside the quad.
	p00, p10, p11, p01 := l[c][r], l[c+1][r], l[c+1][r+1], l[c][r+1]
	x := (1-u)*(1-v)*p00[0] + u*(1-v)*p10[0] + u*v*p11[0] + (1-u)*v*p01[0]
	y := (1-u)*(1-v)*p00[1] + u*(1-v)*p10[1] + u*v*p11[1] + (1-u)*v*p01[1]
	return round6(y), round6(x)
}

func round6(f float64) float64 { return float64(int64(f*1e6+0.5)) / 1e6 }

// Account is a demo sign-in shown in the README and on start.
type Account struct {
	Username, Role, Scope string
}

// Accounts lists the demo sign-ins a visitor would try first.
func Accounts() []Account {
	return []Account{
		{"admin", "admin", "秦州区"}, {"street", "leader", "西关街道"}, {"inspector", "inspector", "西关街道"},
		{"community1", "leader", Communities[0]}, {"grid01", "leader", Communities[0] + " 第1网格"},
		{"patrol01", "patroller", Communities[0] + " 第1网格"}, {"volunteer01", "volunteer", Communities[0]},
		{"unit01", "unit_contact", "市三中"},
	}
}

// Seed fills db with the demo street when it holds no regions; it reports whether it did.
func Seed(ctx context.Context, db *store.DB) (bool, error) {
	n, err := db.CountRegions(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	b := newBuilder()
	hash, err := people.HashPassword(Password)
	if err != nil {
		return false, err
	}
	return true, db.Write(ctx, store.System, func(tx *store.Tx) error {
		return b.seed(ctx, tx, hash)
	})
}
