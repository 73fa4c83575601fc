package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/region"
)

// ---- Checklists ----

// InspectionChecklist returns the stored checklist of a year; found is
// false (and the built-in default is returned) when none is stored.
func (db *DB) InspectionChecklist(ctx context.Context, year int) (inspect.Checklist, bool, error) {
	var items string
	var version int
	var updated int64
	err := db.r.QueryRowContext(ctx, `SELECT items, version, updated_at FROM inspection_checklists WHERE year = $1`, year).Scan(&items, &version, &updated)
	if isNoRows(err) {
		return inspect.DefaultChecklist(year), false, nil
	}
	if err != nil {
		return inspect.Checklist{}, false, err
	}
	c := inspect.Checklist{Year: year, Version: version, UpdatedAt: fromMS(updated)}
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return c, false, err
	}
	return c, true, nil
}

// SaveChecklist stores a year's checklist (a new version when one exists), audited.
func (tx *Tx) SaveChecklist(ctx context.Context, c *inspect.Checklist) error {
	b, err := json.Marshal(c.Items)
	if err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO inspection_checklists (year, items, version, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4)
		ON CONFLICT (year) DO UPDATE SET items = excluded.items, version = inspection_checklists.version + 1,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by
		RETURNING version`, c.Year, string(b), tx.now, nullID(tx.actor.ID)).Scan(&c.Version)
	if err != nil {
		return err
	}
	c.UpdatedAt, c.Default = fromMS(tx.now), false
	return tx.Audit(ctx, "inspection_checklist", c.Year, "save", nil, map[string]any{"version": c.Version, "items": len(c.Items), "max": c.Max()})
}

// ---- Inspections ----

const inspectionCols = `i.id, i.region, i.street, i.date, COALESCE(i.slot, ''), i.status, i.year, i.items, i.score, i.max, i.agenda, i.agenda_at,
	i.ack_name, COALESCE(i.ack_by, 0), i.ack_at, i.ack_file, COALESCE(i.corrects, 0), i.reason, i.opened_at, i.closed_at,
	COALESCE(i.closed_by, 0), i.created_at, i.version, i.updated_at`

func scanInspection(sc interface{ Scan(...any) error }) (inspect.Inspection, error) {
	var in inspect.Inspection
	var items, agenda string
	var score sql.NullFloat64
	var agendaAt, ackAt, opened, closed, created, updated int64
	err := sc.Scan(&in.ID, &in.Region, &in.Street, &in.Date, &in.Slot, &in.Status, &in.Year, &items, &score, &in.Max, &agenda, &agendaAt,
		&in.Ack.Name, &in.Ack.PersonID, &ackAt, &in.Ack.File, &in.Corrects, &in.Reason, &opened, &closed,
		&in.ClosedBy, &created, &in.Version, &updated)
	if err != nil {
		return in, err
	}
	if score.Valid {
		v := score.Float64
		in.Score = &v
	}
	in.AgendaAt, in.Ack.At, in.OpenedAt, in.ClosedAt, in.CreatedAt, in.UpdatedAt = fromMS(agendaAt), fromMS(ackAt), fromMS(opened), fromMS(closed), fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(items), &in.Items); err != nil {
		return in, err
	}
	if agenda != "" {
		if err := json.Unmarshal([]byte(agenda), &in.Agenda); err != nil {
			return in, err
		}
	}
	return in, nil
}

func nullScore(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func inspectionSummary(in inspect.Inspection) map[string]any {
	return map[string]any{"region": in.Region, "date": in.Date, "status": in.Status, "score": nullScore(in.Score), "max": in.Max,
		"version": in.Version, "corrects": in.Corrects}
}

// Inspection returns one inspection with its inspectors, findings and item photos.
func (db *DB) Inspection(ctx context.Context, id int64) (inspect.Inspection, error) {
	return loadInspection(ctx, db.r, id)
}

func loadInspection(ctx context.Context, q querier, id int64) (inspect.Inspection, error) {
	in, err := scanInspection(q.QueryRowContext(ctx, `SELECT `+inspectionCols+` FROM inspections i WHERE i.id = $1`, id))
	if err != nil {
		return in, mapErr(err)
	}
	if in.Inspectors, err = queryIDs(ctx, q, `SELECT person_id FROM inspection_people WHERE inspection_id = $1 ORDER BY person_id`, id); err != nil {
		return in, err
	}
	rows, err := q.QueryContext(ctx, `SELECT f.number FROM inspection_findings f WHERE f.inspection_id = $1 ORDER BY f.created_at, f.case_id`, id)
	if err != nil {
		return in, err
	}
	if in.Findings, err = scanAll(rows, scanString); err != nil {
		return in, err
	}
	rows, err = q.QueryContext(ctx, `SELECT item, photo_id FROM inspection_photos WHERE inspection_id = $1 ORDER BY at, photo_id`, id)
	if err != nil {
		return in, err
	}
	photos, err := scanAll(rows, func(sc interface{ Scan(...any) error }) ([2]string, error) {
		var p [2]string
		err := sc.Scan(&p[0], &p[1])
		return p, err
	})
	if err != nil {
		return in, err
	}
	for _, p := range photos {
		for i := range in.Items {
			if in.Items[i].Key == p[0] {
				in.Items[i].Photos = append(in.Items[i].Photos, p[1])
			}
		}
	}
	return in, nil
}

func scanString(sc interface{ Scan(...any) error }) (string, error) {
	var s string
	err := sc.Scan(&s)
	return s, err
}

// InspectionFilter selects inspections. All and Roots are the caller's
// scope; Region narrows to a subtree; From and To are local dates.
type InspectionFilter struct {
	All      bool
	Roots    []string
	Region   string
	From, To string
	Status   string
	Page     Page
}

func (f InspectionFilter) where(args *[]any) string {
	var w []string
	if !f.All {
		w = append(w, scopeClause("i.region", f.Roots, args))
	}
	if f.Region != "" {
		switch region.LevelOf(f.Region) {
		case region.Community:
			*args = append(*args, f.Region)
			w = append(w, "i.region = "+ph(len(*args)))
		case region.Street:
			*args = append(*args, f.Region)
			w = append(w, "i.street = "+ph(len(*args)))
		default:
			w = append(w, scopeClause("i.region", []string{f.Region}, args))
		}
	}
	if f.From != "" {
		*args = append(*args, f.From)
		w = append(w, "i.date >= "+ph(len(*args)))
	}
	if f.To != "" {
		*args = append(*args, f.To)
		w = append(w, "i.date <= "+ph(len(*args)))
	}
	if f.Status != "" {
		*args = append(*args, f.Status)
		w = append(w, "i.status = "+ph(len(*args)))
	}
	if len(w) == 0 {
		return "1=1"
	}
	return strings.Join(w, " AND ")
}

// Inspections lists inspections by date and community (without inspectors
// and findings), with the total.
func (db *DB) Inspections(ctx context.Context, f InspectionFilter) ([]inspect.Inspection, int, error) {
	var args []any
	w := f.where(&args)
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM inspections i WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT `+inspectionCols+` FROM inspections i WHERE `+w+` ORDER BY i.date, i.region, i.id LIMIT `+
		itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanInspection)
	if list == nil {
		list = []inspect.Inspection{}
	}
	return list, total, err
}

