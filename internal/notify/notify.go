// Package notify defines what Lantian tells people about: typed events, the
// record each concerns, and — one rule per kind — who receives it. It does no
// I/O: a service puts events into the write it makes, and the store resolves
// the audience and writes the messages inside that same transaction (the
// in-app inbox today; the work group's outbox extends the same call).
package notify

import (
	"slices"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/region"
)

// Kind names an event. Its value is stored with each inbox message and picks
// the message's text from the catalogs (inbox.kind.<value>).
type Kind string

// The kinds of event.
const (
	CaseReported   Kind = "reported"        // a case waits to be filed
	CaseCommitted  Kind = "committed"       // a unit promised a fix on the spot
	CaseFiled      Kind = "filed"           // a case waits to be assigned
	CaseAssigned   Kind = "assigned"        // a case waits to be handled
	CaseEscalated  Kind = "escalated"       // a case climbed to the street
	CaseReturned   Kind = "returned"        // the street sent a case back down
	CaseVerify     Kind = "verify"          // a handled case waits to be verified
	CaseRework     Kind = "rework"          // verification failed: handle again
	CaseReopened   Kind = "reopened"        // a closed case is open again
	CaseSupervise  Kind = "supervise"       // a leader presses for progress (督办)
	CaseOverdue    Kind = "overdue"         // a case passed its deadline
	PatrolMissed   Kind = "patrol_missed"   // a grid's patrol window passed without a patrol
	LetterReminder Kind = "letter_reminder" // a unit has not signed its letter

	InspectionClosed Kind = "inspection_closed" // a community's inspection sheet is scored and closed, with its findings
	InspectionWeek   Kind = "inspection_week"   // the street's weekly inspection summary is complete
	ProblemOwner     Kind = "problem_owner"     // a tracked problem was given to its owner
	MaterialLow      Kind = "material_low"      // a material of the store fell to its low-stock threshold

	// The work group's kinds (package messages maps some to channel events).
	NoticePublished Kind = "notice"           // a notice was sent to its recipients
	NoticeReminder  Kind = "notice_reminder"  // a notice still waits for their receipt
	LettersUnsigned Kind = "letters_unsigned" // the weekly list of unsigned letters (channels only)
	Digest          Kind = "digest"           // a region's figures of the day (channels only)
	ChannelTest     Kind = "channel_test"     // a test message for one channel (that channel only)
)

// Record names what an event is about, so that a message can open it.
type Record struct {
	Kind string // "case", "letter", "patrol_alert", "notice", "region"
	ID   int64  // the record's id (the case id for cases)
	Ref  string // its human reference: a case number, or a short label
	// Region is the region holding the record (a case's grid); outbound
	// channels of the regions above it receive the event.
	Region string
}

// Subject holds the facts the audience rules read; each kind reads a few.
type Subject struct {
	Held     string  // the region holding a case now
	Before   string  // the region that held it before (escalation)
	Assignee string  // the case's assignee reference (person:N, region:CODE, unit:N)
	Reporter int64   // who reported the case
	Actor    int64   // who acted (never told of their own act where the rule says so)
	Region   string  // the region an alert is about (a grid for missed patrols)
	Unit     int64   // the unit a letter is for
	Owner    int64   // the person a tracked problem is given to
	People   []int64 // named recipients (a notice's)
	Channel  int64   // the one channel a test message is for
}

// Event is one thing to tell people, with what its message shows.
type Event struct {
	Kind    Kind
	Record  Record
	Subject Subject
	Args    map[string]any // shown in the message (kept as JSON)
}

// Role is a group of people a Selector picks.
type Role string

// The groups a selector picks from.
const (
	Leaders      Role = "leader"       // leaders holding the role exactly at Region
	Patrollers   Role = "patroller"    // patrollers holding the role exactly at Region
	UnitContacts Role = "unit_contact" // contacts of Unit
	Person       Role = "person"       // the person PersonID
)

// Selector picks recipients: one role at one region, a unit's contacts, or a person.
type Selector struct {
	Role     Role
	Region   string
	Unit     int64
	PersonID int64
	// Up: when nobody holds Role at Region, try its parent, and so on up to
	// the street, so that an alert always reaches someone responsible.
	Up bool
}

