package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/lantian-org/lantian/internal/campaign"
)

const materialCols = `id, region, name, kind, unit, stock, low, created_at, updated_at`

func scanMaterial(sc interface{ Scan(...any) error }) (campaign.Material, error) {
	var m campaign.Material
	var created, updated int64
	err := sc.Scan(&m.ID, &m.Region, &m.Name, &m.Kind, &m.Unit, &m.Stock, &m.Low, &created, &updated)
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return m, err
}

// storeScope matches a store's region column for a viewer: a store of a
// region inside the viewer's roots, or of one of their ancestors (a community
// leader sees the street's store, which serves the community too).
func storeScope(col string, s AreaScope, add func(any) string) string {
	if s.All {
		return "1=1"
	}
	var parts []string
	for _, r := range s.Roots {
		parts = append(parts, overlapClause(col, r, add))
	}
	if len(parts) == 0 {
		return "1=0"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// Materials lists the materials of the stores in scope, by store and name, with the total.
func (db *DB) Materials(ctx context.Context, s AreaScope, pg Page) ([]campaign.Material, int, error) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	w := storeScope("region", s, add)
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM materials WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := pg.Clamp()
	rows, err := db.query(ctx, `SELECT `+materialCols+` FROM materials WHERE `+w+` ORDER BY region, name, id LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanMaterial)
	return list, total, err
}

// Material loads one material.
func (db *DB) Material(ctx context.Context, id int64) (campaign.Material, error) {
	m, err := scanMaterial(db.queryRow(ctx, `SELECT `+materialCols+` FROM materials WHERE id = $1`, id))
	return m, mapErr(err)
}

// Material loads one material inside the transaction.
func (tx *Tx) Material(ctx context.Context, id int64) (campaign.Material, error) {
	m, err := scanMaterial(tx.QueryRowContext(ctx, `SELECT `+materialCols+` FROM materials WHERE id = $1`, id))
	return m, mapErr(err)
}

// CreateMaterial stores a new material with no stock (an opening balance is
// a first move), audited.
func (tx *Tx) CreateMaterial(ctx context.Context, m *campaign.Material) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO materials (region, name, kind, unit, stock, low, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 0, $5, $6, $6) RETURNING id`, m.Region, strings.TrimSpace(m.Name), m.Kind, strings.TrimSpace(m.Unit), m.Low, tx.now).Scan(&m.ID)
	if err != nil {
		return err
	}
	m.Stock, m.CreatedAt, m.UpdatedAt = 0, fromMS(tx.now), fromMS(tx.now)
	return tx.Audit(ctx, "material", m.ID, "create", nil, map[string]any{"name": m.Name, "kind": m.Kind, "unit": m.Unit, "low": m.Low, "region": m.Region})
}

// UpdateMaterial changes a material's name, kind, unit of count and threshold, audited.
func (tx *Tx) UpdateMaterial(ctx context.Context, before, m campaign.Material) error {
	if _, err := tx.ExecContext(ctx, `UPDATE materials SET name = $1, kind = $2, unit = $3, low = $4, updated_at = $5 WHERE id = $6`,
		strings.TrimSpace(m.Name), m.Kind, strings.TrimSpace(m.Unit), m.Low, tx.now, m.ID); err != nil {
		return err
	}
	sum := func(m campaign.Material) map[string]any {
		return map[string]any{"name": m.Name, "kind": m.Kind, "unit": m.Unit, "low": m.Low}
	}
	return tx.Audit(ctx, "material", m.ID, "update", sum(before), sum(m))
}

// MoveStock changes a material's balance by mv.Delta in one conditional
// UPDATE, so that concurrent moves can never take it below zero, and writes
// the move to the ledger, audited. When the balance is short it writes
// nothing and returns ok false with the balance left.
func (tx *Tx) MoveStock(ctx context.Context, mv *campaign.Move) (before, after int, ok bool, err error) {
	err = tx.QueryRowContext(ctx, `UPDATE materials SET stock = stock + $1, updated_at = $2 WHERE id = $3 AND stock + $1 >= 0 RETURNING stock`,
		mv.Delta, tx.now, mv.MaterialID).Scan(&after)
	if isNoRows(err) {
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT stock FROM materials WHERE id = $1`, mv.MaterialID).Scan(&left); err != nil {
			return 0, 0, false, mapErr(err)
		}
		return left, left, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	before = after - mv.Delta
	mv.StockAfter, mv.At, mv.ByID, mv.ByName = after, fromMS(tx.now), tx.actor.ID, tx.actor.Name
	err = tx.QueryRowContext(ctx, `INSERT INTO material_moves (material_id, at, delta, stock_after, kind, reason, region, publicity_id, by_id, by_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		mv.MaterialID, tx.now, mv.Delta, after, mv.Kind, strings.TrimSpace(mv.Reason), nullStr(mv.Region), nullID(mv.PublicityID),
		nullID(tx.actor.ID), tx.actor.Name).Scan(&mv.ID)
	if err != nil {
		return 0, 0, false, err
	}
	return before, after, true, tx.Audit(ctx, "material", mv.MaterialID, "stock_move", map[string]any{"stock": before},
		map[string]any{"stock": after, "delta": mv.Delta, "kind": mv.Kind, "reason": mv.Reason})
}

// Moves lists a material's ledger, newest first, with the total.
func (db *DB) Moves(ctx context.Context, materialID int64, pg Page) ([]campaign.Move, int, error) {
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM material_moves WHERE material_id = $1`, materialID).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := pg.Clamp()
	rows, err := db.query(ctx, `SELECT id, material_id, at, delta, stock_after, kind, reason, COALESCE(region, ''), COALESCE(publicity_id, 0),
		COALESCE(by_id, 0), by_name FROM material_moves WHERE material_id = $1 ORDER BY id DESC LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), materialID)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (campaign.Move, error) {
		var m campaign.Move
		var at int64
		err := sc.Scan(&m.ID, &m.MaterialID, &at, &m.Delta, &m.StockAfter, &m.Kind, &m.Reason, &m.Region, &m.PublicityID, &m.ByID, &m.ByName)
		m.At = fromMS(at)
		return m, err
	})
	return list, total, err
}

