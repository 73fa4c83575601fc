// Package cases holds the rules of a case (问题 / 案件): its states, classes,
// severities and sources, who may take which action in which state (one
// table, Rules), the level at which a case is held, validation of a new
// case, case numbers and the duplicate rule. It is pure: the store persists
// what Decide returns, the web and API layers translate its message keys.
package cases

import (
	"slices"
	"time"
)

// Status is where a case stands in the closed loop.
type Status string

// The statuses of DESIGN.md §3.
const (
	StatusReported Status = "reported" // recorded, not yet accepted
	StatusFiled    Status = "filed"    // accepted as a valid case (立案)
	StatusRejected Status = "rejected" // invalid, or a duplicate merged into another case
	StatusAssigned Status = "assigned" // dispatched to someone to handle, with a deadline
	StatusHandled  Status = "handled"  // the handler has fed back; waiting for verification
	StatusClosed   Status = "closed"   // verified (or handled on the spot)
)

// Statuses lists every status in loop order.
var Statuses = []Status{StatusReported, StatusFiled, StatusRejected, StatusAssigned, StatusHandled, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Open reports whether the case is still in the loop: neither closed nor rejected.
func (s Status) Open() bool { return s.Valid() && s != StatusClosed && s != StatusRejected }

// Pending reports whether the case waits on the responsible side (to be
// filed, assigned or handled), which is when its deadline can be overdue.
func (s Status) Pending() bool {
	return s == StatusReported || s == StatusFiled || s == StatusAssigned
}

// Class is how a case is dealt with.
type Class string

// The classes of DESIGN.md §3.
const (
	ClassOnSpot    Class = "onspot"    // 即办件: the finder fixed it and closes it at once
	ClassEscalated Class = "escalated" // 上报件: reported for the responsible level to deal with
	ClassCommitted Class = "committed" // 承诺件: the responsible party commits to a due date
)

// Classes lists every class.
var Classes = []Class{ClassOnSpot, ClassEscalated, ClassCommitted}

// Valid reports whether c is a known class.
func (c Class) Valid() bool { return slices.Contains(Classes, c) }

// Severity decides the level at which a case is held.
type Severity string

// The severities.
const (
	SeverityMinor Severity = "minor" // held and closed at the community
	SeverityMajor Severity = "major" // held at the street
)

// Severities lists every severity.
var Severities = []Severity{SeverityMinor, SeverityMajor}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return slices.Contains(Severities, s) }

// Source is where a case came from.
type Source string

// The sources of DESIGN.md §3.
const (
	SourcePatrol       Source = "patrol"
	SourceVolunteer    Source = "volunteer"
	SourcePublic       Source = "public" // web form or Open311
	SourceInspection   Source = "inspection"
	SourceCampaign     Source = "campaign"
	SourceHotline12345 Source = "hotline12345" // government service hotline transfer
	SourceHotline12369 Source = "hotline12369" // environmental hotline transfer
	SourceUnit         Source = "unit"         // a unit's self-report
)

// Sources lists every source.
var Sources = []Source{SourcePatrol, SourceVolunteer, SourcePublic, SourceInspection, SourceCampaign, SourceHotline12345, SourceHotline12369, SourceUnit}

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return slices.Contains(Sources, s) }

// Hotline reports whether s is a hotline transfer, which carries the hotline's reference number.
func (s Source) Hotline() bool { return s == SourceHotline12345 || s == SourceHotline12369 }

// Role is a person's role, as in the people package (kept as a plain string
// here so that this package depends on nothing).
type Role string

// The roles of DESIGN.md §2.
const (
	RoleAdmin       Role = "admin"
	RoleLeader      Role = "leader"
	RoleInspector   Role = "inspector"
	RolePatroller   Role = "patroller"
	RoleVolunteer   Role = "volunteer"
	RoleUnitContact Role = "unit_contact"
)

// Levels at which a case is held (region levels of DESIGN.md §2).
const (
	LevelStreet    = 2
	LevelCommunity = 3
	LevelGrid      = 4
)

// Snapshot is the state of a case that the rules look at.
type Snapshot struct {
	Number     string // e.g. XG-20261128-0042
	Category   string
	Lat, Lon   float64
	ReportedAt time.Time
	Status     Status
	Class      Class
	Severity   Severity
	Level      int // LevelStreet, LevelCommunity or LevelGrid
	Version    int // starts at 1, +1 on every change of the case
	ReporterID int64
	// Assignee is a reference to whoever the case is assigned to (for
	// example "person:12", "region:620502001001" or "unit:7"); the rules
	// only look at whether it is empty.
	Assignee   string
	HandledBy  int64     // the person who recorded the last handling; 0 if none
	Deadline   time.Time // zero when none
	Rework     int       // how many times verification failed
	MergedInto string    // number of the case this one was merged into
}

// Overdue reports whether the case is pending past its deadline at now.
func (c Snapshot) Overdue(now time.Time) bool {
	return c.Status.Pending() && !c.Deadline.IsZero() && now.After(c.Deadline)
}

// InitialLevel is the level a new case is held at: minor cases at the
// community, major ones at the street ("small problems stay in the level-3
// grid, big ones in the level-2 grid").
func InitialLevel(s Severity) int {
	if s == SeverityMajor {
		return LevelStreet
	}
	return LevelCommunity
}

// ShouldEscalate reports whether the background job should escalate the
// case one level: it is pending, held below the street, and either major or
// overdue by more than grace (wall-clock time). A case held at the grid that
// stays overdue climbs to the community on one run and to the street on the
// next.
func ShouldEscalate(c Snapshot, now time.Time, grace time.Duration) bool {
	if !c.Status.Pending() || c.Level <= LevelStreet {
		return false
	}
	return c.Severity == SeverityMajor || (!c.Deadline.IsZero() && now.After(c.Deadline.Add(grace)))
}
