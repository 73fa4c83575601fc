package auth

import (
	"testing"

	"github.com/lantian-org/lantian/internal/people"
)

// TestOutreachMatrix checks who may read and organise lectures and quizzes
// where, and who may edit the street's question bank (street level and up).
func TestOutreachMatrix(t *testing.T) {
	scopes := map[string]Target{
		"own grid":        {Region: grid},
		"own community":   {Region: community},
		"other community": {Region: otherGrid},
		"other street":    {Region: otherSt},
		"anywhere":        {},
	}
	actions := []Action{OutreachRead, OutreachManage, OutreachBank}
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
	rows := map[string]struct {
		who     *Principal
		allowed []string
	}{
		"admin@district":      {principal(people.Admin, district, 0), all(actions, every...)},
		"admin@street":        {principal(people.Admin, street, 0), all(actions, inStreet...)},
		"leader@street":       {principal(people.Leader, street, 0), all(actions, inStreet...)},
		"leader@community":    {principal(people.Leader, community, 0), all([]Action{OutreachRead, OutreachManage}, inCommunity...)},
		"leader@grid":         {principal(people.Leader, grid, 0), all([]Action{OutreachRead, OutreachManage}, "own grid")},
		"inspector@street":    {principal(people.Inspector, street, 0), all([]Action{OutreachRead}, inStreet...)},
		"patroller@grid":      {principal(people.Patroller, grid, 0), nil},
		"volunteer@community": {principal(people.Volunteer, community, 0), nil},
		"unit_contact@7":      {principal(people.UnitContact, "", 7), nil},
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
	if principal(people.Leader, community, 0).CanSomewhere(OutreachBank) {
		t.Error("a community leader may edit the street's question bank")
	}
	if !principal(people.Leader, street, 0).CanSomewhere(OutreachBank) {
		t.Error("the street's leader may not edit the question bank")
	}
}