// PublicityFilter selects publicity events: in scope (the venue's grid
// under a root), in Region's subtree, with a day from From to To.
type PublicityFilter struct {
	Scope    AreaScope
	Region   string
	From, To string
	Page     Page
}

func (f PublicityFilter) where() (string, []any) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	var w []string
	if !f.Scope.All {
		var scope []string
		for _, r := range f.Scope.Roots {
			lo, hi := prefixRange(r)
			scope = append(scope, "p.region BETWEEN "+add(lo)+" AND "+add(hi))
		}
		for _, id := range f.Scope.UnitIDs {
			scope = append(scope, "p.unit_id = "+add(id))
		}
		if len(scope) == 0 {
			scope = []string{"1=0"}
		}
		w = append(w, "("+strings.Join(scope, " OR ")+")")
	}
	if f.Region != "" {
		lo, hi := prefixRange(f.Region)
		w = append(w, "p.region BETWEEN "+add(lo)+" AND "+add(hi))
	}
	if f.From != "" {
		w = append(w, "p.day >= "+add(f.From))
	}
	if f.To != "" {
		w = append(w, "p.day <= "+add(f.To))
	}
	if len(w) == 0 {
		return "1=1", args
	}
	return strings.Join(w, " AND "), args
}

const publicityCols = `p.id, p.day, p.region, COALESCE(p.unit_id, 0), p.venue, p.lat, p.lon, p.kind, p.reach, p.people, p.note, COALESCE(p.created_by, 0), p.created_at`

func scanPublicity(sc interface{ Scan(...any) error }) (campaign.Publicity, error) {
	var p campaign.Publicity
	var lat, lon sql.NullFloat64
	var created int64
	err := sc.Scan(&p.ID, &p.Date, &p.Region, &p.UnitID, &p.Venue, &lat, &lon, &p.Kind, &p.Reach, &p.People, &p.Note, &p.CreatedBy, &created)
	if lat.Valid && lon.Valid {
		p.Lat, p.Lon = &lat.Float64, &lon.Float64
	}
	p.CreatedAt = fromMS(created)
	return p, err
}

