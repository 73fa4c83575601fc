package casesvc

import (
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/store"
)

// MaxSearch is the longest search the ledger takes, in characters.
const MaxSearch = 100

// Mine is what "assigned to me" means, the one rule behind the ledger's
// filter, GET /api/v1/cases?mine=1 and the field app's task list: the case
// is assigned to p, to a region where p leads or patrols, or to a unit p is
// a contact of — exactly the people told when a case is assigned
// (notify's assignee side).
func Mine(p *auth.Principal) *store.CaseMine {
	m := &store.CaseMine{}
	if p == nil {
		return m
	}
	m.PersonID = p.PersonID
	for _, as := range p.Roles {
		switch as.Role {
		case people.Leader, people.Patroller:
			if as.Region != "" {
				m.Regions = append(m.Regions, as.Region)
			}
		case people.UnitContact:
			if as.UnitID != 0 {
				m.UnitIDs = append(m.UnitIDs, as.UnitID)
			}
		}
	}
	return m
}

// Search is a ledger search by p: a reporter's mobile is matched only in
// the cases whose mobiles p may see whole.
func Search(p *auth.Principal, q string) store.CaseSearch {
	return store.CaseSearch{Q: q, MobileAll: p.Can(auth.MobileRead, auth.Target{}), MobileRoots: p.Scopes(auth.MobileRead)}
}
