package web

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The case page: every field, the timeline, the photos, and a form for each
// action the user may take now (POST /cases/{number}/actions), the photo
// upload (POST /cases/{number}/photos) and the photos themselves (GET /photos/{id}).

// maxPhotoBody bounds a page's photo upload: MaxPhotos photos of 10 MB and the form around them.
const maxPhotoBody = casesvc.MaxPhotos*(photo.DefaultMaxBytes+64<<10) + 64<<10

// actionForm is what the user typed into an action form, kept when the
// page comes back with an error.
type actionForm struct {
	Action     string
	Note       string
	Assignee   string // "region:<code>", "unit:<id>" or "person:<id>"
	Unit       string // a unit number typed instead
	Deadline   string // a date
	Passed     string // "yes" or "no"
	Into       string
	Commitment string
}

// caseEvent is a timeline entry as shown.
type caseEvent struct {
	cases.Event
	Actor  string
	Note   string
	Photos []cases.Photo
}

// casePage is the case page's data.
type casePage struct {
	Page
	Extras         caseExtras // case_next.go
	Case           cases.Case
	CategoryName   string
	GroupName      string
	GridName       string
	HeldName       string
	UnitName       string
	Clause         *caseClause // the clause of the unit's letter this case is about, if any
	AssigneeName   string
	Reporter       string
	ReporterMobile string // a public reporter's, as the viewer may see it (auth.Principal.Mobile)
	ReporterCall   bool   // the viewer sees it whole: offer a call link
	Timer          caseTimer
	Overdue        bool
	NoAfterPhoto   bool
	Events         []caseEvent
	Before, After  []cases.Photo
	Actions        []cases.Action
	AssignTo       []option // regions under the holding region, and the related unit
	Form           actionForm
	Open           string // the form opened: an action, or "upload"
	CanUpload      bool
	UploadStep     string // the step an upload defaults to
	MaxPhotos      int
	CanShare       bool // the case is closed and the viewer posts to the feed of its region
}

// caseClause names the responsibility-letter clause a case about a unit falls under.
type caseClause struct {
	LetterID int64
	N        int
	Text     string
}

// clauseFor finds the clause of the unit's letter for the case's year whose
// categories include the case's category (or its group).
func (s *Server) clauseFor(r *http.Request, c cases.Case) *caseClause {
	if c.UnitID == 0 {
		return nil
	}
	l, _, err := s.app.DB.UnitLetter(r.Context(), c.UnitID, c.ReportedAt.In(s.app.Loc).Year())
	if err != nil {
		return nil
	}
	group := ""
	if cat, err := s.app.DB.Category(r.Context(), c.Category); err == nil {
		group = cat.Parent
	}
	for i, cl := range l.Clauses {
		if slices.Contains(cl.Categories, c.Category) || (group != "" && slices.Contains(cl.Categories, group)) {
			return &caseClause{LetterID: l.ID, N: i + 1, Text: cl.Text}
		}
	}
	return nil
}

// Can reports whether the user may take action a now.
func (p casePage) Can(a string) bool { return slices.Contains(p.Actions, cases.Action(a)) }

// noteForm is what the shared note-only action form needs.
type noteForm struct {
	Action   string
	Number   string
	Version  int
	Note     string
	Required bool
	Open     bool
	Error    string
	Class    string // shown first or behind "more actions" (case_next.go)
}

// NoteForm returns the data of the simple form for action a (a note and a button).
func (p casePage) NoteForm(a string, required bool) noteForm {
	f := noteForm{Action: a, Number: p.Case.Number, Version: p.Case.Version, Required: required, Open: p.Open == a, Class: p.ActClass(a)}
	if f.Open {
		f.Note = p.Form.Note
		f.Error = p.Fields["note"]
	}
	return f
}

// Kept returns what the user typed into field of action a's form, when that form is the one that came back.
func (p casePage) Kept(a, field string) string {
	if p.Open != a {
		return ""
	}
	f := p.Form
	return map[string]string{"note": f.Note, "assignee": f.Assignee, "unit": f.Unit, "deadline": f.Deadline,
		"passed": f.Passed, "into": f.Into, "commitment": f.Commitment}[field]
}

