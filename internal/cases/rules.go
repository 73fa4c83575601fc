package cases

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/flagset"
)

// Action is something done to a case.
type Action string

// The actions of issue 3, which Decide rules on.
const (
	ActionFile      Action = "file"      // accept a report as a case (立案)
	ActionReject    Action = "reject"    // refuse it as invalid, with a reason
	ActionAssign    Action = "assign"    // dispatch to a person, region or unit, with a deadline
	ActionEscalate  Action = "escalate"  // hold it one level up
	ActionReturn    Action = "return"    // hand it back down one level, with a reason
	ActionHandle    Action = "handle"    // the handler's feedback, with note and photos
	ActionVerify    Action = "verify"    // check the handling: passed closes, failed sends back
	ActionReopen    Action = "reopen"    // take a closed or rejected case back into the loop
	ActionMerge     Action = "merge"     // reject as a duplicate of another case
	ActionComment   Action = "comment"   // a remark on the timeline
	ActionSupervise Action = "supervise" // 督办: an urgent reminder on an overdue case
	ActionFeedback  Action = "feedback"  // the public reporter's word on the outcome (solved, or not yet closed)
	ActionReview    Action = "review"    // the public reporter says a closed case is not solved: back before the leader
)

// Timeline-only actions: they appear on timeline entries but are not taken through Decide.
const (
	ActionReport Action = "report" // the case was reported
	ActionClose  Action = "close"  // closed on the spot by the finder
)

// Relation is how an actor stands to a case; a set of them is a bit mask.
type Relation uint16

// The relations, computed by Actor.Relations.
const (
	// Reporter is the person who reported the case.
	Reporter Relation = 1 << iota
	// Assignee is on the assignee side: the assigned person, a person of the
	// assigned region, or a contact of the assigned unit.
	Assignee
	// InScopeLeader leads a region containing the case at the level the case
	// is held at or above (a street leader for a community-held case).
	InScopeLeader
	// UpperLeader is an in-scope leader strictly above the holding level.
	UpperLeader
	// Member is any leader or patroller whose region contains the case, at
	// any level (a grid's patroller or leader for a community-held case).
	Member
	// Inspector belongs to an inspection group whose region contains the case.
	Inspector
	// Admin administers a region containing the case.
	Admin
	// System is the background job (automatic escalation).
	System
	// Resident is a member of the public who reported the case and holds
	// its tracking secret (the service checks the secret).
	Resident
)

var relationNames = []string{"reporter", "assignee", "in-scope leader", "upper leader", "member", "inspector", "admin", "system", "resident"}

// String lists the relations in the set, such as "reporter|inspector".
func (r Relation) String() string { return flagset.String(r, relationNames) }

// Grant is one role the actor holds over a region that contains the case,
// with that region's level (2 street, 3 community, 4 grid; 1 district).
// The caller keeps only the assignments whose region contains the case's grid.
type Grant struct {
	Role  Role
	Level int
}

// Actor is who acts, described relative to one case.
type Actor struct {
	ID       int64   // person id; 0 for the public and the system
	Grants   []Grant // role assignments in scope of the case
	Assignee bool    // on the assignee side of the case (see Assignee)
	System   bool    // the background job
	Resident bool    // the public reporter holding the case's tracking secret
}

// Relations returns the actor's relations to the case.
func (a Actor) Relations(c Snapshot) Relation {
	var r Relation
	if a.System {
		r |= System
	}
	if a.Resident {
		r |= Resident
	}
	if a.ID != 0 && a.ID == c.ReporterID {
		r |= Reporter
	}
	if a.Assignee {
		r |= Assignee
	}
	for _, g := range a.Grants {
		switch g.Role {
		case RoleAdmin:
			r |= Admin
		case RoleInspector:
			r |= Inspector
		case RolePatroller:
			r |= Member
		case RoleLeader:
			r |= Member
			if g.Level >= 1 && g.Level <= c.Level {
				r |= InScopeLeader
			}
			if g.Level >= 1 && g.Level < c.Level {
				r |= UpperLeader
			}
		}
	}
	return r
}

