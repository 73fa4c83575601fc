package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
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
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// The report form (GET and POST /report), the location check beside it
// (GET /report/duplicates) and what the public form (public_pages.go) shares
// with it: the form's fields, the category choices, the photo checks.

// reportInput is the report form as typed, kept as strings so that a form
// with errors comes back exactly as it was sent.
type reportInput struct {
	ClientID    string
	Category    string
	Description string
	Lat, Lon    string // WGS-84, set by the map or the device's GPS
	Address     string
	Class       string
	Note        string // what was done (on the spot)
	UnitID      string
	Commitment  string
	Due         string // YYYY-MM-DD
	Source      string
	HotlineRef  string
	Severity    string
	Name        string // public only: the reporter's name, optional
	Mobile      string // public only: optional, 11 digits
	Join        string // a case number: add this report to that case instead
}

func parseReportInput(v url.Values) reportInput {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return reportInput{ClientID: g("client_id"), Category: g("category"), Description: v.Get("description"), Lat: g("lat"), Lon: g("lon"),
		Address: v.Get("address"), Class: g("class"), Note: v.Get("note"), UnitID: g("unit_id"), Commitment: v.Get("commitment"),
		Due: g("due"), Source: g("source"), HotlineRef: g("hotline_ref"), Severity: g("severity"), Name: v.Get("name"),
		Mobile: g("mobile"), Join: g("join")}
}

// newReportClientID returns a random (version 4) UUID for a fresh form, so that
// submitting the same form twice records one case.
func newReportClientID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// freshClientID keeps the form's client id for another try, unless it is
// malformed or already taken (err names it), when the form gets a new one.
func freshClientID(id string, err error) string {
	if _, taken := apperr.As(err).Fields["client_id"]; taken || !cases.ValidUUID(id) {
		return newReportClientID()
	}
	return id
}

// reportFailed shows a report form again through again with the error of
// the report (a plain 500 for an internal one), its fields named as the
// form names them, and a fresh client id when the one sent cannot be used.
func (s *Server) reportFailed(w http.ResponseWriter, r *http.Request, in reportInput, err error,
	again func(http.ResponseWriter, *http.Request, int, reportInput, error)) {
	if apperr.As(err).Code == apperr.Internal {
		s.serverError(w, r, err)
		return
	}
	in.ClientID = freshClientID(in.ClientID, err)
	err = reportFormError(err)
	again(w, r, statusFor(err), in, err)
}

// point parses the form's coordinates; ok is false when none were given or they do not parse.
func (in reportInput) point() (lat, lon float64, ok bool) {
	lat, lon, ok = region.ParsePoint(in.Lat, in.Lon)
	if !ok || (lat == 0 && lon == 0) {
		return 0, 0, false
	}
	return lat, lon, true
}

// report turns the form into a ledger report; fields that do not parse are field errors.
func (in reportInput) report(loc *time.Location) (casesvc.Report, error) {
	f := apperr.Fields{}
	rep := casesvc.Report{Input: cases.Input{ClientID: in.ClientID, Category: in.Category, Description: in.Description, Address: in.Address,
		Class: cases.Class(in.Class), Severity: cases.Severity(in.Severity), Source: cases.Source(in.Source), HotlineRef: in.HotlineRef,
		Note: in.Note}, Commitment: in.Commitment, ReporterName: strings.TrimSpace(in.Name), ReporterMobile: in.Mobile}
	if in.Lat != "" || in.Lon != "" {
		if lat, lon, ok := in.point(); ok {
			rep.Lat, rep.Lon = lat, lon
		} else {
			f.Add("location", "err.coords")
		}
	}
	if in.UnitID != "" {
		id, err := strconv.ParseInt(in.UnitID, 10, 64)
		if err != nil || id <= 0 {
			f.Add("unit", "err.unit_unknown")
		}
		rep.UnitID = id
	}
	if rep.Class == cases.ClassCommitted {
		// A committed case names the party, what it promised and by when.
		if in.UnitID == "" {
			f.Add("unit", "err.required")
		}
		if strings.TrimSpace(in.Commitment) == "" {
			f.Add("commitment", "err.required")
		}
		if in.Due == "" {
			f.Add("due", "err.required")
		}
	}
	if in.Due != "" && rep.Class == cases.ClassCommitted {
		d, err := time.ParseInLocation("2006-01-02", in.Due, loc)
		if err != nil {
			f.Add("due", "err.format")
		}
		rep.Due = d.Add(24*time.Hour - time.Second) // the end of that day
	}
	if len([]rune(rep.ReporterName)) > maxReporterName {
		f.Add("reporter_name", "err.too_long", maxReporterName)
	}
	return rep, f.Err()
}