// FieldErr returns the error of field in action a's form, if that form came back with one.
func (p casePage) FieldErr(a, field string) string {
	if p.Open != a {
		return ""
	}
	return p.Fields[field]
}

// caseURL is the case page's path.
func caseURL(number string) string { return "/cases/" + url.PathEscape(number) }

// casePageData loads everything the case page shows for c.
func (s *Server) casePageData(r *http.Request, c cases.Case) (casePage, error) {
	ctx := r.Context()
	p := printer(r)
	u := userOf(r)
	data := casePage{Page: s.page(r, "case.title"), Case: c, MaxPhotos: casesvc.MaxPhotos,
		CanShare: c.Status == cases.StatusClosed && userOf(r).Can(auth.PostWrite, auth.Target{Region: c.Region})}
	data.Title = c.Number
	now := s.app.Cases.Now()
	data.Timer, data.Overdue, data.NoAfterPhoto = s.timerOf(ctx, c), c.Overdue(now), c.NoAfterPhoto(now)
	tree, err := s.app.DB.Categories(ctx)
	if err != nil {
		return data, err
	}
	for _, g := range tree {
		for _, ch := range g.Children {
			if ch.Code == c.Category {
				data.CategoryName, data.GroupName = ch.Name(p.Lang), g.Name(p.Lang)
			}
		}
	}
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		return data, err
	}
	who := map[int64]string{} // person names by id
	data.GridName, data.HeldName = names(c.Region), names(c.Held)
	data.AssigneeName = s.assigneeName(ctx, c.Assignee, names, who)
	if c.UnitID != 0 {
		data.UnitName = "#" + strconv.FormatInt(c.UnitID, 10)
		if un, err := s.app.DB.Unit(ctx, c.UnitID); err == nil {
			data.UnitName = un.Name
		}
		data.Clause = s.clauseFor(r, c)
	}
	if c.ReporterID != 0 {
		data.Reporter = s.personName(ctx, c.ReporterID, who)
	} else {
		data.Reporter = c.ReporterName
		t := auth.Target{Region: c.Region}
		data.ReporterMobile, data.ReporterCall = u.Mobile(c.ReporterMobile, t), u.SeesMobiles(t)
	}
	byEvent := map[int64][]cases.Photo{}
	for _, ph := range c.Photos {
		if ph.EventID != 0 {
			byEvent[ph.EventID] = append(byEvent[ph.EventID], ph)
		}
		if ph.Step == cases.StepAfter {
			data.After = append(data.After, ph)
		} else {
			data.Before = append(data.Before, ph)
		}
	}
	for _, e := range c.Timeline {
		ev := caseEvent{Event: e, Note: e.Note, Photos: byEvent[e.ID]}
		switch {
		case e.ActorName == store.System.Name && e.ActorID == 0:
			ev.Actor = p.T("case.actor.system")
			if e.Action == cases.ActionEscalate && (e.Note == "overdue" || e.Note == "major") {
				ev.Note = p.T("case.system_note." + e.Note)
			}
		case e.ActorID != 0:
			ev.Actor = s.personName(ctx, e.ActorID, who)
		default:
			ev.Actor = p.T("case.actor.public")
		}
		data.Events = append(data.Events, ev)
	}
	data.Actions = s.app.Cases.Allowed(u, c)
	data.Extras = s.caseExtrasOf(r, c)
	data.CanUpload = data.Can(string(cases.ActionComment))
	data.UploadStep = cases.StepBefore
	if c.Status == cases.StatusHandled || c.Status == cases.StatusClosed {
		data.UploadStep = cases.StepAfter
	}
	if data.Can(string(cases.ActionAssign)) {
		rs, err := s.app.DB.Regions(ctx, []string{c.Held}, false)
		if err != nil {
			return data, err
		}
		for _, rg := range rs {
			label := p.T("region.level."+strconv.Itoa(int(rg.Level))) + " · " + rg.Name
			if rg.Level > region.LevelOf(c.Held) {
				label = strings.Repeat("　", int(rg.Level-region.LevelOf(c.Held))) + label
			}
			data.AssignTo = append(data.AssignTo, option{cases.AssigneeRef("region", rg.Code), label})
		}
		if c.UnitID != 0 {
			data.AssignTo = append(data.AssignTo, option{cases.AssigneeRef("unit", c.UnitID), p.T("field.unit") + " · " + data.UnitName})
		}
		ppl, err := s.assignPeople(r, c.Held) // case_next.go
		if err != nil {
			return data, err
		}
		data.AssignTo = append(data.AssignTo, ppl...)
	}
	return data, nil
}

