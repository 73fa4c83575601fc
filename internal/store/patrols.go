package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/unit"
)

// Patrols: plans, patrols with their visits, findings and records. Track
// points are in patrols_track.go, the compliance sums and the missed-patrol
// alerts in patrols_compliance.go. The writes are Tx primitives, SQL only:
// the patrol service (internal/service/patrolsvc) decides, opens the
// transaction, audits and notifies.

// ---- Plans ----

func windowsText(ws []patrol.Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.String()
	}
	return strings.Join(parts, ",")
}

func parseWindows(s string) []patrol.Window {
	var out []patrol.Window
	for _, part := range strings.Split(s, ",") {
		if w, err := patrol.ParseWindow(part); err == nil {
			out = append(out, w)
		}
	}
	return out
}

func scanPlan(sc interface{ Scan(...any) error }) (patrol.Plan, error) {
	var p patrol.Plan
	var windows, patrollers, points string
	var updated int64
	if err := sc.Scan(&p.Grid, &p.PerDay, &windows, &p.Weekends, &patrollers, &points, &updated); err != nil {
		return p, err
	}
	p.Windows, p.Stored, p.UpdatedAt = parseWindows(windows), true, fromMS(updated)
	if err := json.Unmarshal([]byte(patrollers), &p.Patrollers); err != nil {
		return p, err
	}
	return p, json.Unmarshal([]byte(points), &p.Points)
}

const planCols = `grid, per_day, windows, weekends <> 0, patrollers, points, updated_at`

// PatrolPlan returns a grid's stored plan, or the default plan when none is stored.
func (db *DB) PatrolPlan(ctx context.Context, grid string) (patrol.Plan, error) {
	p, err := scanPlan(db.queryRow(ctx, `SELECT `+planCols+` FROM patrol_plans WHERE grid = $1`, grid))
	if isNoRows(err) {
		return patrol.DefaultPlan(grid), nil
	}
	return p, err
}

// StoredPatrolPlans returns the stored plans of the grids lo..hi (codes,
// inclusive; both "" for every grid) by grid; grids not in the map follow
// the default plan.
func (db *DB) StoredPatrolPlans(ctx context.Context, lo, hi string) (map[string]patrol.Plan, error) {
	if lo == "" && hi == "" {
		lo, hi = "0", "9"
	}
	rows, err := db.query(ctx, `SELECT `+planCols+` FROM patrol_plans WHERE grid BETWEEN $1 AND $2`, lo, hi)
	if err != nil {
		return nil, err
	}
	out := map[string]patrol.Plan{}
	return out, eachRow(rows, func(sc rowScanner) error {
		p, err := scanPlan(sc)
		if err != nil {
			return err
		}
		out[p.Grid] = p
		return nil
	})
}

// SavePatrolPlan stores a grid's plan, replacing any before it, and
// returns the plan it replaced (nil for none). The grid must exist (a field
// error otherwise); the caller has validated the plan.
func (tx *Tx) SavePatrolPlan(ctx context.Context, p *patrol.Plan) (*patrol.Plan, error) {
	if err := checkGrid(ctx, tx, p.Grid); err != nil {
		return nil, err
	}
	var prev *patrol.Plan
	before, err := scanPlan(tx.QueryRowContext(ctx, `SELECT `+planCols+` FROM patrol_plans WHERE grid = $1`, p.Grid))
	if err == nil {
		prev = &before
	} else if !isNoRows(err) {
		return nil, err
	}
	if p.Patrollers == nil {
		p.Patrollers = []int64{}
	}
	if p.Points == nil {
		p.Points = []patrol.FreePoint{}
	}
	patrollers, _ := json.Marshal(p.Patrollers)
	points, _ := json.Marshal(p.Points)
	if _, err := tx.ExecContext(ctx, `INSERT INTO patrol_plans (grid, per_day, windows, weekends, patrollers, points, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (grid) DO UPDATE SET per_day = excluded.per_day, windows = excluded.windows, weekends = excluded.weekends,
		patrollers = excluded.patrollers, points = excluded.points, updated_at = excluded.updated_at`,
		p.Grid, p.PerDay, windowsText(p.Windows), b2i(p.Weekends), string(patrollers), string(points), tx.now); err != nil {
		return nil, err
	}
	p.Stored, p.UpdatedAt = true, fromMS(tx.now)
	return prev, nil
}