// Rule says who (By) may take Action on a case in one of the statuses From,
// and the status that results (To; empty keeps it). A Log rule only adds a
// timeline entry: the case, and so its version, stays as it is.
type Rule struct {
	Action Action
	From   []Status
	To     Status
	By     Relation
	Log    bool
}

var (
	pending   = []Status{StatusReported, StatusFiled, StatusAssigned}
	leaders   = InScopeLeader | Admin
	anyone    = Reporter | Assignee | InScopeLeader | UpperLeader | Member | Inspector | Admin
	verifiers = Reporter | InScopeLeader | Inspector | Admin
)

// rules is THE table of the case loop. Admins of the case's region may do
// what leaders may; inspectors oversee (verify, reopen after a spot check,
// supervise) but do not dispatch. Extra conditions that Decide checks are
// noted per row.
var rules = []Rule{
	// Leaders at or above the holding level accept a report as a case.
	{Action: ActionFile, From: []Status{StatusReported}, To: StatusFiled, By: leaders},
	// They refuse an invalid report, before or after filing; once assigned,
	// the handler's side is involved, so a case is then merged or verified instead.
	{Action: ActionReject, From: []Status{StatusReported, StatusFiled}, To: StatusRejected, By: leaders},
	// They dispatch it; assigning a reported case files it too, and
	// assigning an assigned case re-assigns it. Needs Request.Assignee.
	{Action: ActionAssign, From: pending, To: StatusAssigned, By: leaders},
	// They, or the background job, hold a pending case one level up (level-1);
	// the status and the assignee stay, the upper level may re-assign.
	// Not above the street.
	{Action: ActionEscalate, From: pending, By: leaders | System},
	// Leaders at or above the holding level hand a pending case back down one
	// level (level+1), not below the grid; a major case stays at the street.
	{Action: ActionReturn, From: pending, By: leaders},
	// The assignee side (or an admin on its behalf) feeds back.
	{Action: ActionHandle, From: []Status{StatusAssigned}, To: StatusHandled, By: Assignee | Admin},
	// The reporter, leaders in scope, inspectors and admins verify — but never
	// the person who recorded the handling. Passed closes; failed sends the
	// case back to assigned (same assignee) and counts one rework.
	{Action: ActionVerify, From: []Status{StatusHandled}, To: StatusClosed, By: verifiers},
	// Leaders, admins and inspectors (after a spot check) reopen: a closed case
	// goes back to its assignee (or to filed if it never had one, as an
	// on-the-spot case); a rejected or merged one goes back to filed.
	{Action: ActionReopen, From: []Status{StatusClosed, StatusRejected}, To: StatusAssigned, By: leaders | Inspector},
	// Leaders merge a pending duplicate into another case (Request.Into): it is
	// rejected and points at that case.
	{Action: ActionMerge, From: pending, To: StatusRejected, By: leaders},
	// Anyone who can see the case comments, in any status.
	{Action: ActionComment, From: Statuses, By: anyone, Log: true},
	// Leaders above the holding level, inspectors and admins urge action on a
	// pending case, only once it is overdue.
	{Action: ActionSupervise, From: pending, By: UpperLeader | Inspector | Admin, Log: true},
	// The public reporter, once, says whether the problem was solved: a
	// "not solved" on a closed case puts it back before the leader holding
	// it (filed, to be assigned again, one rework); any other word is only
	// recorded on the timeline.
	{Action: ActionFeedback, From: Statuses, By: Resident, Log: true},
	{Action: ActionReview, From: []Status{StatusClosed}, To: StatusFiled, By: Resident},
}

// Rules returns a copy of the table, for documentation and the UI.
func Rules() []Rule { return slices.Clone(rules) }