// maxReporterName bounds a public reporter's name, in characters.
const maxReporterName = 50

// reportFields renames the ledger's field names to the form's: the point is
// one "location" field, the related unit is "unit".
var reportFields = map[string]string{"lat": "location", "lon": "location", "unit_id": "unit"}

// reportFormError copies err with its fields renamed for the form. A missing
// severity that only follows from a missing category is dropped.
func reportFormError(err error) error {
	e := apperr.As(err)
	if len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = map[string]apperr.Msg{}
	for k, m := range e.Fields {
		if n, ok := reportFields[k]; ok {
			k = n
		}
		if _, dup := out.Fields[k]; !dup {
			out.Fields[k] = m
		}
	}
	if _, bad := out.Fields["category"]; bad {
		delete(out.Fields, "severity")
	}
	return &out
}

// categoryGroup is one top-level category with its children, for an <optgroup>.
type categoryGroup struct {
	Label   string
	Options []option
}

// categoryChoices lists the active categories in lang, and every category's name by code.
func (s *Server) categoryChoices(ctx context.Context, lang string) ([]categoryGroup, map[string]string, error) {
	tops, err := s.app.DB.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []categoryGroup
	names := map[string]string{}
	for _, t := range tops {
		names[t.Code] = t.Name(lang)
		g := categoryGroup{Label: t.Name(lang)}
		for _, c := range t.Children {
			names[c.Code] = c.Name(lang)
			if c.Active {
				g.Options = append(g.Options, option{c.Code, c.Name(lang)})
			}
		}
		if t.Active && len(g.Options) > 0 {
			out = append(out, g)
		}
	}
	return out, names, nil
}

// reportPage is the report form, for signed-in people and (Public) for anyone.
type reportPage struct {
	Page
	Public     bool
	Action     string
	Form       reportInput
	Categories []categoryGroup
	Classes    []option // the classes this person may choose
	Sources    []option // leaders and admins name the source (hotline transfers)
	Severities []option // leaders and admins may set the severity
	Check      locationCheck
	Outlines   outlineCollection // region outlines drawn on the map
	Others     []string          // errors of fields the form does not show
	MaxPhotos  int
	Today      string // the earliest due date
}

// locationCheck is what the server says about the chosen point: the grid it
// lies in, open cases like the one being reported, and the units nearby.
type locationCheck struct {
	Given      bool // a point was given
	Outside    bool // it lies in no grid
	Place      string
	Duplicates []duplicateRow
	Units      []option
	Unit       string // the unit chosen
}

// duplicateRow is an open case of the same category close by.
type duplicateRow struct {
	Number      string
	Category    string
	Status      string
	Description string
	Reported    time.Time
	Metres      int
	CanJoin     bool // the reporter may add to it (comment)
}

// outlineFeature is one region drawn on the report map (GeoJSON).
type outlineFeature struct {
	Type       string           `json:"type"`
	Geometry   *region.Geometry `json:"geometry"`
	Properties map[string]any   `json:"properties"`
}

// outlineCollection is the GeoJSON the report map draws, embedded in the page.
type outlineCollection struct {
	Type     string           `json:"type"`
	Features []outlineFeature `json:"features"`
}

// reportOutlines returns the region polygons the report map draws: the street,
// its communities and (down to maxLevel) its grids.
func (s *Server) reportOutlines(ctx context.Context, maxLevel region.Level) (outlineCollection, error) {
	fc := outlineCollection{Type: "FeatureCollection", Features: []outlineFeature{}}
	rs, err := s.app.DB.AllRegions(ctx)
	if err != nil {
		return fc, err
	}
	for _, rg := range rs {
		if rg.Geometry == nil || rg.Level < region.Street || rg.Level > maxLevel {
			continue
		}
		fc.Features = append(fc.Features, outlineFeature{"Feature", rg.Geometry, map[string]any{"code": rg.Code, "name": rg.Name, "level": rg.Level}})
	}
	return fc, nil
}

// joinPlace names a grid with its community, unless the grid's name already starts with it.
func joinPlace(community, grid string) string {
	if community == "" || strings.HasPrefix(grid, community) {
		return grid
	}
	return community + " " + grid
}

// reportPlace names a grid with its community, such as "忠武巷社区 第1网格".
func (s *Server) reportPlace(ctx context.Context, grid string) string {
	g, err := s.app.DB.Region(ctx, grid)
	if err != nil {
		return grid
	}
	if c, err := s.app.DB.Region(ctx, g.Parent); err == nil {
		return joinPlace(c.Name, g.Name)
	}
	return g.Name
}