// InsertPublicity stores an event (its materials are moves the caller
// makes in the same transaction), audited.
func (tx *Tx) InsertPublicity(ctx context.Context, p *campaign.Publicity) error {
	var lat, lon any
	if p.Lat != nil && p.Lon != nil {
		lat, lon = *p.Lat, *p.Lon
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO publicity (day, region, unit_id, venue, lat, lon, kind, reach, people, note, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
		p.Date, p.Region, nullID(p.UnitID), strings.TrimSpace(p.Venue), lat, lon, p.Kind, p.Reach, strings.TrimSpace(p.People), strings.TrimSpace(p.Note),
		nullID(tx.actor.ID), tx.now).Scan(&p.ID)
	if err != nil {
		return err
	}
	p.CreatedBy, p.CreatedAt = tx.actor.ID, fromMS(tx.now)
	return tx.Audit(ctx, "publicity", p.ID, "create", nil, map[string]any{"date": p.Date, "venue": p.Venue, "kind": p.Kind, "reach": p.Reach, "materials": len(p.Materials)})
}

// Publicities lists events matching f, latest first, with their materials, and the total.
func (db *DB) Publicities(ctx context.Context, f PublicityFilter) ([]campaign.Publicity, int, error) {
	w, args := f.where()
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM publicity p WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	pg := f.Page.Clamp()
	rows, err := db.query(ctx, `SELECT `+publicityCols+` FROM publicity p WHERE `+w+` ORDER BY p.day DESC, p.id DESC LIMIT `+itoa(pg.Size)+` OFFSET `+itoa(pg.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanPublicity)
	if err != nil {
		return nil, 0, err
	}
	return list, total, db.publicityUses(ctx, list)
}

// PublicitiesBetween lists up to limit events matching f in day order (for the calendar).
func (db *DB) PublicitiesBetween(ctx context.Context, f PublicityFilter, limit int) ([]campaign.Publicity, error) {
	w, args := f.where()
	rows, err := db.query(ctx, `SELECT `+publicityCols+` FROM publicity p WHERE `+w+` ORDER BY p.day, p.id LIMIT `+itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanPublicity)
}

// publicityUses fills the materials used at the listed events.
func (db *DB) publicityUses(ctx context.Context, list []campaign.Publicity) error {
	if len(list) == 0 {
		return nil
	}
	idx := map[int64]int{}
	var phs []string
	var args []any
	for i, p := range list {
		idx[p.ID] = i
		args = append(args, p.ID)
		phs = append(phs, ph(len(args)))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT mv.publicity_id, mv.material_id, -mv.delta, m.name, m.unit FROM material_moves mv JOIN materials m ON m.id = mv.material_id
		WHERE mv.publicity_id IN (`+strings.Join(phs, ",")+`) ORDER BY mv.id`, args...)
	if err != nil {
		return err
	}
	type use struct {
		event int64
		campaign.Use
	}
	uses, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (use, error) {
		var u use
		return u, sc.Scan(&u.event, &u.MaterialID, &u.Quantity, &u.Name, &u.Unit)
	})
	for _, u := range uses {
		list[idx[u.event]].Materials = append(list[idx[u.event]].Materials, u.Use)
	}
	return err
}

// Publicity loads one event with its materials and photos.
func (db *DB) Publicity(ctx context.Context, id int64) (campaign.Publicity, error) {
	p, err := scanPublicity(db.queryRow(ctx, `SELECT `+publicityCols+` FROM publicity p WHERE p.id = $1`, id))
	if err != nil {
		return p, mapErr(err)
	}
	list := []campaign.Publicity{p}
	if err := db.publicityUses(ctx, list); err != nil {
		return p, err
	}
	p = list[0]
	rows, err := db.query(ctx, `SELECT photo_id FROM publicity_photos WHERE publicity_id = $1 ORDER BY at, photo_id`, id)
	if err != nil {
		return p, err
	}
	p.Photos, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (string, error) {
		var s string
		return s, sc.Scan(&s)
	})
	return p, err
}

// PublicityTotals sums the events matching f: how many, the people reached,
// and the quantity of each material used (by material id).
type PublicityTotals struct {
	Events    int
	Reach     int
	Materials []campaign.Use
}

// PublicityTotals sums the events matching f (paging ignored).
func (db *DB) PublicityTotals(ctx context.Context, f PublicityFilter) (PublicityTotals, error) {
	w, args := f.where()
	var t PublicityTotals
	if err := db.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(p.reach), 0) FROM publicity p WHERE `+w, args...).Scan(&t.Events, &t.Reach); err != nil {
		return t, err
	}
	rows, err := db.query(ctx, `SELECT m.id, m.name, m.unit, COALESCE(SUM(-mv.delta), 0) FROM material_moves mv JOIN publicity p ON p.id = mv.publicity_id
		JOIN materials m ON m.id = mv.material_id WHERE `+w+` GROUP BY m.id, m.name, m.unit ORDER BY m.name, m.id`, args...)
	if err != nil {
		return t, err
	}
	t.Materials, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (campaign.Use, error) {
		var u campaign.Use
		return u, sc.Scan(&u.MaterialID, &u.Name, &u.Unit, &u.Quantity)
	})
	return t, err
}

// AttachPublicityPhoto records a processed photo and attaches it to an event.
func (tx *Tx) AttachPublicityPhoto(ctx context.Context, publicityID int64, p PhotoRecord) error {
	if err := tx.savePhoto(ctx, p); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO publicity_photos (publicity_id, photo_id, at, by_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		publicityID, p.ID, tx.now, nullID(tx.actor.ID))
	if err != nil {
		return err
	}
	return tx.Audit(ctx, "publicity", publicityID, "photo", nil, map[string]any{"photo": p.ID})
}

// CountPublicityPhotos counts an event's photos.
func (tx *Tx) CountPublicityPhotos(ctx context.Context, publicityID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM publicity_photos WHERE publicity_id = $1`, publicityID).Scan(&n)
	return n, err
}

// PhotoPublicities lists the events a photo is attached to.
func (db *DB) PhotoPublicities(ctx context.Context, photoID string) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT publicity_id FROM publicity_photos WHERE photo_id = $1`, photoID)
}
