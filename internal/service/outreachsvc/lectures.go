package outreachsvc

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// MaxLecturePhotos is how many photos one lecture keeps.
const MaxLecturePhotos = 20

// LectureInput is a lecture as an organiser gives it. Zero sign-in times
// take the defaults (30 minutes before the start, to the end).
type LectureInput struct {
	Title       string
	Speaker     string
	VenueUnitID int64
	VenueName   string
	StartsAt    time.Time
	EndsAt      time.Time
	OpensAt     time.Time
	ClosesAt    time.Time
	Regions     []string
	UnitIDs     []int64
	Expected    int
	Materials   string
	// Version, when set on an update, must be the stored version.
	Version int
}

// LectureView is a lecture with what the viewer may do to it.
type LectureView struct {
	outreach.Lecture
	Role    outreach.Role
	State   outreach.State
	Actions []outreach.Action
}

// Can reports whether the viewer may take action a now.
func (v LectureView) Can(a outreach.Action) bool { return slices.Contains(v.Actions, a) }

func (s *Service) view(l outreach.Lecture, r outreach.Role) LectureView {
	st := l.State(s.Now())
	return LectureView{Lecture: l, Role: r, State: st, Actions: outreach.AllowedLecture(r, st)}
}

// lectureOf builds and checks a lecture from in: its fields, its audience in
// p's scope, its venue, and its home region.
func (s *Service) lectureOf(ctx context.Context, p *auth.Principal, in LectureInput) (outreach.Lecture, error) {
	l := outreach.Lecture{Title: in.Title, Speaker: in.Speaker, VenueUnitID: in.VenueUnitID, VenueName: in.VenueName,
		StartsAt: in.StartsAt, EndsAt: in.EndsAt, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt, Regions: in.Regions,
		UnitIDs: in.UnitIDs, Expected: in.Expected, Materials: in.Materials}
	l.Normalize()
	f := apperr.Fields{}
	if err := l.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	homes, err := s.audience(ctx, p, l.Regions, l.UnitIDs, f)
	if err != nil {
		return l, err
	}
	if l.VenueUnitID != 0 {
		u, err := s.unitFor(ctx, p, l.VenueUnitID)
		switch {
		case apperr.Is(err, apperr.NotFound):
			f.Add("venue", "err.unit_unknown")
		case err != nil:
			return l, err
		default:
			l.VenueName = u.Name
			homes = append(homes, u.Region)
		}
	}
	if len(f) == 0 {
		// The home is where the whole audience lies; an organiser with two
		// separate areas cannot make an event spanning both.
		l.Region = outreach.Home(homes)
		if !p.Can(auth.OutreachManage, auth.Target{Region: l.Region}) {
			f.Add("regions", "err.outreach.audience_scope")
		}
	}
	return l, f.Err()
}

// CreateLecture adds a lecture with a fresh public code.
func (s *Service) CreateLecture(ctx context.Context, who store.Actor, p *auth.Principal, in LectureInput) (LectureView, error) {
	if !p.CanSomewhere(auth.OutreachManage) {
		return LectureView{}, apperr.ErrForbidden
	}
	l, err := s.lectureOf(ctx, p, in)
	if err != nil {
		return LectureView{}, err
	}
	l.Code, l.CreatedBy = NewCode(), p.PersonID
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.InsertLecture(ctx, &l) })
	return s.view(l, outreach.Organiser), err
}

// Lecture returns a lecture p may read (404 otherwise).
func (s *Service) Lecture(ctx context.Context, p *auth.Principal, id int64) (LectureView, error) {
	l, err := s.DB.Lecture(ctx, id)
	if err != nil {
		return LectureView{}, err
	}
	r, ok := roleOf(p, l.Region)
	if !ok {
		return LectureView{}, apperr.ErrNotFound
	}
	return s.view(l, r), nil
}

// decideLecture loads a lecture and asks the rules whether p may take a.
func (s *Service) decideLecture(ctx context.Context, p *auth.Principal, id int64, a outreach.Action) (LectureView, error) {
	v, err := s.Lecture(ctx, p, id)
	if err != nil {
		return v, err
	}
	if err := outreach.DecideLecture(v.Role, v.State, a); err != nil {
		return v, withArgs(err, s.fmtTime(v.OpensAt), s.fmtTime(v.ClosesAt))
	}
	return v, nil
}