// EachInspection calls fn for every inspection of f (no paging), by date
// and community, with its findings: the week's summary and the year's trend.
func (db *DB) EachInspection(ctx context.Context, f InspectionFilter, fn func(inspect.Inspection) error) error {
	var args []any
	w := f.where(&args)
	rows, err := db.r.QueryContext(ctx, `SELECT `+inspectionCols+` FROM inspections i WHERE `+w+` ORDER BY i.date, i.region, i.id`, args...)
	if err != nil {
		return err
	}
	list, err := scanAll(rows, scanInspection)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return nil
	}
	var fargs []any
	var phs []string
	byID := map[int64]int{}
	for i, in := range list {
		byID[in.ID] = i
		fargs = append(fargs, in.ID)
		phs = append(phs, ph(len(fargs)))
	}
	// The findings of at most a few hundred inspections (a week, or a year of one community's).
	if len(list) <= 500 {
		rows, err := db.r.QueryContext(ctx, `SELECT inspection_id, number FROM inspection_findings WHERE inspection_id IN (`+strings.Join(phs, ",")+`) ORDER BY created_at, case_id`, fargs...)
		if err != nil {
			return err
		}
		pairs, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (struct {
			id int64
			n  string
		}, error) {
			var p struct {
				id int64
				n  string
			}
			err := sc.Scan(&p.id, &p.n)
			return p, err
		})
		if err != nil {
			return err
		}
		for _, p := range pairs {
			i := byID[p.id]
			list[i].Findings = append(list[i].Findings, p.n)
		}
	}
	for _, in := range list {
		if err := fn(in); err != nil {
			return err
		}
	}
	return nil
}