// KeySites lists a grid's units with risk tags (active ones), by name: the
// key sites every plan includes besides its free points.
func (db *DB) KeySites(ctx context.Context, grid string) ([]unit.Unit, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+unitCols+` FROM units WHERE region = $1 AND status = 'active'
		AND EXISTS (SELECT 1 FROM unit_tags t WHERE t.unit_id = units.id) ORDER BY name, id`, grid)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(rows, scanUnit)
	if err != nil {
		return nil, err
	}
	return out, db.loadTags(ctx, db.r, out)
}

// KeySiteCounts counts the units with risk tags (active ones) of each grid lo..hi (codes, inclusive).
func (db *DB) KeySiteCounts(ctx context.Context, lo, hi string) (map[string]int, error) {
	rows, err := db.query(ctx, `SELECT region, COUNT(*) FROM units WHERE region BETWEEN $1 AND $2 AND status = 'active'
		AND EXISTS (SELECT 1 FROM unit_tags t WHERE t.unit_id = units.id) GROUP BY region`, lo, hi)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	return out, eachRow(rows, func(sc rowScanner) error {
		var g string
		var n int
		if err := sc.Scan(&g, &n); err != nil {
			return err
		}
		out[g] = n
		return nil
	})
}

// GridRef is a grid's code and name.
type GridRef struct {
	Code, Name string
}

