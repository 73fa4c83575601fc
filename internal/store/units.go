package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/unit"
)

// Page is a 1-based page request; Clamp applies the API's defaults and limits.
type Page struct {
	Page, Size int
}

// MaxPage bounds page numbers, so that an absurd page asks for an empty page
// instead of an offset that overflows.
const MaxPage = 1_000_000

// Clamp sets defaults (page 1, 20 rows), caps the size at 100 and the page at MaxPage.
func (p Page) Clamp() Page {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.Page > MaxPage {
		p.Page = MaxPage
	}
	if p.Size <= 0 {
		p.Size = 20
	}
	if p.Size > 100 {
		p.Size = 100
	}
	return p
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Page - 1) * p.Size }

// UnitFilter selects units. Roots and UnitIDs are the caller's scope: a unit
// matches when it lies under a root or is one of the ids.
type UnitFilter struct {
	Roots   []string
	UnitIDs []int64
	Region  string // a region code: its subtree
	Kind    string
	Tag     string
	Q       string
	Status  string
	Sort    string // "name" or "" (newest first)
	Page    Page
}

const unitCols = `id, name, kind, COALESCE(credit_code, ''), address, COALESCE(lat, 0), COALESCE(lon, 0), region, contacts, status, created_at, updated_at`

func scanUnit(sc interface{ Scan(...any) error }) (unit.Unit, error) {
	var u unit.Unit
	var contacts string
	var created, updated int64
	err := sc.Scan(&u.ID, &u.Name, &u.Kind, &u.CreditCode, &u.Address, &u.Lat, &u.Lon, &u.Region, &contacts, &u.Status, &created, &updated)
	if err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(contacts), &u.Contacts); err != nil {
		return u, err
	}
	return u, nil
}

func (db *DB) loadTags(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, units []unit.Unit) error {
	if len(units) == 0 {
		return nil
	}
	idx := map[int64]int{}
	var args []any
	var phs []string
	for i, u := range units {
		idx[u.ID] = i
		args = append(args, u.ID)
		phs = append(phs, ph(len(args)))
	}
	rows, err := q.QueryContext(ctx, `SELECT unit_id, tag FROM unit_tags WHERE unit_id IN (`+strings.Join(phs, ",")+`) ORDER BY tag`, args...)
	if err != nil {
		return err
	}
	return eachRow(rows, func(sc rowScanner) error {
		var id int64
		var tag string
		if err := sc.Scan(&id, &tag); err != nil {
			return err
		}
		units[idx[id]].Tags = append(units[idx[id]].Tags, tag)
		return nil
	})
}

// Unit returns one unit with its tags.
func (db *DB) Unit(ctx context.Context, id int64) (unit.Unit, error) {
	u, err := scanUnit(db.r.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE id = $1`, id))
	if err != nil {
		return u, mapErr(err)
	}
	us := []unit.Unit{u}
	err = db.loadTags(ctx, db.r, us)
	return us[0], err
}

// Units lists units matching f with the total count.
func (db *DB) Units(ctx context.Context, f UnitFilter) ([]unit.Unit, int, error) {
	var args []any
	scope := []string{}
	if len(f.Roots) > 0 {
		scope = append(scope, scopeClause("region", f.Roots, &args))
	}
	for _, id := range f.UnitIDs {
		args = append(args, id)
		scope = append(scope, "id = "+ph(len(args)))
	}
	where := []string{"1=0"}
	if len(scope) > 0 {
		where = []string{"(" + strings.Join(scope, " OR ") + ")"}
	}
	if f.Region != "" {
		where = append(where, scopeClause("region", []string{f.Region}, &args))
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where = append(where, "kind = "+ph(len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, "status = "+ph(len(args)))
	}
	if f.Tag != "" {
		args = append(args, f.Tag)
		where = append(where, "id IN (SELECT unit_id FROM unit_tags WHERE tag = "+ph(len(args))+")")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		args = append(args, "%"+strings.ToLower(likeEscape(q))+"%")
		where = append(where, "(LOWER(name) LIKE "+ph(len(args))+` ESCAPE '\' OR LOWER(COALESCE(credit_code, '')) LIKE `+ph(len(args))+` ESCAPE '\')`)
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "id DESC"
	if f.Sort == "name" {
		order = "name, id"
	}
	limit, args := limitPage(f.Page.Clamp(), args)
	rows, err := db.r.QueryContext(ctx, `SELECT `+unitCols+` FROM units WHERE `+w+` ORDER BY `+order+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanUnit)
	if err != nil {
		return nil, 0, err
	}
	return out, total, db.loadTags(ctx, db.r, out)
}

func unitSummary(u unit.Unit) map[string]any {
	tags := append([]string(nil), u.Tags...)
	sort.Strings(tags)
	return map[string]any{"name": u.Name, "kind": u.Kind, "credit_code": u.CreditCode, "address": u.Address,
		"lat": u.Lat, "lon": u.Lon, "region": u.Region, "contacts": u.Contacts, "tags": tags, "status": u.Status}
}

func checkGrid(ctx context.Context, tx *Tx, code string) error {
	var level int
	err := tx.QueryRowContext(ctx, `SELECT level FROM regions WHERE code = $1`, code).Scan(&level)
	if isNoRows(err) || (err == nil && level != 4) {
		return apperr.Field("region", "err.grid_unknown")
	}
	return err
}

func writeTags(ctx context.Context, tx *Tx, id int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM unit_tags WHERE unit_id = $1`, id); err != nil {
		return err
	}
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_tags (unit_id, tag) VALUES ($1, $2)`, id, t); err != nil {
			return err
		}
	}
	return nil
}