// pointCheck says whether the form has a point and which grid holds it ("" when none).
func (s *Server) pointCheck(ctx context.Context, in reportInput) (locationCheck, string) {
	chk := locationCheck{Unit: in.UnitID}
	lat, lon, ok := in.point()
	if !ok {
		return chk, ""
	}
	chk.Given = true
	grid, err := s.app.Index.Lookup(lat, lon)
	if err != nil {
		chk.Outside = true
		return chk, ""
	}
	chk.Place = s.reportPlace(ctx, grid)
	return chk, grid
}

// checkLocation looks at the point of a form being filled in for u.
func (s *Server) checkLocation(ctx context.Context, u *auth.Principal, p locale.Printer, in reportInput) (locationCheck, error) {
	chk, grid := s.pointCheck(ctx, in)
	if grid == "" {
		return chk, nil
	}
	lat, lon, _ := in.point()
	// The units of that grid the reporter may see, nearest first.
	units, _, err := s.app.DB.Units(ctx, store.UnitFilter{Roots: u.Scopes(auth.UnitRead), UnitIDs: u.UnitScopes(auth.UnitRead),
		Region: grid, Status: unit.Active, Sort: "name", Page: store.Page{Size: 100}})
	if err != nil {
		return chk, err
	}
	dist := func(un unit.Unit) float64 {
		if !un.HasLocation() {
			return 1e9
		}
		return cases.Distance(lat, lon, un.Lat, un.Lon)
	}
	slices.SortStableFunc(units, func(a, b unit.Unit) int {
		da, db := dist(a), dist(b)
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
	for _, un := range units {
		label := un.Name
		if d := dist(un); d < 1e9 {
			label = p.T("report.unit_distance", un.Name, int(d+0.5))
		}
		chk.Units = append(chk.Units, option{strconv.FormatInt(un.ID, 10), label})
	}
	if in.Category == "" {
		return chk, nil
	}
	dups, err := s.app.Cases.Duplicates(ctx, u, in.Category, lat, lon)
	if err != nil {
		return chk, err
	}
	if len(dups) > 0 {
		_, names, err := s.categoryChoices(ctx, p.Lang)
		if err != nil {
			return chk, err
		}
		for _, c := range dups {
			chk.Duplicates = append(chk.Duplicates, duplicateRow{Number: c.Number, Category: names[c.Category],
				Status: p.T("case.status." + string(c.Status)), Description: reportShorten(c.Description, 80), Reported: c.ReportedAt,
				Metres:  int(cases.Distance(lat, lon, c.Lat, c.Lon) + 0.5),
				CanJoin: slices.Contains(s.app.Cases.Allowed(u, c), cases.ActionComment)})
		}
	}
	return chk, nil
}

// reportShorten shortens s to at most n characters.
func reportShorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// reportForm shows an empty report form with a fresh client id.
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.CaseReport) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	in := reportInput{ClientID: newReportClientID(), Class: string(cases.ClassEscalated), Category: q.Get("category"), Lat: q.Get("lat"), Lon: q.Get("lon")}
	s.renderReport(w, r, http.StatusOK, in, nil)
}

// renderReport shows the signed-in report form with in and, if err is set, its errors.
func (s *Server) renderReport(w http.ResponseWriter, r *http.Request, status int, in reportInput, err error) {
	ctx := r.Context()
	u := userOf(r)
	p := printer(r)
	data := reportPage{Page: s.page(r, "report.title"), Action: "/report", Form: in, MaxPhotos: casesvc.MaxPhotos,
		Today: s.app.Cases.Now().In(s.app.Loc).Format("2006-01-02")}
	var cerr error
	if data.Categories, _, cerr = s.categoryChoices(ctx, p.Lang); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	for _, c := range cases.Classes {
		if c == cases.ClassOnSpot && !u.CanSomewhere(auth.CaseOnSpot) {
			continue
		}
		data.Classes = append(data.Classes, option{string(c), p.T("case.class." + string(c))})
	}
	if u.CanSomewhere(auth.CaseHotline) {
		for _, src := range cases.Sources {
			data.Sources = append(data.Sources, option{string(src), p.T("case.source." + string(src))})
		}
		for _, sv := range cases.Severities {
			data.Severities = append(data.Severities, option{string(sv), p.T("case.severity." + string(sv))})
		}
	}
	if data.Check, cerr = s.checkLocation(ctx, u, p, in); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	if data.Outlines, cerr = s.reportOutlines(ctx, region.Grid); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	if err != nil {
		data.withError(p, err)
		data.Others = reportOtherErrors(data.Fields, "category", "location", "description", "address", "photo", "class", "note", "unit",
			"commitment", "due", "source", "hotline_ref", "severity")
	}
	s.render(w, r, status, "report", data)
}

