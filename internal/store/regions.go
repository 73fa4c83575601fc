package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

// prefixRange turns a region scope into an index-friendly code range.
func prefixRange(code string) (lo, hi string) {
	p := region.Prefix(code)
	return p + strings.Repeat("0", 15-len(p)), p + strings.Repeat("9", 15-len(p))
}

// scopeClause builds "(col BETWEEN .. OR ..)" for the given scope roots,
// appending its arguments; no roots means nothing matches.
func scopeClause(col string, roots []string, args *[]any) string {
	if len(roots) == 0 {
		return "1=0"
	}
	var parts []string
	for _, r := range roots {
		lo, hi := prefixRange(r)
		*args = append(*args, lo, hi)
		parts = append(parts, col+" BETWEEN "+ph(len(*args)-1)+" AND "+ph(len(*args)))
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

const regionCols = `code, name, level, COALESCE(parent, ''), households, COALESCE(leader_id, 0), geometry, updated_at`

func scanRegion(sc interface{ Scan(...any) error }, withGeom bool) (region.Region, error) {
	var r region.Region
	var geom sql.NullString
	var updated int64
	if err := sc.Scan(&r.Code, &r.Name, &r.Level, &r.Parent, &r.Households, &r.LeaderID, &geom, &updated); err != nil {
		return r, err
	}
	r.UpdatedAt = fromMS(updated)
	if withGeom && geom.Valid && geom.String != "" {
		g, err := region.ParseGeometry([]byte(geom.String))
		if err != nil {
			return r, err
		}
		r.Geometry = g
	}
	return r, nil
}

// geometryText is a region's outline as stored: GeoJSON text, or NULL.
func geometryText(r region.Region) (any, error) {
	if r.Geometry == nil {
		return nil, nil
	}
	b, err := json.Marshal(r.Geometry)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// SaveRegion inserts or updates a region (by code), audited.
func (db *DB) SaveRegion(ctx context.Context, actor Actor, r region.Region) error {
	if err := r.Validate(); err != nil {
		return err
	}
	geom, err := geometryText(r)
	if err != nil {
		return err
	}
	return db.Write(ctx, actor, func(tx *Tx) error {
		if r.Parent != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, r.Parent).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.Field("parent", "err.region_unknown")
			}
		}
		old, err := scanRegion(tx.QueryRowContext(ctx, `SELECT `+regionCols+` FROM regions WHERE code = $1`, r.Code), false)
		switch {
		case isNoRows(err):
			return tx.InsertRegion(ctx, r)
		case err != nil:
			return err
		}
		tx.Invalidate(TopicRegions)
		_, err = tx.ExecContext(ctx, `UPDATE regions SET name = $2, households = $3, leader_id = $4, geometry = COALESCE($5, geometry), updated_at = $6 WHERE code = $1`,
			r.Code, r.Name, r.Households, nullID(r.LeaderID), geom, tx.now)
		if err != nil {
			return mapErr(err)
		}
		return tx.Audit(ctx, "region", r.Code, "update", regionSummary(old), regionSummary(r))
	})
}

func regionSummary(r region.Region) map[string]any {
	return map[string]any{"name": r.Name, "level": r.Level, "households": r.Households, "leader_id": r.LeaderID, "has_geometry": r.Geometry != nil}
}

// Region returns one region with its geometry.
func (db *DB) Region(ctx context.Context, code string) (region.Region, error) {
	r, err := scanRegion(db.r.QueryRowContext(ctx, `SELECT `+regionCols+` FROM regions WHERE code = $1`, code), true)
	return r, mapErr(err)
}

// Regions lists the regions inside the given scope roots, ordered by code;
// geometries are loaded when withGeom is set.
func (db *DB) Regions(ctx context.Context, roots []string, withGeom bool) ([]region.Region, error) {
	var args []any
	q := `SELECT ` + regionCols + ` FROM regions WHERE ` + scopeClause("code", roots, &args) + ` ORDER BY code`
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (region.Region, error) { return scanRegion(sc, withGeom) })
}

// AllRegions lists every region with its geometry, for the point index.
func (db *DB) AllRegions(ctx context.Context) ([]region.Region, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+regionCols+` FROM regions ORDER BY code`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (region.Region, error) { return scanRegion(sc, true) })
}

// RegionExists reports whether code is a stored region.
func (db *DB) RegionExists(ctx context.Context, code string) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, code).Scan(&n)
	return n > 0, err
}

// CountRegions returns how many regions are stored; 0 means an empty database.
func (db *DB) CountRegions(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions`).Scan(&n)
	return n, err
}

// InsertRegion stores a new region inside a larger transaction (imports, demo), audited.
func (tx *Tx) InsertRegion(ctx context.Context, r region.Region) error {
	geom, err := geometryText(r)
	if err != nil {
		return err
	}
	tx.Invalidate(TopicRegions)
	if _, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent, households, leader_id, geometry, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.Code, r.Name, r.Level, nullStr(r.Parent), r.Households, nullID(r.LeaderID), geom, tx.now); err != nil {
		return mapErr(err)
	}
	return tx.Audit(ctx, "region", r.Code, "create", nil, regionSummary(r))
}

// RegionNames maps every region code to its name.
func (db *DB) RegionNames(ctx context.Context) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT code, name FROM regions`)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	return m, eachRow(rows, func(sc rowScanner) error {
		var c, n string
		err := sc.Scan(&c, &n)
		m[c] = n
		return err
	})
}
