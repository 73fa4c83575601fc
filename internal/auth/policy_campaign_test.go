package auth

import (
	"testing"

	"github.com/lantian-org/lantian/internal/people"
)

// TestCampaignMatrix checks who may read and write campaigns, the materials
// store, publicity events and handouts: leaders and admins write; inspectors
// read; patrollers and volunteers record results and distributions in their
// own area; unit contacts reach campaigns through their unit only.
func TestCampaignMatrix(t *testing.T) {
	scopes := map[string]Target{
		"own grid":        {Region: grid},
		"own community":   {Region: community},
		"other community": {Region: otherGrid},
		"other street":    {Region: otherSt},
		"anywhere":        {},
		"own unit":        {UnitID: 7},
	}
	actions := []Action{CampaignRead, CampaignPlan, CampaignRecord, MaterialRead, MaterialWrite, PublicityRead, PublicityWrite,
		HandoutRead, HandoutWrite, HandoutHandOut}
	every := []string{"own grid", "own community", "other community", "other street", "anywhere"}
	inStreet := []string{"own grid", "own community", "other community"}
	inCommunity := []string{"own grid", "own community"}
	all := func(acts []Action, scopes ...string) []string {
		var out []string
		for _, a := range acts {
			for _, s := range scopes {
				out = append(out, string(a)+"@"+s)
			}
		}
		return out
	}
	readers := []Action{CampaignRead, MaterialRead, PublicityRead, HandoutRead}
	field := []Action{CampaignRead, CampaignRecord, PublicityRead, HandoutRead, HandoutHandOut}
	rows := map[string]struct {
		who     *Principal
		allowed []string
	}{
		"admin@district":      {principal(people.Admin, district, 0), all(actions, append(every, "own unit")...)},
		"leader@street":       {principal(people.Leader, street, 0), all(actions, inStreet...)},
		"leader@community":    {principal(people.Leader, community, 0), all(actions, inCommunity...)},
		"leader@grid":         {principal(people.Leader, grid, 0), all(actions, "own grid")},
		"inspector@street":    {principal(people.Inspector, street, 0), all(readers, inStreet...)},
		"patroller@grid":      {principal(people.Patroller, grid, 0), all(field, "own grid")},
		"volunteer@community": {principal(people.Volunteer, community, 0), all(field, inCommunity...)},
		"unit_contact@7":      {principal(people.UnitContact, "", 7), all([]Action{CampaignRead}, "own unit")},
		"nobody":              {&Principal{PersonID: 2}, nil},
	}
	for name, r := range rows {
		allowed := map[string]bool{}
		for _, a := range r.allowed {
			allowed[a] = true
		}
		for _, a := range actions {
			for s, target := range scopes {
				want := allowed[string(a)+"@"+s]
				if got := r.who.Can(a, target); got != want {
					t.Errorf("%s: Can(%s, %s) = %v, want %v", name, a, s, got, want)
				}
			}
		}
	}
	if got := principal(people.UnitContact, "", 7).UnitScopes(CampaignRead); len(got) != 1 || got[0] != 7 {
		t.Errorf("a unit contact's campaign units = %v", got)
	}
	if principal(people.UnitContact, "", 7).UnitScopes(CampaignRecord) != nil {
		t.Error("a unit contact records nothing through their unit")
	}
}
