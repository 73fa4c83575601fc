package store

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/patrol"
)

// ComplianceQuery asks for the compliance of grids over local dates. Items
// are grid by date (grids in the given order, dates ascending); the page
// counts items.
type ComplianceQuery struct {
	Grids    []string // in code order
	From, To string   // local dates, inclusive
	Today    string   // the current local date: later days are pending
	Offset   int
	Limit    int
}

// windowMask turns a 1-based window number into its bit (windows 1..6).
const windowMask = `CASE p.win WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN 4 WHEN 4 THEN 8 WHEN 5 THEN 16 WHEN 6 THEN 32 ELSE 0 END`

// refreshDaysSQL sums the ended patrols of grids $1..$2 on days $3..$4 into
// patrol_days, with the distinct key sites their visits covered. (The sites
// are a subquery per grid and day on the visits' index: a join of the two
// grouped sets ran for minutes on PostgreSQL before its statistics existed.)
const refreshDaysSQL = `INSERT INTO patrol_days (grid, day, done, windows, doubtful, flags, duration_s, length_m, sites)
	SELECT p.grid, p.day, COUNT(*), SUM(DISTINCT ` + windowMask + `), SUM(CASE WHEN p.flags <> 0 THEN 1 ELSE 0 END),
		MAX(p.flags & 1) + MAX(p.flags & 2) + MAX(p.flags & 4) + MAX(p.flags & 8), SUM(p.duration_s), SUM(p.length_m),
		(SELECT COUNT(DISTINCT v.site) FROM patrol_visits v JOIN patrols q ON q.id = v.patrol_id
			WHERE v.grid = p.grid AND v.day = p.day AND q.state = 'ended')
	FROM patrols p WHERE p.grid BETWEEN $1 AND $2 AND p.day BETWEEN $3 AND $4 AND p.state = 'ended' GROUP BY p.grid, p.day
	ON CONFLICT (grid, day) DO UPDATE SET done = excluded.done, windows = excluded.windows, doubtful = excluded.doubtful,
		flags = excluded.flags, duration_s = excluded.duration_s, length_m = excluded.length_m, sites = excluded.sites`

// RefreshPatrolDays sums again the days from..to of the grids lo..hi (codes
// and dates inclusive) for compliance. Ending a patrol, measuring it again
// and adding a visit do it for their own day; bulk inserts
// (InsertPatrolHistory) call it once for the range they filled.
func (tx *Tx) RefreshPatrolDays(ctx context.Context, lo, hi, from, to string) error {
	_, err := tx.ExecContext(ctx, refreshDaysSQL, lo, hi, from, to)
	return err
}

// Tallies returns the sums of the ended patrols of the grids between lo and
// hi (codes, inclusive) per grid and local date from..to: one row each.
func (db *DB) Tallies(ctx context.Context, lo, hi, from, to string) (map[[2]string]patrol.Tally, error) {
	rows, err := db.query(ctx, `SELECT grid, day, done, windows, doubtful, flags, duration_s, length_m, sites FROM patrol_days
		WHERE grid BETWEEN $1 AND $2 AND day BETWEEN $3 AND $4`, lo, hi, from, to)
	if err != nil {
		return nil, err
	}
	out := map[[2]string]patrol.Tally{}
	return out, eachRow(rows, func(sc rowScanner) error {
		var t patrol.Tally
		var mask, flags, dur, length int64
		if err := sc.Scan(&t.Grid, &t.Date, &t.Done, &mask, &t.Doubtful, &flags, &dur, &length, &t.Sites); err != nil {
			return err
		}
		t.Windows, t.Flags, t.Duration, t.Length = uint32(mask), patrol.Flags(flags), time.Duration(dur)*time.Second, float64(length)
		out[[2]string{t.Grid, t.Date}] = t
		return nil
	})
}

// Compliance judges each grid's days in q against its plan on the
// calendar, returning the page of items and the total (grids × days).
func (db *DB) Compliance(ctx context.Context, cal *calendar.Calendar, q ComplianceQuery) ([]patrol.Compliance, int, error) {
	loc := cal.Location()
	from, err1 := time.ParseInLocation(patrol.DateLayout, q.From, loc)
	to, err2 := time.ParseInLocation(patrol.DateLayout, q.To, loc)
	if err1 != nil || err2 != nil || to.Before(from) {
		return []patrol.Compliance{}, 0, nil
	}
	var days []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(patrol.DateLayout))
	}
	total := len(q.Grids) * len(days)
	out := []patrol.Compliance{}
	if q.Limit <= 0 || q.Offset >= total {
		return out, total, nil
	}
	end := min(q.Offset+q.Limit, total)
	first, last := q.Offset/len(days), (end-1)/len(days)
	grids := q.Grids[first : last+1]
	tallies, err := db.Tallies(ctx, grids[0], grids[len(grids)-1], days[0], days[len(days)-1])
	if err != nil {
		return nil, 0, err
	}
	plans, err := db.StoredPatrolPlans(ctx, grids[0], grids[len(grids)-1])
	if err != nil {
		return nil, 0, err
	}
	sites, err := db.KeySiteCounts(ctx, grids[0], grids[len(grids)-1])
	if err != nil {
		return nil, 0, err
	}
	for i := q.Offset; i < end; i++ {
		g, d := q.Grids[i/len(days)], days[i%len(days)]
		plan, ok := plans[g]
		if !ok {
			plan = patrol.DefaultPlan(g)
		}
		t := tallies[[2]string{g, d}]
		t.Grid, t.Date = g, d
		out = append(out, patrol.Comply(plan, cal, d, t, sites[g]+len(plan.Points), q.Today))
	}
	return out, total, nil
}

// WindowsStarted returns, for the local date day (from..to, its first and
// the next day's first instant), each grid's windows (bit i-1 for window i)
// in which a patrol started, whatever its state.
func (db *DB) WindowsStarted(ctx context.Context, from, to time.Time) (map[string]uint32, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT win, grid FROM patrols WHERE started_at >= $1 AND started_at < $2 AND win > 0`, ms(from), ms(to))
	if err != nil {
		return nil, err
	}
	out := map[string]uint32{}
	return out, eachRow(rows, func(sc rowScanner) error {
		var win int
		var grid string
		if err := sc.Scan(&win, &grid); err != nil {
			return err
		}
		if win <= 32 {
			out[grid] |= 1 << (win - 1)
		}
		return nil
	})
}

// Missed is a plan window of a grid's day in which no patrol started.
type Missed struct {
	Grid   string
	Day    string
	Window int // 1-based
	Span   patrol.Window
}

// AlertMissed records that window m.Window of a grid's day was missed and
// writes ev, once per grid, day and window; it reports whether it did.
func (db *DB) AlertMissed(ctx context.Context, m Missed, ev notify.Event) (bool, error) {
	sent := false
	err := db.Write(ctx, System, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO patrol_alerts (grid, day, win, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (grid, day, win) DO NOTHING`, m.Grid, m.Day, m.Window, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		sent = true
		told, err := tx.Notify(ctx, ev)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "patrol_alert", m.Grid+"/"+m.Day+"/"+itoa(m.Window), "missed", nil,
			map[string]any{"window": m.Span.String(), "told": told})
	})
	return sent, err
}