// CreateUnit validates and stores a new unit, audited; it sets u.ID.
func (db *DB) CreateUnit(ctx context.Context, actor Actor, u *unit.Unit) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.CreateUnit(ctx, u) })
}

// CreateUnit stores a new unit inside a larger transaction (imports).
func (tx *Tx) CreateUnit(ctx context.Context, u *unit.Unit) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	if err := checkGrid(ctx, tx, u.Region); err != nil {
		return err
	}
	contacts, _ := json.Marshal(nonNilContacts(u.Contacts))
	err := tx.QueryRowContext(ctx, `INSERT INTO units (name, kind, credit_code, address, lat, lon, region, contacts, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		u.Name, u.Kind, nullStr(u.CreditCode), u.Address, nullFloat(u.Lat, u.HasLocation()), nullFloat(u.Lon, u.HasLocation()),
		u.Region, string(contacts), u.Status, tx.now).Scan(&u.ID)
	if err != nil {
		return mapErr(err, "credit_code")
	}
	if err := writeTags(ctx, tx, u.ID, u.Tags); err != nil {
		return err
	}
	u.CreatedAt, u.UpdatedAt = fromMS(tx.now), fromMS(tx.now)
	return tx.Audit(ctx, "unit", u.ID, "create", nil, unitSummary(*u))
}

// UpdateUnit validates and saves every field of u, audited with before and after.
func (db *DB) UpdateUnit(ctx context.Context, actor Actor, u *unit.Unit) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.UpdateUnit(ctx, u) })
}

// UpdateUnit is UpdateUnit inside a larger transaction.
func (tx *Tx) UpdateUnit(ctx context.Context, u *unit.Unit) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	old, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE id = $1`, u.ID))
	if err != nil {
		return mapErr(err)
	}
	olds := []unit.Unit{old}
	if err := tx.db.loadTags(ctx, tx, olds); err != nil {
		return err
	}
	if err := checkGrid(ctx, tx, u.Region); err != nil {
		return err
	}
	contacts, _ := json.Marshal(nonNilContacts(u.Contacts))
	_, err = tx.ExecContext(ctx, `UPDATE units SET name = $2, kind = $3, credit_code = $4, address = $5, lat = $6, lon = $7,
		region = $8, contacts = $9, status = $10, updated_at = $11 WHERE id = $1`,
		u.ID, u.Name, u.Kind, nullStr(u.CreditCode), u.Address, nullFloat(u.Lat, u.HasLocation()), nullFloat(u.Lon, u.HasLocation()),
		u.Region, string(contacts), u.Status, tx.now)
	if err != nil {
		return mapErr(err, "credit_code")
	}
	if err := writeTags(ctx, tx, u.ID, u.Tags); err != nil {
		return err
	}
	u.CreatedAt, u.UpdatedAt = old.CreatedAt, fromMS(tx.now)
	action := "update"
	if old.Status != u.Status && u.Status == unit.Closed {
		action = "close"
	}
	return tx.Audit(ctx, "unit", u.ID, action, unitSummary(olds[0]), unitSummary(*u))
}

func nonNilContacts(c []unit.Contact) []unit.Contact {
	if c == nil {
		return []unit.Contact{}
	}
	return c
}

func nullFloat(v float64, ok bool) any {
	if !ok {
		return nil
	}
	return v
}
