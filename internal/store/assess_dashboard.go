package store

import (
	"context"
)

// The leaders' dashboard: a few aggregates over the open cases and the
// last days, each one query on an index.

// openCase is the condition of a case still being worked on.
const openCase = "c.status IN ('reported', 'filed', 'assigned', 'handled')"

// OpenCount counts the open cases of one community at one level by the
// colour of their timer at a moment: red past the deadline, yellow from 80 %
// of the time limit, green before, none without a deadline.
type OpenCount struct {
	Community                string
	Level                    int
	Green, Yellow, Red, None int
}

// LevelTimer is a count of open cases held at a level with a timer colour.
type LevelTimer struct {
	Level int
	Timer string
	N     int
}

// OpenByCommunity counts the open cases under q's roots by community, level
// and timer colour at now, in one pass over the partial index cases_open:
// its order (street, community, level) is the grouping's, so the database
// adds up as it reads, with no sort and no row fetched from the table. The
// colours are integer comparisons summed per group, not a computed string
// to group by. Yellow is (now - from) * 5 >= (deadline - from) * 4, that is
// deadline*4 + from <= now*5.
func (db *DB) OpenByCommunity(ctx context.Context, q AssessQuery, now int64) ([]OpenCount, error) {
	b := binder{args: []any{now, now * 5}}
	rows, err := db.r.QueryContext(ctx, `SELECT c.community, c.level,
	SUM(CASE WHEN c.deadline = 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN c.deadline > 0 AND c.deadline < $1 THEN 1 ELSE 0 END),
	SUM(CASE WHEN c.deadline >= $1 AND c.deadline * 4 + c.deadline_from <= $2 THEN 1 ELSE 0 END),
	COUNT(*) FROM cases c WHERE `+openCase+" AND "+b.caseArea(q)+" GROUP BY c.community, c.level", b.args...)
	if err != nil {
		return nil, err
	}
	var out []OpenCount
	return out, eachRow(rows, func(sc rowScanner) error {
		var o OpenCount
		var all int
		if err := sc.Scan(&o.Community, &o.Level, &o.None, &o.Red, &o.Yellow, &all); err != nil {
			return err
		}
		o.Green = all - o.None - o.Red - o.Yellow
		out = append(out, o)
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
	// The partial index cases_closed (street, closed_at, …) WHERE status =
	// 'closed' answers this alone; the condition on status must be written
	// as the index's for the database to use it.
	rows, err := db.r.QueryContext(ctx, "SELECT (c.closed_at + "+off+") / 86400000 AS d, COUNT(*) FROM cases c WHERE c.status = 'closed' AND c.closed_at >= "+b.add(q.Start)+
		" AND c.closed_at < "+b.add(q.End)+" AND "+b.caseArea(q)+" GROUP BY d", b.args...)
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
