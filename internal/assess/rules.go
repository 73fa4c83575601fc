package assess

import (
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Action is something done to a rubric or a bulletin.
type Action string

// The actions.
const (
	ActionEditRubric Action = "edit_rubric" // change a rubric's title and items
	ActionManual     Action = "manual"      // enter or change a manual score
	ActionPublish    Action = "publish"     // publish a bulletin of a rubric's period
)

// State is where a rubric stands for an action: Free until a bulletin
// published on it, Published after; for publishing, whether the period
// already has a bulletin and whether the request names it as replaced.
type State struct {
	Published  bool  // a published bulletin uses the rubric
	Existing   int64 // the current bulletin of the rubric's period, 0 if none
	Supersedes int64 // the bulletin the request replaces, 0 if none
}

// Rule says that Action needs the rubric free of bulletins (Free), and
// whether it is refused over a frozen period (FrozenPeriod).
type Rule struct {
	Action Action
	// Free: refused with 409 once a published bulletin uses the rubric.
	Free bool
	// FrozenPeriod: refused with 409 when the period has a bulletin
	// (manual scores of a published period would silently differ from it).
	FrozenPeriod bool
	// Replaces: a period with a bulletin takes a new one only when the
	// request names the current one as superseded.
	Replaces bool
}

// rules is THE table of the assessment's writes.
var rules = []Rule{
	{Action: ActionEditRubric, Free: true},
	// Manual scores stay open after publishing: the bulletin keeps its
	// frozen figures, the live page shows the change, and a superseding
	// bulletin takes it up.
	{Action: ActionManual},
	{Action: ActionPublish, Replaces: true},
}

// Rules returns a copy of the table.
func Rules() []Rule { return slices.Clone(rules) }

// Decide rules on action a in state s: nil when allowed, a Conflict (409)
// naming why otherwise — err.assess.rubric_published (copy the rubric to
// change it), err.assess.period_published, err.assess.bulletin_exists
// (say which bulletin the new one replaces), err.assess.supersedes (the
// bulletin named is not the period's current one).
func Decide(a Action, s State) error {
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.Action == a })
	if i < 0 {
		return apperr.Field("action", "err.invalid_choice")
	}
	r := rules[i]
	switch {
	case r.Free && s.Published:
		return apperr.New(apperr.Conflict, "err.assess.rubric_published")
	case r.FrozenPeriod && s.Existing != 0:
		return apperr.New(apperr.Conflict, "err.assess.period_published")
	case r.Replaces && s.Existing == 0 && s.Supersedes != 0:
		return apperr.New(apperr.Conflict, "err.assess.supersedes")
	case r.Replaces && s.Existing != 0 && s.Supersedes == 0:
		return apperr.New(apperr.Conflict, "err.assess.bulletin_exists", s.Existing)
	case r.Replaces && s.Existing != 0 && s.Supersedes != s.Existing:
		return apperr.New(apperr.Conflict, "err.assess.supersedes")
	}
	return nil
}
