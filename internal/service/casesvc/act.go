package casesvc

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Assignee names who a case is assigned to: one of Person, Region or Unit.
type Assignee struct {
	Person int64  `json:"person,omitempty"`
	Region string `json:"region,omitempty"`
	Unit   int64  `json:"unit,omitempty"`
}

// Action is an action request from a page or the API.
type Action struct {
	Action     cases.Action
	Version    *int // required: the version the user saw
	Note       string
	Assignee   *Assignee
	Deadline   time.Time // optional new deadline
	Passed     *bool     // verify
	Into       string    // merge
	Photos     []string  // handle: ids of uploaded photos
	Commitment string    // assign of a committed case
}

// MaxPhotos is how many photos one step may carry.
const MaxPhotos = 9

// notes lists the actions whose note is required.
var noteRequired = map[cases.Action]bool{cases.ActionReject: true, cases.ActionReturn: true, cases.ActionComment: true,
	cases.ActionSupervise: true, cases.ActionHandle: true, cases.ActionReopen: true}

// Act applies an action to a case for p: 404 when p may not see it, 403
// when p may not act, 409 when the state or version does not allow it.
func (s *Service) Act(ctx context.Context, who store.Actor, p *auth.Principal, number string, in Action) (cases.Case, error) {
	c, err := s.Get(ctx, p, number)
	if err != nil {
		return c, err
	}
	if in.Version == nil {
		e := apperr.New(apperr.Invalid, "err.case.version_missing")
		e.BadRequest = true
		return c, e
	}
	now := s.Now()
	req := cases.Request{Action: in.Action, Version: *in.Version, Into: in.Into, Deadline: in.Deadline}
	if in.Passed != nil {
		req.Passed = *in.Passed
	}
	if in.Assignee != nil {
		req.Assignee = assigneeRef(*in.Assignee)
	}
	// Role and scope first (403), then the request's own fields (422), then state and version (409).
	t, err := cases.Decide(actor(p, c), c.Snapshot, req, now)
	if err != nil {
		return c, err
	}
	f := apperr.Fields{}
	if noteRequired[in.Action] && trim(in.Note) == "" {
		f.Add("note", "err.case.note_required")
	}
	if len([]rune(in.Note)) > cases.MaxNote {
		f.Add("note", "err.too_long", cases.MaxNote)
	}
	if in.Action == cases.ActionVerify && in.Passed == nil {
		f.Add("passed", "err.case.passed_missing")
	}
	if len(in.Photos) > MaxPhotos {
		f.Add("photos", "err.photo_too_many", MaxPhotos)
	}
	if err := f.Err(); err != nil {
		return c, err
	}
	after, cat, err := s.afterStep(ctx, c, t)
	if err != nil {
		return c, err
	}
	u := store.CaseUpdate{Before: c, Entry: t.Entry(trim(in.Note)), LogOnly: t.Log}
	// Deadlines restart with each step unless the user set one.
	restart := func(l calendar.Limit) error {
		if !in.Deadline.IsZero() {
			after.DeadlineFrom = now
			return nil
		}
		d, err := s.deadline(ctx, l, now)
		after.Deadline, after.DeadlineFrom = d, now
		return err
	}
	switch in.Action {
	case cases.ActionFile:
		err = restart(cat.File)
		u.Events = append(u.Events, caseEvent(notify.CaseFiled, after, p.PersonID))
	case cases.ActionAssign:
		if err = s.checkAssignee(ctx, p, c, *in.Assignee); err != nil {
			return c, err
		}
		// Assigning a reported case files it too (the rules table allows it); one 派遣 entry records both.
		if c.Class == cases.ClassCommitted && trim(in.Commitment) != "" {
			after.Commitment = trim(in.Commitment)
		}
		err = restart(cat.Handle)
		u.Events = append(u.Events, caseEvent(notify.CaseAssigned, after, p.PersonID))
	case cases.ActionEscalate, cases.ActionReturn:
		err = restart(cat.File)
		kind := notify.CaseEscalated
		if in.Action == cases.ActionReturn {
			kind = notify.CaseReturned
		}
		u.Events = append(u.Events, caseEvent(kind, after, p.PersonID))
	case cases.ActionHandle:
		ids, err := s.checkPhotos(ctx, p, in.Photos)
		if err != nil {
			return c, err
		}
		u.Photos, u.Step = ids, cases.StepAfter
		err = restart(cat.Verify)
		if err != nil {
			return c, err
		}
		u.Events = append(u.Events, caseEvent(notify.CaseVerify, after, p.PersonID))
	case cases.ActionVerify:
		if after.Status == cases.StatusClosed {
			after.ClosedAt, after.Deadline, after.DeadlineFrom = now, time.Time{}, time.Time{}
		} else {
			err = restart(cat.Handle)
			u.Events = append(u.Events, caseEvent(notify.CaseRework, after, p.PersonID))
		}
	case cases.ActionReopen:
		after.ClosedAt = time.Time{}
		err = restart(cat.Handle)
		u.Events = append(u.Events, caseEvent(notify.CaseReopened, after, p.PersonID))
	case cases.ActionMerge:
		into, err := s.DB.CaseByNumber(ctx, in.Into)
		if err != nil || !CanRead(p, into) || !into.Status.Open() {
			return c, apperr.Field("into", "err.case.merge_unknown")
		}
		if into.Category != c.Category {
			return c, apperr.Field("into", "err.case.merge_unknown")
		}
		after.Deadline, after.DeadlineFrom = time.Time{}, time.Time{}
	case cases.ActionReject:
		after.Deadline, after.DeadlineFrom = time.Time{}, time.Time{}
	case cases.ActionSupervise:
		u.Events = append(u.Events, caseEvent(notify.CaseSupervise, c, p.PersonID))
	}
	if err != nil {
		return c, err
	}
	u.After = after
	return s.DB.UpdateCase(ctx, who, u)
}

