package store

import (
	"context"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/patrol"
)

// The SQL that reads doubtful-patrol flags is derived from the patrol
// package's one definition of their bits (patrol.Flag.Bit, patrol.Doubtful),
// so that adding a flag there changes every query here.

// flaggedSQL is the condition "col carries any flag of mask".
func flaggedSQL(col string, mask patrol.Flags) string {
	return "(" + col + " & " + itoa(int(mask)) + ") <> 0"
}

// flagUnionSQL is the bitwise OR of col over a group, one flag at a time
// (neither database shares a bitwise-OR aggregate with the other).
func flagUnionSQL(col string) string {
	parts := make([]string, len(patrol.AllFlags))
	for i, f := range patrol.AllFlags {
		parts[i] = "MAX(" + col + " & " + itoa(int(f.Bit())) + ")"
	}
	return strings.Join(parts, " + ")
}

// windowMaskSQL turns the 1-based window number col into its bit (windows 1..patrol.MaxWindows).
func windowMaskSQL(col string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for w := 1; w <= patrol.MaxWindows; w++ {
		b.WriteString(" WHEN " + itoa(w) + " THEN " + itoa(1<<(w-1)))
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}

// refreshDaysSQL sums the ended patrols of grids $1..$2 on days $3..$4 into
// patrol_days, with the distinct key sites their visits covered. (The sites
// are a subquery per grid and day on the visits' index: a join of the two
// grouped sets ran for minutes on PostgreSQL before its statistics existed.)
var refreshDaysSQL = `INSERT INTO patrol_days (grid, day, done, windows, doubtful, flags, duration_s, length_m, sites)
	SELECT p.grid, p.day, COUNT(*), SUM(DISTINCT ` + windowMaskSQL("p.win") + `), SUM(CASE WHEN ` + flaggedSQL("p.flags", patrol.Doubtful) + ` THEN 1 ELSE 0 END),
		` + flagUnionSQL("p.flags") + `, SUM(p.duration_s), SUM(p.length_m),
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
}

// InsertPatrolAlert records that window m.Window of a grid's day was
// missed, once per grid, day and window; it reports whether this call did
// (and so whether to tell anyone).
func (tx *Tx) InsertPatrolAlert(ctx context.Context, m Missed) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO patrol_alerts (grid, day, win, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (grid, day, win) DO NOTHING`, m.Grid, m.Day, m.Window, tx.now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
