package store

import (
	"strings"
)

// Search and "assigned to me" for the case ledger. They live apart from
// case_list.go so that the ledger's query and its indexes can change
// without touching what a search box and the task list mean.

// MaxSearchWords is how many words of a search are used; the rest are ignored.
const MaxSearchWords = 5

// CaseMine is what "assigned to me" means for one person: the case's
// assignee is the person, a region where the person leads or patrols (the
// people a region's assignment notifies), or a unit the person is a contact of.
type CaseMine struct {
	PersonID int64
	Regions  []string
	UnitIDs  []int64
}

// CaseSearch is a search of the ledger: every word must occur in the case
// number, the description or the address; a word that looks like a mobile
// number also matches the reporter's mobile, but only of the cases under
// MobileRoots (or any case when MobileAll), which the caller may see whole.
type CaseSearch struct {
	Q           string
	MobileAll   bool
	MobileRoots []string
	// Supervised keeps only pending cases that a leader or inspector has urged (督办).
	Supervised bool
}

// Words splits the search into at most MaxSearchWords words.
func (s CaseSearch) Words() []string {
	words := strings.Fields(s.Q)
	if len(words) > MaxSearchWords {
		words = words[:MaxSearchWords]
	}
	return words
}

// likeEscaper escapes LIKE's wildcards (with '!' as the escape character, the same on both databases).
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// searchWhere adds the search and "mine" conditions of f to w.
func (f CaseFilter) searchWhere(w []string, add func(any) string) []string {
	for _, word := range f.Search.Words() {
		pat := add("%" + likeEscaper.Replace(strings.ToLower(word)) + "%")
		alt := []string{
			"LOWER(c.number) LIKE " + pat + " ESCAPE '!'",
			"LOWER(c.description) LIKE " + pat + " ESCAPE '!'",
			"LOWER(c.address) LIKE " + pat + " ESCAPE '!'",
		}
		if digits(word) && len(word) >= 4 && (f.Search.MobileAll || len(f.Search.MobileRoots) > 0) {
			m := "c.reporter_mobile LIKE " + pat + " ESCAPE '!'"
			if !f.Search.MobileAll {
				var roots []string
				for _, r := range f.Search.MobileRoots {
					roots = append(roots, caseScope(r, add))
				}
				m += " AND (" + strings.Join(roots, " OR ") + ")"
			}
			alt = append(alt, "("+m+")")
		}
		w = append(w, "("+strings.Join(alt, " OR ")+")")
	}
	if f.Search.Supervised {
		w = append(w, "c.status IN ('reported', 'filed', 'assigned') AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'supervise')")
	}
	if m := f.Mine; m != nil {
		alt := []string{"c.assignee_person = " + add(m.PersonID)}
		if len(m.Regions) > 0 {
			var args []string
			for _, r := range m.Regions {
				args = append(args, add(r))
			}
			alt = append(alt, "c.assignee_region IN ("+strings.Join(args, ",")+")")
		}
		if len(m.UnitIDs) > 0 {
			var args []string
			for _, u := range m.UnitIDs {
				args = append(args, add(u))
			}
			alt = append(alt, "c.assignee_unit IN ("+strings.Join(args, ",")+")")
		}
		w = append(w, "("+strings.Join(alt, " OR ")+")")
	}
	return w
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
