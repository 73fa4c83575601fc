package api

import (
	"context"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

type eventJSON struct {
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Status string `json:"status"`
	Level  int    `json:"level"`
	Note   string `json:"note,omitempty"`
}

type photoJSON struct {
	ID    string `json:"id"`
	Step  string `json:"step"`
	URL   string `json:"url"`
	Thumb string `json:"thumb"`
}

type caseJSON struct {
	Number         string            `json:"number"`
	ClientID       string            `json:"client_id"`
	Category       string            `json:"category"`
	Description    string            `json:"description"`
	Lat            float64           `json:"lat"`
	Lon            float64           `json:"lon"`
	Address        string            `json:"address"`
	Region         string            `json:"region"`
	UnitID         *int64            `json:"unit_id"`
	Source         string            `json:"source"`
	HotlineRef     string            `json:"hotline_ref,omitempty"`
	Class          string            `json:"class"`
	Severity       string            `json:"severity"`
	Status         string            `json:"status"`
	Level          int               `json:"level"`
	Held           string            `json:"held"`
	Assignee       *casesvc.Assignee `json:"assignee"`
	Commitment     string            `json:"commitment,omitempty"`
	Deadline       *string           `json:"deadline"`
	Timer          *timerJSON        `json:"timer,omitempty"`
	Overdue        bool              `json:"overdue"`
	NoAfterPhoto   bool              `json:"no_after_photo"`
	ReportedAt     string            `json:"reported_at"`
	ClosedAt       *string           `json:"closed_at"`
	Rework         int               `json:"rework"`
	MergedInto     string            `json:"merged_into,omitempty"`
	ReporterName   string            `json:"reporter_name,omitempty"`
	ReporterMobile string            `json:"reporter_mobile,omitempty"`
	Version        int               `json:"version"`
	Actions        []cases.Action    `json:"actions,omitempty"`
	Timeline       []eventJSON       `json:"timeline"`
	Photos         []photoJSON       `json:"photos"`
	PositionManual bool              `json:"position_manual,omitempty"`
}

type timerJSON struct {
	Percent float64 `json:"percent"`
	Colour  string  `json:"colour"`
}

func (a *API) rfc(t time.Time) string { return t.In(a.app.Loc).Format(time.RFC3339) }

func (a *API) toCaseJSON(ctx context.Context, p *auth.Principal, c cases.Case, full bool) caseJSON {
	now := a.app.Cases.Now()
	out := caseJSON{Number: c.Number, ClientID: c.ClientID, Category: c.Category, Description: c.Description, Lat: c.Lat, Lon: c.Lon,
		Address: c.Address, Region: c.Region, Source: string(c.Source), HotlineRef: c.HotlineRef, Class: string(c.Class),
		Severity: string(c.Severity), Status: string(c.Status), Level: c.Level, Held: c.Held, Commitment: c.Commitment,
		Overdue: c.Overdue(now), NoAfterPhoto: c.NoAfterPhoto(now), ReportedAt: a.rfc(c.ReportedAt), Rework: c.Rework,
		MergedInto: c.MergedInto, ReporterName: c.ReporterName, Version: c.Version, Timeline: []eventJSON{}, Photos: []photoJSON{}}
	if c.UnitID != 0 {
		id := c.UnitID
		out.UnitID = &id
	}
	if kind, v := cases.ParseAssignee(c.Assignee); kind != "" {
		as := &casesvc.Assignee{}
		switch kind {
		case "person":
			as.Person, _ = strconv.ParseInt(v, 10, 64)
		case "region":
			as.Region = v
		case "unit":
			as.Unit, _ = strconv.ParseInt(v, 10, 64)
		}
		out.Assignee = as
	}
	if !c.Deadline.IsZero() {
		d := a.rfc(c.Deadline)
		out.Deadline = &d
		if pct, colour := a.app.Cases.Timer(ctx, c); colour != "" {
			out.Timer = &timerJSON{Percent: float64(int(pct*10)) / 10, Colour: colour}
		}
	}
	if !c.ClosedAt.IsZero() {
		d := a.rfc(c.ClosedAt)
		out.ClosedAt = &d
	}
	// A public reporter's mobile: whole to admins and leaders whose scope holds the case, masked to others.
	out.ReporterMobile = p.Mobile(c.ReporterMobile, auth.Target{Region: c.Region})
	if full {
		out.Actions = a.app.Cases.Allowed(p, c)
		for _, e := range c.Timeline {
			out.Timeline = append(out.Timeline, eventJSON{At: a.rfc(e.At), Actor: e.ActorName, Action: string(e.Action), Status: string(e.Status), Level: e.Level, Note: e.Note})
		}
		for _, ph := range c.Photos {
			out.Photos = append(out.Photos, photoJSON{ID: ph.ID, Step: ph.Step, URL: "/api/v1/photos/" + ph.ID, Thumb: "/api/v1/photos/" + ph.ID + "?thumb=1"})
		}
		if flags, err := a.app.DB.CaseFlags(ctx, c.ID); err == nil {
			out.PositionManual = slices.Contains(flags, store.FlagManualPosition)
		}
	}
	return out
}

// caseInput is the body of POST /api/v1/cases.
type caseInput struct {
	ClientID    string   `json:"client_id"`
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Lat         *float64 `json:"lat"`
	Lon         *float64 `json:"lon"`
	Address     string   `json:"address"`
	Class       string   `json:"class"`
	Severity    string   `json:"severity"`
	Source      string   `json:"source"`
	HotlineRef  string   `json:"hotline_ref"`
	Note        string   `json:"note"`
	UnitID      int64    `json:"unit_id"`
	// Position is "manual" when the point was set by hand (no location on the phone), "gps" or empty otherwise.
	Position   string `json:"position"`
	Commitment string `json:"commitment"`
	Due        string `json:"due"`
}

// parseWhen reads a date (end of that day, local) or an RFC 3339 time.
func (a *API) parseWhen(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation("2006-01-02", s, a.app.Loc); err == nil {
		return d.Add(24*time.Hour - time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, apperr.Field(field, "err.format")
	}
	return t, nil
}

// report turns a case body (POST /api/v1/cases, or a sync item) into the
// ledger's report; only the due date can be malformed here.
func (a *API) report(in caseInput) (casesvc.Report, error) {
	due, err := a.parseWhen("due", in.Due)
	if err != nil {
		return casesvc.Report{}, err
	}
	rep := casesvc.Report{Input: cases.Input{ClientID: in.ClientID, Category: in.Category, Description: in.Description, Address: in.Address,
		Class: cases.Class(in.Class), Severity: cases.Severity(in.Severity), Source: cases.Source(in.Source), HotlineRef: in.HotlineRef, Note: in.Note},
		UnitID: in.UnitID, Commitment: in.Commitment, Due: due, ManualPosition: in.Position == "manual"}
	if in.Position != "" && in.Position != "manual" && in.Position != "gps" {
		return rep, apperr.Field("position", "err.invalid_choice")
	}
	if in.Lat != nil {
		rep.Lat = *in.Lat
	}
	if in.Lon != nil {
		rep.Lon = *in.Lon
	}
	return rep, nil
}

func (a *API) createCase(w http.ResponseWriter, r *http.Request) {
	var in caseInput
	if !a.decoded(w, r, &in) {
		return
	}
	rep, err := a.report(in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	c, created, err := a.app.Cases.Report(r.Context(), a.actor(r), p, rep)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, a.toCaseJSON(r.Context(), p, c, true))
}

// caseFilter reads the ledger's filters from the query, limited to what p may see.
func (a *API) caseFilter(r *http.Request) (store.CaseFilter, error) {
	f, err := casesvc.ParseQuery(r.URL.Query()).Filter(userOf(r), a.app.Cases.Now())
	f.Page = pageOf(r)
	return f, err
}

func (a *API) listCases(w http.ResponseWriter, r *http.Request) {
	f, err := a.caseFilter(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, total, err := a.app.DB.CasesTotal(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	items := make([]caseJSON, 0, len(list))
	for _, c := range list {
		items = append(items, a.toCaseJSON(r.Context(), p, c, false))
	}
	// Past store.TotalCap a total not kept in the tally is not counted: it says "at least this many".
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total.N, "total_lower_bound": total.More})
}

func (a *API) getCase(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	c, err := a.app.Cases.Get(r.Context(), p, r.PathValue("number"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toCaseJSON(r.Context(), p, c, true))
}

type actionInput struct {
	Action     string            `json:"action"`
	Version    *int              `json:"version"`
	Note       string            `json:"note"`
	Assignee   *casesvc.Assignee `json:"assignee"`
	Deadline   string            `json:"deadline"`
	Passed     *bool             `json:"passed"`
	Into       string            `json:"into"`
	Photos     []string          `json:"photos"`
	Commitment string            `json:"commitment"`
}

func (a *API) caseAction(w http.ResponseWriter, r *http.Request) {
	var in actionInput
	if !a.decoded(w, r, &in) {
		return
	}
	deadline, err := a.parseWhen("deadline", in.Deadline)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	c, err := a.app.Cases.Act(r.Context(), a.actor(r), p, r.PathValue("number"), casesvc.Action{Action: cases.Action(in.Action),
		Version: in.Version, Note: in.Note, Assignee: in.Assignee, Deadline: deadline, Passed: in.Passed, Into: in.Into,
		Photos: in.Photos, Commitment: in.Commitment})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toCaseJSON(r.Context(), p, c, true))
}

// MaxPhotoUpload bounds a photo upload's body: the 10 MB photo plus the form around it.
const MaxPhotoUpload = photo.DefaultMaxBytes + 64<<10

func (a *API) casePhoto(w http.ResponseWriter, r *http.Request) {
	file, err := formPhoto(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer file.Close()
	p := userOf(r)
	id, err := a.app.Cases.AddPhoto(r.Context(), a.actor(r), p, a.app.Photos, r.PathValue("number"), r.FormValue("step"), file)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": id, "url": "/api/v1/photos/" + id, "thumb": "/api/v1/photos/" + id + "?thumb=1"})
}

// formPhoto opens the multipart field "photo" of an upload of at most
// MaxPhotoUpload bytes: 413 when larger, a field error when missing.
func formPhoto(w http.ResponseWriter, r *http.Request) (multipart.File, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxPhotoUpload)
	// Parsed here with little memory (FormFile would keep 32 MB of parts in
	// memory): the photo goes to a temporary file while it waits its turn.
	err := r.ParseMultipartForm(photo.FormMemory)
	var file multipart.File
	if err == nil {
		file, _, err = r.FormFile("photo")
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, photo.TooLarge("photo")
		}
		return nil, apperr.Field("photo", "err.required")
	}
	return file, nil
}

// getPhoto serves a photo to someone who may read a case it belongs to.
func (a *API) getPhoto(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, err := a.app.Cases.OpenPhoto(r.Context(), userOf(r), a.app.Photos, id, photo.Thumb(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	photo.Serve(w, r, id, f)
}

type categoryJSON struct {
	Code     string         `json:"code"`
	Name     string         `json:"name"`
	Severity string         `json:"severity,omitempty"`
	Level    int            `json:"level,omitempty"`
	Handle   string         `json:"handle_limit,omitempty"`
	Children []categoryJSON `json:"children,omitempty"`
}

func (a *API) listCategories(w http.ResponseWriter, r *http.Request) {
	tree, err := a.app.DB.Categories(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lang := printer(r, a.app.Cfg.Lang).Lang
	items := []categoryJSON{}
	for _, t := range tree {
		cj := categoryJSON{Code: t.Code, Name: t.Name(lang), Children: []categoryJSON{}}
		for _, c := range t.Children {
			if c.Active {
				cj.Children = append(cj.Children, categoryJSON{Code: c.Code, Name: c.Name(lang), Severity: string(c.Severity), Level: c.Level, Handle: c.Handle.String()})
			}
		}
		items = append(items, cj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) duplicates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lat, lon, err := pointOf(q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	list, err := a.app.Cases.Duplicates(r.Context(), p, q.Get("category"), lat, lon)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := []caseJSON{}
	for _, c := range list {
		items = append(items, a.toCaseJSON(r.Context(), p, c, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) inbox(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	items, total, err := a.app.DB.Inbox(r.Context(), p.PersonID, r.URL.Query().Get("unread") == "1", pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	unread, err := a.app.DB.Unread(r.Context(), p.PersonID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, it := range items {
		out = append(out, map[string]any{"id": it.ID, "kind": it.Kind, "case": it.Number, "created_at": a.rfc(it.CreatedAt), "read": it.Read})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": total, "unread": unread})
}

func (a *API) inboxRead(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID int64 `json:"id"`
	}
	if r.ContentLength != 0 {
		if !a.decoded(w, r, &in) {
			return
		}
	}
	if err := a.app.DB.MarkRead(r.Context(), userOf(r).PersonID, in.ID); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

var _ = json.Marshal
var _ = strings.TrimSpace

// caseRoutes are the case ledger, its photos and categories.
func (a *API) caseRoutes() []route {
	list := pageParams
	return []route{
		{Method: "GET", Path: "/api/v1/cases", Handler: a.listCases, Summary: "The case ledger", Query: append(caseFilters(), list...), Resp: "CaseList", Status: 200},
		{Method: "POST", Path: "/api/v1/cases", Handler: a.createCase, Summary: "Report a case (idempotent on client_id: 201 new, 200 seen before)", Body: "CaseInput", Resp: "Case", Status: 201},
		{Method: "GET", Path: "/api/v1/cases/export.xlsx", Handler: a.exportCases, Summary: "The ledger of the filter as an Excel workbook", Query: caseFilters(), Resp: "xlsx", Status: 200},
		{Method: "GET", Path: "/api/v1/cases/duplicates", Handler: a.duplicates, Summary: "Open cases of a category within 100 m and 7 days", Query: []string{"category", "lat", "lon"}, Resp: "CaseList", Status: 200},
		{Method: "GET", Path: "/api/v1/cases/{number}", Handler: a.getCase, Summary: "One case with its timeline, photos and the actions I may take", Resp: "Case", Status: 200},
		{Method: "POST", Path: "/api/v1/cases/{number}/actions", Handler: a.caseAction, Summary: "Take an action on a case (403 role or scope, 409 state or stale version)", Body: "ActionInput", Resp: "Case", Status: 200},
		{Method: "POST", Path: "/api/v1/cases/{number}/photos", Handler: a.casePhoto, Summary: "Add a photo (multipart field photo, step before|after)", Body: "multipart", Resp: "PhotoRef", Status: 201},
		{Method: "GET", Path: "/api/v1/photos/{id}", Handler: a.getPhoto, Summary: "A photo (thumb=1 for the thumbnail)", Query: []string{"thumb"}, Resp: "jpeg", Status: 200},
		{Method: "GET", Path: "/api/v1/categories", Handler: a.listCategories, Summary: "The case categories as a two-level tree", Resp: "CategoryList", Status: 200},
	}
}