// CreateInspection stores a new inspection with its inspectors, audited. A
// scheduled one (with a slot) that its community already has for that week
// is not stored: created is false.
func (tx *Tx) CreateInspection(ctx context.Context, in *inspect.Inspection) (bool, error) {
	items, err := json.Marshal(in.Items)
	if err != nil {
		return false, err
	}
	agenda := ""
	if !in.AgendaAt.IsZero() {
		b, err := json.Marshal(in.Agenda)
		if err != nil {
			return false, err
		}
		agenda = string(b)
	}
	in.Version, in.CreatedAt, in.UpdatedAt = 1, fromMS(tx.now), fromMS(tx.now)
	err = tx.QueryRowContext(ctx, `INSERT INTO inspections (region, street, date, slot, status, year, items, score, max, agenda, agenda_at,
		ack_name, ack_by, ack_at, ack_file, corrects, reason, opened_at, closed_at, closed_by, created_at, created_by, version, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 1, $21)
		ON CONFLICT (region, slot) DO NOTHING RETURNING id`,
		in.Region, in.Street, in.Date, nullStr(in.Slot), in.Status, in.Year, string(items), nullScore(in.Score), in.Max, agenda, ms(in.AgendaAt),
		in.Ack.Name, nullID(in.Ack.PersonID), ms(in.Ack.At), in.Ack.File, nullID(in.Corrects), in.Reason, ms(in.OpenedAt), ms(in.ClosedAt),
		nullID(in.ClosedBy), tx.now, nullID(tx.actor.ID)).Scan(&in.ID)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := tx.SetInspectors(ctx, in.ID, in.Inspectors); err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, "inspection", in.ID, "create", nil, inspectionSummary(*in))
}

// SetInspectors replaces an inspection's inspectors.
func (tx *Tx) SetInspectors(ctx context.Context, id int64, people []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM inspection_people WHERE inspection_id = $1`, id); err != nil {
		return err
	}
	for _, p := range people {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_people (inspection_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, p); err != nil {
			return err
		}
	}
	return nil
}

// UpdateInspection stores after if the inspection is still at before's
// version (a stale one is a Conflict, err.inspect.stale), audited with action.
func (tx *Tx) UpdateInspection(ctx context.Context, before inspect.Inspection, after *inspect.Inspection, action string) error {
	items, err := json.Marshal(after.Items)
	if err != nil {
		return err
	}
	agenda := ""
	if !after.AgendaAt.IsZero() {
		b, err := json.Marshal(after.Agenda)
		if err != nil {
			return err
		}
		agenda = string(b)
	}
	after.Version = before.Version + 1
	after.UpdatedAt = fromMS(tx.now)
	res, err := tx.ExecContext(ctx, `UPDATE inspections SET date = $3, status = $4, items = $5, score = $6, max = $7, agenda = $8, agenda_at = $9,
		ack_name = $10, ack_by = $11, ack_at = $12, ack_file = $13, reason = $14, opened_at = $15, closed_at = $16, closed_by = $17,
		version = $18, updated_at = $19 WHERE id = $1 AND version = $2`,
		before.ID, before.Version, after.Date, after.Status, string(items), nullScore(after.Score), after.Max, agenda, ms(after.AgendaAt),
		after.Ack.Name, nullID(after.Ack.PersonID), ms(after.Ack.At), after.Ack.File, after.Reason, ms(after.OpenedAt), ms(after.ClosedAt),
		nullID(after.ClosedBy), after.Version, tx.now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.inspect.stale")
	}
	return tx.Audit(ctx, "inspection", before.ID, action, inspectionSummary(before), inspectionSummary(*after))
}

// AddInspectionFinding links a case to the inspection that found it.
func (tx *Tx) AddInspectionFinding(ctx context.Context, inspectionID, caseID int64, number string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO inspection_findings (inspection_id, case_id, number, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (inspection_id, case_id) DO NOTHING`, inspectionID, caseID, number, tx.now)
	if err != nil {
		return err
	}
	return tx.Audit(ctx, "inspection", inspectionID, "finding", nil, map[string]any{"case": number})
}

