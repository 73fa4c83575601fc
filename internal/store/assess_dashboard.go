package store

import (
	"context"
	"strings"
)

// The leaders' dashboard: a few aggregates over the open cases and the
// last days, each one query on an index.

// openCase is the condition of a case still being worked on.
const openCase = "c.status IN ('reported', 'filed', 'assigned', 'handled')"

// timerSQL is the colour of an open case's timer at now ($1): green below
// 80 % of its time limit, yellow to 100 %, red past it, none without a deadline.
const timerSQL = `CASE WHEN c.deadline = 0 THEN 'none' WHEN $1 > c.deadline THEN 'red'
	WHEN ($1 - c.deadline_from) * 5 >= (c.deadline - c.deadline_from) * 4 THEN 'yellow' ELSE 'green' END`

// LevelTimer is a count of open cases held at a level with a timer colour.
type LevelTimer struct {
	Level int
	Timer string
	N     int
}

// OpenByLevelTimer counts the open cases under q's roots by level and timer colour at now.
func (db *DB) OpenByLevelTimer(ctx context.Context, q AssessQuery, now int64) ([]LevelTimer, error) {
	b := binder{args: []any{now}}
	rows, err := db.r.QueryContext(ctx, "SELECT c.level, "+timerSQL+" AS t, COUNT(*) FROM cases c WHERE "+openCase+" AND "+b.caseArea(q)+" GROUP BY c.level, t", b.args...)
	if err != nil {
		return nil, err
	}
	var out []LevelTimer
	return out, eachRow(rows, func(sc rowScanner) error {
		var l LevelTimer
		if err := sc.Scan(&l.Level, &l.Timer, &l.N); err != nil {
			return err
		}
		out = append(out, l)
		return nil
	})
}

// DayCount is a count on a local date.
type DayCount struct {
	Day string
	N   int
}

// ReportedPerDay counts the cases reported under q's roots per local date from q.From to q.To.
func (db *DB) ReportedPerDay(ctx context.Context, q AssessQuery) ([]DayCount, error) {
	var b binder
	rows, err := db.r.QueryContext(ctx, "SELECT c.day, COUNT(*) FROM cases c WHERE c.day BETWEEN "+b.add(q.From)+" AND "+b.add(q.To)+" AND "+b.caseArea(q)+" GROUP BY c.day", b.args...)
	if err != nil {
		return nil, err
	}
	var out []DayCount
	return out, eachRow(rows, func(sc rowScanner) error {
		var d DayCount
		if err := sc.Scan(&d.Day, &d.N); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
}

// ClosedPerDay counts the cases under q's roots closed from q.Start to
// q.End by day number: (closed_at + offset) / 86,400,000, offset being the
// zone's offset in ms (the street's zone has no summer time).
func (db *DB) ClosedPerDay(ctx context.Context, q AssessQuery, offset int64) (map[int64]int, error) {
	var b binder
	off := b.add(offset)
	// "|| ''" keeps the planner off the status and street indexes: the
	// days' range of closed_at is the narrow one.
	area := strings.NewReplacer("c.street =", "c.street || '' =", "c.community =", "c.community || '' =", "c.region =", "c.region || '' =").Replace(b.caseArea(q))
	rows, err := db.r.QueryContext(ctx, "SELECT (c.closed_at + "+off+") / 86400000 AS d, COUNT(*) FROM cases c WHERE c.status || '' = 'closed' AND c.closed_at >= "+b.add(q.Start)+
		" AND c.closed_at < "+b.add(q.End)+" AND "+area+" GROUP BY d", b.args...)
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	return out, eachRow(rows, func(sc rowScanner) error {
		var d int64
		var n int
		if err := sc.Scan(&d, &n); err != nil {
			return err
		}
		out[d] = n
		return nil
	})
}

// OverdueByCommunity counts the open cases past their deadline at now under q's roots by community.
func (db *DB) OverdueByCommunity(ctx context.Context, q AssessQuery, now int64) (map[string]int, error) {
	b := binder{args: []any{now}}
	rows, err := db.r.QueryContext(ctx, "SELECT c.community, COUNT(*) FROM cases c WHERE "+openCase+" AND c.deadline > 0 AND c.deadline < $1 AND "+b.caseArea(q)+" GROUP BY c.community", b.args...)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	return out, eachRow(rows, func(sc rowScanner) error {
		var c string
		var n int
		if err := sc.Scan(&c, &n); err != nil {
			return err
		}
		out[c] = n
		return nil
	})
}
