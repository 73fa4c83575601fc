package inspect

import (
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Action is something done to an inspection.
type Action string

// The actions on an inspection.
const (
	ActionOpen    Action = "open"    // begin: build the agenda
	ActionRefresh Action = "refresh" // build the agenda again
	ActionScore   Action = "score"   // score items (opens a planned inspection)
	ActionFinding Action = "finding" // record a problem found as a case (opens it too)
	ActionPhoto   Action = "photo"   // add a photo to an item (opens it too)
	ActionAck     Action = "ack"     // the community's leader acknowledges the sheet
	ActionClose   Action = "close"   // finish: every item scored; never changed again
	ActionMove    Action = "move"    // another date, with a reason
	ActionCancel  Action = "cancel"  // call it off, with a reason
	ActionCorrect Action = "correct" // a new record correcting a closed one
)

// Cap is what an actor may do with an inspection of a community, by role
// and scope (the service asks the permission policy); a set is a bit mask.
type Cap uint8

// The capabilities.
const (
	CanScore Cap = 1 << iota // an inspector (or a street leader) over the community
	CanPlan                  // a street leader or admin: schedule, move, cancel
	CanAck                   // a leader over the community: acknowledge the sheet
)

// Rule says who (By) may take Action on an inspection in one of the
// statuses From, and the status that results (To; "" keeps it).
type Rule struct {
	Action Action
	From   []Status
	To     Status
	By     Cap
}

var live = []Status{StatusPlanned, StatusOpen}

// rules is THE table of an inspection's life.
var rules = []Rule{
	{Action: ActionOpen, From: []Status{StatusPlanned}, To: StatusOpen, By: CanScore},
	{Action: ActionRefresh, From: live, By: CanScore | CanPlan},
	{Action: ActionScore, From: live, To: StatusOpen, By: CanScore},
	{Action: ActionFinding, From: live, To: StatusOpen, By: CanScore},
	{Action: ActionPhoto, From: live, To: StatusOpen, By: CanScore},
	{Action: ActionAck, From: []Status{StatusOpen}, By: CanAck},
	{Action: ActionClose, From: []Status{StatusOpen}, To: StatusClosed, By: CanScore},
	{Action: ActionMove, From: []Status{StatusPlanned}, By: CanPlan},
	{Action: ActionCancel, From: live, To: StatusCancelled, By: CanPlan},
	{Action: ActionCorrect, From: []Status{StatusClosed}, By: CanScore},
}

// Rules returns a copy of the table (for tests and documentation).
func Rules() []Rule { return slices.Clone(rules) }

// Decide rules on action a by an actor with caps on an inspection in
// status s: it returns the status that follows, ErrForbidden (403) when the
// actor may not, or a Conflict (409) when the status does not allow it —
// err.inspect.closed for a closed inspection.
func Decide(caps Cap, s Status, a Action) (Status, error) {
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.Action == a })
	if i < 0 {
		return s, apperr.Field("action", "err.invalid_choice")
	}
	r := rules[i]
	if caps&r.By == 0 {
		return s, apperr.ErrForbidden
	}
	if !slices.Contains(r.From, s) {
		switch s {
		case StatusClosed:
			return s, apperr.New(apperr.Conflict, "err.inspect.closed")
		case StatusCancelled:
			return s, apperr.New(apperr.Conflict, "err.inspect.cancelled")
		}
		return s, apperr.New(apperr.Conflict, "err.inspect.state")
	}
	if r.To == "" {
		return s, nil
	}
	return r.To, nil
}

// Allowed lists the actions an actor with caps may take in status s.
func Allowed(caps Cap, s Status) []Action {
	var out []Action
	for _, r := range rules {
		if caps&r.By != 0 && slices.Contains(r.From, s) {
			out = append(out, r.Action)
		}
	}
	return out
}