// AddInspectionPhoto attaches a stored photo to an item of an inspection, audited.
func (tx *Tx) AddInspectionPhoto(ctx context.Context, inspectionID int64, item, photoID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO inspection_photos (inspection_id, item, photo_id, at, by_id) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (inspection_id, item, photo_id) DO NOTHING`, inspectionID, item, photoID, tx.now, nullID(tx.actor.ID))
	if err != nil {
		return mapPhotoErr(err)
	}
	return tx.Audit(ctx, "inspection", inspectionID, "photo", nil, map[string]any{"item": item, "photo": photoID})
}

// InspectionPhotoOf reports the inspections a photo is attached to (to check who may see it).
func (db *DB) InspectionPhotoOf(ctx context.Context, photoID string) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT DISTINCT inspection_id FROM inspection_photos WHERE photo_id = $1 ORDER BY inspection_id`, photoID)
}

// InspectionsOfFinding returns the inspections a case was found by.
func (db *DB) InspectionsOfFinding(ctx context.Context, caseID int64) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT inspection_id FROM inspection_findings WHERE case_id = $1 ORDER BY inspection_id`, caseID)
}

// MarkWeekSent records that a street's weekly summary for the week
// beginning monday was sent; it reports false when it was sent before.
func (tx *Tx) MarkWeekSent(ctx context.Context, street, monday string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO inspection_weeks (street, week, sent_at) VALUES ($1, $2, $3) ON CONFLICT (street, week) DO NOTHING`,
		street, monday, tx.now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Communities lists the communities inside roots (every one when all), by code.
