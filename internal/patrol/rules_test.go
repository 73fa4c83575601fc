package patrol

import (
	"errors"
	"slices"
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
)

// ruleActors relative to grid "g": the caller passes only the roles held
// over regions containing it. Person 10 walks the patrol in question; as
// "moved" they no longer hold a role there.
var ruleActors = map[string]Actor{
	"admin":     {ID: 1, Roles: []Role{RoleAdmin}},
	"leader":    {ID: 2, Roles: []Role{RoleLeader}},
	"inspector": {ID: 3, Roles: []Role{RoleInspector}},
	"walker":    {ID: 10, Roles: []Role{RolePatroller}},
	"moved":     {ID: 10},
	"patroller": {ID: 11, Roles: []Role{RolePatroller}},
	"named":     {ID: 12, Roles: []Role{RolePatroller}},
	"outsider":  {ID: 20}, // a leader or patroller of another grid
}

// Outcomes: "ok", or the error code Decide answers with.
const (
	ok        = "ok"
	hidden    = "404"
	forbidden = "403"
	ended     = "409"
)

func TestRuleTable(t *testing.T) {
	byDefault := DefaultPlan("g")
	named := DefaultPlan("g")
	named.Patrollers = []int64{12}
	open := &Patrol{UID: "p", Grid: "g", PatrollerID: 10, State: StateOpen}
	closed := &Patrol{UID: "p", Grid: "g", PatrollerID: 10, State: StateEnded}
	everyone := []string{"admin", "leader", "inspector", "walker", "moved", "patroller", "named", "outsider"}
	// want lists the outcome for each actor in everyone's order.
	type row [8]string
	// Only the patroller who walks it, even one who has since left the grid,
	// acts on a patrol; whoever is outside the grid does not see it.
	walkerOnly := row{forbidden, forbidden, forbidden, ok, ok, forbidden, forbidden, hidden}
	tests := []struct {
		name    string
		action  Action
		subject Subject
		want    row
	}{
		{"start by the grid's patrollers", ActionStart, Subject{Plan: byDefault},
			row{forbidden, ok, forbidden, ok, forbidden, ok, ok, forbidden}},
		{"start by the patrollers the plan names", ActionStart, Subject{Plan: named},
			row{forbidden, ok, forbidden, forbidden, forbidden, forbidden, ok, forbidden}},
		{"read the grid", ActionRead, Subject{Plan: named},
			row{ok, ok, ok, ok, hidden, ok, ok, hidden}},
		{"read a patrol", ActionRead, Subject{Plan: named, Patrol: open},
			row{ok, ok, ok, ok, ok, ok, ok, hidden}},
		{"track an open patrol", ActionTrack, Subject{Plan: byDefault, Patrol: open}, walkerOnly},
		{"visit an open patrol", ActionVisit, Subject{Plan: byDefault, Patrol: open}, walkerOnly},
		{"record on an open patrol", ActionRecord, Subject{Plan: byDefault, Patrol: open}, walkerOnly},
		{"link a finding to an open patrol", ActionFinding, Subject{Plan: byDefault, Patrol: open}, walkerOnly},
		// What was recorded while it was open may arrive late; its time is judged by Validate.
		{"track an ended patrol", ActionTrack, Subject{Plan: byDefault, Patrol: closed}, walkerOnly},
		{"visit an ended patrol", ActionVisit, Subject{Plan: byDefault, Patrol: closed}, walkerOnly},
		{"end an open patrol", ActionEnd, Subject{Plan: byDefault, Patrol: open}, walkerOnly},
		{"end an ended patrol", ActionEnd, Subject{Plan: byDefault, Patrol: closed},
			row{forbidden, forbidden, forbidden, ended, ended, forbidden, forbidden, hidden}},
		{"set the plan", ActionPlan, Subject{Plan: named},
			row{ok, ok, forbidden, forbidden, hidden, forbidden, forbidden, hidden}},
	}
	codeOf := map[apperr.Code]string{apperr.NotFound: hidden, apperr.Forbidden: forbidden, apperr.Conflict: ended}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, name := range everyone {
				got := ok
				if err := Decide(ruleActors[name], tc.subject, tc.action); err != nil {
					got = codeOf[apperr.As(err).Code]
				}
				if got != tc.want[i] {
					t.Errorf("%s: %s, want %s (relations %s)", name, got, tc.want[i], ruleActors[name].Relations(tc.subject))
				}
			}
		})
	}
}

// TestRuleMessages checks the message keys and sentinels the service relies on.
func TestRuleMessages(t *testing.T) {
	plan := DefaultPlan("g")
	open := &Patrol{UID: "p", Grid: "g", PatrollerID: 10, State: StateOpen}
	closed := &Patrol{UID: "p", Grid: "g", PatrollerID: 10, State: StateEnded}
	for _, tc := range []struct {
		name    string
		actor   string
		subject Subject
		action  Action
		kind    error
		key     string
	}{
		{"start elsewhere", "outsider", Subject{Plan: plan}, ActionStart, ErrForbidden, "err.patrol.not_assigned"},
		{"another's patrol", "patroller", Subject{Plan: plan, Patrol: open}, ActionVisit, ErrForbidden, "err.patrol.not_yours"},
		{"an unseen patrol", "outsider", Subject{Plan: plan, Patrol: open}, ActionEnd, ErrHidden, "err.not_found"},
		{"a plan by a patroller", "walker", Subject{Plan: plan}, ActionPlan, ErrForbidden, "err.patrol.plan_forbidden"},
		{"ended twice", "walker", Subject{Plan: plan, Patrol: closed}, ActionEnd, ErrState, "err.patrol.ended"},
		{"no such action", "walker", Subject{Plan: plan, Patrol: open}, "fly", ErrAction, "err.patrol.action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Decide(ruleActors[tc.actor], tc.subject, tc.action)
			if !errors.Is(err, tc.kind) || apperr.As(err).Msg.Key != tc.key {
				t.Fatalf("Decide = %v, want %v with %s", err, tc.kind, tc.key)
			}
		})
	}
	// The walker who has since left the grid may still finish their patrol, and start no other.
	want := []Action{ActionRead, ActionTrack, ActionVisit, ActionRecord, ActionFinding, ActionEnd}
	if got := Allowed(ruleActors["moved"], Subject{Plan: plan, Patrol: open}); !slices.Equal(got, want) {
		t.Fatalf("the walker of an open patrol may %v, want %v", got, want)
	}
	if got := Allowed(ruleActors["walker"], Subject{Plan: plan, Patrol: closed}); slices.Contains(got, ActionEnd) {
		t.Fatalf("the walker of an ended patrol may %v", got)
	}
	if got := Allowed(ruleActors["leader"], Subject{Plan: plan}); !slices.Equal(got, []Action{ActionStart, ActionRead, ActionPlan}) {
		t.Fatalf("a leader over the grid may %v", got)
	}
}
