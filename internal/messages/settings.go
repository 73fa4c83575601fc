package messages

import (
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/notify"
)

// Settings are one person's own delivery choices: which of their
// notifications are also e-mailed to them, and the quiet hours in which
// that e-mail waits (group channels have no quiet hours: they are the
// group's, not the person's).
type Settings struct {
	Email     string
	Kinds     []notify.Kind // their notifications that go to e-mail
	QuietFrom string        // "22:00"; "" for no quiet hours
	QuietTo   string        // "07:00"
}

// channelOnly lists the kinds no inbox receives, so no one may choose them.
var channelOnly = []notify.Kind{notify.Digest, notify.LettersUnsigned, notify.ChannelTest}

// PersonalKinds lists the kinds a person may have e-mailed to them.
func PersonalKinds() []notify.Kind {
	var out []notify.Kind
	for _, k := range notify.Kinds() {
		if !slices.Contains(channelOnly, k) {
			out = append(out, k)
		}
	}
	return out
}

// Normalize trims and orders the settings.
func (s *Settings) Normalize() {
	s.Email = strings.TrimSpace(s.Email)
	s.QuietFrom, s.QuietTo = strings.TrimSpace(s.QuietFrom), strings.TrimSpace(s.QuietTo)
	var kinds []notify.Kind
	for _, k := range PersonalKinds() {
		if slices.Contains(s.Kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range s.Kinds {
		if !slices.Contains(PersonalKinds(), k) && !slices.Contains(kinds, k) {
			kinds = append(kinds, k) // kept so that Validate names it
		}
	}
	s.Kinds = kinds
}

// Validate checks the settings: a plain address, known kinds, and both
// ends of the quiet hours or neither.
func (s Settings) Validate() error {
	f := apperr.Fields{}
	if s.Email != "" {
		if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || len(s.Email) > 200 {
			f.Add("email", "err.messages.email")
		}
	} else if len(s.Kinds) > 0 {
		f.Add("email", "err.messages.email_needed")
	}
	for _, k := range s.Kinds {
		if !slices.Contains(PersonalKinds(), k) {
			f.Add("kinds", "err.messages.kind_unknown", string(k))
		}
	}
	_, errFrom := clock(s.QuietFrom)
	_, errTo := clock(s.QuietTo)
	switch {
	case s.QuietFrom == "" && s.QuietTo == "":
	case errFrom != nil:
		f.Add("quiet_from", "err.messages.clock")
	case errTo != nil:
		f.Add("quiet_to", "err.messages.clock")
	case s.QuietFrom == s.QuietTo:
		f.Add("quiet_to", "err.messages.quiet_empty")
	}
	return f.Err()
}

// Wants reports whether the person has notifications of kind k e-mailed.
func (s Settings) Wants(k notify.Kind) bool { return s.Email != "" && slices.Contains(s.Kinds, k) }

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// QuietUntil reports whether t falls in the quiet hours (read in loc) and,
// if so, when they end. The hours may span midnight (22:00 to 07:00).
func (s Settings) QuietUntil(t time.Time, loc *time.Location) (time.Time, bool) {
	from, err1 := clock(s.QuietFrom)
	to, err2 := clock(s.QuietTo)
	if err1 != nil || err2 != nil || from == to {
		return time.Time{}, false
	}
	lt := t.In(loc)
	now := lt.Hour()*60 + lt.Minute()
	y, m, d := lt.Date()
	end := func(dayOffset int) time.Time { return time.Date(y, m, d+dayOffset, to/60, to%60, 0, 0, loc) }
	switch {
	case from < to && now >= from && now < to:
		return end(0), true
	case from > to && now >= from:
		return end(1), true
	case from > to && now < to:
		return end(0), true
	}
	return time.Time{}, false
}