func (db *DB) Communities(ctx context.Context, all bool, roots []string) ([]GridRef, error) {
	var args []any
	w := "level = 3"
	if !all {
		w += " AND " + scopeClause("code", roots, &args)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT code, name FROM regions WHERE `+w+` ORDER BY code`, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (GridRef, error) {
		var g GridRef
		err := sc.Scan(&g.Code, &g.Name)
		return g, err
	})
}

// ---- What the agenda and the hotspots read from the ledger ----

// HotspotPoints returns what the hotspot search reads of the cases of
// communities reported on or after the local date from (rejected ones left
// out), with how often each was reopened since then. The cases_hotspot
// index covers the query.
func (db *DB) HotspotPoints(ctx context.Context, communities []string, from string) ([]inspect.CasePoint, error) {
	if len(communities) == 0 {
		return []inspect.CasePoint{}, nil
	}
	args := []any{from}
	var phs []string
	for _, c := range communities {
		args = append(args, c)
		phs = append(phs, ph(len(args)))
	}
	in := strings.Join(phs, ",")
	rows, err := db.query(ctx, `SELECT c.id, c.number, c.category, c.lat, c.lon, COALESCE(c.unit_id, 0), c.community, c.rework, c.day
		FROM cases c WHERE c.community IN (`+in+`) AND c.day >= $1 AND c.status <> 'rejected'`, args...)
	if err != nil {
		return nil, err
	}
	pts, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (inspect.CasePoint, error) {
		var p inspect.CasePoint
		err := sc.Scan(&p.ID, &p.Number, &p.Category, &p.Lat, &p.Lon, &p.UnitID, &p.Community, &p.Rework, &p.Day)
		return p, err
	})
	if err != nil || len(pts) == 0 {
		return pts, err
	}
	// Reopenings come after the report, so those of the window's cases lie
	// after its first day (a day early, for time zones, changes nothing: the
	// cases are matched by id).
	since, _ := time.Parse(inspect.DateLayout, from)
	rows, err = db.query(ctx, `SELECT e.case_id, COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.action = 'reopen' AND e.at >= $1 AND c.community IN (`+in+`) GROUP BY e.case_id`, append([]any{ms(since.AddDate(0, 0, -1))}, args[1:]...)...)
	if err != nil {
		return nil, err
	}
	counts, err := scanAll(rows, func(sc interface{ Scan(...any) error }) ([2]int64, error) {
		var v [2]int64
		err := sc.Scan(&v[0], &v[1])
		return v, err
	})
	if err != nil {
		return nil, err
	}
	if len(counts) > 0 {
		byID := make(map[int64]int, len(pts))
		for i, p := range pts {
			byID[p.ID] = i
		}
		for _, c := range counts {
			if i, ok := byID[c[0]]; ok {
				pts[i].Reopens = int(c[1])
			}
		}
	}
	return pts, nil
}

// OverdueOf lists (up to limit, most overdue first) the numbers of a
// community's cases waiting past their deadline at now, with the total.
func (db *DB) OverdueOf(ctx context.Context, community string, now time.Time, limit int) ([]string, int, error) {
	const w = ` FROM cases c WHERE c.community = $1 AND c.status IN ('reported', 'filed', 'assigned') AND c.deadline > 0 AND c.deadline < $2`
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*)`+w, community, ms(now)).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT c.number`+w+` ORDER BY c.deadline, c.id LIMIT `+itoa(limit), community, ms(now))
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanString)
	return list, total, err
}

// CaseRef is a case's number with where it lies.
type CaseRef struct {
	ID        int64
	Number    string
	Region    string
	Community string
	UnitID    int64
	Status    string
}

// CaseRefs returns the cases with the given numbers that exist, in the order asked.
func (db *DB) CaseRefs(ctx context.Context, numbers []string) ([]CaseRef, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	var args []any
	var phs []string
	for _, n := range numbers {
		args = append(args, n)
		phs = append(phs, ph(len(args)))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT c.id, c.number, c.region, c.community, COALESCE(c.unit_id, 0), c.status FROM cases c
		WHERE c.number IN (`+strings.Join(phs, ",")+`)`, args...)
	if err != nil {
		return nil, err
	}
	refs, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (CaseRef, error) {
		var r CaseRef
		err := sc.Scan(&r.ID, &r.Number, &r.Region, &r.Community, &r.UnitID, &r.Status)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	byNum := map[string]CaseRef{}
	for _, r := range refs {
		byNum[r.Number] = r
	}
	var out []CaseRef
	for _, n := range numbers {
		if r, ok := byNum[n]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// EscalatedSince lists (up to limit, newest first) the numbers of a
// community's cases escalated to the street since a time, with the total.
func (db *DB) EscalatedSince(ctx context.Context, community string, since time.Time, limit int) ([]string, int, error) {
	rows, err := db.query(ctx, `SELECT c.number, MAX(e.at) FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.action = 'escalate' AND e.at >= $1 AND e.level = 2 AND c.community = $2 GROUP BY c.number ORDER BY MAX(e.at) DESC, c.number`,
		ms(since), community)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (string, error) {
		var n string
		var at int64
		err := sc.Scan(&n, &at)
		return n, err
	})
	total := len(list)
	if len(list) > limit {
		list = list[:limit]
	}
	return list, total, err
}

// CommunityCommitmentsDue lists (up to limit, soonest first) the numbers of a
// community's committed cases waiting on their party with a due time in
// [from, to), with the total.
func (db *DB) CommunityCommitmentsDue(ctx context.Context, community string, from, to time.Time, limit int) ([]string, int, error) {
	rows, err := db.query(ctx, `SELECT c.number FROM cases c WHERE c.status = 'assigned' AND c.deadline >= $1 AND c.deadline < $2
		AND c.class = 'committed' AND c.community = $3 ORDER BY c.deadline, c.id`, ms(from), ms(to), community)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanString)
	total := len(list)
	if len(list) > limit {
		list = list[:limit]
	}
	return list, total, err
}

// ---- Tracked problems ----

const problemCols = `p.id, p.region, p.street, p.title, p.owner_id, COALESCE(pe.name, ''), p.due, p.status, p.hotspot, p.created_at,
	COALESCE(p.created_by, 0), p.resolved_at, p.closed_at, p.version, p.updated_at`

const problemFrom = ` FROM problems p LEFT JOIN people pe ON pe.id = p.owner_id`

