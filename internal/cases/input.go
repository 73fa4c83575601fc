package cases

import (
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
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

// Validate returns an apperr error of field errors (the JSON names:
// client_id, category, description, lat, lon, address, class, severity,
// source, hotline_ref, note), or nil when the input is valid. Text lengths
// are counted in runes after trimming spaces; a point at exactly 0, 0 counts
// as no location given.
func (in Input) Validate() error {
	f := apperr.Fields{}
	text := func(field, s string, required bool, max int) {
		switch n := utf8.RuneCountInString(strings.TrimSpace(s)); {
		case n == 0 && required:
			f.Add(field, MsgRequired)
		case n > max:
			f.Add(field, MsgTooLong, max)
		}
	}
	switch {
	case in.ClientID == "":
		f.Add("client_id", MsgRequired)
	case !ValidUUID(in.ClientID):
		f.Add("client_id", MsgFormat)
	}
	switch {
	case in.Category == "":
		f.Add("category", MsgRequired)
	case !categoryRe.MatchString(in.Category):
		f.Add("category", MsgFormat)
	}
	text("description", in.Description, true, MaxDescription)
	text("address", in.Address, false, MaxAddress)
	if in.Lat == 0 && in.Lon == 0 {
		f.Add("lat", MsgRequired)
		f.Add("lon", MsgRequired)
	} else {
		if math.IsNaN(in.Lat) || in.Lat < -90 || in.Lat > 90 {
			f.Add("lat", MsgRange)
		}
		if math.IsNaN(in.Lon) || in.Lon < -180 || in.Lon > 180 {
			f.Add("lon", MsgRange)
		}
	}
	choice := func(field string, empty, valid bool) {
		switch {
		case empty:
			f.Add(field, MsgRequired)
		case !valid:
			f.Add(field, MsgChoice)
		}
	}
	choice("class", in.Class == "", in.Class.Valid())
	choice("severity", in.Severity == "", in.Severity.Valid())
	choice("source", in.Source == "", in.Source.Valid())
	text("hotline_ref", in.HotlineRef, in.Source.Hotline(), MaxHotlineRef)
	text("note", in.Note, in.Class == ClassOnSpot, MaxNote)
	return f.Err()
}

// NewCase validates a report and returns the new case (Version 1, held at
// InitialLevel, Number left for the store) with its timeline. An on-the-spot
// case goes through NewOnSpot; any other starts reported (a committed case
// gets its responsible party and due date when it is assigned).
func NewCase(in Input, reporterID int64, now time.Time) (Snapshot, []Entry, error) {
	if in.Class == ClassOnSpot {
		return NewOnSpot(in, reporterID, now)
	}
	if err := in.Validate(); err != nil {
		return Snapshot{}, nil, err
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
	if in.Class != ClassOnSpot {
		f := apperr.Fields{}
		f.Add("class", MsgChoice)
		if e, ok := in.Validate().(*apperr.Error); ok {
			for k, m := range e.Fields {
				f.Add(k, m.Key, m.Args...)
			}
		}
		return Snapshot{}, nil, f.Err()
	}
	if err := in.Validate(); err != nil {
		return Snapshot{}, nil, err
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
