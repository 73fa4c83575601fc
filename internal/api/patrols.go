package api

import (
	"net/http"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
)

// Patrols: the field phone starts a patrol, sends its track in batches,
// checks in at key sites, links the cases it reports, records disputes and
// clean-energy promotion, and ends it; or sends all of that at once, in
// order, through POST /api/v1/sync (patrols_sync.go). Every record carries a
// UUID the phone chose, so a batch sent twice is stored once. Leaders read
// patrols and the compliance of their grids (patrols_compliance.go) and set
// each grid's plan (patrols_plan.go). Each handler parses, calls the patrol
// service (a.app.Patrols) and encodes its answer.

// patrolRoutes are patrols, the field phone's sync, compliance and plans.
func (a *API) patrolRoutes() []route {
	list := pageParams
	return []route{
		{Method: "POST", Path: "/api/v1/patrols", Handler: a.startPatrol, Summary: "Start a patrol on one of my grids (idempotent on id: 201 new, 200 seen before; 403 not my grid; 422 start in the future)", Body: "PatrolStart", Resp: "Patrol", Status: 201},
		{Method: "GET", Path: "/api/v1/patrols", Handler: a.listPatrols, Summary: "Patrols I may see, newest first", Query: append([]string{"grid", "from", "to", "patroller", "state", "flagged", "mine"}, list...), Resp: "PatrolList", Status: 200},
		{Method: "GET", Path: "/api/v1/patrols/{id}", Handler: a.getPatrol, Summary: "One patrol with its track (GeoJSON LineString), visits, findings, records and flags", Resp: "Patrol", Status: 200},
		{Method: "POST", Path: "/api/v1/patrols/{id}/track", Handler: a.patrolTrack, Summary: "Add a batch of track points (at most 1000, 413 above): good points are kept, bad ones named by index; a point already stored counts as accepted", Body: "TrackBatch", Resp: "TrackResult", Status: 200},
		{Method: "POST", Path: "/api/v1/patrols/{id}/visits", Handler: a.patrolVisit, Summary: "Check in at a key site (idempotent on id: 201 new, 200 seen before)", Body: "VisitInput", Resp: "Visit", Status: 201},
		{Method: "POST", Path: "/api/v1/patrols/{id}/visits/{visit}/photo", Handler: a.visitPhoto, Summary: "Add the check-in's photo (multipart field photo: JPEG, PNG or WebP, at most 10 MB, checked by decoding); sending it again is harmless", Body: "multipart", Resp: "PhotoRef", Status: 201},
		{Method: "GET", Path: "/api/v1/patrols/{id}/visits/{visit}/photo", Handler: a.getVisitPhoto, Summary: "The check-in's photo (thumb=1 for the thumbnail)", Query: []string{"thumb"}, Resp: "jpeg", Status: 200},
		{Method: "POST", Path: "/api/v1/patrols/{id}/records", Handler: a.patrolRecord, Summary: "Record a dispute mediated or a clean-energy promotion (idempotent on id)", Body: "RecordInput", Resp: "PatrolRecord", Status: 201},
		{Method: "POST", Path: "/api/v1/patrols/{id}/findings", Handler: a.patrolFinding, Summary: "Link a case found on the patrol, by number or client_id (idempotent: 201 new, 200 linked before)", Body: "FindingInput", Resp: "Finding", Status: 201},
		{Method: "POST", Path: "/api/v1/patrols/{id}/end", Handler: a.endPatrol, Summary: "End the patrol with a summary; its flags are computed now (409 when already ended)", Body: "PatrolEnd", Resp: "Patrol", Status: 200},
		{Method: "POST", Path: "/api/v1/sync", Handler: a.sync, Summary: "Send a field phone's offline records in order, in one batch of at most 500 items (patrol_start, track, visit, record, finding, case, end); each item answers with its own status; idempotent on the items' ids", Body: "SyncBatch", Resp: "SyncResult", Status: 200},
		{Method: "GET", Path: "/api/v1/compliance", Handler: a.compliance, Summary: "Patrol compliance per grid and local date: required, done (ended patrols), windows covered, flags, duration, length, key sites", Query: append([]string{"region", "from", "to"}, list...), Resp: "ComplianceList", Status: 200},
		{Method: "GET", Path: "/api/v1/patrol-plans", Handler: a.listPlans, Summary: "The patrol plans of the grids I may see (stored or default)", Query: append([]string{"region"}, list...), Resp: "PatrolPlanList", Status: 200},
		{Method: "GET", Path: "/api/v1/patrol-plans/{grid}", Handler: a.getPlan, Summary: "A grid's patrol plan with its key sites and patrollers", Resp: "PatrolPlan", Status: 200},
		{Method: "PUT", Path: "/api/v1/patrol-plans/{grid}", Handler: a.putPlan, Summary: "Set a grid's patrol plan (leaders and admins)", Body: "PatrolPlanInput", Resp: "PatrolPlan", Status: 200},
	}
}