func ruleFor(a Action) (Rule, bool) {
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.Action == a })
	if i < 0 {
		return Rule{}, false
	}
	return rules[i], true
}

// Sentinel errors of Decide; test with errors.Is. The API answers 403 for
// ErrForbidden, 409 for ErrState and ErrStale, 400 for ErrInvalid.
var (
	ErrForbidden = errors.New("cases: not allowed for this person")
	ErrState     = errors.New("cases: not allowed in the case's current state")
	ErrStale     = errors.New("cases: the case has changed since it was read")
	ErrInvalid   = errors.New("cases: invalid request")
)

// fieldOf names the request field an invalid-request key is about.
var fieldOf = map[string]string{"err.case.assignee": "assignee", "err.case.merge_into": "into",
	"err.case.deadline_past": "deadline", "err.case.action": "action"}

// fail returns what Decide returns: an *apperr.Error whose code follows the
// sentinel (forbidden; conflict for state and stale; invalid, naming the
// field), whose message key is the user's (err.case.forbidden,
// err.case.verify_own, err.case.stale, err.case.state, err.case.top_level,
// err.case.bottom_level, err.case.major_at_street, err.case.not_overdue,
// err.case.action, err.case.assignee, err.case.merge_into,
// err.case.deadline_past), and which wraps the sentinel with a detail for
// the log, so errors.Is(err, ErrForbidden) works.
func fail(kind error, key, format string, args ...any) error {
	code := apperr.Invalid
	switch kind {
	case ErrForbidden:
		code = apperr.Forbidden
	case ErrState, ErrStale:
		code = apperr.Conflict
	}
	e := apperr.Wrap(fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...)), code, key)
	if f := fieldOf[key]; f != "" && code == apperr.Invalid {
		e.Fields = map[string]apperr.Msg{f: {Key: key}}
	}
	return e
}

// Request is an action on a case as asked for.
type Request struct {
	Action  Action
	Version int    // the version the actor saw; must be the case's current one
	Passed  bool   // verify: whether the handling passed
	Into    string // merge: number of the case to merge into
	// Assignee is the new assignee reference (assign: required).
	Assignee string
	// Deadline, when set, replaces the case's deadline (on any action that
	// changes the case) and must lie after now.
	Deadline time.Time
}

// Transition is what Decide allows: the case before and after.
type Transition struct {
	Action   Action
	From, To Status
	ActorID  int64
	System   bool
	At       time.Time
	Log      bool     // only a timeline entry; After equals the case as it was
	After    Snapshot // the case to store (its Version is the new version)
}

// Entry is one line of a case's timeline.
type Entry struct {
	Action  Action
	Status  Status // status after the action
	Level   int    // level after the action
	ActorID int64  // 0 for the public or the system
	System  bool
	At      time.Time
	Note    string
}

// Entry returns the timeline entry recording the transition.
func (t Transition) Entry(note string) Entry {
	return Entry{Action: t.Action, Status: t.To, Level: t.After.Level, ActorID: t.ActorID, System: t.System, At: t.At, Note: note}
}

// permit checks role, scope and relation.
func permit(actor Actor, c Snapshot, r Rule) error {
	rel := actor.Relations(c)
	if rel&r.By == 0 {
		return fail(ErrForbidden, "err.case.forbidden", "%s (%s) may not %s case %s", actorName(actor), rel, r.Action, c.Number)
	}
	if r.Action == ActionVerify && actor.ID != 0 && actor.ID == c.HandledBy {
		return fail(ErrForbidden, "err.case.verify_own", "person %d handled case %s and may not verify it", actor.ID, c.Number)
	}
	return nil
}

func actorName(a Actor) string {
	if a.System {
		return "the system"
	}
	if a.Resident {
		return "the public reporter"
	}
	return fmt.Sprintf("person %d", a.ID)
}

