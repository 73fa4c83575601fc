package cases

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on a new case's text fields, in characters (runes).
const (
	MaxDescription = 2000
	MaxNote        = 2000
	MaxAddress     = 200
	MaxHotlineRef  = 64
)

// Message keys of field errors; the web and API layers translate them.
const (
	MsgRequired = "err.required"       // missing
	MsgTooLong  = "err.too_long"       // over its Max… limit
	MsgFormat   = "err.format"         // malformed (client id, category code)
	MsgRange    = "err.out_of_range"   // latitude or longitude out of range
	MsgChoice   = "err.invalid_choice" // not one of the allowed values
)

// Input is a new case as reported. Callers fill Severity from the category's
// default when the reporter gave none, and check that Category exists and
// that the point lies in the street; Validate checks the rest.
type Input struct {
	ClientID    string // UUID chosen by the client, for idempotent offline submission
	Category    string // category code, e.g. 08004 or L001
	Description string
	Lat, Lon    float64 // WGS-84
	Address     string  // optional
	Class       Class
	Severity    Severity
	Source      Source
	HotlineRef  string // reference number of a hotline transfer
	Note        string // what was done: required for an on-the-spot case
}

var (
	uuidRe     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	categoryRe = regexp.MustCompile(`^[0-9A-Za-z]{1,16}$`)
)

// ValidUUID reports whether s is a UUID in its canonical 8-4-4-4-12 hexadecimal form.
func ValidUUID(s string) bool { return uuidRe.MatchString(s) }

// Validate returns field errors as field name → message key (the JSON names:
// client_id, category, description, lat, lon, address, class, severity,
// source, hotline_ref, note), or nil when the input is valid. Text lengths
// are counted in runes after trimming spaces; a point at exactly 0, 0 counts
// as no location given.
func (in Input) Validate() map[string]string {
	f := map[string]string{}
	text := func(field, s string, required bool, max int) {
		switch n := utf8.RuneCountInString(strings.TrimSpace(s)); {
		case n == 0 && required:
			f[field] = MsgRequired
		case n > max:
			f[field] = MsgTooLong
		}
	}
	switch {
	case in.ClientID == "":
		f["client_id"] = MsgRequired
	case !ValidUUID(in.ClientID):
		f["client_id"] = MsgFormat
	}
	switch {
	case in.Category == "":
		f["category"] = MsgRequired
	case !categoryRe.MatchString(in.Category):
		f["category"] = MsgFormat
	}
	text("description", in.Description, true, MaxDescription)
	text("address", in.Address, false, MaxAddress)
	if in.Lat == 0 && in.Lon == 0 {
		f["lat"], f["lon"] = MsgRequired, MsgRequired
	} else {
		if math.IsNaN(in.Lat) || in.Lat < -90 || in.Lat > 90 {
			f["lat"] = MsgRange
		}
		if math.IsNaN(in.Lon) || in.Lon < -180 || in.Lon > 180 {
			f["lon"] = MsgRange
		}
	}
	choice := func(field string, empty, valid bool) {
		switch {
		case empty:
			f[field] = MsgRequired
		case !valid:
			f[field] = MsgChoice
		}
	}
	choice("class", in.Class == "", in.Class.Valid())
	choice("severity", in.Severity == "", in.Severity.Valid())
	choice("source", in.Source == "", in.Source.Valid())
	text("hotline_ref", in.HotlineRef, in.Source.Hotline(), MaxHotlineRef)
	text("note", in.Note, in.Class == ClassOnSpot, MaxNote)
	if len(f) == 0 {
		return nil
	}
	return f
}

// FieldErrors is the error NewCase and NewOnSpot return for invalid input:
// field name → message key, as from Input.Validate.
type FieldErrors map[string]string

// Error lists the fields and their keys, sorted by field.
func (f FieldErrors) Error() string {
	var b strings.Builder
	b.WriteString("cases: invalid input:")
	for _, k := range slices.Sorted(maps.Keys(f)) {
		b.WriteString(" " + k + "=" + f[k])
	}
	return b.String()
}

// NewCase validates a report and returns the new case (Version 1, held at
// InitialLevel, Number left for the store) with its timeline. An on-the-spot
// case goes through NewOnSpot; any other starts reported (a committed case
// gets its responsible party and due date when it is assigned).
func NewCase(in Input, reporterID int64, now time.Time) (Snapshot, []Entry, error) {
	if in.Class == ClassOnSpot {
		return NewOnSpot(in, reporterID, now)
	}
	if f := in.Validate(); f != nil {
		return Snapshot{}, nil, FieldErrors(f)
	}
	c := newSnapshot(in, reporterID, now, StatusReported)
	return c, []Entry{{Action: ActionReport, Status: StatusReported, Level: c.Level, ActorID: reporterID, At: now}}, nil
}

// NewOnSpot validates an on-the-spot report, which must have class onspot
// and a note of what was done, and returns the case already closed, with
// its three timeline entries: reported, handled (with the note) and closed.
// The finder is both reporter and handler; the case stays in the ledger to
// be spot-checked (and reopened if need be).
func NewOnSpot(in Input, reporterID int64, now time.Time) (Snapshot, []Entry, error) {
	f := in.Validate()
	if in.Class != ClassOnSpot {
		if f == nil {
			f = map[string]string{}
		}
		f["class"] = MsgChoice
	}
	if f != nil {
		return Snapshot{}, nil, FieldErrors(f)
	}
	c := newSnapshot(in, reporterID, now, StatusClosed)
	c.HandledBy = reporterID
	e := func(a Action, s Status, note string) Entry {
		return Entry{Action: a, Status: s, Level: c.Level, ActorID: reporterID, At: now, Note: note}
	}
	return c, []Entry{
		e(ActionReport, StatusReported, ""),
		e(ActionHandle, StatusHandled, strings.TrimSpace(in.Note)),
		e(ActionClose, StatusClosed, ""),
	}, nil
}

func newSnapshot(in Input, reporterID int64, now time.Time, s Status) Snapshot {
	return Snapshot{
		Category: in.Category, Lat: in.Lat, Lon: in.Lon, ReportedAt: now,
		Status: s, Class: in.Class, Severity: in.Severity, Level: InitialLevel(in.Severity),
		Version: 1, ReporterID: reporterID,
	}
}