// reportOtherErrors lists, sorted, the field errors of fields the form does not show.
func reportOtherErrors(fields map[string]string, shown ...string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(shown, k) {
			out = append(out, fields[k])
		}
	}
	return out
}

// reportDuplicates answers the form's location check (an htmx partial):
// the grid of the point, open cases of the same category within 100 m and 7
// days, each with an "add to this case" button, and the units nearby.
func (s *Server) reportDuplicates(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.CaseReport) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	in := reportInput{Category: q.Get("category"), Lat: q.Get("lat"), Lon: q.Get("lon"), UnitID: q.Get("unit")}
	chk, err := s.checkLocation(r.Context(), u, printer(r), in)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.renderPartial(w, r, "report", "checks", chk)
}

// reportBodyLimit bounds a form carrying n photos: each at most 10 MB, plus the fields.
func reportBodyLimit(n int) int64 { return int64(n)*photo.DefaultMaxBytes + 1<<20 }

// readReportForm parses the form, which is multipart when photos come with
// it, and returns its fields and photos. A body over the limit answers a
// photo error (the fields read so far are kept).
func readReportForm(w http.ResponseWriter, r *http.Request, maxPhotos int) (reportInput, []*multipart.FileHeader, error) {
	err := parseMultipart(w, r, reportBodyLimit(maxPhotos), "photo")
	in := parseReportInput(r.PostForm)
	if err != nil {
		return in, nil, err
	}
	return in, uploads(r, "photos"), nil
}

// checkReportPhotos looks at each photo before anything is written: how many,
// how large, and whether its header is a JPEG, PNG or WebP image that may be
// decoded (photo.Check: pixels, sides, shape, memory). The full decoding
// follows when each is stored.
func checkReportPhotos(files []*multipart.FileHeader, max int) error {
	if len(files) > max {
		return apperr.Field("photo", "err.photo_too_many", max)
	}
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		_, err = photo.Check(f, fh.Size, photo.Limits{})
		f.Close()
		var pe *photo.Error
		if errors.As(err, &pe) {
			return pe.FieldErr("photo")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addReportPhotos attaches the photos to a case at step; it reports whether all were kept.
func (s *Server) addReportPhotos(r *http.Request, number, step string, files []*multipart.FileHeader) bool {
	ok := true
	for _, fh := range files {
		f, err := fh.Open()
		if err == nil {
			_, err = s.app.Cases.AddPhoto(r.Context(), s.actor(r), userOf(r), s.app.Photos, number, step, f)
			f.Close()
		}
		if err != nil {
			s.app.Log.Warn("report photo not kept", "case", number, "file", fh.Filename, "err", err)
			ok = false
		}
	}
	return ok
}

// precheck gathers every mistake that shows before the ledger is asked —
// the photos, fields that do not parse, the input rules, a point outside
// the street — so that one round trip shows them all. It returns the report
// to record when there is none.
func (s *Server) precheck(in reportInput, files []*multipart.FileHeader, readErr error, maxPhotos int, extra apperr.Fields) (casesvc.Report, error) {
	if readErr != nil && len(apperr.As(readErr).Fields) == 0 {
		return casesvc.Report{}, readErr // a broken body: nothing to say per field
	}
	f := apperr.Fields{}
	tooLarge := false
	add := func(err error) {
		e := apperr.As(err)
		tooLarge = tooLarge || e.Code == apperr.TooLarge
		for k, m := range e.Fields {
			if n, ok := reportFields[k]; ok {
				k = n
			}
			f.Add(k, m.Key, m.Args...)
		}
	}
	if readErr != nil {
		add(readErr)
	} else if err := checkReportPhotos(files, maxPhotos); err != nil {
		add(err)
	}
	rep, err := in.report(s.app.Loc)
	if err != nil {
		add(err)
	}
	for k, m := range extra {
		f.Add(k, m.Key, m.Args...)
	}
	if len(f) == 0 {
		return rep, nil
	}
	// Something is wrong already: say what the ledger would say too.
	var fields map[string]apperr.Msg
	if err := rep.Input.Validate(); err != nil {
		fields = apperr.As(err).Fields
	}
	for k, m := range fields {
		if (k == "severity" && rep.Severity == "") || (k == "source" && rep.Source == "") || (k == "class" && rep.Class == "") {
			continue // filled in by the ledger
		}
		if n, ok := reportFields[k]; ok {
			k = n
		}
		f.Add(k, m.Key, m.Args...)
	}
	if _, bad := f["location"]; !bad {
		if _, err := s.app.Index.Lookup(rep.Lat, rep.Lon); err != nil {
			f.Add("location", apperr.As(err).Msg.Key)
		}
	}
	e := apperr.As(f.Err())
	if tooLarge {
		e.Code = apperr.TooLarge
	}
	return rep, e
}

// reportSubmit records a report from a signed-in person, with its photos,
// or adds it to an open case nearby when the reporter chose one (join).
func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.CaseReport) {
		s.forbidden(w, r)
		return
	}
	in, files, readErr := readReportForm(w, r, casesvc.MaxPhotos)
	if in.Join != "" {
		if readErr == nil {
			readErr = checkReportPhotos(files, casesvc.MaxPhotos)
		}
		if readErr == nil {
			s.joinCase(w, r, in, files)
			return
		}
		in.Join = ""
		s.renderReport(w, r, statusFor(readErr), in, readErr)
		return
	}
	if !u.CanSomewhere(auth.CaseHotline) {
		// Only leaders and admins name a source or a severity: the rest
		// report as who they are, at the category's severity.
		in.Source, in.Severity, in.HotlineRef = "", "", ""
	} else if !cases.Source(in.Source).Hotline() {
		in.HotlineRef = ""
	}
	rep, err := s.precheck(in, files, readErr, casesvc.MaxPhotos, nil)
	var c cases.Case
	created := false
	if err == nil {
		c, created, err = s.app.Cases.Report(r.Context(), s.actor(r), u, rep)
	}
	if err != nil {
		s.reportFailed(w, r, in, err, s.renderReport)
		return
	}
	flash := "flash.reported"
	if created {
		step := cases.StepBefore
		if c.Class == cases.ClassOnSpot {
			step = cases.StepAfter
		}
		if !s.addReportPhotos(r, c.Number, step, files) {
			flash = "flash.reported_photos_failed"
		}
	}
	setFlash(w, flash)
	http.Redirect(w, r, "/cases/"+url.PathEscape(c.Number), http.StatusSeeOther)
}

