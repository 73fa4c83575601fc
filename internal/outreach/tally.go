package outreach

import (
	"cmp"
	"slices"

	"github.com/lantian-org/lantian/internal/region"
)

// Tally is what the assessment counts of outreach over a period: lectures
// held (started and not cancelled) and their attendance, quizzes held
// (opened and not cancelled) and their entries.
type Tally struct {
	Lectures   int
	Attendance int
	Quizzes    int
	Entries    int
	Submitted  int
	// Regions holds one row per community. Lectures and quizzes count where
	// they were held (their home region; a street-wide event counts on the
	// street's row); attendance and entries count by the community each
	// resident gave.
	Regions []RegionTally
	// Units holds one row per unit that hosted a lecture or was its audience.
	Units []UnitTally
}

// RegionTally is one community's (or the street's) row of a Tally.
type RegionTally struct {
	Region     string
	Lectures   int
	Attendance int
	Quizzes    int
	Entries    int
	Submitted  int
}

// UnitTally is one unit's row of a Tally.
type UnitTally struct {
	UnitID     int64
	Name       string
	Lectures   int
	Attendance int
}

// CommunityOf returns the community holding code, or code itself when it
// lies above the community level (a street-wide event).
func CommunityOf(code string) string {
	if region.LevelOf(code) >= region.Community {
		return region.AncestorAt(code, region.Community)
	}
	return code
}

// Sort orders the rows by region code and unit name.
func (t *Tally) Sort() {
	slices.SortFunc(t.Regions, func(a, b RegionTally) int { return cmp.Compare(a.Region, b.Region) })
	slices.SortFunc(t.Units, func(a, b UnitTally) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.UnitID, b.UnitID)) })
}
