package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/region"
)

// AssessSubjects lists the subjects of kind under q's roots (every one
// when All), or the units ids when kind is unit and ids are given, in
// code, id or name order.
func (db *DB) AssessSubjects(ctx context.Context, q AssessQuery, unitIDs []int64, personIDs []int64) ([]assess.Subject, error) {
	var b binder
	var sqlText string
	switch q.Kind {
	case assess.Street, assess.Community, assess.Grid:
		lv := map[assess.SubjectKind]region.Level{assess.Street: region.Street, assess.Community: region.Community, assess.Grid: region.Grid}[q.Kind]
		sqlText = "SELECT code, name FROM regions WHERE level = " + b.add(int(lv)) + " AND " + b.area(q, "code") + " ORDER BY code"
	case assess.Unit:
		if len(unitIDs) > 0 {
			sqlText = "SELECT CAST(id AS TEXT), name FROM units WHERE status = 'active' AND id IN (" + inList(&b.args, unitIDs) + ") ORDER BY id"
		} else {
			sqlText = "SELECT CAST(id AS TEXT), name FROM units WHERE status = 'active' AND " + b.area(q, "region") + " ORDER BY id"
		}
	case assess.Person:
		if len(personIDs) > 0 {
			sqlText = "SELECT CAST(id AS TEXT), name FROM people WHERE id IN (" + inList(&b.args, personIDs) + ") ORDER BY id"
		} else {
			sqlText = "SELECT CAST(p.id AS TEXT), p.name FROM people p WHERE p.active = 1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.person_id = p.id AND ra.role IN ('patroller', 'volunteer') AND " +
				b.area(q, "ra.region") + ") ORDER BY p.id"
		}
	default:
		return nil, nil
	}
	rows, err := db.r.QueryContext(ctx, sqlText, b.args...)
	if err != nil {
		return nil, err
	}
	var out []assess.Subject
	return out, eachRow(rows, func(sc rowScanner) error {
		s := assess.Subject{Kind: q.Kind}
		if err := sc.Scan(&s.ID, &s.Name); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
}

// RubricRow is a stored rubric with the area it ranks.
type RubricRow struct {
	assess.Rubric
	Region     string
	CopiedFrom int64
}

const rubricCols = `r.id, r.year, r.kind, r.region, r.title, r.items, COALESCE(r.copied_from, 0), r.version,
	EXISTS (SELECT 1 FROM assess_bulletins b WHERE b.rubric_id = r.id)`

func scanRubric(sc rowScanner) (RubricRow, error) {
	var r RubricRow
	var items string
	if err := sc.Scan(&r.ID, &r.Year, &r.Kind, &r.Region, &r.Title, &items, &r.CopiedFrom, &r.Version, &r.Published); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(items), &r.Items)
}

// Rubrics lists the rubrics of year (every year when 0) whose area lies
// under roots or contains one of them (every one when all).
func (db *DB) Rubrics(ctx context.Context, year int, all bool, roots []string) ([]RubricRow, error) {
	var b binder
	w := "1=1"
	if year != 0 {
		w = "r.year = " + b.add(year)
	}
	if !all {
		w += " AND " + overlapAny("r.region", roots, &b)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+rubricCols+" FROM assess_rubrics r WHERE "+w+" ORDER BY r.year DESC, r.kind, r.id", b.args...)
	if err != nil {
		return nil, err
	}
	var out []RubricRow
	return out, eachRow(rows, func(sc rowScanner) error {
		r, err := scanRubric(sc)
		out = append(out, r)
		return err
	})
}

// overlapAny matches a region column lying under one of roots or above one of them.
func overlapAny(col string, roots []string, b *binder) string {
	if len(roots) == 0 {
		return "1=0"
	}
	s := "("
	for i, r := range roots {
		if i > 0 {
			s += " OR "
		}
		s += overlapClause(col, r, b.add)
	}
	return s + ")"
}

// Rubric loads one rubric.
func (db *DB) Rubric(ctx context.Context, id int64) (RubricRow, error) {
	r, err := scanRubric(db.r.QueryRowContext(ctx, "SELECT "+rubricCols+" FROM assess_rubrics r WHERE r.id = $1", id))
	return r, mapErr(err)
}

// Rubric loads one rubric inside the transaction.
func (tx *Tx) Rubric(ctx context.Context, id int64) (RubricRow, error) {
	r, err := scanRubric(tx.QueryRowContext(ctx, "SELECT "+rubricCols+" FROM assess_rubrics r WHERE r.id = $1", id))
	return r, mapErr(err)
}

func rubricAudit(r RubricRow) map[string]any {
	return map[string]any{"year": r.Year, "kind": r.Kind, "region": r.Region, "title": r.Title, "items": r.Items, "version": r.Version}
}

// InsertRubric stores a new rubric, audited.
func (tx *Tx) InsertRubric(ctx context.Context, r RubricRow) (int64, error) {
	items, err := json.Marshal(r.Items)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO assess_rubrics (year, kind, region, title, items, copied_from, version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) RETURNING id`, r.Year, string(r.Kind), r.Region, r.Title, string(items), nullID(r.CopiedFrom), nullID(tx.actor.ID), tx.now).Scan(&id)
	if err != nil {
		return 0, err
	}
	r.Version = 1
	return id, tx.Audit(ctx, "rubric", id, "create", nil, rubricAudit(r))
}

// UpdateRubric changes a rubric's title and items if it is still at
// version; false when it changed meanwhile. Audited.
func (tx *Tx) UpdateRubric(ctx context.Context, before, after RubricRow) (bool, error) {
	items, err := json.Marshal(after.Items)
	if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE assess_rubrics SET title = $1, items = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5`,
		after.Title, string(items), tx.now, before.ID, before.Version)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	after.Version = before.Version + 1
	return true, tx.Audit(ctx, "rubric", before.ID, "update", rubricAudit(before), rubricAudit(after))
}

