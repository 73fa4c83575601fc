package web

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

type homePage struct {
	Page
	Roles       []roleCard
	Communities int
	Grids       int
	Households  int
	Units       int
	People      int
	CanPeople   bool
	CanEditUnit bool
	CanImport   bool
	MyUnits     []unitRow
	Missing     []int // years without a holiday schedule, shown to admins
	// Of a unit contact: each unit's letter for the year, the cases about
	// it and the commitments it owes.
	UnitDesks []unitDesk
	// Of those who read letters over a region: the year's coverage.
	Coverage     *coverageRow
	CoverageYear int
	// Todo is what waits for the person's action (home_todo.go).
	Todo *todoBoard
}

type roleCard struct {
	Role       people.Role
	RegionName string
	RegionCode string
	UnitName   string
	UnitID     int64
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userOf(r)
	data := homePage{Page: s.page(r, "home.title"), CanPeople: u.CanSomewhere(auth.PersonRead),
		CanEditUnit: u.CanSomewhere(auth.UnitEdit), CanImport: u.CanSomewhere(auth.UnitImport)}
	for _, a := range u.Roles {
		c := roleCard{Role: a.Role, RegionCode: a.Region, UnitID: a.UnitID}
		if a.Region != "" {
			if rg, err := s.app.DB.Region(ctx, a.Region); err == nil {
				c.RegionName = rg.Name
			}
		}
		if a.UnitID != 0 {
			if un, err := s.app.DB.Unit(ctx, a.UnitID); err == nil {
				c.UnitName = un.Name
				data.MyUnits = append(data.MyUnits, unitRow{Unit: un})
			}
		}
		data.Roles = append(data.Roles, c)
	}
	rs, err := s.visibleRegions(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, rg := range rs {
		switch rg.Level {
		case region.Community:
			data.Communities++
		case region.Grid:
			data.Grids++
			data.Households += rg.Households
		}
	}
	_, data.Units, err = s.app.DB.Units(ctx, store.UnitFilter{Roots: u.Scopes(auth.UnitRead), UnitIDs: u.UnitScopes(auth.UnitRead), Page: store.Page{Size: 1}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.CanPeople {
		_, data.People, err = s.app.DB.People(ctx, store.PeopleFilter{All: u.Can(auth.PersonRead, auth.Target{}), Roots: u.Scopes(auth.PersonRead), Page: store.Page{Size: 1}})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if u.CanSomewhere(auth.CaseAdmin) {
		data.Missing = s.missingYears(r)
	}
	if err := s.homeLetters(r, &data); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.homeTodo(r, &data); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", data)
}
