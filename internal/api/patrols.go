package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Patrols: the field phone starts a patrol, sends its track in batches,
// checks in at key sites, links the cases it reports, records disputes and
// clean-energy promotion, and ends it; or sends all of that at once, in
// order, through POST /api/v1/sync (patrols_sync.go). Every record carries a
// UUID the phone chose, so a batch sent twice is stored once. Leaders read
// patrols and the compliance of their grids (patrols_compliance.go) and set
// each grid's plan (patrols_plan.go).

// patrolRoutes are patrols, the field phone's sync, compliance and plans.
func (a *API) patrolRoutes() []route {
	list := pageParams
	return []route{
		{Method: "POST", Path: "/api/v1/patrols", Handler: a.startPatrol, Summary: "Start a patrol on one of my grids (idempotent on id: 201 new, 200 seen before; 403 not my grid; 422 start in the future)", Body: "PatrolStart", Resp: "Patrol", Status: 201},
		{Method: "GET", Path: "/api/v1/patrols", Handler: a.listPatrols, Summary: "Patrols I may see, newest first", Query: append([]string{"grid", "from", "to", "patroller", "state", "flagged", "mine"}, list...), Resp: "PatrolList", Status: 200},
		{Method: "GET", Path: "/api/v1/patrols/{id}", Handler: a.getPatrol, Summary: "One patrol with its track (GeoJSON LineString), visits, findings, records and flags", Resp: "Patrol", Status: 200},
		{Method: "POST", Path: "/api/v1/patrols/{id}/track", Handler: a.patrolTrack, Summary: "Add a batch of track points (at most 1000, 413 above): good points are kept, bad ones named by index; a point already stored counts as accepted", Body: "TrackBatch", Resp: "TrackResult", Status: 200},
		{Method: "POST", Path: "/api/v1/patrols/{id}/visits", Handler: onPatrol(a, a.opVisit), Summary: "Check in at a key site (idempotent on id: 201 new, 200 seen before)", Body: "VisitInput", Resp: "Visit", Status: 201},
		{Method: "POST", Path: "/api/v1/patrols/{id}/visits/{visit}/photo", Handler: a.visitPhoto, Summary: "Add the check-in's photo (multipart field photo: JPEG, PNG or WebP, at most 10 MB, checked by decoding); sending it again is harmless", Body: "multipart", Resp: "PhotoRef", Status: 201},
		{Method: "GET", Path: "/api/v1/patrols/{id}/visits/{visit}/photo", Handler: a.getVisitPhoto, Summary: "The check-in's photo (thumb=1 for the thumbnail)", Query: []string{"thumb"}, Resp: "jpeg", Status: 200},
		{Method: "POST", Path: "/api/v1/patrols/{id}/records", Handler: onPatrol(a, a.opRecord), Summary: "Record a dispute mediated or a clean-energy promotion (idempotent on id)", Body: "RecordInput", Resp: "PatrolRecord", Status: 201},
		{Method: "POST", Path: "/api/v1/patrols/{id}/findings", Handler: onPatrol(a, a.opFinding), Summary: "Link a case found on the patrol, by number or client_id (idempotent: 201 new, 200 linked before)", Body: "FindingInput", Resp: "Finding", Status: 201},
		{Method: "POST", Path: "/api/v1/patrols/{id}/end", Handler: onPatrol(a, a.opEnd), Summary: "End the patrol with a summary; its flags are computed now (409 when already ended)", Body: "PatrolEnd", Resp: "Patrol", Status: 200},
		{Method: "POST", Path: "/api/v1/sync", Handler: a.sync, Summary: "Send a field phone's offline records in order, in one batch of at most 500 items (patrol_start, track, visit, record, finding, case, end); each item answers with its own status; idempotent on the items' ids", Body: "SyncBatch", Resp: "SyncResult", Status: 200},
		{Method: "GET", Path: "/api/v1/compliance", Handler: a.compliance, Summary: "Patrol compliance per grid and local date: required, done (ended patrols), windows covered, flags, duration, length, key sites", Query: append([]string{"region", "from", "to"}, list...), Resp: "ComplianceList", Status: 200},
		{Method: "GET", Path: "/api/v1/patrol-plans", Handler: a.listPlans, Summary: "The patrol plans of the grids I may see (stored or default)", Query: append([]string{"region"}, list...), Resp: "PatrolPlanList", Status: 200},
		{Method: "GET", Path: "/api/v1/patrol-plans/{grid}", Handler: a.getPlan, Summary: "A grid's patrol plan with its key sites and patrollers", Resp: "PatrolPlan", Status: 200},
		{Method: "PUT", Path: "/api/v1/patrol-plans/{grid}", Handler: a.putPlan, Summary: "Set a grid's patrol plan (leaders and admins)", Body: "PatrolPlanInput", Resp: "PatrolPlan", Status: 200},
	}
}