// casePageOf loads the case named in the path for the user and what its
// page shows, or answers (404 when they may not see it).
func (s *Server) casePageOf(w http.ResponseWriter, r *http.Request) (casePage, bool) {
	var data casePage
	c, err := s.app.Cases.Get(r.Context(), userOf(r), r.PathValue("number"))
	if err == nil {
		data, err = s.casePageData(r, c)
	}
	return data, s.loaded(w, r, err)
}

// caseDetail shows one case.
func (s *Server) caseDetail(w http.ResponseWriter, r *http.Request) {
	if data, ok := s.casePageOf(w, r); ok {
		s.render(w, r, http.StatusOK, "case", data)
	}
}

// caseFailed shows the case again, as it now stands, with the error of a
// failed action or upload beside the form the user filled in.
func (s *Server) caseFailed(w http.ResponseWriter, r *http.Request, open string, form actionForm, err error) {
	formFailed(s, w, r, "case", err, s.casePageOf, func(d *casePage) *Page {
		d.Open, d.Form = open, form
		return &d.Page
	})
}

// parseMultipart reads a multipart page form of at most limit bytes; a
// larger one is the photo error of field. Urlencoded forms are already
// parsed by the server.
func parseMultipart(w http.ResponseWriter, r *http.Request, limit int64, field string) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(photo.FormMemory); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return photo.TooLarge(field)
		}
		return apperr.Wrap(err, apperr.Invalid, "err.invalid")
	}
	return nil
}

// uploads returns the non-empty files sent in field.
func uploads(r *http.Request, field string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	var out []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size > 0 || fh.Filename != "" {
			out = append(out, fh)
		}
	}
	return out
}

// caseAction applies one action from the case page's forms, then goes back
// to the case (303) or shows the page again with the error: 403 when the
// user may not, 409 when the state or version does not allow it, 422 for a
// field.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request) {
	perr := parseMultipart(w, r, maxPhotoBody, "photos")
	form := actionForm{Action: r.PostFormValue("action"), Note: r.PostFormValue("note"), Assignee: strings.TrimSpace(r.PostFormValue("assignee")),
		Unit: strings.TrimSpace(r.PostFormValue("unit")), Deadline: strings.TrimSpace(r.PostFormValue("deadline")),
		Passed: r.PostFormValue("passed"), Into: strings.TrimSpace(r.PostFormValue("into")), Commitment: r.PostFormValue("commitment")}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if perr != nil {
		s.caseFailed(w, r, form.Action, form, perr)
		return
	}
	in, err := s.actionInput(r, form)
	if err != nil {
		s.caseFailed(w, r, form.Action, form, err)
		return
	}
	u := userOf(r)
	number := r.PathValue("number")
	if in.Action == cases.ActionHandle {
		if files := uploads(r, "photos"); len(files) > 0 {
			// Photos are stored only when the handling can go through, and are
			// attached with it, to its timeline entry.
			c, err := s.app.Cases.Get(r.Context(), u, number)
			if err == nil && in.Version != nil && *in.Version == c.Version && slices.Contains(s.app.Cases.Allowed(u, c), cases.ActionHandle) {
				if len(files) > casesvc.MaxPhotos {
					s.caseFailed(w, r, form.Action, form, apperr.Field("photos", "err.photo_too_many", casesvc.MaxPhotos))
					return
				}
				for _, fh := range files {
					id, err := s.savePhoto(r, fh)
					if err != nil {
						s.caseFailed(w, r, form.Action, form, err)
						return
					}
					in.Photos = append(in.Photos, id)
				}
			}
		}
	}
	c, err := s.app.Cases.Act(r.Context(), s.actor(r), u, number, in)
	if err != nil {
		s.caseFailed(w, r, form.Action, form, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, caseURL(c.Number), http.StatusSeeOther)
}

