// Package region holds the grid hierarchy of a street office — district,
// street, community and grid — with its 15-digit codes, polygons and the
// point-to-grid lookup.
package region

import (
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Level is the depth of a region in the hierarchy.
type Level int

// The four levels; a grid is the smallest cell patrollers walk.
const (
	District  Level = 1
	Street    Level = 2
	Community Level = 3
	Grid      Level = 4
)

// Region is one node of the hierarchy.
type Region struct {
	Code       string
	Name       string
	Level      Level
	Parent     string // empty for the root
	Households int
	LeaderID   int64 // 0 when none
	Geometry   *Geometry
	UpdatedAt  time.Time
}

// prefixLen is how many digits of a code are significant at each level.
var prefixLen = map[Level]int{District: 6, Street: 9, Community: 12, Grid: 15}

// ValidCode reports whether code is 15 ASCII digits.
func ValidCode(code string) bool {
	if len(code) != 15 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// LevelOf derives the level from a code: trailing zero groups mean a higher level.
func LevelOf(code string) Level {
	switch {
	case !ValidCode(code):
		return 0
	case code[6:] == "000000000":
		return District
	case code[9:] == "000000":
		return Street
	case code[12:] == "000":
		return Community
	default:
		return Grid
	}
}

// ParentOf returns the code of the node above code, or "" for a district.
func ParentOf(code string) string {
	switch LevelOf(code) {
	case Street:
		return code[:6] + "000000000"
	case Community:
		return code[:9] + "000000"
	case Grid:
		return code[:12] + "000"
	}
	return ""
}

// Prefix returns the significant digits of code: every code in its subtree starts with them.
func Prefix(code string) string {
	n, ok := prefixLen[LevelOf(code)]
	if !ok {
		return code
	}
	return code[:n]
}

// Contains reports whether code lies in the subtree rooted at root (root included).
func Contains(root, code string) bool {
	if !ValidCode(root) || !ValidCode(code) {
		return false
	}
	return strings.HasPrefix(code, Prefix(root))
}

// AncestorAt returns the code of code's ancestor at level l (code itself if it is at l).
func AncestorAt(code string, l Level) string {
	n, ok := prefixLen[l]
	if !ok || !ValidCode(code) || LevelOf(code) < l {
		return ""
	}
	return code[:n] + strings.Repeat("0", 15-n)
}

// Validate checks a region before it is stored; parentLevel is 0 when there is no parent.
func (r *Region) Validate() error {
	f := apperr.Fields{}
	if !ValidCode(r.Code) {
		f.Add("code", "err.region_code")
	} else if LevelOf(r.Code) != r.Level {
		f.Add("level", "err.region_level")
	} else if r.Parent != ParentOf(r.Code) {
		f.Add("parent", "err.region_parent")
	}
	name := strings.TrimSpace(r.Name)
	switch {
	case name == "":
		f.Add("name", "err.required")
	case len([]rune(name)) > 60:
		f.Add("name", "err.too_long", 60)
	}
	if r.Households < 0 {
		f.Add("households", "err.not_negative")
	}
	if r.Geometry != nil {
		if err := r.Geometry.Validate(); err != nil {
			f.Add("geometry", apperr.As(err).Msg.Key, apperr.As(err).Msg.Args...)
		}
	}
	return f.Err()
}