// allows checks the state of the case.
func allows(c Snapshot, r Rule, now time.Time) error {
	if !slices.Contains(r.From, c.Status) {
		return fail(ErrState, "err.case.state", "cannot %s a %s case", r.Action, c.Status)
	}
	switch r.Action {
	case ActionEscalate:
		if c.Level <= LevelStreet {
			return fail(ErrState, "err.case.top_level", "case %s is already held at level %d", c.Number, c.Level)
		}
	case ActionReturn:
		if c.Level >= LevelGrid {
			return fail(ErrState, "err.case.bottom_level", "case %s is already held at the grid", c.Number)
		}
		if c.Severity == SeverityMajor {
			return fail(ErrState, "err.case.major_at_street", "case %s is major and is held at the street", c.Number)
		}
	case ActionSupervise:
		if !c.Overdue(now) {
			return fail(ErrState, "err.case.not_overdue", "case %s is not overdue", c.Number)
		}
	}
	return nil
}

// Decide rules on an action: it returns the transition to store, or an
// error whose Kind is, checked in this order, ErrInvalid for an unknown
// action, ErrForbidden when the actor's relations do not allow it, ErrInvalid
// for missing or bad request fields, ErrStale when req.Version is not
// c.Version, and ErrState when the case's state does not allow it.
func Decide(actor Actor, c Snapshot, req Request, now time.Time) (Transition, error) {
	r, ok := ruleFor(req.Action)
	if !ok {
		return Transition{}, fail(ErrInvalid, "err.case.action", "unknown action %q", req.Action)
	}
	if err := permit(actor, c, r); err != nil {
		return Transition{}, err
	}
	switch {
	case r.Action == ActionAssign && req.Assignee == "":
		return Transition{}, fail(ErrInvalid, "err.case.assignee", "assign needs an assignee")
	case r.Action == ActionMerge && (req.Into == "" || req.Into == c.Number):
		return Transition{}, fail(ErrInvalid, "err.case.merge_into", "cannot merge case %s into %q", c.Number, req.Into)
	case !r.Log && !req.Deadline.IsZero() && !req.Deadline.After(now):
		return Transition{}, fail(ErrInvalid, "err.case.deadline_past", "deadline %s is not in the future", req.Deadline.Format(time.RFC3339))
	}
	if req.Version != c.Version {
		return Transition{}, fail(ErrStale, "err.case.stale", "case %s is at version %d, not %d", c.Number, c.Version, req.Version)
	}
	if err := allows(c, r, now); err != nil {
		return Transition{}, err
	}

	t := Transition{Action: r.Action, From: c.Status, To: c.Status, ActorID: actor.ID, System: actor.System, At: now, Log: r.Log, After: c}
	if r.Log {
		return t, nil
	}
	a := &t.After
	if r.To != "" {
		a.Status = r.To
	}
	switch r.Action {
	case ActionAssign:
		a.Assignee = req.Assignee
	case ActionEscalate:
		a.Level--
	case ActionReturn:
		a.Level++
	case ActionHandle:
		a.HandledBy = actor.ID
	case ActionVerify:
		if !req.Passed {
			a.Status = StatusAssigned
			a.Rework++
		}
	case ActionReopen:
		if c.Status == StatusRejected || c.Assignee == "" {
			a.Status = StatusFiled
		}
		a.MergedInto = ""
	case ActionMerge:
		a.MergedInto = req.Into
	case ActionReview:
		a.Rework++
		a.HandledBy = 0
	}
	if !req.Deadline.IsZero() {
		a.Deadline = req.Deadline
	}
	a.Version++
	t.To = a.Status
	return t, nil
}

// Allowed lists the actions the actor may take on the case now, in table
// order (for the buttons of the case page); input fields and the version
// are not considered.
func Allowed(actor Actor, c Snapshot, now time.Time) []Action {
	var out []Action
	for _, r := range rules {
		if permit(actor, c, r) == nil && allows(c, r, now) == nil {
			out = append(out, r.Action)
		}
	}
	return out
}
