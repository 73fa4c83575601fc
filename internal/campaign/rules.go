package campaign

import (
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Action is something done to a campaign.
type Action string

// The actions Decide rules on.
const (
	ActEdit   Action = "edit"   // change title, date, regions, tasks and participants
	ActRecord Action = "record" // record a task's result, photos and findings; a unit's headcount
	ActClose  Action = "close"  // the day is over: make the record final
	ActReopen Action = "reopen" // take a closed campaign back to record more
	ActCancel Action = "cancel" // it will not take place
)

// Actions lists every action in display order.
var Actions = []Action{ActEdit, ActRecord, ActClose, ActReopen, ActCancel}

// Actor is who acts, relative to one campaign (or one of its tasks).
type Actor struct {
	// Planner may plan the campaign: a leader or admin whose scope holds all its regions.
	Planner bool
	// Recorder may record results for the task at hand: a leader, admin,
	// patroller or volunteer whose scope holds the task's region.
	Recorder bool
}

// rule is one row of the table: who may take an action in which statuses,
// whether the campaign's day must have come, and the status it leads to
// ("" keeps the status).
type rule struct {
	planner, recorder bool
	from              []Status
	dayCome           bool
	to                Status
}

// rules is the one table of who may do what to a campaign in which status.
var rules = map[Action]rule{
	ActEdit:   {planner: true, from: []Status{Proposed, Planned}, to: Planned},
	ActRecord: {planner: true, recorder: true, from: []Status{Planned}, dayCome: true},
	ActClose:  {planner: true, from: []Status{Planned}, dayCome: true, to: Closed},
	ActReopen: {planner: true, from: []Status{Closed}, to: Planned},
	ActCancel: {planner: true, from: []Status{Proposed, Planned}, to: Cancelled},
}

// Decide rules on action by a in status st, where dayCome says whether the
// campaign's day has come (today on or after it). It returns the status the
// campaign moves to, or a Forbidden error when a has no part in it, or a
// Conflict when the status or the day does not allow it.
func Decide(a Actor, st Status, act Action, dayCome bool) (Status, error) {
	r, ok := rules[act]
	if !ok {
		return st, apperr.New(apperr.Invalid, "err.invalid")
	}
	if !(r.planner && a.Planner) && !(r.recorder && a.Recorder) {
		return st, apperr.ErrForbidden
	}
	allowed := false
	for _, s := range r.from {
		if s == st {
			allowed = true
		}
	}
	if !allowed {
		return st, apperr.New(apperr.Conflict, MsgState)
	}
	if r.dayCome && !dayCome {
		return st, apperr.New(apperr.Conflict, MsgNotYet)
	}
	if r.to == "" {
		return st, nil
	}
	return r.to, nil
}

// Allowed lists the actions a may take now, for a page's buttons.
func Allowed(a Actor, st Status, dayCome bool) []Action {
	var out []Action
	for _, act := range Actions {
		if _, err := Decide(a, st, act, dayCome); err == nil {
			out = append(out, act)
		}
	}
	return out
}

// DayCome reports whether the campaign's date has come on today (both local YYYY-MM-DD).
func DayCome(date, today string) bool { return date != "" && date <= today }

// ProposalDay returns the day Lantian proposes for the month's clean-up: the
// last Friday of the month; when that is not a working day, the last working
// day of the same week before it (Thursday back to Monday). A week with no
// working day before its Friday (a long holiday) gets no proposal: ok is false.
func ProposalDay(year int, month time.Month, isWorkday func(time.Time) bool) (day time.Time, ok bool) {
	last := time.Date(year, month+1, 0, 12, 0, 0, 0, time.UTC)
	back := (int(last.Weekday()) - int(time.Friday) + 7) % 7
	friday := last.AddDate(0, 0, -back)
	for d := friday; d.Weekday() >= time.Monday && d.Weekday() <= time.Friday; d = d.AddDate(0, 0, -1) {
		if d.Month() != month {
			break // the week began in the month before: no proposal rather than one in the wrong month
		}
		if isWorkday(d) {
			return d, true
		}
	}
	return time.Time{}, false
}