// joinWindow is how long an identical remark by the same person counts as a
// repeat of the same form (a double submit) rather than a new one.
const joinWindow = 10 * time.Minute

// joinCase adds the report to an open case as a remark on its timeline,
// with its photos, instead of recording a second case.
func (s *Server) joinCase(w http.ResponseWriter, r *http.Request, in reportInput, files []*multipart.FileHeader) {
	ctx := r.Context()
	u := userOf(r)
	p := printer(r)
	fail := func(err error) {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		in.Join = ""
		err = reportFormError(err)
		if e := apperr.As(err); e.Fields != nil {
			if m, ok := e.Fields["note"]; ok {
				delete(e.Fields, "note")
				e.Fields["description"] = m
			}
		}
		s.renderReport(w, r, statusFor(err), in, err)
	}
	c, err := s.app.Cases.Get(ctx, u, in.Join)
	if err != nil {
		fail(err)
		return
	}
	note := strings.TrimSpace(in.Description)
	if note == "" {
		note = p.T("report.join_note")
	}
	repeat := false
	if n := len(c.Timeline); n > 0 {
		last := c.Timeline[n-1]
		repeat = last.ActorID == u.PersonID && last.Action == cases.ActionComment && last.Note == note && time.Since(last.At) < joinWindow
	}
	if !repeat {
		for try := 0; ; try++ {
			v := c.Version
			_, err = s.app.Cases.Act(ctx, s.actor(r), u, c.Number, casesvc.Action{Action: cases.ActionComment, Version: &v, Note: note})
			if err == nil || try > 0 || !apperr.Is(err, apperr.Conflict) {
				break
			}
			// Changed meanwhile: a remark does not depend on the state, so try once more on the new version.
			if c, err = s.app.Cases.Get(ctx, u, in.Join); err != nil {
				break
			}
		}
		if err != nil {
			fail(err)
			return
		}
	}
	flash := "flash.joined"
	if !repeat && !s.addReportPhotos(r, c.Number, "", files) {
		flash = "flash.reported_photos_failed"
	}
	setFlash(w, flash)
	http.Redirect(w, r, "/cases/"+url.PathEscape(c.Number), http.StatusSeeOther)
}
