package inspect

import (
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// ProblemStatus is where a tracked problem stands.
type ProblemStatus string

// The statuses of a tracked problem.
const (
	ProblemOpen     ProblemStatus = "open"     // being worked on; on every agenda of its community
	ProblemResolved ProblemStatus = "resolved" // the owner says it is solved; still on the agenda until closed
	ProblemClosed   ProblemStatus = "closed"   // closed with a note saying what solved it
)

// ProblemStatuses lists every status.
var ProblemStatuses = []ProblemStatus{ProblemOpen, ProblemResolved, ProblemClosed}

// Valid reports whether s is a known status.
func (s ProblemStatus) Valid() bool { return slices.Contains(ProblemStatuses, s) }

// Problem is a hot or hard problem a leader adopted to track to its end:
// the cases behind it, an owner and a target date, notes over time.
type Problem struct {
	ID         int64
	Region     string // the community (the street when its cases span communities)
	Street     string
	Title      string
	OwnerID    int64
	OwnerName  string
	Due        string // local date
	Status     ProblemStatus
	Hotspot    string // the hotspot it was adopted from, "" when none
	Cases      []string
	Notes      []Note
	CreatedAt  time.Time
	CreatedBy  int64
	ResolvedAt time.Time
	ClosedAt   time.Time
	Version    int
	UpdatedAt  time.Time
}

// Note is one entry of a problem's history.
type Note struct {
	ID     int64
	At     time.Time
	ByID   int64
	ByName string
	Status ProblemStatus // the status after the note
	Note   string
}

// Adoption is a leader's request to track a problem.
type Adoption struct {
	Title   string
	OwnerID int64
	Due     string
	Cases   []string
	Hotspot string
}

// Validate checks what a request must hold before anything is looked up:
// a title, an owner, a due date's shape, between 1 and MaxCases cases.
func (a Adoption) Validate() error {
	f := apperr.Fields{}
	switch n := len([]rune(strings.TrimSpace(a.Title))); {
	case n == 0:
		f.Add("title", "err.required")
	case n > MaxTitle:
		f.Add("title", "err.too_long", MaxTitle)
	}
	if a.OwnerID <= 0 {
		f.Add("owner", "err.required")
	}
	if strings.TrimSpace(a.Due) == "" {
		f.Add("due", "err.required")
	}
	switch {
	case len(a.Cases) == 0:
		f.Add("cases", "err.inspect.no_cases")
	case len(a.Cases) > MaxCases:
		f.Add("cases", "err.inspect.too_many_cases", MaxCases)
	}
	if len(a.Hotspot) > 80 {
		f.Add("hotspot", "err.too_long", 80)
	}
	return f.Err()
}

// ProblemAction is something done to a tracked problem.
type ProblemAction string

// The actions on a tracked problem.
const (
	ProblemNote    ProblemAction = "note"    // a note on the progress
	ProblemResolve ProblemAction = "resolve" // the owner or a leader says it is solved
	ProblemReopen  ProblemAction = "reopen"  // it is not solved after all
	ProblemClose   ProblemAction = "close"   // done, with what solved it
)

// Who stands how to a problem; a set is a bit mask.
const (
	ByLeader    Cap = 1 << iota // a leader or admin over its region
	ByOwner                     // the person who owns it
	ByInspector                 // an inspector over its region
)

type problemRule struct {
	Action ProblemAction
	From   []ProblemStatus
	To     ProblemStatus
	By     Cap
}

var problemRules = []problemRule{
	{ProblemNote, []ProblemStatus{ProblemOpen, ProblemResolved}, "", ByLeader | ByOwner | ByInspector},
	{ProblemResolve, []ProblemStatus{ProblemOpen}, ProblemResolved, ByLeader | ByOwner},
	{ProblemReopen, []ProblemStatus{ProblemResolved}, ProblemOpen, ByLeader | ByInspector},
	{ProblemClose, []ProblemStatus{ProblemOpen, ProblemResolved}, ProblemClosed, ByLeader},
}

// DecideProblem rules on action a on a problem in status s by an actor
// standing as rel, with note: every action needs a note (closing says what
// solved it). It returns the status that follows, ErrForbidden, a Conflict
// for a closed problem or a wrong status, or a field error on "note".
func DecideProblem(rel Cap, s ProblemStatus, a ProblemAction, note string) (ProblemStatus, error) {
	i := slices.IndexFunc(problemRules, func(r problemRule) bool { return r.Action == a })
	if i < 0 {
		return s, apperr.Field("status", "err.invalid_choice")
	}
	r := problemRules[i]
	if rel&r.By == 0 {
		return s, apperr.ErrForbidden
	}
	if !slices.Contains(r.From, s) {
		if s == ProblemClosed {
			return s, apperr.New(apperr.Conflict, "err.problem.closed")
		}
		return s, apperr.New(apperr.Conflict, "err.problem.state")
	}
	switch n := len([]rune(strings.TrimSpace(note))); {
	case n == 0 && a == ProblemClose:
		return s, apperr.Field("note", "err.problem.close_note")
	case n == 0:
		return s, apperr.Field("note", "err.required")
	case n > MaxNote:
		return s, apperr.Field("note", "err.too_long", MaxNote)
	}
	if r.To == "" {
		return s, nil
	}
	return r.To, nil
}

// ProblemAllowed lists the actions rel may take on a problem in status s.
func ProblemAllowed(rel Cap, s ProblemStatus) []ProblemAction {
	var out []ProblemAction
	for _, r := range problemRules {
		if rel&r.By != 0 && slices.Contains(r.From, s) {
			out = append(out, r.Action)
		}
	}
	return out
}
