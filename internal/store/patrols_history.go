package store

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/patrol"
)

// PatrolHistory is a patrol as it stands with everything recorded on it, for
// demo data and imports of paper record books.
type PatrolHistory struct {
	Patrol  patrol.Patrol
	Track   []patrol.Point // may be empty when only the measures are kept
	Visits  []patrol.Visit
	Records []patrol.Record
}

// historyChunks are the row counts of InsertPatrolHistories' multi-row
// inserts: few statement shapes, so that SQLite's writer prepares each once
// (see pointChunks for why they differ by database).
var historyChunks = map[Dialect][]int{SQLite: {16, 4, 1}, Postgres: {64, 16, 4, 1}}

var valuesCache sync.Map // statement head and row count → statement text

// valuesSQL returns head followed by rows rows of cols placeholders, then tail.
func valuesSQL(head string, cols, rows int, tail string) string {
	key := head + "|" + itoa(rows) + "|" + tail
	if q, ok := valuesCache.Load(key); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(head)
	b.WriteString(" VALUES ")
	n := 0
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString(ph(n))
		}
		b.WriteByte(')')
	}
	b.WriteString(tail)
	q := b.String()
	valuesCache.Store(key, q)
	return q
}

// insertRows inserts rows of cols values each, in chunks of the given row counts.
func (tx *Tx) insertRows(ctx context.Context, head string, cols int, vals []any, chunks []int) error {
	for len(vals) > 0 {
		n := chunkOf(len(vals)/cols, chunks)
		if _, err := tx.ExecContext(ctx, valuesSQL(head, cols, n, ""), vals[:n*cols]...); err != nil {
			return err
		}
		vals = vals[n*cols:]
	}
	return nil
}

// InsertPatrolHistories stores patrols as they stand with their tracks,
// visits and records inside a larger transaction, in multi-row inserts, and
// audits the batch once; it sets the patrols' IDs. Afterwards call
// RefreshPatrolDays for the grids and days they cover so that compliance
// counts them.
func (tx *Tx) InsertPatrolHistories(ctx context.Context, hs []PatrolHistory) error {
	if len(hs) == 0 {
		return nil
	}
	const patrolHead = `INSERT INTO patrols (uid, grid, patroller_id, day, win, state, started_at, ended_at, summary,
		points, duration_s, length_m, max_speed, outside, flags, visits, records, created_at, updated_at)`
	const patrolCols = 19
	ids := map[string]int64{}
	for first := 0; first < len(hs); {
		chunk := hs[first : first+chunkOf(len(hs)-first, historyChunks[tx.db.Dialect])]
		first += len(chunk)
		vals := make([]any, 0, len(chunk)*patrolCols)
		for _, h := range chunk {
			p, a := h.Patrol, h.Patrol.Assessment
			vals = append(vals, p.UID, p.Grid, p.PatrollerID, p.Day, p.Window, string(p.State), ms(p.StartedAt), ms(p.EndedAt), p.Summary,
				a.Points, int64(a.Duration/time.Second), int64(a.Length+0.5), a.MaxSpeed, a.Outside, int(a.Flags),
				len(h.Visits), len(h.Records), ms(p.StartedAt), ms(p.UpdatedAt))
		}
		rows, err := tx.QueryContext(ctx, valuesSQL(patrolHead, patrolCols, len(chunk), " RETURNING id, uid"), vals...)
		if err != nil {
			return err
		}
		err = eachRow(rows, func(sc rowScanner) error {
			var id int64
			var uid string
			err := sc.Scan(&id, &uid)
			ids[uid] = id
			return err
		})
		if err != nil {
			return err
		}
	}
	var points, visits, records []any
	for i := range hs {
		h := &hs[i]
		p := &h.Patrol
		p.ID = ids[p.UID]
		for _, pt := range h.Track {
			points = append(points, p.ID, ms(pt.T), pt.Lat, pt.Lon, pt.Acc)
		}
		for j := range h.Visits {
			v := &h.Visits[j]
			v.PatrolID = p.ID
			var unitID any
			if v.Site.UnitID != 0 {
				unitID = v.Site.UnitID
			}
			visits = append(visits, v.UID, p.ID, p.Grid, p.Day, v.Site.Key(), unitID, ms(v.At), v.Lat, v.Lon, v.Note, ms(v.At))
		}
		for j := range h.Records {
			r := &h.Records[j]
			r.PatrolID = p.ID
			records = append(records, r.UID, p.ID, string(r.Kind), ms(r.At), r.Parties, r.Summary, r.Outcome, r.Households, r.Note, ms(r.At))
		}
	}
	if err := tx.insertRows(ctx, `INSERT INTO patrol_points (patrol_id, t, lat, lon, acc)`, 5, points, pointChunks[tx.db.Dialect]); err != nil {
		return err
	}
	if err := tx.insertRows(ctx, `INSERT INTO patrol_visits (uid, patrol_id, grid, day, site, unit_id, at, lat, lon, note, created_at)`, 11, visits, historyChunks[tx.db.Dialect]); err != nil {
		return err
	}
	if err := tx.insertRows(ctx, `INSERT INTO patrol_records (uid, patrol_id, kind, at, parties, summary, outcome, households, note, created_at)`, 10, records, historyChunks[tx.db.Dialect]); err != nil {
		return err
	}
	return tx.Audit(ctx, "patrol", hs[0].Patrol.UID, "import", nil, map[string]any{"patrols": len(hs),
		"first": hs[0].Patrol.UID, "last": hs[len(hs)-1].Patrol.UID, "points": len(points) / 5, "visits": len(visits) / 11, "records": len(records) / 10})
}

// LinkPatrolFindings links every case a patroller reported while walking a
// patrol of its grid (source patrol, same grid and reporter, reported between
// the patrol's start and end) to that patrol, as demo data and imports need;
// it returns how many links it made, audited once. (The unary pluses keep
// SQLite on the grid and day index rather than the patroller's whole history.)
func (tx *Tx) LinkPatrolFindings(ctx context.Context) (int, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO patrol_findings (patrol_id, case_number, created_at, created_by)
		SELECT p.id, c.number, c.reported_at, c.reporter_id FROM cases c
		JOIN patrols p ON p.grid = c.region AND p.day = c.day AND +p.patroller_id = c.reporter_id
			AND c.reported_at BETWEEN +p.started_at AND p.ended_at
		WHERE c.source = 'patrol'
		ON CONFLICT (patrol_id, case_number) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE patrols SET findings = (SELECT COUNT(*) FROM patrol_findings f WHERE f.patrol_id = patrols.id)
		WHERE id IN (SELECT patrol_id FROM patrol_findings)`); err != nil {
		return 0, err
	}
	return int(n), tx.Audit(ctx, "patrol", "*", "link_findings", nil, map[string]any{"links": n})
}
