package store

import (
	"context"
	"strings"
	"sync"

	"github.com/lantian-org/lantian/internal/patrol"
)

// Track points arrive in batches of up to patrol.MaxBatch. A batch is one
// transaction of multi-row inserts (a point already stored for the same
// patrol and time is skipped by the unique index) with one audit row.

// pointChunks are the row counts of the multi-row insert statements a batch is
// cut into: few statement shapes, each prepared once on SQLite's writer. The
// SQLite driver looks up each $n by a linear search, so statements of
// hundreds of parameters cost more per row than these; on PostgreSQL, where
// each statement is a round trip, larger ones pay.
var pointChunks = map[Dialect][]int{SQLite: {64, 16, 4, 1}, Postgres: {256, 64, 16, 4, 1}}

var pointSQL sync.Map // rows → statement text

// chunkOf returns the largest of chunks (in decreasing order, ending in 1) not above n.
func chunkOf(n int, chunks []int) int {
	for _, c := range chunks {
		if n >= c {
			return c
		}
	}
	return 1
}

func pointInsert(rows int) string {
	if q, ok := pointSQL.Load(rows); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO patrol_points (patrol_id, t, lat, lon, acc) VALUES `)
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		n := 2 + i*4
		b.WriteString("($1, " + ph(n) + ", " + ph(n+1) + ", " + ph(n+2) + ", " + ph(n+3) + ")")
	}
	b.WriteString(` ON CONFLICT (patrol_id, t) DO NOTHING`)
	q := b.String()
	pointSQL.Store(rows, q)
	return q
}

// insertPoints stores points of one patrol, skipping those already stored,
// and returns how many were new.
func (tx *Tx) insertPoints(ctx context.Context, patrolID int64, pts []patrol.Point) (int, error) {
	stored := 0
	chunks := pointChunks[tx.db.Dialect]
	args := make([]any, 0, 1+4*chunks[0])
	for len(pts) > 0 {
		size := chunkOf(len(pts), chunks)
		args = append(args[:0], patrolID)
		for _, p := range pts[:size] {
			args = append(args, ms(p.T), p.Lat, p.Lon, p.Acc)
		}
		res, err := tx.ExecContext(ctx, pointInsert(size), args...)
		if err != nil {
			return stored, err
		}
		n, _ := res.RowsAffected()
		stored += int(n)
		pts = pts[size:]
	}
	return stored, nil
}

// AddTrack stores a batch of checked track points of patrol p, skipping
// points already stored (same time), and audits the batch once. It returns
// how many points were new and whether the patrol has ended (then its
// measures are out of date: see Reassess).
func (db *DB) AddTrack(ctx context.Context, actor Actor, p patrol.Patrol, pts []patrol.Point) (stored int, ended bool, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error {
		n, err := tx.insertPoints(ctx, p.ID, pts)
		if err != nil {
			return err
		}
		stored = n
		if n == 0 {
			return nil
		}
		var state string
		if err := tx.QueryRowContext(ctx, `UPDATE patrols SET points = points + $2, updated_at = $3 WHERE id = $1 RETURNING state`,
			p.ID, n, tx.now).Scan(&state); err != nil {
			return mapErr(err)
		}
		ended = state == string(patrol.StateEnded)
		first, last := pts[0].T, pts[0].T
		for _, pt := range pts {
			if pt.T.Before(first) {
				first = pt.T
			}
			if pt.T.After(last) {
				last = pt.T
			}
		}
		return tx.Audit(ctx, "patrol", p.UID, "track", nil, map[string]any{"points": len(pts), "stored": n, "from": ms(first), "to": ms(last)})
	})
	return stored, ended && stored > 0, err
}

// Reassess measures an ended patrol again from its whole track (points
// arrived after it ended), audited.
func (db *DB) Reassess(ctx context.Context, actor Actor, id int64, assess Assess) (patrol.Patrol, error) {
	var out patrol.Patrol
	err := db.Write(ctx, actor, func(tx *Tx) error {
		p, err := scanPatrol(tx.QueryRowContext(ctx, `SELECT `+patrolCols+patrolFrom+` WHERE p.id = $1`, id))
		if err != nil {
			return mapErr(err)
		}
		pts, err := trackOf(ctx, tx, id)
		if err != nil {
			return err
		}
		before := patrolSummary(p)
		p.Assessment = assess(p, pts)
		if err := tx.saveAssessment(ctx, p, ""); err != nil {
			return err
		}
		if err := tx.RefreshPatrolDays(ctx, p.Grid, p.Grid, p.Day, p.Day); err != nil {
			return err
		}
		p.UpdatedAt, out = fromMS(tx.now), p
		return tx.Audit(ctx, "patrol", p.UID, "reassess", before, patrolSummary(p))
	})
	return out, err
}

// Track returns a patrol's points in time order.
func (db *DB) Track(ctx context.Context, patrolID int64) ([]patrol.Point, error) {
	return trackOf(ctx, db.r, patrolID)
}

func trackOf(ctx context.Context, q querier, patrolID int64) ([]patrol.Point, error) {
	rows, err := q.QueryContext(ctx, `SELECT t, lat, lon, acc FROM patrol_points WHERE patrol_id = $1 ORDER BY t`, patrolID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (patrol.Point, error) {
		var p patrol.Point
		var t int64
		err := sc.Scan(&t, &p.Lat, &p.Lon, &p.Acc)
		p.T = fromMS(t)
		return p, err
	})
}