func scanProblem(sc interface{ Scan(...any) error }) (inspect.Problem, error) {
	var p inspect.Problem
	var created, resolved, closed, updated int64
	err := sc.Scan(&p.ID, &p.Region, &p.Street, &p.Title, &p.OwnerID, &p.OwnerName, &p.Due, &p.Status, &p.Hotspot, &created,
		&p.CreatedBy, &resolved, &closed, &p.Version, &updated)
	p.CreatedAt, p.ResolvedAt, p.ClosedAt, p.UpdatedAt = fromMS(created), fromMS(resolved), fromMS(closed), fromMS(updated)
	return p, err
}

func problemSummary(p inspect.Problem) map[string]any {
	return map[string]any{"region": p.Region, "title": p.Title, "owner": p.OwnerID, "due": p.Due, "status": p.Status, "cases": len(p.Cases), "version": p.Version}
}

// Problem returns a tracked problem with its cases and notes.
func (db *DB) Problem(ctx context.Context, id int64) (inspect.Problem, error) {
	return loadProblem(ctx, db.r, id)
}

func loadProblem(ctx context.Context, q querier, id int64) (inspect.Problem, error) {
	p, err := scanProblem(q.QueryRowContext(ctx, `SELECT `+problemCols+problemFrom+` WHERE p.id = $1`, id))
	if err != nil {
		return p, mapErr(err)
	}
	rows, err := q.QueryContext(ctx, `SELECT number FROM problem_cases WHERE problem_id = $1 ORDER BY number`, id)
	if err != nil {
		return p, err
	}
	if p.Cases, err = scanAll(rows, scanString); err != nil {
		return p, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, at, COALESCE(by_id, 0), by_name, status, note FROM problem_notes WHERE problem_id = $1 ORDER BY id`, id)
	if err != nil {
		return p, err
	}
	p.Notes, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (inspect.Note, error) {
		var n inspect.Note
		var at int64
		err := sc.Scan(&n.ID, &at, &n.ByID, &n.ByName, &n.Status, &n.Note)
		n.At = fromMS(at)
		return n, err
	})
	return p, err
}

// ProblemFilter selects tracked problems: All and Roots are the caller's
// scope, Region narrows it; Status "" lists all, "live" the ones not closed.
type ProblemFilter struct {
	All    bool
	Roots  []string
	Region string
	Status string
	Page   Page
}

// Problems lists tracked problems, newest first, with their cases and the total.
func (db *DB) Problems(ctx context.Context, f ProblemFilter) ([]inspect.Problem, int, error) {
	var args []any
	var w []string
	if !f.All {
		w = append(w, scopeClause("p.region", f.Roots, &args))
	}
	if f.Region != "" {
		if region.LevelOf(f.Region) == region.Street {
			args = append(args, f.Region)
			w = append(w, "p.street = "+ph(len(args)))
		} else {
			// A community's problems, and the street's problems whose cases lie in it.
			args = append(args, f.Region)
			n := ph(len(args))
			lo, hi := prefixRange(f.Region)
			args = append(args, lo, hi)
			w = append(w, "(p.region = "+n+" OR (p.region = p.street AND EXISTS (SELECT 1 FROM problem_cases pc JOIN cases c ON c.id = pc.case_id"+
				" WHERE pc.problem_id = p.id AND c.region BETWEEN "+ph(len(args)-1)+" AND "+ph(len(args))+")))")
		}
	}
	switch f.Status {
	case "":
	case "live":
		w = append(w, "p.status <> 'closed'")
	default:
		args = append(args, f.Status)
		w = append(w, "p.status = "+ph(len(args)))
	}
	where := "1=1"
	if len(w) > 0 {
		where = strings.Join(w, " AND ")
	}
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM problems p WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	pg := f.Page.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT `+problemCols+problemFrom+` WHERE `+where+` ORDER BY p.id DESC LIMIT `+itoa(pg.Size)+` OFFSET `+itoa(pg.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanProblem)
	if err != nil {
		return nil, 0, err
	}
	if list == nil {
		list = []inspect.Problem{}
	}
	for i := range list {
		rows, err := db.r.QueryContext(ctx, `SELECT number FROM problem_cases WHERE problem_id = $1 ORDER BY number`, list[i].ID)
		if err != nil {
			return nil, 0, err
		}
		if list[i].Cases, err = scanAll(rows, scanString); err != nil {
			return nil, 0, err
		}
	}
	return list, total, nil
}

// TrackedCases maps the numbers of cases behind live (not closed) problems
// of a street to their problem, so that hotspots show what is tracked.
func (db *DB) TrackedCases(ctx context.Context, street string) (map[string]int64, error) {
	rows, err := db.query(ctx, `SELECT pc.number, p.id FROM problem_cases pc JOIN problems p ON p.id = pc.problem_id
		WHERE p.street = $1 AND p.status <> 'closed' ORDER BY p.id`, street)
	if err != nil {
		return nil, err
	}
	pairs, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (struct {
		n  string
		id int64
	}, error) {
		var v struct {
			n  string
			id int64
		}
		err := sc.Scan(&v.n, &v.id)
		return v, err
	})
	out := map[string]int64{}
	for _, p := range pairs {
		out[p.n] = p.id
	}
	return out, err
}