// ManualEntry is a stored manual score.
type ManualEntry struct {
	Subject, Item string
	Points        float64
	Reason        string
	ByName        string
	At            int64
}

// ManualScores returns the manual entries of a rubric's period by subject and item.
func (db *DB) ManualScores(ctx context.Context, rubric int64, period string) (map[string]map[string]assess.Manual, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT subject, item, points, reason FROM assess_manual WHERE rubric_id = $1 AND period = $2`, rubric, period)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]assess.Manual{}
	return out, eachRow(rows, func(sc rowScanner) error {
		var s, it string
		var m assess.Manual
		if err := sc.Scan(&s, &it, &m.Points, &m.Reason); err != nil {
			return err
		}
		if out[s] == nil {
			out[s] = map[string]assess.Manual{}
		}
		out[s][it] = m
		return nil
	})
}

// SetManual stores (or replaces) a manual score, audited with the entry before and after.
func (tx *Tx) SetManual(ctx context.Context, rubric int64, period, subject, item string, m assess.Manual) error {
	var before map[string]any
	var p float64
	var reason string
	err := tx.QueryRowContext(ctx, `SELECT points, reason FROM assess_manual WHERE rubric_id = $1 AND period = $2 AND subject = $3 AND item = $4`,
		rubric, period, subject, item).Scan(&p, &reason)
	switch {
	case err == nil:
		before = map[string]any{"points": p, "reason": reason}
	case err != sql.ErrNoRows:
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO assess_manual (rubric_id, period, subject, item, points, reason, by_id, by_name, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (rubric_id, period, subject, item) DO UPDATE SET points = excluded.points, reason = excluded.reason,
			by_id = excluded.by_id, by_name = excluded.by_name, at = excluded.at`,
		rubric, period, subject, item, m.Points, m.Reason, nullID(tx.actor.ID), tx.actor.Name, tx.now); err != nil {
		return err
	}
	id := strconv.FormatInt(rubric, 10) + "/" + period + "/" + subject + "/" + item
	return tx.Audit(ctx, "assess_manual", id, "set", before, map[string]any{"points": m.Points, "reason": m.Reason})
}