// GridsUnder lists the grids inside any of roots, by code (every grid when all is set).
func (db *DB) GridsUnder(ctx context.Context, all bool, roots []string) ([]GridRef, error) {
	var args []any
	w := "level = 4"
	if !all {
		w += " AND " + scopeClause("code", roots, &args)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT code, name FROM regions WHERE `+w+` ORDER BY code`, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (GridRef, error) {
		var g GridRef
		err := sc.Scan(&g.Code, &g.Name)
		return g, err
	})
}

// ---- Patrols ----

const patrolCols = `p.id, p.uid, p.grid, p.patroller_id, pe.name, p.day, p.win, p.state, p.started_at, p.ended_at, p.summary,
	p.points, p.duration_s, p.length_m, p.max_speed, p.outside, p.flags, p.visits, p.findings, p.records, p.updated_at`

const patrolFrom = ` FROM patrols p JOIN people pe ON pe.id = p.patroller_id`

func scanPatrol(sc interface{ Scan(...any) error }) (patrol.Patrol, error) {
	var p patrol.Patrol
	var started, ended, updated, dur, length int64
	var flags int
	err := sc.Scan(&p.ID, &p.UID, &p.Grid, &p.PatrollerID, &p.PatrollerName, &p.Day, &p.Window, &p.State, &started, &ended, &p.Summary,
		&p.Points, &dur, &length, &p.MaxSpeed, &p.Outside, &flags, &p.Visits, &p.Findings, &p.Records, &updated)
	p.StartedAt, p.EndedAt, p.UpdatedAt = fromMS(started), fromMS(ended), fromMS(updated)
	p.Duration, p.Length, p.Flags = time.Duration(dur)*time.Second, float64(length), patrol.Flags(flags)
	return p, err
}

// PatrolByUID returns a patrol by the id its phone chose.
func (db *DB) PatrolByUID(ctx context.Context, uid string) (patrol.Patrol, error) {
	p, err := scanPatrol(db.queryRow(ctx, `SELECT `+patrolCols+patrolFrom+` WHERE p.uid = $1`, uid))
	return p, mapErr(err)
}

// InsertPatrol stores a new open patrol and sets p.ID, p.State and
// p.UpdatedAt. When a patrol with the same uid exists it writes nothing and
// created is false (read that patrol with Tx.PatrolByUID).
func (tx *Tx) InsertPatrol(ctx context.Context, p *patrol.Patrol) (created bool, err error) {
	p.State = patrol.StateOpen
	err = tx.QueryRowContext(ctx, `INSERT INTO patrols (uid, grid, patroller_id, day, win, state, started_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (uid) DO NOTHING RETURNING id`,
		p.UID, p.Grid, p.PatrollerID, p.Day, p.Window, p.State, ms(p.StartedAt), tx.now).Scan(&p.ID)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p.UpdatedAt = fromMS(tx.now)
	return true, nil
}

// PatrolByUID returns a patrol by the id its phone chose, inside the transaction.
func (tx *Tx) PatrolByUID(ctx context.Context, uid string) (patrol.Patrol, error) {
	p, err := scanPatrol(tx.QueryRowContext(ctx, `SELECT `+patrolCols+patrolFrom+` WHERE p.uid = $1`, uid))
	return p, mapErr(err)
}

// Patrol returns a patrol by its store id, inside the transaction.
func (tx *Tx) Patrol(ctx context.Context, id int64) (patrol.Patrol, error) {
	p, err := scanPatrol(tx.QueryRowContext(ctx, `SELECT `+patrolCols+patrolFrom+` WHERE p.id = $1`, id))
	return p, mapErr(err)
}

// ErrPatrolEnded is the conflict of ending a patrol twice.
var ErrPatrolEnded = apperr.New(apperr.Conflict, "err.patrol.ended")

// EndPatrol stores the end of an open patrol p (its EndedAt, Summary and
// Assessment) and sums its day again for compliance; a patrol no longer open
// is ErrPatrolEnded, so that two ends racing store one.
func (tx *Tx) EndPatrol(ctx context.Context, p patrol.Patrol) error {
	a := p.Assessment
	res, err := tx.ExecContext(ctx, `UPDATE patrols SET points = $2, duration_s = $3, length_m = $4, max_speed = $5, outside = $6, flags = $7,
		updated_at = $8, state = 'ended', ended_at = $9, summary = $10 WHERE id = $1 AND state = 'open'`,
		p.ID, a.Points, int64(a.Duration/time.Second), int64(a.Length+0.5), a.MaxSpeed, a.Outside, int(a.Flags), tx.now,
		ms(p.EndedAt), strings.TrimSpace(p.Summary))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrPatrolEnded
	}
	return tx.RefreshPatrolDays(ctx, p.Grid, p.Grid, p.Day, p.Day)
}

// SaveAssessment stores a patrol's measures and flags anew (points arrived
// after it ended) and, for an ended patrol, sums its day again.
func (tx *Tx) SaveAssessment(ctx context.Context, p patrol.Patrol) error {
	a := p.Assessment
	if _, err := tx.ExecContext(ctx, `UPDATE patrols SET points = $2, duration_s = $3, length_m = $4, max_speed = $5, outside = $6, flags = $7,
		updated_at = $8 WHERE id = $1`, p.ID, a.Points, int64(a.Duration/time.Second), int64(a.Length+0.5), a.MaxSpeed, a.Outside, int(a.Flags), tx.now); err != nil {
		return err
	}
	if p.State != patrol.StateEnded {
		return nil
	}
	return tx.RefreshPatrolDays(ctx, p.Grid, p.Grid, p.Day, p.Day)
}

// PatrolFilter selects patrols. The scope fields say what the viewer may see:
// everything (All), patrols of grids under Roots, or their own (PersonID).
type PatrolFilter struct {
	All      bool
	Roots    []string
	PersonID int64

	Region    string // a region code: patrols of grids in its subtree
	From, To  string // local dates, inclusive
	Patroller int64
	State     patrol.State
	// Flags keeps the patrols carrying any of these flags (patrol.Doubtful
	// for every doubtful patrol); 0 keeps all.
	Flags patrol.Flags
	Page  Page
}

// Patrols lists patrols matching f, newest first, with the total.
func (db *DB) Patrols(ctx context.Context, f PatrolFilter) ([]patrol.Patrol, int, error) {
	var args []any
	var where []string
	if !f.All {
		scope := scopeClause("p.grid", f.Roots, &args)
		if f.PersonID != 0 {
			args = append(args, f.PersonID)
			scope = "(" + scope + " OR p.patroller_id = " + ph(len(args)) + ")"
		}
		where = append(where, scope)
	}
	if f.Region != "" {
		where = append(where, scopeClause("p.grid", []string{f.Region}, &args))
	}
	if f.From != "" {
		args = append(args, f.From)
		where = append(where, "p.day >= "+ph(len(args)))
	}
	if f.To != "" {
		args = append(args, f.To)
		where = append(where, "p.day <= "+ph(len(args)))
	}
	if f.Patroller != 0 {
		args = append(args, f.Patroller)
		where = append(where, "p.patroller_id = "+ph(len(args)))
	}
	if f.State != "" {
		args = append(args, string(f.State))
		where = append(where, "p.state = "+ph(len(args)))
	}
	if f.Flags != 0 {
		where = append(where, flaggedSQL("p.flags", f.Flags))
	}
	w := "1=1"
	if len(where) > 0 {
		w = strings.Join(where, " AND ")
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM patrols p WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, args := limitPage(f.Page.Clamp(), args)
	rows, err := db.query(ctx, `SELECT `+patrolCols+patrolFrom+` WHERE `+w+` ORDER BY p.started_at DESC, p.id DESC`+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanPatrol)
	return out, total, err
}

// ---- Visits ----

const visitCols = `id, uid, patrol_id, site, at, lat, lon, note, photo`

func scanVisit(sc interface{ Scan(...any) error }) (patrol.Visit, error) {
	var v patrol.Visit
	var site string
	var at int64
	err := sc.Scan(&v.ID, &v.UID, &v.PatrolID, &site, &at, &v.Lat, &v.Lon, &v.Note, &v.Photo)
	v.Site, v.At = patrol.ParseSiteKey(site), fromMS(at)
	return v, err
}

// errOtherPatrol is a client id already used for another patrol's record.
var errOtherPatrol = apperr.New(apperr.Conflict, "err.duplicate")

// sentBefore answers an insert that found its uid taken: the row stored
// under it (read by scan) becomes *v when ours says it belongs to the same
// patrol, as when a phone sends a record again; another patrol's is a conflict.
func sentBefore[T any](row *sql.Row, scan func(interface{ Scan(...any) error }) (T, error), v *T, ours func(T) bool) error {
	old, err := scan(row)
	if err != nil {
		return mapErr(err)
	}
	if !ours(old) {
		return errOtherPatrol
	}
	*v = old
	return nil
}

// InsertVisit stores a key-site visit of patrol p and sets v.ID, counting it
// on the patrol and summing its day again (a visit sent after its patrol
// ended changes that day's key-site coverage). When a visit with the same
// uid exists, v becomes it and created is false; a uid used on another
// patrol is a conflict.
func (tx *Tx) InsertVisit(ctx context.Context, p patrol.Patrol, v *patrol.Visit) (created bool, err error) {
	v.PatrolID = p.ID
	var unitID any
	if v.Site.UnitID != 0 {
		unitID = v.Site.UnitID
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO patrol_visits (uid, patrol_id, grid, day, site, unit_id, at, lat, lon, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (uid) DO NOTHING RETURNING id`,
		v.UID, p.ID, p.Grid, p.Day, v.Site.Key(), unitID, ms(v.At), v.Lat, v.Lon, strings.TrimSpace(v.Note), tx.now).Scan(&v.ID)
	if isNoRows(err) {
		return false, sentBefore(tx.QueryRowContext(ctx, `SELECT `+visitCols+` FROM patrol_visits WHERE uid = $1`, v.UID), scanVisit, v,
			func(old patrol.Visit) bool { return old.PatrolID == p.ID })
	}
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE patrols SET visits = visits + 1, updated_at = $2 WHERE id = $1`, p.ID, tx.now); err != nil {
		return false, err
	}
	return true, tx.RefreshPatrolDays(ctx, p.Grid, p.Grid, p.Day, p.Day)
}

// Visits lists a patrol's visits in time order.
func (db *DB) Visits(ctx context.Context, patrolID int64) ([]patrol.Visit, error) {
	rows, err := db.query(ctx, `SELECT `+visitCols+` FROM patrol_visits WHERE patrol_id = $1 ORDER BY at, id`, patrolID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanVisit)
}

// ---- Records ----

const recordCols = `id, uid, patrol_id, kind, at, parties, summary, outcome, households, note`

func scanRecord(sc interface{ Scan(...any) error }) (patrol.Record, error) {
	var r patrol.Record
	var at int64
	err := sc.Scan(&r.ID, &r.UID, &r.PatrolID, &r.Kind, &at, &r.Parties, &r.Summary, &r.Outcome, &r.Households, &r.Note)
	r.At = fromMS(at)
	return r, err
}

// InsertRecord stores a dispute or promotion record of patrol p and sets
// r.ID, counting it on the patrol; idempotent on r.UID like InsertVisit.
func (tx *Tx) InsertRecord(ctx context.Context, p patrol.Patrol, r *patrol.Record) (created bool, err error) {
	r.PatrolID = p.ID
	err = tx.QueryRowContext(ctx, `INSERT INTO patrol_records (uid, patrol_id, kind, at, parties, summary, outcome, households, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (uid) DO NOTHING RETURNING id`,
		r.UID, p.ID, string(r.Kind), ms(r.At), strings.TrimSpace(r.Parties), strings.TrimSpace(r.Summary), strings.TrimSpace(r.Outcome),
		r.Households, strings.TrimSpace(r.Note), tx.now).Scan(&r.ID)
	if isNoRows(err) {
		return false, sentBefore(tx.QueryRowContext(ctx, `SELECT `+recordCols+` FROM patrol_records WHERE uid = $1`, r.UID), scanRecord, r,
			func(old patrol.Record) bool { return old.PatrolID == p.ID })
	}
	if err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE patrols SET records = records + 1, updated_at = $2 WHERE id = $1`, p.ID, tx.now)
	return true, err
}

// Records lists a patrol's records in time order.
func (db *DB) Records(ctx context.Context, patrolID int64) ([]patrol.Record, error) {
	rows, err := db.query(ctx, `SELECT `+recordCols+` FROM patrol_records WHERE patrol_id = $1 ORDER BY at, id`, patrolID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanRecord)
}

// ---- Findings ----

// Finding is a case found on a patrol, with what the record book shows of it.
type Finding struct {
	Number   string
	Category string
	Class    string
	Status   string
	Region   string
	Reported time.Time
	Linked   time.Time
}

// InsertFinding links case number to patrol p, counting it on the patrol;
// linking it again does nothing (created false).
func (tx *Tx) InsertFinding(ctx context.Context, p patrol.Patrol, number string) (created bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO patrol_findings (patrol_id, case_number, created_at, created_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (patrol_id, case_number) DO NOTHING`, p.ID, number, tx.now, nullID(tx.actor.ID))
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "foreign key") {
			return false, apperr.Field("case", "err.patrol.case_unknown")
		}
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE patrols SET findings = findings + 1, updated_at = $2 WHERE id = $1`, p.ID, tx.now)
	return true, err
}

// Findings lists the cases linked to a patrol, in the order they were linked.
func (db *DB) Findings(ctx context.Context, patrolID int64) ([]Finding, error) {
	rows, err := db.query(ctx, `SELECT c.number, c.category, c.class, c.status, c.region, c.reported_at, f.created_at
		FROM patrol_findings f JOIN cases c ON c.number = f.case_number WHERE f.patrol_id = $1 ORDER BY f.created_at, c.number`, patrolID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (Finding, error) {
		var f Finding
		var rep, linked int64
		err := sc.Scan(&f.Number, &f.Category, &f.Class, &f.Status, &f.Region, &rep, &linked)
		f.Reported, f.Linked = fromMS(rep), fromMS(linked)
		return f, err
	})
}

// SetVisitPhoto records a processed photo (once per content hash) and makes
// it the photo of check-in visitUID of patrol p; not found when the patrol
// has no such check-in. Sending it again is harmless.
func (tx *Tx) SetVisitPhoto(ctx context.Context, p patrol.Patrol, visitUID string, rec PhotoRecord) error {
	if err := tx.savePhoto(ctx, rec); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE patrol_visits SET photo = $3 WHERE uid = $1 AND patrol_id = $2`, visitUID, p.ID, rec.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// VisitPhotoGrids lists the grids of the check-ins a photo belongs to (to decide who may see it).
func (db *DB) VisitPhotoGrids(ctx context.Context, photoID string) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT grid FROM patrol_visits WHERE photo = $1`, photoID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanValue[string])
}

// VisitPhoto returns the photo id of a check-in of a patrol, not found when it has none.
func (db *DB) VisitPhoto(ctx context.Context, patrolID int64, visitUID string) (string, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT photo FROM patrol_visits WHERE patrol_id = $1 AND uid = $2`, patrolID, visitUID).Scan(&id)
	if err == nil && id == "" {
		return "", apperr.ErrNotFound
	}
	return id, mapErr(err)
}