func assigneeRef(a Assignee) string {
	switch {
	case a.Person != 0:
		return cases.AssigneeRef("person", a.Person)
	case a.Region != "":
		return cases.AssigneeRef("region", a.Region)
	case a.Unit != 0:
		return cases.AssigneeRef("unit", a.Unit)
	}
	return ""
}

// checkAssignee makes sure the assignee exists and lies within the case's
// holding region: a person with a role there, a region inside it, or an active unit.
func (s *Service) checkAssignee(ctx context.Context, p *auth.Principal, c cases.Case, a Assignee) error {
	bad := apperr.Field("assignee", "err.case.assignee_scope")
	switch {
	case a.Person != 0:
		p, err := s.DB.Person(ctx, a.Person)
		if err != nil || !p.Active {
			return bad
		}
		for _, as := range p.Roles {
			if as.Role != people.UnitContact && as.Role != people.Volunteer && region.Contains(c.Held, as.Region) {
				return nil
			}
			if as.Role == people.UnitContact && as.UnitID == c.UnitID && c.UnitID != 0 {
				return nil
			}
		}
		return bad
	case a.Region != "":
		if !region.Contains(c.Held, a.Region) {
			return bad
		}
		if ok, err := s.DB.RegionExists(ctx, a.Region); err != nil || !ok {
			return bad
		}
		return nil
	case a.Unit != 0:
		if _, err := s.visibleUnit(ctx, p, a.Unit); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Field("assignee", "err.unit_unknown")
			}
			return err
		}
		return nil
	}
	return apperr.Field("assignee", "err.case.assignee")
}

// checkPhotos keeps the ids of photos p may attach: ones p uploaded, or ones
// on a case p may read. Any other id — unknown or not p's to see — gets the
// same answer, so the answer never tells whether an image exists.
func (s *Service) checkPhotos(ctx context.Context, p *auth.Principal, ids []string) ([]string, error) {
	unknown := apperr.Field("photos", "err.photo_unknown")
	for _, id := range ids {
		if len(id) != 64 {
			return nil, unknown
		}
		ok, err := s.mayAttachPhoto(ctx, p, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, unknown
		}
	}
	return ids, nil
}

// mayAttachPhoto reports whether p uploaded the photo or may already see it.
func (s *Service) mayAttachPhoto(ctx context.Context, p *auth.Principal, id string) (bool, error) {
	by, err := s.DB.PhotoUploader(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if by != 0 && by == p.PersonID {
		return true, nil
	}
	return s.CanSeePhoto(ctx, p, id)
}

// afterStep returns c as transition t leaves it, held in the region of its
// grid at its new level, with its category, whose limits the next step's
// deadline counts.
func (s *Service) afterStep(ctx context.Context, c cases.Case, t cases.Transition) (cases.Case, cases.Category, error) {
	cat, err := s.DB.Category(ctx, c.Category)
	after := c
	after.Snapshot = t.After
	after.Held = region.AncestorAt(c.Region, region.Level(after.Level))
	return after, cat, err
}

// EscalateDue moves pending cases held below the street one level up when
// they are major or overdue past the grace, as the system; it returns how many moved.
func (s *Service) EscalateDue(ctx context.Context) (int, error) {
	n := 0
	for after := int64(0); ; {
		list, err := s.DB.DueForEscalation(ctx, after, 500)
		if err != nil || len(list) == 0 {
			return n, err
		}
		after = list[len(list)-1].ID
		k, err := s.escalate(ctx, list)
		n += k
		if err != nil || len(list) < 500 {
			return n, err
		}
	}
}

// escalate moves those of list that are due up one level; a case changed
// meanwhile (its version moved on, so perhaps by another server's run) is left.
func (s *Service) escalate(ctx context.Context, list []cases.Case) (int, error) {
	now := s.Now()
	n := 0
	for _, c := range list {
		grace, err := s.grace(ctx, c.Region)
		if err != nil {
			return n, err
		}
		if !cases.ShouldEscalate(c.Snapshot, now, grace) {
			continue
		}
		t, err := cases.Decide(cases.Actor{System: true}, c.Snapshot, cases.Request{Action: cases.ActionEscalate, Version: c.Version}, now)
		if err != nil {
			continue // changed meanwhile, or already at the top
		}
		after, cat, err := s.afterStep(ctx, c, t)
		if err != nil {
			return n, err
		}
		if after.Deadline, err = s.deadline(ctx, cat.File, now); err != nil {
			return n, err
		}
		after.DeadlineFrom = now
		note := "overdue"
		if c.Severity == cases.SeverityMajor {
			note = "major"
		}
		ev := caseEvent(notify.CaseEscalated, after, 0)
		ev.Subject.Before = c.Held
		_, err = s.DB.UpdateCase(ctx, store.System, store.CaseUpdate{Before: c, After: after, Entry: t.Entry(note), Events: []notify.Event{ev}})
		if apperr.Is(err, apperr.Conflict) {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// NoticeOverdue tells the holders and leaders of each newly overdue case, once; it returns how many cases.
func (s *Service) NoticeOverdue(ctx context.Context) (int, error) {
	list, err := s.DB.OverdueUnnoticed(ctx, 500)
	if err != nil {
		return 0, err
	}
	for _, c := range list {
		if err := s.DB.NoticeOverdue(ctx, c, caseEvent(notify.CaseOverdue, c, 0)); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}
