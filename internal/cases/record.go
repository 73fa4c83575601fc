package cases

import (
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/calendar"
)

// Case is a case as stored: the Snapshot the rules look at plus everything
// the ledger shows.
type Case struct {
	Snapshot
	ID             int64
	ClientID       string
	Description    string
	Address        string
	Region         string // the grid the point lies in
	UnitID         int64  // related unit, 0 when none
	Source         Source
	HotlineRef     string
	Held           string // code of the region at Level that holds the case
	Commitment     string // a committed case's written commitment
	ReporterName   string // for public reports (no account)
	ReporterMobile string // for public reports; never shown publicly
	ClosedAt       time.Time
	Day            string    // local date reported, YYYY-MM-DD
	DeadlineFrom   time.Time // when the current deadline started running, for the timer
	AfterPhotos    int
	UpdatedAt      time.Time
	Timeline       []Event
	Photos         []Photo
	// TrackingHash is the SHA-256 (hex) of a public reporter's tracking
	// secret, given when the case is created; it is stored apart and never
	// loaded back into a Case.
	TrackingHash string
	// ManualPosition: the reporter set the point by hand (tapped a map or
	// chose a key site) because the phone had no location; kept as a flag
	// (case_flags) and read with CaseFlags.
	ManualPosition bool
}

// Event is one timeline entry as stored.
type Event struct {
	ID        int64
	At        time.Time
	ActorID   int64
	ActorName string
	Action    Action
	Status    Status
	Level     int
	Note      string
}

// Photo is a photo attached to a case at a step.
type Photo struct {
	ID      string // content hash
	Step    string // before or after
	At      time.Time
	EventID int64
}

// Photo steps.
const (
	StepBefore = "before"
	StepAfter  = "after"
)

// AssigneeRef builds the reference stored in Snapshot.Assignee.
func AssigneeRef(kind string, id any) string {
	switch v := id.(type) {
	case int64:
		return kind + ":" + strconv.FormatInt(v, 10)
	case string:
		return kind + ":" + v
	}
	return ""
}

// ParseAssignee splits an assignee reference into its kind (person, region,
// unit) and value.
func ParseAssignee(ref string) (kind, value string) {
	k, v, ok := strings.Cut(ref, ":")
	if !ok {
		return "", ""
	}
	return k, v
}

// NoAfterPhoto reports whether an on-the-spot case still lacks its "after"
// photo a day after it was reported, which the ledger flags.
func (c Case) NoAfterPhoto(now time.Time) bool {
	return c.Class == ClassOnSpot && c.AfterPhotos == 0 && now.Sub(c.ReportedAt) > 24*time.Hour
}

// Category is a node of the two-level category tree with its time limits.
type Category struct {
	Code     string
	Parent   string
	NameZh   string
	NameEn   string
	Severity Severity
	Level    int            // level responsible
	File     calendar.Limit // to file a report
	Handle   calendar.Limit // to handle once assigned
	Verify   calendar.Limit // to verify once handled
	Sort     int
	Active   bool
	Children []Category
}

// Name returns the category's name in lang.
func (c Category) Name(lang string) string {
	if lang == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.NameZh
}