// UpdateLecture changes a lecture that has not ended its sign-in.
func (s *Service) UpdateLecture(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in LectureInput) (LectureView, error) {
	v, err := s.decideLecture(ctx, p, id, outreach.LectureEdit)
	if err != nil {
		return v, err
	}
	if in.Version != 0 && in.Version != v.Version {
		return v, apperr.New(apperr.Conflict, "err.outreach.stale")
	}
	l, err := s.lectureOf(ctx, p, in)
	if err != nil {
		return v, err
	}
	l.Photos = v.Photos
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateLecture(ctx, v.Lecture, &l) })
	l.Attendance = v.Attendance
	return s.view(l, outreach.Organiser), err
}

// CancelLecture calls a lecture off.
func (s *Service) CancelLecture(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (LectureView, error) {
	v, err := s.decideLecture(ctx, p, id, outreach.LectureCancel)
	if err != nil {
		return v, err
	}
	if err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.CancelLecture(ctx, v.Lecture) }); err != nil {
		return v, err
	}
	return s.Lecture(ctx, p, id)
}

// LectureFilter is what the lecture list may be narrowed by.
type LectureFilter struct {
	From, To time.Time
	Q        string
	Page     store.Page
}

// Lectures lists the lectures p may read.
func (s *Service) Lectures(ctx context.Context, p *auth.Principal, f LectureFilter) ([]LectureView, int, error) {
	if !p.CanSomewhere(auth.OutreachRead) {
		return nil, 0, apperr.ErrForbidden
	}
	list, total, err := s.DB.Lectures(ctx, store.LectureFilter{Scope: scope(p), From: f.From, To: f.To, Q: f.Q, Page: f.Page})
	if err != nil {
		return nil, 0, err
	}
	out := make([]LectureView, 0, len(list))
	for _, l := range list {
		r, _ := roleOf(p, l.Region)
		out = append(out, s.view(l, r))
	}
	return out, total, nil
}

// Attendance is who signed in at a lecture.
type Attendance struct {
	Lecture LectureView
	Items   []outreach.SignIn // mobiles masked unless Mobiles
	Total   int
	// ByRegion counts the sign-ins by the community the residents gave.
	ByRegion map[string]int
	// Mobiles is true when the viewer is the organiser and sees mobiles whole.
	Mobiles bool
}

// Attendance lists a lecture's sign-ins (a zero page lists all, for the
// printed sheet) with the counts by community. Mobiles are masked for
// everyone but the organiser.
func (s *Service) Attendance(ctx context.Context, p *auth.Principal, id int64, page store.Page) (Attendance, error) {
	v, err := s.decideLecture(ctx, p, id, outreach.LectureRead)
	if err != nil {
		return Attendance{}, err
	}
	out := Attendance{Lecture: v, Mobiles: outreach.DecideLecture(v.Role, v.State, outreach.LectureMobiles) == nil}
	if out.Items, out.Total, err = s.DB.SignIns(ctx, id, page); err != nil {
		return out, err
	}
	if !out.Mobiles {
		for i := range out.Items {
			out.Items[i].Mobile = outreach.MaskMobile(out.Items[i].Mobile)
		}
	}
	out.ByRegion, err = s.DB.AttendanceByRegion(ctx, id)
	return out, err
}

// PublicLecture is what the sign-in page shows: the lecture (no attendees)
// and the communities a resident may pick.
type PublicLecture struct {
	Lecture     outreach.Lecture
	State       outreach.State
	Communities []region.Region
}

// PublicLecture returns the lecture with a public code (404 for none).
func (s *Service) PublicLecture(ctx context.Context, code string) (PublicLecture, error) {
	if !ValidCode(code) {
		return PublicLecture{}, apperr.ErrNotFound
	}
	l, err := s.DB.LectureByCode(ctx, code)
	if err != nil {
		return PublicLecture{}, err
	}
	cs, err := s.Communities(ctx, l.Region)
	return PublicLecture{Lecture: l, State: l.State(s.Now()), Communities: cs}, err
}