// rule returns the selectors of an event of one kind.
type rule func(s Subject) []Selector

// rules is the one table of who is told of what.
var rules = map[Kind]rule{
	CaseReported:  heldLeaders,
	CaseCommitted: heldLeaders,
	CaseFiled:     heldLeaders,
	CaseAssigned:  assigneeSide,
	CaseEscalated: func(s Subject) []Selector { return append(heldLeaders(s), leadersAt(s.Before)...) },
	CaseReturned:  heldLeaders,
	CaseVerify:    func(s Subject) []Selector { return append(heldLeaders(s), reporter(s)...) },
	CaseRework:    assigneeSide,
	CaseReopened:  func(s Subject) []Selector { return append(heldLeaders(s), assigneeSide(s)...) },
	CaseSupervise: func(s Subject) []Selector { return append(assigneeSide(s), heldLeaders(s)...) },
	CaseOverdue:   func(s Subject) []Selector { return append(assigneeSide(s), heldLeaders(s)...) },
	PatrolMissed: func(s Subject) []Selector {
		return []Selector{{Role: Leaders, Region: region.AncestorAt(s.Region, region.Community), Up: true}}
	},
	LetterReminder: func(s Subject) []Selector { return []Selector{{Role: UnitContacts, Unit: s.Unit}} },

	// The community's leaders get its sheet (the street's when it has none);
	// the street's leaders the week; a problem's owner the problem.
	InspectionClosed: func(s Subject) []Selector { return []Selector{{Role: Leaders, Region: s.Region, Up: true}} },
	InspectionWeek:   func(s Subject) []Selector { return leadersAt(s.Region) },
	ProblemOwner:     func(s Subject) []Selector { return []Selector{{Role: Person, PersonID: s.Owner}} },
	MaterialLow:      func(s Subject) []Selector { return []Selector{{Role: Leaders, Region: s.Region, Up: true}} },

	NoticePublished: named,
	NoticeReminder:  named,
	// Summaries and tests go to outbound channels only, never to an inbox.
	LettersUnsigned: nobody,
	Digest:          nobody,
	ChannelTest:     nobody,
}

// Kinds lists every kind, sorted (for tests and the catalogs).
func Kinds() []Kind {
	out := make([]Kind, 0, len(rules))
	for k := range rules {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Audience returns who is told of ev, by the rule of its kind; an unknown
// kind tells nobody (and Known reports it).
func Audience(ev Event) []Selector {
	r, ok := rules[ev.Kind]
	if !ok {
		return nil
	}
	var out []Selector
	for _, s := range r(ev.Subject) {
		if s.Region == "" && s.Unit == 0 && s.PersonID == 0 {
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Known reports whether k has a rule.
func Known(k Kind) bool { _, ok := rules[k]; return ok }

func leadersAt(code string) []Selector {
	if code == "" {
		return nil
	}
	return []Selector{{Role: Leaders, Region: code}}
}

func heldLeaders(s Subject) []Selector { return leadersAt(s.Held) }

// named tells the people the subject names, each by id.
func named(s Subject) []Selector {
	out := make([]Selector, 0, len(s.People))
	for _, id := range s.People {
		out = append(out, Selector{Role: Person, PersonID: id})
	}
	return out
}

func nobody(Subject) []Selector { return nil }

// reporter tells the person who reported a case, unless they did the act themselves.
func reporter(s Subject) []Selector {
	if s.Reporter == 0 || s.Reporter == s.Actor {
		return nil
	}
	return []Selector{{Role: Person, PersonID: s.Reporter}}
}

// assigneeSide is who works an assigned case: the person; the leaders of the
// region (and a grid's patrollers); or the unit's contacts.
func assigneeSide(s Subject) []Selector {
	kind, v, _ := strings.Cut(s.Assignee, ":")
	switch kind {
	case "person":
		id, _ := strconv.ParseInt(v, 10, 64)
		return []Selector{{Role: Person, PersonID: id}}
	case "region":
		out := leadersAt(v)
		if region.LevelOf(v) == region.Grid {
			out = append(out, Selector{Role: Patrollers, Region: v})
		}
		return out
	case "unit":
		id, _ := strconv.ParseInt(v, 10, 64)
		return []Selector{{Role: UnitContacts, Unit: id}}
	}
	return nil
}
