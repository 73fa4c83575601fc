package patrol

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidUUID reports whether s is a UUID in its canonical 8-4-4-4-12 form.
func ValidUUID(s string) bool { return uuidRe.MatchString(s) }

// textErr returns the key for a text field: required and empty, or too long.
func textErr(s string, required bool, max int) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(s)); {
	case n == 0 && required:
		return MsgRequired
	case n > max:
		return MsgTooLong
	}
	return ""
}

// Start is a new patrol as the phone sends it.
type Start struct {
	UID       string
	Grid      string
	StartedAt time.Time
}

// Validate returns field errors (id, started_at) judged at now, or nil. The
// caller checks that the grid exists and that the patroller may walk it.
func (s Start) Validate(now time.Time) map[string]string {
	f := map[string]string{}
	switch {
	case s.UID == "":
		f["id"] = MsgRequired
	case !ValidUUID(s.UID):
		f["id"] = MsgFormat
	}
	if s.Grid == "" {
		f["grid"] = MsgRequired
	}
	if k := CheckStart(s.StartedAt, now); k != "" {
		f["started_at"] = k
	}
	if len(f) == 0 {
		return nil
	}
	return f
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

// Validate returns field errors (id, site, t, lat, lon, note) for a visit to
// patrol p judged at now, or nil. The caller checks that the site is one of
// the grid's.
func (v Visit) Validate(p Patrol, now time.Time) map[string]string {
	f := map[string]string{}
	switch {
	case v.UID == "":
		f["id"] = MsgRequired
	case !ValidUUID(v.UID):
		f["id"] = MsgFormat
	}
	if v.Site.Key() == "" {
		f["site"] = MsgRequired
	}
	if v.At.IsZero() {
		f["t"] = MsgRequired
	} else if k := CheckTime(v.At, p.StartedAt, p.EndedAt, now); k != "" {
		f["t"] = k
	}
	if !ValidCoords(v.Lat, v.Lon) {
		f["lat"] = MsgCoords
	}
	if k := textErr(v.Note, false, MaxNote); k != "" {
		f["note"] = k
	}
	if len(f) == 0 {
		return nil
	}
	return f
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

// Validate returns field errors (id, kind, t, parties, summary, outcome,
// households, note) for a record of patrol p judged at now, or nil: a
// dispute needs its parties, summary and outcome; a promotion the
// households reached. Fields of the other kind are ignored.
func (r Record) Validate(p Patrol, now time.Time) map[string]string {
	f := map[string]string{}
	switch {
	case r.UID == "":
		f["id"] = MsgRequired
	case !ValidUUID(r.UID):
		f["id"] = MsgFormat
	}
	if r.At.IsZero() {
		f["t"] = MsgRequired
	} else if k := CheckTime(r.At, p.StartedAt, p.EndedAt, now); k != "" {
		f["t"] = k
	}
	set := func(field, key string) {
		if key != "" {
			f[field] = key
		}
	}
	switch r.Kind {
	case KindDispute:
		set("parties", textErr(r.Parties, true, MaxParties))
		set("summary", textErr(r.Summary, true, MaxText))
		set("outcome", textErr(r.Outcome, true, MaxText))
	case KindPromotion:
		if r.Households < 1 || r.Households > MaxHouseholds {
			f["households"] = MsgRange
		}
	case "":
		f["kind"] = MsgRequired
	default:
		f["kind"] = MsgChoice
	}
	set("note", textErr(r.Note, false, MaxNote))
	if len(f) == 0 {
		return nil
	}
	return f
}

// CheckSummary returns the key of what is wrong with an end summary; "" when fine.
func CheckSummary(s string) string { return textErr(s, false, MaxSummary) }
