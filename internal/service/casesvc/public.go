package casesvc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
)

// What a member of the public who reported a case learns of it, and says
// back: the tracking secret, the public timeline and the feedback.

// NewTracking returns a fresh tracking secret (32 hex digits) and its hash.
func NewTracking() (secret, hash string) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	secret = hex.EncodeToString(b)
	return secret, hashTracking(secret)
}

func hashTracking(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ReportPublic records a report from the public (no account) with a new
// tracking secret, which it returns: only its hash is kept. A client id
// seen before returns that case with created false and no secret.
func (s *Service) ReportPublic(ctx context.Context, who store.Actor, in Report) (c cases.Case, tracking string, created bool, err error) {
	tracking, in.TrackingHash = NewTracking()
	c, created, err = s.Report(ctx, who, nil, in)
	if err != nil || !created {
		return c, "", created, err
	}
	return c, tracking, true, nil
}

// PublicStep is one line of the public timeline.
type PublicStep struct {
	At   time.Time
	What string // received, accepted, assigned, handled, closed, rework, rejected, reopened, review, feedback
	Note string // the handling note (contacts hidden); empty otherwise
}

// PublicView is a case as anyone may see it: no names, mobiles or staff.
type PublicView struct {
	Number      string
	Status      cases.Status
	Category    string
	ReportedAt  time.Time
	Timeline    []PublicStep
	AfterPhotos []string // photo ids
	// Tracked: the case was reported by the public with a tracking secret;
	// FeedbackGiven: its reporter has already said whether it was solved.
	Tracked, FeedbackGiven bool
}

// numberRe is the shape of a case number (XG-20261128-0042).
var numberRe = regexp.MustCompile(`^[A-Za-z0-9]{1,16}-[0-9]{8}-[0-9]{1,8}$`)

// contactRe finds what looks like a telephone or identity number in free text.
var contactRe = regexp.MustCompile(`1[3-9][0-9][\s-]?[0-9]{4}[\s-]?[0-9]{4}|0[0-9]{2,3}-[0-9]{7,8}|[0-9]{7,}[0-9Xx]?`)

// HideContacts hides telephone and identity numbers written into free text.
func HideContacts(s string) string { return contactRe.ReplaceAllString(s, "***") }

// publicWhat says what a timeline entry means to the public; "" hides it
// (internal moves, comments, reminders).
func publicWhat(e cases.Event) string {
	switch e.Action {
	case cases.ActionReport:
		return "received"
	case cases.ActionFile:
		return "accepted"
	case cases.ActionAssign:
		return "assigned"
	case cases.ActionHandle:
		return "handled"
	case cases.ActionClose:
		return "closed"
	case cases.ActionVerify:
		if e.Status == cases.StatusClosed {
			return "closed"
		}
		return "rework"
	case cases.ActionReject, cases.ActionMerge:
		return "rejected"
	case cases.ActionReopen:
		return "reopened"
	case cases.ActionReview:
		return "review"
	case cases.ActionFeedback:
		return "feedback"
	}
	return ""
}

// Public returns the public view of a case; 404 when there is none.
func (s *Service) Public(ctx context.Context, number string) (PublicView, error) {
	if !numberRe.MatchString(number) {
		return PublicView{}, apperr.ErrNotFound
	}
	c, err := s.DB.CaseByNumber(ctx, number)
	if err != nil {
		return PublicView{}, err
	}
	v := PublicView{Number: c.Number, Status: c.Status, Category: c.Category, ReportedAt: c.ReportedAt, Timeline: []PublicStep{}, AfterPhotos: []string{}}
	for _, e := range c.Timeline {
		what := publicWhat(e)
		if what == "" {
			continue
		}
		st := PublicStep{At: e.At, What: what}
		if what == "handled" || (what == "closed" && e.Action == cases.ActionClose) {
			st.Note = HideContacts(e.Note)
		}
		v.Timeline = append(v.Timeline, st)
	}
	for _, ph := range c.Photos {
		if ph.Step == cases.StepAfter {
			v.AfterPhotos = append(v.AfterPhotos, ph.ID)
		}
	}
	cp, err := s.DB.CasePublicOf(ctx, c.ID)
	switch {
	case err == nil:
		v.Tracked, v.FeedbackGiven = true, !cp.FeedbackAt.IsZero()
	case !apperr.Is(err, apperr.NotFound):
		return v, err
	}
	return v, nil
}

// PublicPhoto reports whether id is an after photo of the case numbered number (which anyone may see).
func (s *Service) PublicPhoto(ctx context.Context, number, id string) error {
	v, err := s.Public(ctx, number)
	if err != nil {
		return err
	}
	for _, p := range v.AfterPhotos {
		if p == id {
			return nil
		}
	}
	return apperr.ErrNotFound
}

// Feedback is the public reporter's word on a case.
type Feedback struct {
	Tracking string
	Solved   *bool
	Comment  string
}

// MaxFeedback is the longest feedback comment, in characters.
const MaxFeedback = 500

// GiveFeedback records the public reporter's word, once: 404 for a wrong
// tracking secret (or a case not reported by the public), 409 for a second
// word. "Not solved" on a closed case puts it back before the leader holding
// it (the rule ActionReview), with the comment on the timeline; any other
// word is only recorded.
func (s *Service) GiveFeedback(ctx context.Context, who store.Actor, number string, in Feedback) (cases.Case, error) {
	if trim(in.Tracking) == "" {
		return cases.Case{}, apperr.Field("tracking", "err.required")
	}
	if !numberRe.MatchString(number) {
		return cases.Case{}, apperr.ErrNotFound
	}
	c, err := s.DB.CaseByNumber(ctx, number)
	if err != nil {
		return c, err
	}
	cp, err := s.DB.CasePublicOf(ctx, c.ID)
	if err != nil {
		return c, err
	}
	if subtle.ConstantTimeCompare([]byte(cp.TrackingHash), []byte(hashTracking(in.Tracking))) != 1 {
		return c, apperr.ErrNotFound
	}
	if !cp.FeedbackAt.IsZero() {
		return c, apperr.New(apperr.Conflict, "err.case.feedback_given")
	}
	f := apperr.Fields{}
	if in.Solved == nil {
		f.Add("solved", "err.required")
	}
	comment := trim(in.Comment)
	if len([]rune(comment)) > MaxFeedback {
		f.Add("comment", "err.too_long", MaxFeedback)
	}
	if err := f.Err(); err != nil {
		return c, err
	}
	action := cases.ActionFeedback
	if !*in.Solved && c.Status == cases.StatusClosed {
		action = cases.ActionReview
	}
	now := s.Now()
	t, err := cases.Decide(cases.Actor{Resident: true}, c.Snapshot, cases.Request{Action: action, Version: c.Version}, now)
	if err != nil {
		return c, err
	}
	after, cat, err := s.afterStep(ctx, c, t)
	if err != nil {
		return c, err
	}
	note := comment
	u := store.CaseUpdate{Before: c, LogOnly: t.Log, Feedback: &store.CaseFeedback{Solved: *in.Solved, Comment: comment}}
	if action == cases.ActionReview {
		after.ClosedAt = time.Time{}
		if after.Deadline, err = s.deadline(ctx, cat.File, now); err != nil {
			return c, err
		}
		after.DeadlineFrom = now
		u.Events = append(u.Events, caseEvent(notify.CaseReopened, after, 0))
	}
	u.Entry = t.Entry(note)
	u.After = after
	return s.DB.UpdateCase(ctx, who, u)
}

// Satisfaction is how the public reporters judged the handling of their reports.
type Satisfaction struct {
	Solved, Total int
	Rate          float64 // Solved/Total, 0 when nobody answered
}

// SatisfactionRate is the share of public reporters who said their problem
// was solved, among those who answered between from and to (to exclusive;
// zero times leave that end open), for cases under the region code (all
// when empty). The assessment uses it.
func (s *Service) SatisfactionRate(ctx context.Context, code string, from, to time.Time) (Satisfaction, error) {
	solved, total, err := s.DB.Satisfaction(ctx, code, from, to)
	out := Satisfaction{Solved: solved, Total: total}
	if total > 0 {
		out.Rate = float64(solved) / float64(total)
	}
	return out, err
}