// actionInput turns an action form into the ledger's request.
func (s *Server) actionInput(r *http.Request, form actionForm) (casesvc.Action, error) {
	in := casesvc.Action{Action: cases.Action(form.Action), Note: form.Note, Into: form.Into, Commitment: form.Commitment}
	if v, err := strconv.Atoi(r.PostFormValue("version")); err == nil {
		in.Version = &v
	}
	errs := apperr.Fields{}
	switch form.Passed {
	case "yes", "no":
		passed := form.Passed == "yes"
		in.Passed = &passed
	}
	if form.Deadline != "" {
		d, err := time.ParseInLocation("2006-01-02", form.Deadline, s.app.Loc)
		if err != nil {
			errs.Add("deadline", "err.format")
		} else {
			in.Deadline = d.Add(24*time.Hour - time.Second) // the end of that day
		}
	}
	if in.Action == cases.ActionAssign {
		switch kind, v := cases.ParseAssignee(form.Assignee); {
		case form.Unit != "":
			id, err := strconv.ParseInt(form.Unit, 10, 64)
			if err != nil || id <= 0 {
				errs.Add("assignee", "err.unit_unknown")
			}
			in.Assignee = &casesvc.Assignee{Unit: id}
		case kind == "region":
			in.Assignee = &casesvc.Assignee{Region: v}
		case kind == "unit" || kind == "person":
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				errs.Add("assignee", "err.invalid_choice")
			}
			if kind == "unit" {
				in.Assignee = &casesvc.Assignee{Unit: id}
			} else {
				in.Assignee = &casesvc.Assignee{Person: id}
			}
		case form.Assignee != "":
			errs.Add("assignee", "err.invalid_choice")
		}
	}
	return in, errs.Err()
}

// savePhoto checks and stores one uploaded photo without attaching it; the
// action that uses it attaches it.
func (s *Server) savePhoto(r *http.Request, fh *multipart.FileHeader) (string, error) {
	f, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	return s.app.Cases.SavePhoto(r.Context(), s.actor(r), s.app.Photos, f, "photos")
}

// casePhotoUpload adds photos (field photo, up to MaxPhotos) at a step
// (before or after) to a case, then goes back to it.
func (s *Server) casePhotoUpload(w http.ResponseWriter, r *http.Request) {
	form := actionForm{Action: "upload"}
	err := parseMultipart(w, r, maxPhotoBody, "photo")
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		s.caseFailed(w, r, "upload", form, err)
		return
	}
	files := uploads(r, "photo")
	if len(files) == 0 {
		s.caseFailed(w, r, "upload", form, apperr.Field("photo", "err.required"))
		return
	}
	if len(files) > casesvc.MaxPhotos {
		s.caseFailed(w, r, "upload", form, apperr.Field("photo", "err.photo_too_many", casesvc.MaxPhotos))
		return
	}
	number := r.PathValue("number")
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		_, err = s.app.Cases.AddPhoto(r.Context(), s.actor(r), userOf(r), s.app.Photos, number, r.PostFormValue("step"), f)
		f.Close()
		if err != nil {
			s.caseFailed(w, r, "upload", form, err)
			return
		}
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, caseURL(number), http.StatusSeeOther)
}

// photo serves a case photo (or its thumbnail with ?thumb=1) to someone who
// may read a case it belongs to; anyone else gets 404.
func (s *Server) photo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := s.app.Cases.OpenPhoto(r.Context(), userOf(r), s.app.Photos, id, photo.Thumb(r))
	if s.loaded(w, r, err) {
		photo.Serve(w, r, id, f)
	}
}