// answer writes a result: its status and body, or its error.
func (a *API) answer(w http.ResponseWriter, r *http.Request, status int, body any, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, body)
}

// createdStatus is 201 for something stored now, 200 for something seen before.
// reader is a request body that reads itself into the value a service method takes.
type reader[D any] interface{ read() (D, error) }

// decodeRead decodes a JSON body of type In and reads it into D; on an error it
// answers the request itself and reports false.
func decodeRead[D any, In reader[D]](a *API, w http.ResponseWriter, r *http.Request) (D, bool) {
	var in In
	var d D
	if !a.decoded(w, r, &in) {
		return d, false
	}
	d, err := in.read()
	if err != nil {
		a.fail(w, r, err)
		return d, false
	}
	return d, true
}

func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// parseTime reads an RFC 3339 time for field; "" is the zero time.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, apperr.Field(field, "err.format")
	}
	return t, nil
}

// ---- JSON ----

type personRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type countsJSON struct {
	Points   int `json:"points"`
	Visits   int `json:"visits"`
	Findings int `json:"findings"`
	Records  int `json:"records"`
}

type lineString struct {
	Type        string       `json:"type"`
	Coordinates [][2]float64 `json:"coordinates"`
}

type patrolJSON struct {
	ID          string        `json:"id"`
	Grid        string        `json:"grid"`
	Patroller   personRef     `json:"patroller"`
	State       patrol.State  `json:"state"`
	Date        string        `json:"date"`
	Window      int           `json:"window"`
	StartedAt   string        `json:"started_at"`
	EndedAt     *string       `json:"ended_at"`
	Summary     string        `json:"summary"`
	DurationS   int64         `json:"duration_s"`
	LengthM     int64         `json:"length_m"`
	MaxSpeedKMH float64       `json:"max_speed_kmh"`
	Outside     float64       `json:"outside_share"`
	Flags       []patrol.Flag `json:"flags"`
	Doubtful    bool          `json:"doubtful"`
	Counts      countsJSON    `json:"counts"`
	UpdatedAt   string        `json:"updated_at"`
}

