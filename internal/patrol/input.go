package patrol

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
)

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidUUID reports whether s is a UUID in its canonical 8-4-4-4-12 form.
func ValidUUID(s string) bool { return uuidRe.MatchString(s) }

// text adds the error of a text field to f: required and empty, or longer
// than max characters (the message names the limit).
func text(f apperr.Fields, field, s string, required bool, max int) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(s)); {
	case n == 0 && required:
		f.Add(field, MsgRequired)
	case n > max:
		f.Add(field, MsgTooLong, max)
	}
}

// uid adds the error of a phone-chosen id to f as field "id".
func uid(f apperr.Fields, s string) {
	switch {
	case s == "":
		f.Add("id", MsgRequired)
	case !ValidUUID(s):
		f.Add("id", MsgFormat)
	}
}

// timeIn adds the error of the time of something recorded during patrol p to f as field "t".
func timeIn(f apperr.Fields, t time.Time, p Patrol, now time.Time) {
	if t.IsZero() {
		f.Add("t", MsgRequired)
	} else if k := CheckTime(t, p.StartedAt, p.EndedAt, now); k != "" {
		f.Add("t", k)
	}
}

// Start is a new patrol as the phone sends it.
type Start struct {
	UID       string
	Grid      string
	StartedAt time.Time
}

// Validate returns the field errors (id, grid, started_at) of a start
// judged at now as an *apperr.Error, or nil. The caller checks that the grid
// exists and that the patroller may walk it.
func (s Start) Validate(now time.Time) error {
	f := apperr.Fields{}
	uid(f, s.UID)
	if s.Grid == "" {
		f.Add("grid", MsgRequired)
	}
	if k := CheckStart(s.StartedAt, now); k != "" {
		f.Add("started_at", k)
	}
	return f.Err()
}

// Visit is a check-in at a key site during a patrol.
type Visit struct {
	ID       int64
	UID      string // UUID chosen by the phone
	PatrolID int64
	Site     SiteRef
	At       time.Time
	Lat, Lon float64
	Note     string
	Photo    string // id of the check-in's photo, "" when none
}

// Validate returns the field errors (id, site, t, lat, note) of a visit to
// patrol p judged at now as an *apperr.Error, or nil. The caller checks that
// the site is one of the grid's.
func (v Visit) Validate(p Patrol, now time.Time) error {
	f := apperr.Fields{}
	uid(f, v.UID)
	if v.Site.Key() == "" {
		f.Add("site", MsgRequired)
	}
	timeIn(f, v.At, p, now)
	if !ValidCoords(v.Lat, v.Lon) {
		f.Add("lat", MsgCoords)
	}
	text(f, "note", v.Note, false, MaxNote)
	return f.Err()
}

// RecordKind is what a patrol record is about.
type RecordKind string

// The two records the seed names beside cases.
const (
	KindDispute   RecordKind = "dispute"   // a dispute mediated: parties, summary, outcome
	KindPromotion RecordKind = "promotion" // clean-energy promotion: households reached, note
)

// Valid reports whether k is a known kind.
func (k RecordKind) Valid() bool { return k == KindDispute || k == KindPromotion }

// Record is a dispute mediated or a clean-energy promotion during a patrol.
type Record struct {
	ID         int64
	UID        string // UUID chosen by the phone
	PatrolID   int64
	Kind       RecordKind
	At         time.Time
	Parties    string // dispute
	Summary    string // dispute
	Outcome    string // dispute
	Households int    // promotion
	Note       string
}

// Validate returns the field errors (id, kind, t, parties, summary, outcome,
// households, note) of a record of patrol p judged at now as an
// *apperr.Error, or nil: a dispute needs its parties, summary and outcome; a
// promotion the households reached. Fields of the other kind are ignored.
func (r Record) Validate(p Patrol, now time.Time) error {
	f := apperr.Fields{}
	uid(f, r.UID)
	timeIn(f, r.At, p, now)
	switch r.Kind {
	case KindDispute:
		text(f, "parties", r.Parties, true, MaxParties)
		text(f, "summary", r.Summary, true, MaxText)
		text(f, "outcome", r.Outcome, true, MaxText)
	case KindPromotion:
		if r.Households < 1 || r.Households > MaxHouseholds {
			f.Add("households", MsgRange)
		}
	case "":
		f.Add("kind", MsgRequired)
	default:
		f.Add("kind", MsgChoice)
	}
	text(f, "note", r.Note, false, MaxNote)
	return f.Err()
}

// End is the end of a patrol as the phone sends it.
type End struct {
	EndedAt time.Time
	Summary string
}

// Validate returns the field errors (ended_at, summary) of ending patrol p
// judged at now as an *apperr.Error, or nil.
func (e End) Validate(p Patrol, now time.Time) error {
	f := apperr.Fields{}
	if k := CheckEnd(e.EndedAt, p.StartedAt, now); k != "" {
		f.Add("ended_at", k)
	}
	text(f, "summary", e.Summary, false, MaxSummary)
	return f.Err()
}
