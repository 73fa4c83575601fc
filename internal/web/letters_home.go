package web

import (
	"net/http"
	"strconv"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/store"
)

// What the home page and the unit page show of the letters: a unit
// contact's desk (their unit's letter, the cases about the unit, the
// commitments it owes), the coverage card of those who oversee a region,
// and a unit's letter with its clause breaches.

const (
	// homeCaseMax is how many cases about their unit a unit contact's home lists.
	homeCaseMax = 10
	// homeCommitmentMax is how many committed cases are looked at for the commitments owed.
	homeCommitmentMax = 100
)

// unitLetter is a unit's letter for the year, as the home and unit pages show it.
type unitLetter struct {
	Year     int
	Letter   *letters.Letter // nil when none was issued
	CanSign  bool            // the user may sign it for the unit now
	Breaches []clauseBreach  // the clauses breached this year
}

// clauseBreach is a clause with the cases that breached it this year.
type clauseBreach struct {
	N     int
	Text  string
	Count int
}

// homeCase is one case about a unit, or one commitment, on the home page.
type homeCase struct {
	cases.Case
	CategoryName string
	Overdue      bool
}

// unitDesk is what a unit contact sees of one of their units.
type unitDesk struct {
	UnitID      int64
	UnitName    string
	Letter      unitLetter
	Cases       []homeCase
	CasesTotal  int
	Commitments []homeCase
}

// unitLetterOf loads a unit's letter for year with its breaches; a unit
// without one gives a unitLetter with no letter.
func (s *Server) unitLetterOf(r *http.Request, unitID int64, year int) (unitLetter, error) {
	out := unitLetter{Year: year}
	l, breaches, err := s.app.LetterSvc.UnitLetter(r.Context(), userOf(r), unitID, year)
	if apperr.Is(err, apperr.NotFound) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Letter = &l
	out.CanSign = s.actsOf(userOf(r), l).SignUnit
	for i, n := range breaches {
		if n > 0 && i < len(l.Clauses) {
			out.Breaches = append(out.Breaches, clauseBreach{N: i + 1, Text: truncateRunes(l.Clauses[i].Text, 40), Count: n})
		}
	}
	return out, nil
}

// homeLetters fills the letters' parts of the home page.
func (s *Server) homeLetters(r *http.Request, data *homePage) error {
	ctx := r.Context()
	u := userOf(r)
	year := s.thisYear()
	// The coverage card, for those who read letters over a region (not unit contacts).
	switch cov, err := s.app.LetterSvc.Coverage(ctx, u, year, ""); {
	case apperr.Is(err, apperr.Forbidden):
	case err != nil:
		return err
	default:
		data.Coverage = &coverageRow{CoverageCount: cov.Total, Href: "/letters?year=" + strconv.Itoa(year)}
		data.CoverageYear = year
	}
	ids := u.UnitScopes(auth.LetterRead)
	if len(ids) == 0 {
		return nil
	}
	catNames, _, err := s.categoryNames(ctx, printer(r).Lang)
	if err != nil {
		return err
	}
	now := s.app.Cases.Now()
	for _, id := range ids {
		un, err := s.app.DB.Unit(ctx, id)
		if err != nil {
			return err
		}
		desk := unitDesk{UnitID: id, UnitName: un.Name}
		if desk.Letter, err = s.unitLetterOf(r, id, year); err != nil {
			return err
		}
		// The cases about the unit or assigned to it, all of which its contact may read.
		f := store.CaseFilter{UnitIDs: []int64{id}, Page: store.Page{Size: homeCaseMax}}
		list, total, err := s.app.DB.Cases(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range list {
			desk.Cases = append(desk.Cases, homeCase{Case: c, CategoryName: catNames[c.Category], Overdue: c.Overdue(now)})
		}
		desk.CasesTotal = total
		// Commitments: committed cases assigned to the unit and still waiting on it.
		f = store.CaseFilter{UnitIDs: []int64{id}, Class: string(cases.ClassCommitted), Sort: "deadline", Page: store.Page{Size: homeCommitmentMax}}
		list, _, err = s.app.DB.Cases(ctx, f)
		if err != nil {
			return err
		}
		ref := cases.AssigneeRef("unit", id)
		for _, c := range list {
			if c.Assignee == ref && c.Status.Pending() {
				desk.Commitments = append(desk.Commitments, homeCase{Case: c, CategoryName: catNames[c.Category], Overdue: c.Overdue(now)})
			}
		}
		data.UnitDesks = append(data.UnitDesks, desk)
	}
	return nil
}