// patrolDetail is one patrol with everything recorded on it.
type patrolDetail struct {
	patrolJSON
	Track      lineString    `json:"track"`
	TrackTimes []string      `json:"track_times"`
	Visits     []visitJSON   `json:"visits"`
	Findings   []findingJSON `json:"findings"`
	Records    []recordJSON  `json:"records"`
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func (a *API) toPatrolJSON(p patrol.Patrol) patrolJSON {
	out := patrolJSON{ID: p.UID, Grid: p.Grid, Patroller: personRef{p.PatrollerID, p.PatrollerName}, State: p.State, Date: p.Day,
		Window: p.Window, StartedAt: a.rfc(p.StartedAt), Summary: p.Summary, DurationS: int64(p.Duration / time.Second),
		LengthM: int64(p.Length + 0.5), MaxSpeedKMH: round1(p.MaxSpeed), Outside: float64(int64(p.Outside*1000+0.5)) / 1000,
		Flags: p.Flags.Names(), Doubtful: p.Flags != 0, Counts: countsJSON{p.Points, p.Visits, p.Findings, p.Records}, UpdatedAt: a.rfc(p.UpdatedAt)}
	if !p.EndedAt.IsZero() {
		s := a.rfc(p.EndedAt)
		out.EndedAt = &s
	}
	return out
}

type visitJSON struct {
	ID    string         `json:"id"`
	Site  patrol.SiteRef `json:"site"`
	T     string         `json:"t"`
	Lat   float64        `json:"lat"`
	Lon   float64        `json:"lon"`
	Note  string         `json:"note"`
	Photo bool           `json:"photo"`
}

func (a *API) toVisitJSON(v patrol.Visit) visitJSON {
	return visitJSON{ID: v.UID, Site: v.Site, T: a.rfc(v.At), Lat: v.Lat, Lon: v.Lon, Note: v.Note, Photo: v.Photo != ""}
}

type recordJSON struct {
	ID         string            `json:"id"`
	Kind       patrol.RecordKind `json:"kind"`
	T          string            `json:"t"`
	Parties    string            `json:"parties,omitempty"`
	Summary    string            `json:"summary,omitempty"`
	Outcome    string            `json:"outcome,omitempty"`
	Households int               `json:"households,omitempty"`
	Note       string            `json:"note"`
}

func (a *API) toRecordJSON(r patrol.Record) recordJSON {
	return recordJSON{ID: r.UID, Kind: r.Kind, T: a.rfc(r.At), Parties: r.Parties, Summary: r.Summary, Outcome: r.Outcome, Households: r.Households, Note: r.Note}
}

type findingJSON struct {
	Patrol   string `json:"patrol,omitempty"`
	Case     string `json:"case"`
	Category string `json:"category,omitempty"`
	Class    string `json:"class,omitempty"`
	Status   string `json:"status,omitempty"`
	Reported string `json:"reported_at,omitempty"`
}

// ---- Start ----

// startInput is the body of POST /api/v1/patrols.
type startInput struct {
	ID        string `json:"id"`
	Grid      string `json:"grid"`
	StartedAt string `json:"started_at"`
}

func (in startInput) read() (patrol.Start, error) {
	t, err := parseTime("started_at", in.StartedAt)
	return patrol.Start{UID: in.ID, Grid: in.Grid, StartedAt: t}, err
}

func (a *API) startPatrol(w http.ResponseWriter, r *http.Request) {
	st, ok := decodeRead[patrol.Start, startInput](a, w, r)
	if !ok {
		return
	}
	p, created, err := a.app.Patrols.Start(r.Context(), a.actor(r), userOf(r), st)
	a.answer(w, r, createdStatus(created), a.toPatrolJSON(p), err)
}

// ---- Read ----

func (a *API) getPatrol(w http.ResponseWriter, r *http.Request) {
	d, err := a.app.Patrols.Get(r.Context(), userOf(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := patrolDetail{patrolJSON: a.toPatrolJSON(d.Patrol), Visits: []visitJSON{}, Findings: []findingJSON{}, Records: []recordJSON{}}
	out.Track = lineString{Type: "LineString", Coordinates: make([][2]float64, 0, len(d.Track))}
	out.TrackTimes = make([]string, 0, len(d.Track))
	for _, pt := range d.Track {
		out.Track.Coordinates = append(out.Track.Coordinates, [2]float64{pt.Lon, pt.Lat})
		out.TrackTimes = append(out.TrackTimes, a.rfc(pt.T))
	}
	for _, v := range d.Visits {
		out.Visits = append(out.Visits, a.toVisitJSON(v))
	}
	for _, f := range d.Findings {
		out.Findings = append(out.Findings, findingJSON{Case: f.Number, Category: f.Category, Class: f.Class, Status: f.Status, Reported: a.rfc(f.Reported)})
	}
	for _, rec := range d.Records {
		out.Records = append(out.Records, a.toRecordJSON(rec))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) listPatrols(w http.ResponseWriter, r *http.Request) {
	q := patrolsvc.ParseQuery(r.URL.Query())
	q.Page = pageOf(r)
	list, total, err := a.app.Patrols.List(r.Context(), userOf(r), q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeList(w, list, total, a.toPatrolJSON)
}

// ---- End ----

// endInput is the body of POST /api/v1/patrols/{id}/end.
type endInput struct {
	EndedAt string `json:"ended_at"`
	Summary string `json:"summary"`
}

func (in endInput) read() (patrol.End, error) {
	t, err := parseTime("ended_at", in.EndedAt)
	return patrol.End{EndedAt: t, Summary: in.Summary}, err
}

func (a *API) endPatrol(w http.ResponseWriter, r *http.Request) {
	end, ok := decodeRead[patrol.End, endInput](a, w, r)
	if !ok {
		return
	}
	p, err := a.app.Patrols.End(r.Context(), a.actor(r), userOf(r), r.PathValue("id"), end)
	a.answer(w, r, http.StatusOK, a.toPatrolJSON(p), err)
}

// ---- Visits ----

// visitInput is the body of POST /api/v1/patrols/{id}/visits.
type visitInput struct {
	ID   string         `json:"id"`
	Site patrol.SiteRef `json:"site"`
	T    string         `json:"t"`
	Lat  float64        `json:"lat"`
	Lon  float64        `json:"lon"`
	Note string         `json:"note"`
}

func (in visitInput) read() (patrol.Visit, error) {
	t, err := parseTime("t", in.T)
	return patrol.Visit{UID: in.ID, Site: in.Site, At: t, Lat: in.Lat, Lon: in.Lon, Note: in.Note}, err
}

func (a *API) patrolVisit(w http.ResponseWriter, r *http.Request) {
	v, ok := decodeRead[patrol.Visit, visitInput](a, w, r)
	if !ok {
		return
	}
	v, created, err := a.app.Patrols.Visit(r.Context(), a.actor(r), userOf(r), r.PathValue("id"), v)
	a.answer(w, r, createdStatus(created), a.toVisitJSON(v), err)
}

// ---- Records ----

// recordInput is the body of POST /api/v1/patrols/{id}/records.
type recordInput struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	T          string `json:"t"`
	Parties    string `json:"parties"`
	Summary    string `json:"summary"`
	Outcome    string `json:"outcome"`
	Households int    `json:"households"`
	Note       string `json:"note"`
}

func (in recordInput) read() (patrol.Record, error) {
	t, err := parseTime("t", in.T)
	return patrol.Record{UID: in.ID, Kind: patrol.RecordKind(in.Kind), At: t, Parties: in.Parties, Summary: in.Summary,
		Outcome: in.Outcome, Households: in.Households, Note: in.Note}, err
}

func (a *API) patrolRecord(w http.ResponseWriter, r *http.Request) {
	rec, ok := decodeRead[patrol.Record, recordInput](a, w, r)
	if !ok {
		return
	}
	rec, created, err := a.app.Patrols.Record(r.Context(), a.actor(r), userOf(r), r.PathValue("id"), rec)
	a.answer(w, r, createdStatus(created), a.toRecordJSON(rec), err)
}

// ---- Findings ----

// findingInput is the body of POST /api/v1/patrols/{id}/findings: the case's
// number, or the client id it was reported under (all an offline phone knows).
type findingInput struct {
	Case     string `json:"case"`
	ClientID string `json:"client_id"`
}

func (in findingInput) read() (patrolsvc.FindingRef, error) {
	return patrolsvc.FindingRef{Case: in.Case, ClientID: in.ClientID}, nil
}

func (a *API) patrolFinding(w http.ResponseWriter, r *http.Request) {
	ref, ok := decodeRead[patrolsvc.FindingRef, findingInput](a, w, r)
	if !ok {
		return
	}
	f, created, err := a.app.Patrols.Finding(r.Context(), a.actor(r), userOf(r), r.PathValue("id"), ref)
	a.answer(w, r, createdStatus(created), findingJSON{Patrol: f.Patrol, Case: f.Case}, err)
}