// onPatrol adapts an operation on one patrol ({id} in the path) with a JSON
// body of type T into a handler: decode, act as the caller, answer.
func onPatrol[T any](a *API, op func(context.Context, caller, string, T) (int, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in T
		if err := decode(w, r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		status, body, err := op(r.Context(), a.callerOf(r), r.PathValue("id"), in)
		a.answer(w, r, status, body, err)
	}
}

// caller is who acts and when, for the operations the endpoints and sync share.
type caller struct {
	p     *auth.Principal
	actor store.Actor
	now   time.Time
}

func (a *API) callerOf(r *http.Request) caller {
	return caller{p: userOf(r), actor: a.actor(r), now: a.app.Cases.Now()}
}

// answer writes an operation's result: its status and body, or its error.
func (a *API) answer(w http.ResponseWriter, r *http.Request, status int, body any, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, body)
}

// fieldsErr turns the domain's field map into an API error.
func fieldsErr(m map[string]string) error {
	if len(m) == 0 {
		return nil
	}
	f := apperr.Fields{}
	for k, key := range m {
		switch key {
		case patrol.MsgTooLong:
			max := map[string]int{"summary": patrol.MaxSummary, "note": patrol.MaxNote, "parties": patrol.MaxParties, "outcome": patrol.MaxText}[k]
			f.Add(k, key, max)
		default:
			f.Add(k, key)
		}
	}
	return f.Err()
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

// canReadPatrol reports whether c may see patrol pt: its grid is in their
// patrol scope, or it is their own.
func canReadPatrol(p *auth.Principal, pt patrol.Patrol) bool {
	return pt.PatrollerID == p.PersonID || p.Can(auth.PatrolRead, auth.Target{Region: pt.Grid})
}

// patrolFor loads a patrol by its id for c: 404 when unknown or out of
// sight; with write, 403 unless it is c's own.
func (a *API) patrolFor(ctx context.Context, c caller, uid string, write bool) (patrol.Patrol, error) {
	if !patrol.ValidUUID(uid) {
		return patrol.Patrol{}, apperr.ErrNotFound
	}
	pt, err := a.app.DB.PatrolByUID(ctx, uid)
	if err != nil {
		return pt, err
	}
	if !canReadPatrol(c.p, pt) {
		return pt, apperr.ErrNotFound
	}
	if write && pt.PatrollerID != c.p.PersonID {
		return pt, apperr.New(apperr.Forbidden, "err.patrol.not_yours")
	}
	return pt, nil
}

// assess measures patrols of one grid against its polygon.
func (a *API) assess(ctx context.Context, grid string) store.Assess {
	geom, _ := a.app.DB.GridGeometry(ctx, grid)
	var inside func(lat, lon float64) bool
	if geom != nil {
		inside = func(lat, lon float64) bool { return geom.Contains(lon, lat) }
	}
	return func(p patrol.Patrol, pts []patrol.Point) patrol.Assessment {
		return patrol.Assess(p.StartedAt, p.EndedAt, pts, inside)
	}
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

// opStart starts a patrol: 201 new, 200 when the id was seen before.
func (a *API) opStart(ctx context.Context, c caller, in startInput) (int, any, error) {
	started, err := parseTime("started_at", in.StartedAt)
	if err != nil {
		return 0, nil, err
	}
	if patrol.ValidUUID(in.ID) {
		if old, err := a.app.DB.PatrolByUID(ctx, in.ID); err == nil {
			if old.PatrollerID != c.p.PersonID {
				return 0, nil, apperr.Field("id", "err.duplicate_value")
			}
			return http.StatusOK, a.toPatrolJSON(old), nil
		} else if !apperr.Is(err, apperr.NotFound) {
			return 0, nil, err
		}
	}
	st := patrol.Start{UID: in.ID, Grid: in.Grid, StartedAt: started}
	f := st.Validate(c.now)
	if f == nil {
		f = map[string]string{}
	}
	if in.Grid != "" {
		ok := region.LevelOf(in.Grid) == region.Grid
		if ok {
			if ok, err = a.app.DB.RegionExists(ctx, in.Grid); err != nil {
				return 0, nil, err
			}
		}
		if !ok {
			f["grid"] = "err.grid_unknown"
		}
	}
	if err := fieldsErr(f); err != nil {
		return 0, nil, err
	}
	target := auth.Target{Region: in.Grid}
	if !c.p.Can(auth.PatrolWrite, target) {
		return 0, nil, apperr.New(apperr.Forbidden, "err.patrol.not_assigned")
	}
	plan, err := a.app.DB.PatrolPlan(ctx, in.Grid)
	if err != nil {
		return 0, nil, err
	}
	// Leaders of the grid may walk it; patrollers when the plan admits them.
	if !c.p.Can(auth.PatrolPlan, target) && !plan.MayWalk(c.p.PersonID, true) {
		return 0, nil, apperr.New(apperr.Forbidden, "err.patrol.not_assigned")
	}
	p := patrol.Patrol{UID: in.ID, Grid: in.Grid, PatrollerID: c.p.PersonID, PatrollerName: c.p.Name, StartedAt: started,
		Day: patrol.Day(started, a.app.Loc), Window: plan.WindowOf(started, a.app.Loc)}
	created, err := a.app.DB.StartPatrol(ctx, c.actor, &p)
	if err != nil {
		return 0, nil, err
	}
	if !created && p.PatrollerID != c.p.PersonID {
		return 0, nil, apperr.Field("id", "err.duplicate_value")
	}
	if p.PatrollerName == "" {
		p.PatrollerName = c.p.Username
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return status, a.toPatrolJSON(p), nil
}

func (a *API) startPatrol(w http.ResponseWriter, r *http.Request) {
	var in startInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	status, body, err := a.opStart(r.Context(), a.callerOf(r), in)
	a.answer(w, r, status, body, err)
}

// ---- Read ----

func (a *API) getPatrol(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := a.callerOf(r)
	p, err := a.patrolFor(ctx, c, r.PathValue("id"), false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	track, err := a.app.DB.Track(ctx, p.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if p.State == patrol.StateOpen {
		// An open patrol's measures and flags are computed as it stands.
		p.Assessment = a.assess(ctx, p.Grid)(p, track)
	}
	out := patrolDetail{patrolJSON: a.toPatrolJSON(p)}
	out.Track = lineString{Type: "LineString", Coordinates: make([][2]float64, 0, len(track))}
	out.TrackTimes = make([]string, 0, len(track))
	for _, pt := range track {
		out.Track.Coordinates = append(out.Track.Coordinates, [2]float64{pt.Lon, pt.Lat})
		out.TrackTimes = append(out.TrackTimes, a.rfc(pt.T))
	}
	visits, err := a.app.DB.Visits(ctx, p.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out.Visits = []visitJSON{}
	for _, v := range visits {
		out.Visits = append(out.Visits, a.toVisitJSON(v))
	}
	findings, err := a.app.DB.Findings(ctx, p.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out.Findings = []findingJSON{}
	for _, f := range findings {
		out.Findings = append(out.Findings, findingJSON{Case: f.Number, Category: f.Category, Class: f.Class, Status: f.Status, Reported: a.rfc(f.Reported)})
	}
	records, err := a.app.DB.Records(ctx, p.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out.Records = []recordJSON{}
	for _, rec := range records {
		out.Records = append(out.Records, a.toRecordJSON(rec))
	}
	writeJSON(w, http.StatusOK, out)
}

// dateParam reads a YYYY-MM-DD query parameter.
func dateParam(r *http.Request, name string) (string, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse(patrol.DateLayout, s); err != nil {
		return "", apperr.Field(name, "err.format")
	}
	return s, nil
}

func (a *API) listPatrols(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	q := r.URL.Query()
	if !p.CanSomewhere(auth.PatrolRead) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	f := store.PatrolFilter{All: p.Can(auth.PatrolRead, auth.Target{}), Roots: p.Scopes(auth.PatrolRead), PersonID: p.PersonID, Page: pageOf(r)}
	var err error
	if f.From, err = dateParam(r, "from"); err != nil {
		a.fail(w, r, err)
		return
	}
	if f.To, err = dateParam(r, "to"); err != nil {
		a.fail(w, r, err)
		return
	}
	if g := q.Get("grid"); g != "" {
		if !region.ValidCode(g) {
			a.fail(w, r, apperr.Field("grid", "err.region_code"))
			return
		}
		f.Region = g
	}
	if s := q.Get("patroller"); s != "" {
		if f.Patroller, err = strconv.ParseInt(s, 10, 64); err != nil {
			a.fail(w, r, apperr.Field("patroller", "err.format"))
			return
		}
	}
	if q.Get("mine") == "1" {
		f.Patroller = p.PersonID
	}
	switch s := patrol.State(q.Get("state")); s {
	case "", patrol.StateOpen, patrol.StateEnded:
		f.State = s
	default:
		a.fail(w, r, apperr.Field("state", "err.invalid_choice"))
		return
	}
	f.Flagged = q.Get("flagged") == "1"
	list, total, err := a.app.DB.Patrols(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]patrolJSON, 0, len(list))
	for _, pt := range list {
		items = append(items, a.toPatrolJSON(pt))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

// ---- End ----

// endInput is the body of POST /api/v1/patrols/{id}/end.
type endInput struct {
	EndedAt string `json:"ended_at"`
	Summary string `json:"summary"`
}

// opEnd ends patrol uid; ending an ended patrol is 409.
func (a *API) opEnd(ctx context.Context, c caller, uid string, in endInput) (int, any, error) {
	p, err := a.patrolFor(ctx, c, uid, true)
	if err != nil {
		return 0, nil, err
	}
	if p.State == patrol.StateEnded {
		return 0, nil, store.ErrPatrolEnded
	}
	ended, err := parseTime("ended_at", in.EndedAt)
	if err != nil {
		return 0, nil, err
	}
	f := map[string]string{}
	if k := patrol.CheckEnd(ended, p.StartedAt, c.now); k != "" {
		f["ended_at"] = k
	}
	if k := patrol.CheckSummary(in.Summary); k != "" {
		f["summary"] = k
	}
	if err := fieldsErr(f); err != nil {
		return 0, nil, err
	}
	out, err := a.app.DB.EndPatrol(ctx, c.actor, p.ID, ended, in.Summary, a.assess(ctx, p.Grid))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.toPatrolJSON(out), nil
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

// opVisit records a key-site check-in: 201 new, 200 seen before.
func (a *API) opVisit(ctx context.Context, c caller, uid string, in visitInput) (int, any, error) {
	p, err := a.patrolFor(ctx, c, uid, true)
	if err != nil {
		return 0, nil, err
	}
	t, err := parseTime("t", in.T)
	if err != nil {
		return 0, nil, err
	}
	v := patrol.Visit{UID: in.ID, Site: in.Site, At: t, Lat: in.Lat, Lon: in.Lon, Note: in.Note}
	f := v.Validate(p, c.now)
	if f == nil && !a.siteOf(ctx, p.Grid, in.Site) {
		f = map[string]string{"site": patrol.MsgSite}
	}
	if err := fieldsErr(f); err != nil {
		return 0, nil, err
	}
	created, err := a.app.DB.AddVisit(ctx, c.actor, p, &v)
	if err != nil {
		return 0, nil, err
	}
	return createdStatus(created), a.toVisitJSON(v), nil
}

// siteOf reports whether s names a unit of the grid or one of its plan's free points.
func (a *API) siteOf(ctx context.Context, grid string, s patrol.SiteRef) bool {
	if s.UnitID != 0 {
		u, err := a.app.DB.Unit(ctx, s.UnitID)
		return err == nil && u.Region == grid
	}
	plan, err := a.app.DB.PatrolPlan(ctx, grid)
	return err == nil && s.Point >= 1 && s.Point <= len(plan.Points)
}

func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
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

// opRecord records a dispute or a promotion: 201 new, 200 seen before.
func (a *API) opRecord(ctx context.Context, c caller, uid string, in recordInput) (int, any, error) {
	p, err := a.patrolFor(ctx, c, uid, true)
	if err != nil {
		return 0, nil, err
	}
	t, err := parseTime("t", in.T)
	if err != nil {
		return 0, nil, err
	}
	rec := patrol.Record{UID: in.ID, Kind: patrol.RecordKind(in.Kind), At: t, Parties: in.Parties, Summary: in.Summary,
		Outcome: in.Outcome, Households: in.Households, Note: in.Note}
	if err := fieldsErr(rec.Validate(p, c.now)); err != nil {
		return 0, nil, err
	}
	created, err := a.app.DB.AddRecord(ctx, c.actor, p, &rec)
	if err != nil {
		return 0, nil, err
	}
	return createdStatus(created), a.toRecordJSON(rec), nil
}

// ---- Findings ----

// findingInput is the body of POST /api/v1/patrols/{id}/findings: the case's
// number, or the client id it was reported under (all an offline phone knows).
type findingInput struct {
	Case     string `json:"case"`
	ClientID string `json:"client_id"`
}

// opFinding links a case to patrol uid: 201 new, 200 linked before.
func (a *API) opFinding(ctx context.Context, c caller, uid string, in findingInput) (int, any, error) {
	p, err := a.patrolFor(ctx, c, uid, true)
	if err != nil {
		return 0, nil, err
	}
	var number string
	switch {
	case in.Case != "":
		cs, err := a.app.Cases.Get(ctx, c.p, in.Case)
		if err != nil {
			return 0, nil, apperr.Field("case", "err.patrol.case_unknown")
		}
		number = cs.Number
	case in.ClientID != "":
		cs, err := a.app.DB.CaseByClientID(ctx, in.ClientID)
		if err != nil {
			return 0, nil, apperr.Field("client_id", "err.patrol.case_unknown")
		}
		if _, err := a.app.Cases.Get(ctx, c.p, cs.Number); err != nil {
			return 0, nil, apperr.Field("client_id", "err.patrol.case_unknown")
		}
		number = cs.Number
	default:
		return 0, nil, apperr.Field("case", "err.required")
	}
	created, err := a.app.DB.AddFinding(ctx, c.actor, p, number)
	if err != nil {
		return 0, nil, err
	}
	return createdStatus(created), findingJSON{Patrol: p.UID, Case: number}, nil
}