// SignInInput is a resident's sign-in. Device is the phone's cookie (raw;
// stored hashed), "" when the request carries none.
type SignInInput struct {
	outreach.Person
	Device string
}

// SignIn records a resident's sign-in from a phone (no account): one per
// mobile and per phone, within the sign-in window, naming one of the
// street's communities. who carries the client address the public door is
// limited by.
func (s *Service) SignIn(ctx context.Context, who store.Actor, code string, in SignInInput) (outreach.SignIn, error) {
	if err := s.allow(who); err != nil {
		return outreach.SignIn{}, err
	}
	in.Normalize()
	f := apperr.Fields{}
	if err := in.Validate(false); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if _, bad := f["name"]; bad {
		return outreach.SignIn{}, f.Err() // the form is incomplete: say so before looking anything up
	}
	pl, err := s.PublicLecture(ctx, code)
	if err != nil {
		return outreach.SignIn{}, err
	}
	if err := outreach.DecideLecture(outreach.Public, pl.State, outreach.LectureSignIn); err != nil {
		return outreach.SignIn{}, withArgs(err, s.fmtTime(pl.Lecture.OpensAt), s.fmtTime(pl.Lecture.ClosesAt))
	}
	checkCommunity(f, pl.Communities, in.Region)
	if err := f.Err(); err != nil {
		return outreach.SignIn{}, err
	}
	si := outreach.SignIn{LectureID: pl.Lecture.ID, Name: in.Name, Region: in.Region, Mobile: in.Mobile, At: s.Now()}
	if in.Device != "" {
		si.Device = hashToken(in.Device)
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.InsertSignIn(ctx, &si) })
	return si, err
}

// DeskSignIn records a sign-in an organiser types in for a resident without
// a phone, while the sign-in is open or after it closed (from a paper list).
func (s *Service) DeskSignIn(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in outreach.Person) (outreach.SignIn, error) {
	v, err := s.decideLecture(ctx, p, id, outreach.LectureDesk)
	if err != nil {
		return outreach.SignIn{}, err
	}
	in.Normalize()
	f := apperr.Fields{}
	if err := in.Validate(false); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	cs, err := s.Communities(ctx, v.Region)
	if err != nil {
		return outreach.SignIn{}, err
	}
	checkCommunity(f, cs, in.Region)
	if err := f.Err(); err != nil {
		return outreach.SignIn{}, err
	}
	si := outreach.SignIn{LectureID: id, Name: in.Name, Region: in.Region, Mobile: in.Mobile, Desk: true, At: s.Now()}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.InsertSignIn(ctx, &si) })
	return si, err
}

// AddLecturePhoto checks an uploaded image by its content, stores it and
// attaches it to the lecture (once it has begun). It returns the photo id.
func (s *Service) AddLecturePhoto(ctx context.Context, who store.Actor, p *auth.Principal, id int64, r io.Reader) (string, error) {
	v, err := s.decideLecture(ctx, p, id, outreach.LecturePhotos)
	if err != nil {
		return "", err
	}
	if len(v.Photos) >= MaxLecturePhotos {
		return "", apperr.Field("photo", "err.photo_too_many", MaxLecturePhotos)
	}
	proc, err := photo.Process(r, photo.Limits{Location: s.Loc})
	if err != nil {
		var pe *photo.Error
		if errors.As(err, &pe) {
			e := pe.AppErr()
			e.Fields = map[string]apperr.Msg{"photo": e.Msg}
			if pe.Key == photo.KeyTooLarge {
				e.Code = apperr.TooLarge
			}
			return "", e
		}
		return "", err
	}
	pid, err := s.Photos.Put(proc)
	if err != nil {
		return "", err
	}
	return pid, s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.AddLecturePhoto(ctx, id, pid) })
}

// CanSeeLecturePhoto reports whether p may see photo pid of lecture id.
func (s *Service) CanSeeLecturePhoto(ctx context.Context, p *auth.Principal, id int64, pid string) (bool, error) {
	v, err := s.Lecture(ctx, p, id)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return slices.Contains(v.Photos, pid), nil
}