// Bulletin is a published bulletin; Snapshot holds the exact bytes hashed.
type Bulletin struct {
	ID           int64
	Rubric       int64
	Period       string
	Kind         string
	Region       string
	Title        string
	Public       bool
	Snapshot     []byte
	SHA256       string
	Supersedes   int64
	SupersededBy int64
	CreatedAt    int64
}

const bulletinCols = `id, rubric_id, period, kind, region, title, public, snapshot, sha256, COALESCE(supersedes, 0), superseded_by, created_at`

func scanBulletin(sc rowScanner, withSnap bool) (Bulletin, error) {
	var b Bulletin
	var snap string
	var pub int
	err := sc.Scan(&b.ID, &b.Rubric, &b.Period, &b.Kind, &b.Region, &b.Title, &pub, &snap, &b.SHA256, &b.Supersedes, &b.SupersededBy, &b.CreatedAt)
	b.Public = pub == 1
	if withSnap {
		b.Snapshot = []byte(snap)
	}
	return b, err
}

// BulletinByID loads a bulletin with its snapshot.
func (db *DB) BulletinByID(ctx context.Context, id int64) (Bulletin, error) {
	b, err := scanBulletin(db.r.QueryRowContext(ctx, "SELECT "+bulletinCols+" FROM assess_bulletins WHERE id = $1", id), true)
	return b, mapErr(err)
}

// CurrentBulletin returns the id of the period's bulletin not superseded, 0 if none (inside the transaction).
func (tx *Tx) CurrentBulletin(ctx context.Context, rubric int64, period string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM assess_bulletins WHERE rubric_id = $1 AND period = $2 AND superseded_by = 0`, rubric, period).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, err
}

// Bulletins lists bulletins (without snapshots) of rubrics whose area
// overlaps roots (all when all), newest first, at most limit.
func (db *DB) Bulletins(ctx context.Context, all bool, roots []string, limit int) ([]Bulletin, error) {
	var b binder
	w := "1=1"
	if !all {
		w = overlapAny("region", roots, &b)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT id, rubric_id, period, kind, region, title, public, '', sha256, COALESCE(supersedes, 0), superseded_by, created_at FROM assess_bulletins WHERE "+w+
		" ORDER BY id DESC LIMIT "+b.add(limit), b.args...)
	if err != nil {
		return nil, err
	}
	var out []Bulletin
	return out, eachRow(rows, func(sc rowScanner) error {
		bl, err := scanBulletin(sc, false)
		out = append(out, bl)
		return err
	})
}

// InsertBulletin stores a bulletin and marks the one it supersedes (which
// stays, readable, with the same bytes); audited.
func (tx *Tx) InsertBulletin(ctx context.Context, b Bulletin) (int64, error) {
	if b.Supersedes != 0 {
		// Out of the period's "current" unique index first; its successor's id follows.
		if _, err := tx.ExecContext(ctx, `UPDATE assess_bulletins SET superseded_by = -1 WHERE id = $1`, b.Supersedes); err != nil {
			return 0, err
		}
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO assess_bulletins (rubric_id, period, kind, region, title, public, snapshot, sha256, supersedes, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		b.Rubric, b.Period, b.Kind, b.Region, b.Title, b2i(b.Public), string(b.Snapshot), b.SHA256, nullID(b.Supersedes), nullID(tx.actor.ID), tx.now).Scan(&id)
	if err != nil {
		return 0, mapErr(err)
	}
	if b.Supersedes != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE assess_bulletins SET superseded_by = $1 WHERE id = $2`, id, b.Supersedes); err != nil {
			return 0, err
		}
		if err := tx.Audit(ctx, "bulletin", b.Supersedes, "superseded", nil, map[string]any{"by": id}); err != nil {
			return 0, err
		}
	}
	return id, tx.Audit(ctx, "bulletin", id, "publish", nil, map[string]any{"rubric": b.Rubric, "period": b.Period, "title": b.Title, "public": b.Public, "sha256": b.SHA256, "supersedes": b.Supersedes})
}
