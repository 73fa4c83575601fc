package store

import (
	"context"
	"strings"
	"sync"

	"github.com/lantian-org/lantian/internal/patrol"
)

// Track points arrive in batches of up to patrol.MaxBatch. A batch is one
// transaction of multi-row inserts (a point already stored for the same
// patrol and time is skipped by the unique index); the service audits it once.

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

// InsertTrack stores a batch of checked track points of patrol p, skipping
// points already stored (same time), and counts the new ones on the
// patrol. It returns how many were new and whether the patrol has ended
// (then its measures are out of date: measure it again and SaveAssessment).
func (tx *Tx) InsertTrack(ctx context.Context, p patrol.Patrol, pts []patrol.Point) (stored int, ended bool, err error) {
	n, err := tx.insertPoints(ctx, p.ID, pts)
	if err != nil || n == 0 {
		return n, false, err
	}
	var state string
	if err := tx.QueryRowContext(ctx, `UPDATE patrols SET points = points + $2, updated_at = $3 WHERE id = $1 RETURNING state`,
		p.ID, n, tx.now).Scan(&state); err != nil {
		return n, false, mapErr(err)
	}
	return n, state == string(patrol.StateEnded), nil
}

// Track returns a patrol's points in time order.
func (db *DB) Track(ctx context.Context, patrolID int64) ([]patrol.Point, error) {
	return trackOf(ctx, db.r, patrolID)
}

// Track returns a patrol's points in time order, inside the transaction.
func (tx *Tx) Track(ctx context.Context, patrolID int64) ([]patrol.Point, error) {
	return trackOf(ctx, tx, patrolID)
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
