package patrol

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/flagset"
)

// Action is something done with a patrol, or with a grid's patrols and plan.
type Action string

// The actions Decide rules on.
const (
	ActionStart   Action = "start"   // start a patrol on a grid
	ActionRead    Action = "read"    // see a patrol (or a grid's plan, patrols and compliance)
	ActionTrack   Action = "track"   // add track points
	ActionVisit   Action = "visit"   // check in at a key site, and add the check-in's photo
	ActionRecord  Action = "record"  // record a dispute mediated or a clean-energy promotion
	ActionFinding Action = "finding" // link a case found on the patrol
	ActionEnd     Action = "end"     // end the patrol with a summary
	ActionPlan    Action = "plan"    // set the grid's plan
)

// Role is a role the actor holds over a region that contains the grid.
type Role string

// The roles the rules know; others (volunteers, unit contacts) have no part in patrols.
const (
	RoleAdmin     Role = "admin"
	RoleLeader    Role = "leader"
	RoleInspector Role = "inspector"
	RolePatroller Role = "patroller"
)

// Actor is who acts: their person id and the roles they hold over regions
// containing the grid (the caller keeps only those).
type Actor struct {
	ID    int64
	Roles []Role
}

// Subject is what the rules look at: the grid's plan and, for an action on
// one patrol, that patrol.
type Subject struct {
	Plan   Plan
	Patrol *Patrol // nil for starting a patrol, reading or setting the plan
}

// Relation is how an actor stands to a grid or a patrol; a set of them is a bit mask.
type Relation uint8

// The relations, computed by Actor.Relations.
const (
	// Walker is the patroller of the patrol in question.
	Walker Relation = 1 << iota
	// Assigned may walk the grid by its plan: a patroller over the grid whom
	// the plan names, or any of them when the plan names nobody.
	Assigned
	// Member holds the patroller role over the grid, named in the plan or not.
	Member
	// Leader leads a region containing the grid.
	Leader
	// Inspector belongs to an inspection group whose region contains the grid.
	Inspector
	// Admin administers a region containing the grid.
	Admin
)

var relationNames = []string{"walker", "assigned", "member", "leader", "inspector", "admin"}

// String lists the relations in the set, such as "walker|member".
func (r Relation) String() string { return flagset.String(r, relationNames) }

// Relations returns the actor's relations to the subject.
func (a Actor) Relations(s Subject) Relation {
	var r Relation
	if s.Patrol != nil && a.ID != 0 && a.ID == s.Patrol.PatrollerID {
		r |= Walker
	}
	for _, role := range a.Roles {
		switch role {
		case RolePatroller:
			r |= Member
			if s.Plan.MayWalk(a.ID, true) {
				r |= Assigned
			}
		case RoleLeader:
			r |= Leader
		case RoleInspector:
			r |= Inspector
		case RoleAdmin:
			r |= Admin
		}
	}
	return r
}

// Rule says who (By) may take Action, and whether the patrol must still be open.
type Rule struct {
	Action Action
	By     Relation
	// Open: only while the patrol is open. The recording actions are not
	// marked so: what the phone recorded while the patrol was open may arrive
	// after it ended (offline, or sent again), and each item's own time is
	// judged against the patrol's span by Validate and CheckPoint instead —
	// anything timed after the end is refused there.
	Open bool
}

// readers see a grid's patrols: those who walk it, lead, inspect or administer it.
const readers = Walker | Member | Leader | Inspector | Admin

// rules is THE table of who may do what with patrols. It agrees with the
// auth policy (auth.PatrolRead, PatrolWrite, PatrolPlan) and narrows it to
// the plan and the patrol.
var rules = []Rule{
	// Patrollers the plan assigns start patrols on the grid (all of the
	// grid's patrollers when it names none); the grid's leaders may walk it too.
	{Action: ActionStart, By: Assigned | Leader},
	// Those over the grid see its patrols; a patroller always sees their own.
	{Action: ActionRead, By: readers},
	// Only the patroller who walks a patrol records on it.
	{Action: ActionTrack, By: Walker},
	{Action: ActionVisit, By: Walker},
	{Action: ActionRecord, By: Walker},
	{Action: ActionFinding, By: Walker},
	// And ends it, once.
	{Action: ActionEnd, By: Walker, Open: true},
	// Leaders and admins over the grid set its plan.
	{Action: ActionPlan, By: Leader | Admin},
}

// Rules returns a copy of the table, for documentation and tests.
func Rules() []Rule { return slices.Clone(rules) }

// Sentinel errors of Decide; test with errors.Is. The service answers 404
// for ErrHidden, 403 for ErrForbidden, 409 for ErrState.
var (
	ErrHidden    = errors.New("patrol: not visible to this person")
	ErrForbidden = errors.New("patrol: not allowed for this person")
	ErrState     = errors.New("patrol: not allowed in the patrol's state")
	ErrAction    = errors.New("patrol: unknown action")
)

// fail returns what Decide returns: an *apperr.Error whose code follows the
// sentinel and whose message key is the user's, wrapping the sentinel with a
// detail for the log.
func fail(kind error, key, format string, args ...any) error {
	code := apperr.Invalid
	switch kind {
	case ErrHidden:
		code = apperr.NotFound
	case ErrForbidden:
		code = apperr.Forbidden
	case ErrState:
		code = apperr.Conflict
	}
	return apperr.Wrap(fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...)), code, key)
}

// Decide rules on an action: nil when the actor may take it, otherwise an
// *apperr.Error wrapping, checked in this order:
//   - ErrAction for an action not in the table (err.patrol.action);
//   - ErrHidden when the actor may not even see the patrol or the grid: the
//     caller answers as if it did not exist (err.not_found). Starting a
//     patrol is the exception: a grid one may not walk is ErrForbidden
//     (err.patrol.not_assigned), as the field app names the grid itself;
//   - ErrForbidden when they may see it but not do this (err.patrol.not_yours
//     for recording on another's patrol, err.patrol.plan_forbidden for a plan);
//   - ErrState when the patrol has already ended (err.patrol.ended).
func Decide(a Actor, s Subject, act Action) error {
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.Action == act })
	if i < 0 {
		return fail(ErrAction, "err.patrol.action", "unknown action %q", act)
	}
	r := rules[i]
	rel := a.Relations(s)
	if rel&r.By == 0 {
		switch {
		case act == ActionStart:
			return fail(ErrForbidden, "err.patrol.not_assigned", "person %d (%s) may not walk grid %s", a.ID, rel, s.Plan.Grid)
		case rel&readers == 0:
			return fail(ErrHidden, "err.not_found", "person %d (%s) may not see %s on grid %s", a.ID, rel, act, s.Plan.Grid)
		case act == ActionPlan:
			return fail(ErrForbidden, "err.patrol.plan_forbidden", "person %d (%s) may not set the plan of grid %s", a.ID, rel, s.Plan.Grid)
		}
		return fail(ErrForbidden, "err.patrol.not_yours", "person %d (%s) may not %s a patrol they do not walk", a.ID, rel, act)
	}
	if r.Open && s.Patrol != nil && s.Patrol.State != StateOpen {
		return fail(ErrState, "err.patrol.ended", "patrol %s has ended", s.Patrol.UID)
	}
	return nil
}

// Allowed lists the actions the actor may take on the subject now, in table order.
func Allowed(a Actor, s Subject) []Action {
	var out []Action
	for _, r := range rules {
		if Decide(a, s, r.Action) == nil {
			out = append(out, r.Action)
		}
	}
	return out
}
