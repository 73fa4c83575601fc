package importer

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Limits of a regions file. A street's polygons take a few hundred
// kilobytes and tens of thousands of points; decoding takes about four
// times the file in memory, and each ring is checked for self-intersection.
const (
	// MaxGeoJSONBytes caps a regions file.
	MaxGeoJSONBytes = 32 << 20
	// MaxGeoJSONPoints caps the points of all the features of a file
	// (each geometry also within region.MaxPoints).
	MaxGeoJSONPoints = 2_000_000
)

// regionColumns are the feature properties a regions file uses (other
// properties are ignored, as GIS tools add many), plus the geometry.
var regionColumns = []column{
	{"code", []string{"code", "编码", "区域编码"}, true},
	{"name", []string{"name", "名称"}, true},
	{"households", []string{"households", "户数"}, false},
	{"geometry", []string{"geometry"}, true},
}

type regionRow struct {
	row        int
	r          region.Region
	households bool // the file gives households; otherwise an update keeps the stored number
}

// ParseRegions reads a GeoJSON FeatureCollection of regions: each feature
// has properties code (15 digits; a string or a number), name and optionally
// households, and a Polygon or MultiPolygon geometry (null keeps a stored
// region's outline). Each feature is checked as region.Region.Validate and
// region.ParseGeometry would (closed, non-self-intersecting rings), against
// the caller's scope, for codes repeated in the file, and for a parent that
// is stored or a valid feature of the same file. A Problem's Row is the
// feature's 1-based number and its Column the property name. Features for
// stored codes update the region's name, households and geometry.
func ParseRegions(ctx context.Context, db *store.DB, r io.Reader, opts Options) (*Parsed, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxGeoJSONBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxGeoJSONBytes {
		return nil, apperr.New(apperr.TooLarge, "import.file_too_large", MaxGeoJSONBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]json.RawMessage `json:"properties"`
			Geometry   json.RawMessage            `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "err.geojson_syntax")
	}
	if fc.Type != "FeatureCollection" {
		return nil, apperr.New(apperr.Invalid, "import.geojson_collection")
	}
	if len(fc.Features) > opts.maxRows() {
		return nil, apperr.New(apperr.TooLarge, "import.too_many_rows", opts.maxRows())
	}
	if len(fc.Features) == 0 {
		return nil, apperr.New(apperr.Invalid, "import.file_empty")
	}

	p := &Parsed{Report: Report{Kind: Regions, Rows: len(fc.Features), Problems: []Problem{}}}
	rows := make([]regionRow, len(fc.Features))
	probs := make([]fieldProblems, len(fc.Features))
	heads := make([]*header, len(fc.Features))
	seen := map[string]int{}
	points := 0
	for i, ft := range fc.Features {
		row, f := i+1, fieldProblems{}
		h := &header{cols: regionColumns, text: map[string]string{}}
		prop := func(field string) (json.RawMessage, bool) {
			for _, c := range regionColumns {
				if c.field != field {
					continue
				}
				for _, n := range c.names {
					if v, ok := ft.Properties[n]; ok && string(v) != "null" {
						h.text[field] = n
						return v, true
					}
				}
			}
			return nil, false
		}
		rr := regionRow{row: row}
		if v, ok := prop("code"); ok {
			rr.r.Code = jsonText(v)
		}
		h.text["parent"] = h.column("code") // a missing parent is the code's fault
		h.text["level"] = h.column("code")
		if v, ok := prop("name"); ok {
			rr.r.Name = strings.TrimSpace(jsonText(v))
		}
		if v, ok := prop("households"); ok {
			n, ok := jsonInt(v)
			if !ok {
				f.add("households", "import.not_integer")
			}
			rr.r.Households, rr.households = n, true
		}
		if len(ft.Geometry) > 0 && string(ft.Geometry) != "null" {
			g, err := region.ParseGeometry(ft.Geometry)
			if err != nil {
				e := apperr.As(err)
				f.add("geometry", e.Msg.Key, e.Msg.Args...)
			} else if points += region.Points(g); points > opts.maxPoints() {
				return nil, apperr.New(apperr.TooLarge, "import.too_many_points", opts.maxPoints())
			}
			rr.r.Geometry = g
		}
		if rr.r.Code == "" {
			f.add("code", "err.required")
		}
		rr.r.Level, rr.r.Parent = region.LevelOf(rr.r.Code), region.ParentOf(rr.r.Code)
		f.merge(rr.r.Validate(), map[string]string{"level": "code"})
		if _, bad := f["code"]; !bad {
			if first, ok := seen[rr.r.Code]; ok {
				f.add("code", "import.duplicate_row", first)
			} else {
				seen[rr.r.Code] = row
				if !opts.allowed(rr.r.Code) {
					f.add("code", "err.out_of_scope")
				}
			}
		}
		rows[i], probs[i], heads[i] = rr, f, h
	}

	// Parents, top level first: stored, or a valid feature of this file.
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(rows[a].r.Level) - int(rows[b].r.Level) })
	lk := newLookup(db)
	valid := map[string]bool{}
	for _, i := range order {
		rr, f := rows[i], probs[i]
		if len(f) == 0 && rr.r.Parent != "" && !valid[rr.r.Parent] {
			lv, err := lk.level(ctx, rr.r.Parent)
			if err != nil {
				return nil, err
			}
			if lv == 0 {
				f.add("parent", "err.region_unknown")
			}
		}
		if len(f) == 0 {
			valid[rr.r.Code] = true
			p.regions = append(p.regions, rr)
		}
	}
	p.Report.Valid = len(p.regions)
	for i, f := range probs {
		f.report(&p.Report, heads[i], i+1)
	}
	return p, nil
}

// jsonText reads a JSON string, or a number as written (codes typed as numbers).
func jsonText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return digits(n.String())
	}
	return strings.TrimSpace(string(v))
}

// jsonInt reads a whole number given as a JSON number or a numeric string.
func jsonInt(v json.RawMessage) (int, bool) {
	var f float64
	if err := json.Unmarshal(v, &f); err != nil {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return 0, false
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &f); err != nil {
			return 0, false
		}
	}
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// regionSummary matches the store's audit summary of a region.
func regionSummary(name string, level region.Level, households int, leaderID int64, hasGeometry bool) map[string]any {
	return map[string]any{"name": name, "level": level, "households": households, "leader_id": leaderID, "has_geometry": hasGeometry}
}

func applyRegions(ctx context.Context, db *store.DB, actor store.Actor, p *Parsed, res *Result) error {
	// p.regions is in level order, so parents are written before children.
	return db.Write(ctx, actor, func(tx *store.Tx) error {
		for _, rr := range p.regions {
			if err := saveRegion(ctx, tx, rr, res); err != nil {
				return rowErr(rr.row, err)
			}
		}
		return nil
	})
}

// saveRegion inserts a region or updates a stored one's name, households and
// geometry, as store.DB.SaveRegion does but inside the import's transaction;
// a stored region left as it was is not touched (nor audited).
func saveRegion(ctx context.Context, tx *store.Tx, rr regionRow, res *Result) error {
	r := rr.r
	var geom sql.NullString
	if r.Geometry != nil {
		b, err := json.Marshal(r.Geometry)
		if err != nil {
			return err
		}
		geom = sql.NullString{String: string(b), Valid: true}
	}
	var old struct {
		name       string
		level      region.Level
		households int
		leader     int64
		geom       sql.NullString
	}
	err := tx.QueryRowContext(ctx, `SELECT name, level, households, COALESCE(leader_id, 0), geometry FROM regions WHERE code = $1`, r.Code).
		Scan(&old.name, &old.level, &old.households, &old.leader, &old.geom)
	if errors.Is(err, sql.ErrNoRows) {
		if err := tx.InsertRegion(ctx, r); err != nil {
			return err
		}
		res.Created++
		return nil
	}
	if err != nil {
		return err
	}
	if !rr.households {
		r.Households = old.households
	}
	if !geom.Valid {
		geom = old.geom
	}
	if r.Name == old.name && r.Households == old.households && geom == old.geom {
		res.Unchanged++
		return nil
	}
	tx.Invalidate(store.TopicRegions) // every server rebuilds its point-to-grid index
	_, err = tx.ExecContext(ctx, `UPDATE regions SET name = $2, households = $3, geometry = $4, updated_at = $5 WHERE code = $1`,
		r.Code, r.Name, r.Households, geom, tx.Now())
	if err != nil {
		return err
	}
	res.Updated++
	return tx.Audit(ctx, "region", r.Code, "update",
		regionSummary(old.name, old.level, old.households, old.leader, old.geom.Valid),
		regionSummary(r.Name, old.level, r.Households, old.leader, geom.Valid))
}
