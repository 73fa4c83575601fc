package outreach

import (
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Normalize trims the lecture's texts and fills the sign-in window's defaults:
// it opens SignInLead before the start and closes at the end.
func (l *Lecture) Normalize() {
	l.Title = strings.TrimSpace(l.Title)
	l.Speaker = strings.TrimSpace(l.Speaker)
	l.VenueName = strings.TrimSpace(l.VenueName)
	l.Materials = strings.TrimSpace(l.Materials)
	if l.OpensAt.IsZero() && !l.StartsAt.IsZero() {
		l.OpensAt = l.StartsAt.Add(-SignInLead)
	}
	if l.ClosesAt.IsZero() && !l.EndsAt.IsZero() {
		l.ClosesAt = l.EndsAt
	}
	l.Regions = compactStrings(l.Regions)
	slices.Sort(l.UnitIDs)
	l.UnitIDs = slices.Compact(l.UnitIDs)
}

// Validate checks a normalized lecture's own fields; that its regions and
// units exist and lie in the organiser's scope is for the service to say.
func (l Lecture) Validate() error {
	f := apperr.Fields{}
	checkText(f, "title", l.Title, MaxTitle, true)
	checkText(f, "speaker", l.Speaker, MaxName, false)
	checkText(f, "materials", l.Materials, MaxMaterials, false)
	if l.VenueUnitID == 0 {
		checkText(f, "venue", l.VenueName, MaxName, true)
	}
	switch {
	case l.StartsAt.IsZero():
		f.Add("starts_at", "err.required")
	case l.EndsAt.IsZero():
		f.Add("ends_at", "err.required")
	case !l.EndsAt.After(l.StartsAt):
		f.Add("ends_at", "err.outreach.end_before_start")
	case l.EndsAt.Sub(l.StartsAt) > MaxLecture:
		f.Add("ends_at", "err.outreach.too_long_event", int(MaxLecture.Hours()))
	}
	if !l.OpensAt.IsZero() && !l.ClosesAt.IsZero() && !l.ClosesAt.After(l.OpensAt) {
		f.Add("closes_at", "err.outreach.end_before_start")
	}
	if l.Expected < 0 || l.Expected > 100000 {
		f.Add("expected", "err.outreach.range", 0, 100000)
	}
	if len(l.Regions) == 0 && len(l.UnitIDs) == 0 {
		f.Add("regions", "err.required")
	}
	if len(l.Regions) > MaxAudience || len(l.UnitIDs) > MaxAudience {
		f.Add("regions", "err.outreach.audience_many", MaxAudience)
	}
	return f.Err()
}

// Normalize trims the quiz's texts and removes repeated audience regions.
func (z *Quiz) Normalize() {
	z.Title = strings.TrimSpace(z.Title)
	z.Intro = strings.TrimSpace(z.Intro)
	z.Regions = compactStrings(z.Regions)
}

// Validate checks a normalized quiz's own fields: a title, a time limit of
// 30 seconds to 2 hours, an opening before the closing, prize counts, and 1
// to 100 questions, none twice.
func (z Quiz) Validate() error {
	f := apperr.Fields{}
	checkText(f, "title", z.Title, MaxTitle, true)
	checkText(f, "intro", z.Intro, MaxMaterials, false)
	if z.TimeLimit < MinTimeLimit || z.TimeLimit > MaxTimeLimit {
		f.Add("time_limit_s", "err.outreach.range", int(MinTimeLimit.Seconds()), int(MaxTimeLimit.Seconds()))
	}
	switch {
	case z.OpensAt.IsZero():
		f.Add("opens_at", "err.required")
	case z.ClosesAt.IsZero():
		f.Add("closes_at", "err.required")
	case !z.ClosesAt.After(z.OpensAt):
		f.Add("closes_at", "err.outreach.end_before_start")
	}
	if len(z.Prizes) > MaxPrizeLevels {
		f.Add("prizes", "err.outreach.prizes_many", MaxPrizeLevels)
	}
	for _, p := range z.Prizes {
		if p < 0 || p > MaxPrizeCount {
			f.Add("prizes", "err.outreach.range", 0, MaxPrizeCount)
		}
	}
	switch n := len(z.Questions); {
	case n == 0:
		f.Add("questions", "err.outreach.quiz_empty")
	case n > MaxQuizSize:
		f.Add("questions", "err.outreach.quiz_large", MaxQuizSize)
	}
	seen := map[int64]bool{}
	for _, q := range z.Questions {
		if seen[q.ID] {
			f.Add("questions", "err.outreach.question_twice", q.ID)
		}
		seen[q.ID] = true
	}
	if len(z.Regions) > MaxAudience {
		f.Add("regions", "err.outreach.audience_many", MaxAudience)
	}
	return f.Err()
}

func compactStrings(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// State is where an event stands at a moment.
type State string

// The states of a lecture's sign-in or a quiz's entries.
const (
	Upcoming  State = "upcoming"  // not open yet
	Open      State = "open"      // open now
	Closed    State = "closed"    // over
	Cancelled State = "cancelled" // called off
)

// States lists the states in display order.
var States = []State{Upcoming, Open, Closed, Cancelled}

func stateAt(cancelled, opens, closes, now time.Time) State {
	switch {
	case !cancelled.IsZero():
		return Cancelled
	case now.Before(opens):
		return Upcoming
	case now.Before(closes):
		return Open
	}
	return Closed
}

// State returns the lecture's sign-in state at now.
func (l Lecture) State(now time.Time) State {
	return stateAt(l.CancelledAt, l.OpensAt, l.ClosesAt, now)
}

// Started reports whether the lecture has begun by now (it may then count as held).
func (l Lecture) Started(now time.Time) bool { return !now.Before(l.StartsAt) }

// State returns the quiz's state at now.
func (z Quiz) State(now time.Time) State { return stateAt(z.CancelledAt, z.OpensAt, z.ClosesAt, now) }