// CreateProblem stores a tracked problem with its cases and first note, audited.
func (tx *Tx) CreateProblem(ctx context.Context, p *inspect.Problem, cases []CaseRef, note string) error {
	p.Status, p.Version, p.CreatedAt, p.UpdatedAt, p.CreatedBy = inspect.ProblemOpen, 1, fromMS(tx.now), fromMS(tx.now), tx.actor.ID
	err := tx.QueryRowContext(ctx, `INSERT INTO problems (region, street, title, owner_id, due, status, hotspot, created_at, created_by, version, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $8) RETURNING id`,
		p.Region, p.Street, p.Title, p.OwnerID, p.Due, p.Status, p.Hotspot, tx.now, nullID(tx.actor.ID)).Scan(&p.ID)
	if err != nil {
		return err
	}
	p.Cases = nil
	for _, c := range cases {
		if _, err := tx.ExecContext(ctx, `INSERT INTO problem_cases (problem_id, case_id, number) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			p.ID, c.ID, c.Number); err != nil {
			return err
		}
		p.Cases = append(p.Cases, c.Number)
	}
	if err := tx.AddProblemNote(ctx, p, note); err != nil {
		return err
	}
	return tx.Audit(ctx, "problem", p.ID, "create", nil, problemSummary(*p))
}

// AddProblemNote adds a note at the problem's current status.
func (tx *Tx) AddProblemNote(ctx context.Context, p *inspect.Problem, note string) error {
	n := inspect.Note{At: fromMS(tx.now), ByID: tx.actor.ID, ByName: tx.actor.Name, Status: p.Status, Note: note}
	err := tx.QueryRowContext(ctx, `INSERT INTO problem_notes (problem_id, at, by_id, by_name, status, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		p.ID, tx.now, nullID(tx.actor.ID), tx.actor.Name, n.Status, note).Scan(&n.ID)
	if err != nil {
		return err
	}
	p.Notes = append(p.Notes, n)
	return nil
}

// UpdateProblem stores a problem's new status if it is still at before's
// version, with the note that goes with the change, audited with action.
func (tx *Tx) UpdateProblem(ctx context.Context, before inspect.Problem, after *inspect.Problem, action, note string) error {
	after.Version, after.UpdatedAt = before.Version+1, fromMS(tx.now)
	res, err := tx.ExecContext(ctx, `UPDATE problems SET status = $3, resolved_at = $4, closed_at = $5, version = $6, updated_at = $7
		WHERE id = $1 AND version = $2`, before.ID, before.Version, after.Status, ms(after.ResolvedAt), ms(after.ClosedAt), after.Version, tx.now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.problem.stale")
	}
	if err := tx.AddProblemNote(ctx, after, note); err != nil {
		return err
	}
	return tx.Audit(ctx, "problem", before.ID, action, problemSummary(before), problemSummary(*after))
}

// InspectionsWaiting counts a street's inspections dated from..to (local
// dates) that are planned or open.
func (tx *Tx) InspectionsWaiting(ctx context.Context, street, from, to string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inspections WHERE street = $1 AND date BETWEEN $2 AND $3 AND status IN ('planned', 'open')`,
		street, from, to).Scan(&n)
	return n, err
}
