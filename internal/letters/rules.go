package letters

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/flagset"
)

// Action is something done to a letter, to a unit's letter for a year, or
// to the templates.
type Action string

// The actions Decide rules on. Their names are those the API lists in a
// letter's "actions".
const (
	ActionIssue         Action = "issue"          // give a unit its letter for the year
	ActionRenew         Action = "renew"          // give a unit next year's letter because it had one this year
	ActionSignUnit      Action = "sign_unit"      // sign on screen for the unit (乙方)
	ActionSignStreet    Action = "sign_street"    // counter-sign on screen for the street office (甲方)
	ActionScan          Action = "scan"           // upload the signed paper copy, which signs for both
	ActionRemind        Action = "remind"         // tell the unit's contacts to sign
	ActionWithdraw      Action = "withdraw"       // take the letter back, with a reason
	ActionArchive       Action = "archive"        // file a signed letter away once its year is over
	ActionEditTemplates Action = "edit_templates" // add or change the yearly templates
)

// Actions lists every action in table order.
var Actions = []Action{ActionIssue, ActionRenew, ActionSignUnit, ActionSignStreet, ActionScan, ActionRemind, ActionWithdraw, ActionArchive, ActionEditTemplates}

// StatusNone is the state of a unit that has no current letter for a year
// (none at all, or only withdrawn ones): the state Issue and Renew start from.
const StatusNone Status = ""

// Relation is how an actor stands to a letter's unit; a set of them is a bit
// mask. The service derives it from the permission policy (package auth).
type Relation uint8

// The relations.
const (
	// Contact is a contact of the letter's unit: they sign for it.
	Contact Relation = 1 << iota
	// Issuer leads or administers a region holding the unit: issues, renews,
	// withdraws and reminds.
	Issuer
	// Signer signs for the street office where the unit lies (the street's
	// leaders and admins): counter-signs and uploads signed scans.
	Signer
	// Editor edits the yearly templates (admins over the whole district).
	Editor
	// System is the background job.
	System
)

var relationNames = []string{"contact", "issuer", "signer", "editor", "system"}

// String lists the relations in the set, such as "issuer|signer".
func (r Relation) String() string { return flagset.String(r, relationNames) }

// Rule says who (By) may take Action on a letter in one of the statuses
// From. A Unit rule is about a unit's letter for a year, not about one
// letter: From is the state of the unit's current letter (StatusNone when
// it has none). A Templates rule does not look at a letter at all.
type Rule struct {
	Action    Action
	From      []Status
	By        Relation
	Unit      bool
	Templates bool
}

var (
	fromNone   = []Status{StatusNone, StatusWithdrawn}
	fromOpen   = []Status{StatusDraft, StatusIssued}
	fromIssued = []Status{StatusIssued}
)

// rules is THE table of the letters. Reading is a matter of scope, not of
// this table: whoever may read a letter sees it in every state.
var rules = []Rule{
	// Leaders and admins over the unit's grid give a unit without a current
	// letter its letter; a withdrawn one does not count. (Closed units are
	// skipped: see Skip.)
	{Action: ActionIssue, From: fromNone, By: Issuer, Unit: true},
	// They renew: the same for next year, for last year's units.
	{Action: ActionRenew, From: fromNone, By: Issuer, Unit: true},
	// The unit's contact signs an issued letter for the unit, once.
	{Action: ActionSignUnit, From: fromIssued, By: Contact},
	// The street office counter-signs an issued letter, once.
	{Action: ActionSignStreet, From: fromIssued, By: Signer},
	// The street office uploads the signed paper copy of an issued letter; it
	// signs for both parties, whoever has signed on screen already.
	{Action: ActionScan, From: fromIssued, By: Signer},
	// Issuers remind the unit's contacts of an issued, unsigned letter.
	{Action: ActionRemind, From: fromIssued, By: Issuer},
	// Issuers take back a letter nobody has finished signing.
	{Action: ActionWithdraw, From: fromOpen, By: Issuer},
	// The background job archives a signed letter once its year is over (see ArchiveDue).
	{Action: ActionArchive, From: []Status{StatusSigned}, By: System},
	// Admins over the whole district edit the templates, whatever any letter's state.
	{Action: ActionEditTemplates, By: Editor, Templates: true},
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

// ErrForbidden is Decide's answer to an actor whose relations do not allow
// the action (HTTP 403); test with errors.Is.
var ErrForbidden = errors.New("letters: not allowed for this person")

// ErrAction is Decide's answer to an action it does not know (a field error on "action").
var ErrAction = errors.New("letters: unknown action")

// forbidden returns the 403 of Decide, wrapping ErrForbidden with a detail for the log.
func forbidden(rel Relation, a Action, l Letter) error {
	return apperr.Wrap(fmt.Errorf("%w: %s may not %s letter %d (%s)", ErrForbidden, rel, a, l.ID, l.Status), apperr.Forbidden, "err.letter.forbidden")
}

// permit checks the actor's relations.
func permit(rel Relation, r Rule) bool { return rel&r.By != 0 }

// allows checks the state: the rule's statuses, and for on-screen signing
// that the party has not signed yet. Its errors are the conflicts
// ErrSigned, ErrWithdrawn, ErrState and ErrPartySigned.
func allows(l Letter, r Rule) error {
	if r.Templates {
		return nil
	}
	if !slices.Contains(r.From, l.Status) {
		if r.Unit {
			return apperr.Wrap(fmt.Errorf("unit %d has a %s letter", l.UnitID, l.Status), apperr.Conflict, "err.letter.exists")
		}
		return stateErr(l.Status)
	}
	switch r.Action {
	case ActionSignUnit:
		if l.HasSigned(PartyUnit) {
			return ErrPartySigned
		}
	case ActionSignStreet:
		if l.HasSigned(PartyStreet) {
			return ErrPartySigned
		}
	}
	return nil
}

// Decide rules on action a by an actor with relations rel on letter l (for
// a Unit action, a letter whose Status is the unit's current one; for
// editing templates, any letter). It returns nil when allowed, else, checked
// in this order: an invalid "action" field for an unknown action; a 403
// (err.letter.forbidden, wrapping ErrForbidden) when rel does not allow it;
// a 409 when the state does not (ErrSigned, ErrWithdrawn, ErrState,
// ErrPartySigned; err.letter.exists for a unit that has a current letter).
func Decide(rel Relation, l Letter, a Action) error {
	r, ok := ruleFor(a)
	if !ok {
		e := apperr.Field("action", "err.invalid_choice")
		apperr.As(e).Err = fmt.Errorf("%w %q", ErrAction, a)
		return e
	}
	if !permit(rel, r) {
		return forbidden(rel, a, l)
	}
	return allows(l, r)
}

// Allowed lists what an actor with relations rel may do to letter l now, in
// table order (for the letter page's forms and the API's "actions"): only
// the actions on one letter, not issuing, renewing or editing templates.
func Allowed(rel Relation, l Letter) []Action {
	var out []Action
	for _, r := range rules {
		if r.Unit || r.Templates {
			continue
		}
		if permit(rel, r) && allows(l, r) == nil {
			out = append(out, r.Action)
		}
	}
	return out
}

// SignAction is the action a signature of kind for party takes: a scan, or
// signing on screen for the unit or the street. An unknown party gives "".
func SignAction(kind SignatureKind, party Party) Action {
	switch {
	case kind == KindScan:
		return ActionScan
	case party == PartyUnit:
		return ActionSignUnit
	case party == PartyStreet:
		return ActionSignStreet
	}
	return ""
}
