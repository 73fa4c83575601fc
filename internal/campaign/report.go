package campaign

import (
	"slices"
	"strings"
)

// Report sums up a campaign: the totals of its results, the tasks done and
// not done, and the units that took part against those asked who did not.
type Report struct {
	Counts       Counts
	Tasks        int
	TasksDone    int
	Done, Undone []Task
	// UnitsPresent sent people (a headcount) or finished a task they answer for.
	UnitsPresent []UnitPart
	// UnitsAbsent were asked — invited, or responsible for a task — and did neither.
	UnitsAbsent []UnitPart
	Findings    int
}

// Summarize builds the report of c; names gives the names of units
// responsible for tasks that were not invited by name, and findings is the
// number of cases linked to it.
func Summarize(c Campaign, names map[int64]string, findings int) Report {
	r := Report{Tasks: len(c.Tasks), Findings: findings}
	doneBy := map[int64]bool{}
	asked := map[int64]UnitPart{}
	for _, u := range c.Units {
		asked[u.UnitID] = u
	}
	for _, t := range c.Tasks {
		r.Counts = r.Counts.Add(t.Counts)
		if t.Done {
			r.TasksDone++
			r.Done = append(r.Done, t)
		} else {
			r.Undone = append(r.Undone, t)
		}
		if t.UnitID != 0 {
			if _, ok := asked[t.UnitID]; !ok {
				asked[t.UnitID] = UnitPart{UnitID: t.UnitID, Name: names[t.UnitID]}
			}
			if t.Done {
				doneBy[t.UnitID] = true
			}
		}
	}
	for _, u := range asked {
		if u.Headcount > 0 || doneBy[u.UnitID] {
			r.UnitsPresent = append(r.UnitsPresent, u)
		} else {
			r.UnitsAbsent = append(r.UnitsAbsent, u)
		}
	}
	byName := func(a, b UnitPart) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(a.UnitID - b.UnitID)
	}
	slices.SortFunc(r.UnitsPresent, byName)
	slices.SortFunc(r.UnitsAbsent, byName)
	return r
}
