package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/region"
)

const caseCols = `c.id, c.number, c.client_id, c.category, c.description, c.lat, c.lon, c.address, c.region, COALESCE(c.unit_id, 0),
	c.source, c.hotline_ref, c.class, c.severity, c.status, c.level, c.held, c.assignee, c.commitment, COALESCE(c.reporter_id, 0),
	c.reporter_name, c.reporter_mobile, COALESCE(c.handled_by, 0), c.deadline, c.deadline_from, c.reported_at, c.closed_at, c.day,
	c.rework, c.merged_into, c.after_photos, c.version, c.updated_at`

func scanCase(sc interface{ Scan(...any) error }) (cases.Case, error) {
	var c cases.Case
	var deadline, from, reported, closed, updated int64
	err := sc.Scan(&c.ID, &c.Number, &c.ClientID, &c.Category, &c.Description, &c.Lat, &c.Lon, &c.Address, &c.Region, &c.UnitID,
		&c.Source, &c.HotlineRef, &c.Class, &c.Severity, &c.Status, &c.Level, &c.Held, &c.Assignee, &c.Commitment, &c.ReporterID,
		&c.ReporterName, &c.ReporterMobile, &c.HandledBy, &deadline, &from, &reported, &closed, &c.Day,
		&c.Rework, &c.MergedInto, &c.AfterPhotos, &c.Version, &updated)
	c.Deadline, c.DeadlineFrom, c.ReportedAt, c.ClosedAt, c.UpdatedAt = fromMS(deadline), fromMS(from), fromMS(reported), fromMS(closed), fromMS(updated)
	return c, err
}

// assigneeCols splits an assignee reference into its indexed columns.
func assigneeCols(ref string) (person, region, unit any) {
	kind, v := cases.ParseAssignee(ref)
	var id int64
	fmt.Sscan(v, &id)
	switch kind {
	case "person":
		return id, nil, nil
	case "region":
		return nil, v, nil
	case "unit":
		return nil, nil, id
	}
	return nil, nil, nil
}

// CaseByNumber returns a case with its timeline and photos.
func (db *DB) CaseByNumber(ctx context.Context, number string) (cases.Case, error) {
	return db.loadCase(ctx, cachedReads{db}, `c.number = $1`, number)
}

// CaseByClientID returns the case a client created under its own id.
func (db *DB) CaseByClientID(ctx context.Context, clientID string) (cases.Case, error) {
	return db.loadCase(ctx, cachedReads{db}, `c.client_id = $1`, clientID)
}

// cachedReads reads through the statement cache (every report looks its
// client id up first: preparing that query each time cost more than running it).
type cachedReads struct{ db *DB }

func (r cachedReads) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.db.queryRow(ctx, q, args...)
}

func (r cachedReads) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.db.query(ctx, q, args...)
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func (db *DB) loadCase(ctx context.Context, q querier, where string, arg any) (cases.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases c WHERE `+where, arg))
	if err != nil {
		return c, mapErr(err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, at, COALESCE(actor_id, 0), actor_name, action, status, level, note FROM case_events WHERE case_id = $1 ORDER BY id`, c.ID)
	if err != nil {
		return c, err
	}
	c.Timeline, err = scanAll(rows, func(sc rowScanner) (cases.Event, error) {
		var e cases.Event
		var at int64
		err := sc.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Status, &e.Level, &e.Note)
		e.At = fromMS(at)
		return e, err
	})
	if err != nil {
		return c, err
	}
	rows, err = q.QueryContext(ctx, `SELECT photo_id, step, at, COALESCE(event_id, 0) FROM case_photos WHERE case_id = $1 ORDER BY id`, c.ID)
	if err != nil {
		return c, err
	}
	c.Photos, err = scanAll(rows, func(sc rowScanner) (cases.Photo, error) {
		var p cases.Photo
		var at int64
		err := sc.Scan(&p.ID, &p.Step, &at, &p.EventID)
		p.At = fromMS(at)
		return p, err
	})
	return c, err
}

// nextNumber returns the next sequence number of prefix for day inside tx.
// Each prefix counts on its own row, so streets with their own prefixes do
// not wait for each other's lock; a count starts after the day-wide counter
// of earlier versions (case_numbers), so no number is issued twice.
func (tx *Tx) nextNumber(ctx context.Context, prefix, day string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (prefix, day, n)
		VALUES ($1, $2, 1 + COALESCE((SELECT n FROM case_numbers WHERE day = $2), 0))
		ON CONFLICT (prefix, day) DO UPDATE SET n = case_counters.n + 1 RETURNING n`, prefix, day).Scan(&n)
	return n, err
}

// CreateCase stores a new case with its first timeline entries in one
// transaction, numbering it prefix-YYYYMMDD-NNNN, and notifies inbox
// recipients. When a case with the same client id exists, that case is
// returned with created false and nothing is written. On SQLite, creations
// arriving together share one transaction (group commit, see batch.go).
func (db *DB) CreateCase(ctx context.Context, actor Actor, prefix string, c *cases.Case, entries []cases.Entry, events []notify.Event) (created bool, err error) {
	if db.Dialect == SQLite {
		created, err = db.batchCreate(ctx, actor, prefix, c, entries, events)
	} else {
		err = db.Write(ctx, actor, func(tx *Tx) error {
			created, err = tx.createCase(ctx, prefix, c, entries, events)
			return err
		})
	}
	if err == errRaced {
		old, lerr := db.CaseByClientID(ctx, c.ClientID)
		*c = old
		return false, lerr
	}
	return created, err
}

// createCase is CreateCase inside a transaction.
func (tx *Tx) createCase(ctx context.Context, prefix string, c *cases.Case, entries []cases.Entry, events []notify.Event) (bool, error) {
	// A client id used before fails the insert's unique index (errRaced
	// below), and the caller answers with that case; the service has looked
	// it up already, so the writer does not look again.
	n, err := tx.nextNumber(ctx, prefix, c.Day)
	if err != nil {
		return false, err
	}
	day, err := time.Parse("2006-01-02", c.Day)
	if err != nil {
		return false, err
	}
	c.Number = cases.FormatNumber(prefix, day, n)
	c.UpdatedAt = fromMS(tx.now)
	ap, ar, au := assigneeCols(c.Assignee)
	err = tx.QueryRowContext(ctx, `INSERT INTO cases (number, client_id, category, description, lat, lon, address, region, unit_id, source,
		hotline_ref, class, severity, status, level, held, assignee, assignee_person, assignee_region, assignee_unit, commitment,
		reporter_id, reporter_name, reporter_mobile, handled_by, deadline, deadline_from, reported_at, closed_at, day, rework, version, updated_at,
		community, street)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35)
		RETURNING id`,
		c.Number, c.ClientID, c.Category, c.Description, c.Lat, c.Lon, c.Address, c.Region, nullID(c.UnitID), c.Source,
		c.HotlineRef, c.Class, c.Severity, c.Status, c.Level, c.Held, c.Assignee, ap, ar, au, c.Commitment,
		nullID(c.ReporterID), c.ReporterName, c.ReporterMobile, nullID(c.HandledBy), ms(c.Deadline), ms(c.DeadlineFrom), ms(c.ReportedAt),
		ms(c.ClosedAt), c.Day, c.Rework, c.Version, tx.now, region.AncestorAt(c.Region, region.Community), region.AncestorAt(c.Region, region.Street)).Scan(&c.ID)
	if err != nil {
		if ok, _ := uniqueViolation(err); ok {
			// Another request with the same client id won the race.
			return false, errRaced
		}
		return false, err
	}
	tx.tallyCase(*c, 1)
	c.Timeline = nil
	for _, e := range entries {
		ev, err := tx.addEvent(ctx, c.ID, e, tx.actor.Name)
		if err != nil {
			return false, err
		}
		c.Timeline = append(c.Timeline, ev)
	}
	if _, err := tx.Notify(ctx, caseEvents(*c, events)...); err != nil {
		return false, err
	}
	if err := tx.saveTracking(ctx, c); err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, "case", c.Number, "create", nil, caseSummary(*c))
}

var errRaced = apperr.New(apperr.Conflict, "err.duplicate")

func (tx *Tx) addEvent(ctx context.Context, caseID int64, e cases.Entry, actorName string) (cases.Event, error) {
	if e.System {
		actorName = "system"
	}
	ev := cases.Event{At: e.At, ActorID: e.ActorID, ActorName: actorName, Action: e.Action, Status: e.Status, Level: e.Level, Note: e.Note}
	err := tx.QueryRowContext(ctx, `INSERT INTO case_events (case_id, at, actor_id, actor_name, action, status, level, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, caseID, ms(e.At), nullID(e.ActorID), actorName, e.Action, e.Status, e.Level, e.Note).Scan(&ev.ID)
	return ev, err
}

func caseSummary(c cases.Case) map[string]any {
	return map[string]any{"status": c.Status, "class": c.Class, "severity": c.Severity, "level": c.Level, "held": c.Held,
		"assignee": c.Assignee, "deadline": ms(c.Deadline), "rework": c.Rework, "merged_into": c.MergedInto, "version": c.Version}
}

// caseEvents returns evs about case c: their record is the case.
func caseEvents(c cases.Case, evs []notify.Event) []notify.Event {
	out := make([]notify.Event, len(evs))
	for i, ev := range evs {
		ev.Record = notify.Record{Kind: "case", ID: c.ID, Ref: c.Number, Region: c.Region}
		out[i] = ev
	}
	return out
}

// CaseUpdate is a change to store: the case after the action, the timeline
// entry, and what goes with it.
type CaseUpdate struct {
	Before  cases.Case
	After   cases.Case
	Entry   cases.Entry
	Photos  []string // photo ids attached to this step
	Step    string   // their step
	Events  []notify.Event
	LogOnly bool // a comment or reminder: the case row is not changed
	// Feedback, when set, is the public reporter's word, kept once (case_public.go).
	Feedback *CaseFeedback
}

// UpdateCase stores an action on a case if nobody changed it since it was
// read (optimistic locking on version); a stale version is a Conflict with
// err.case.stale. It returns the case as stored.
func (db *DB) UpdateCase(ctx context.Context, actor Actor, u CaseUpdate) (cases.Case, error) {
	var out cases.Case
	err := db.Write(ctx, actor, func(tx *Tx) error {
		a := u.After
		if !u.LogOnly {
			ap, ar, au := assigneeCols(a.Assignee)
			res, err := tx.ExecContext(ctx, `UPDATE cases SET status = $3, level = $4, held = $5, assignee = $6, assignee_person = $7,
				assignee_region = $8, assignee_unit = $9, commitment = $10, handled_by = $11, deadline = $12, deadline_from = $13,
				closed_at = $14, rework = $15, merged_into = $16, severity = $17, version = $18, updated_at = $19,
				overdue_noticed = CASE WHEN deadline = $12 THEN overdue_noticed ELSE 0 END
				WHERE id = $1 AND version = $2`,
				a.ID, u.Before.Version, a.Status, a.Level, a.Held, a.Assignee, ap, ar, au, a.Commitment, nullID(a.HandledBy),
				ms(a.Deadline), ms(a.DeadlineFrom), ms(a.ClosedAt), a.Rework, a.MergedInto, a.Severity, a.Version, tx.now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return apperr.New(apperr.Conflict, "err.case.stale")
			}
			if u.Before.Status != a.Status || u.Before.Level != a.Level {
				tx.tallyCase(u.Before, -1)
				tx.tallyCase(a, 1)
			}
		}
		ev, err := tx.addEvent(ctx, a.ID, u.Entry, actor.Name)
		if err != nil {
			return err
		}
		if err := tx.attachPhotos(ctx, a.ID, ev.ID, u.Step, u.Photos); err != nil {
			return err
		}
		if err := tx.saveFeedback(ctx, a.ID, u.Feedback); err != nil {
			return err
		}
		if _, err := tx.Notify(ctx, caseEvents(a, u.Events)...); err != nil {
			return err
		}
		if err := tx.Audit(ctx, "case", a.Number, string(u.Entry.Action), caseSummary(u.Before), caseSummary(a)); err != nil {
			return err
		}
		out, err = db.loadCase(ctx, tx, `c.id = $1`, a.ID)
		return err
	})
	return out, err
}

func (tx *Tx) attachPhotos(ctx context.Context, caseID, eventID int64, step string, ids []string) error {
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `INSERT INTO case_photos (case_id, event_id, photo_id, step, at, by_id) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (case_id, photo_id, step) DO NOTHING`, caseID, nullID(eventID), id, step, tx.now, nullID(tx.actor.ID))
		if err != nil {
			if ok, _ := uniqueViolation(err); ok {
				continue
			}
			return mapPhotoErr(err)
		}
		if n, _ := res.RowsAffected(); n > 0 && step == cases.StepAfter {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET after_photos = after_photos + 1 WHERE id = $1`, caseID); err != nil {
				return err
			}
		}
	}
	return nil
}

// mapPhotoErr turns a foreign-key failure on a photo id into a field error.
func mapPhotoErr(err error) error {
	if strings.Contains(strings.ToLower(err.Error()), "foreign key") {
		return apperr.Field("photos", "err.photo_unknown")
	}
	return err
}

// AttachPhoto stores a processed photo's record (once per content hash) and
// attaches it to a case at step, audited; it is idempotent per case, photo and step.
func (db *DB) AttachPhoto(ctx context.Context, actor Actor, caseID int64, number string, p PhotoRecord, step string) error {
	return db.Write(ctx, actor, func(tx *Tx) error {
		if err := tx.savePhoto(ctx, p); err != nil {
			return err
		}
		if err := tx.attachPhotos(ctx, caseID, 0, step, []string{p.ID}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $2 WHERE id = $1`, caseID, tx.now); err != nil {
			return err
		}
		return tx.Audit(ctx, "case", number, "photo", nil, map[string]any{"photo": p.ID, "step": step})
	})
}

// PhotoRecord is what the database keeps of a photo; the files live under the data folder.
type PhotoRecord struct {
	ID            string
	Width, Height int
	Format        string
	Taken         time.Time
	Lat, Lon      *float64
}

// SavePhoto records a processed photo without attaching it (an upload
// before the case action that uses it), audited.
func (db *DB) SavePhoto(ctx context.Context, actor Actor, p PhotoRecord) error {
	return db.Write(ctx, actor, func(tx *Tx) error {
		if err := tx.savePhoto(ctx, p); err != nil {
			return err
		}
		return tx.Audit(ctx, "photo", p.ID, "upload", nil, map[string]any{"format": p.Format, "width": p.Width, "height": p.Height})
	})
}

// savePhoto stores a photo's record once per content hash.
func (tx *Tx) savePhoto(ctx context.Context, p PhotoRecord) error {
	var lat, lon any
	if p.Lat != nil {
		lat, lon = *p.Lat, *p.Lon
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO photos (id, width, height, format, taken_at, lat, lon, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
		p.ID, p.Width, p.Height, p.Format, ms(p.Taken), lat, lon, tx.now, nullID(tx.actor.ID))
	return err
}

// PhotoUploader returns who first uploaded a photo (0 for the system or the
// public); NotFound when no photo has the id.
func (db *DB) PhotoUploader(ctx context.Context, photoID string) (int64, error) {
	var by sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT created_by FROM photos WHERE id = $1`, photoID).Scan(&by)
	if isNoRows(err) {
		return 0, apperr.ErrNotFound
	}
	return by.Int64, err
}

// PhotoCaseIDs returns the ids of the cases a photo is attached to (to check who may see it).
func (db *DB) PhotoCaseIDs(ctx context.Context, photoID string) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT c.number FROM case_photos p JOIN cases c ON c.id = p.case_id WHERE p.photo_id = $1`, photoID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanValue[string])
}

// InsertCaseHistory stores a case with its whole timeline as it stands
// (demo data and imports of paper ledgers), numbering it by its report day, audited.
func (tx *Tx) InsertCaseHistory(ctx context.Context, prefix string, c *cases.Case, events []cases.Event) error {
	n, err := tx.nextNumber(ctx, prefix, c.Day)
	if err != nil {
		return err
	}
	day, err := time.Parse("2006-01-02", c.Day)
	if err != nil {
		return err
	}
	c.Number = cases.FormatNumber(prefix, day, n)
	ap, ar, au := assigneeCols(c.Assignee)
	err = tx.QueryRowContext(ctx, `INSERT INTO cases (number, client_id, category, description, lat, lon, address, region, unit_id, source,
		hotline_ref, class, severity, status, level, held, assignee, assignee_person, assignee_region, assignee_unit, commitment,
		reporter_id, reporter_name, reporter_mobile, handled_by, deadline, deadline_from, reported_at, closed_at, day, rework, merged_into,
		after_photos, version, updated_at, community, street)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37)
		RETURNING id`,
		c.Number, c.ClientID, c.Category, c.Description, c.Lat, c.Lon, c.Address, c.Region, nullID(c.UnitID), c.Source,
		c.HotlineRef, c.Class, c.Severity, c.Status, c.Level, c.Held, c.Assignee, ap, ar, au, c.Commitment,
		nullID(c.ReporterID), c.ReporterName, c.ReporterMobile, nullID(c.HandledBy), ms(c.Deadline), ms(c.DeadlineFrom), ms(c.ReportedAt),
		ms(c.ClosedAt), c.Day, c.Rework, c.MergedInto, c.AfterPhotos, c.Version, ms(c.UpdatedAt),
		region.AncestorAt(c.Region, region.Community), region.AncestorAt(c.Region, region.Street)).Scan(&c.ID)
	if err != nil {
		return err
	}
	tx.tallyCase(*c, 1)
	for _, e := range events {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, at, actor_id, actor_name, action, status, level, note)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.ID, ms(e.At), nullID(e.ActorID), e.ActorName, e.Action, e.Status, e.Level, e.Note); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, "case", c.Number, "create", nil, caseSummary(*c))
}

// AttachDemoPhoto links a stored photo to a case at step (demo data).
func (tx *Tx) AttachDemoPhoto(ctx context.Context, caseID int64, photoID, step string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_photos (case_id, photo_id, step, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (case_id, photo_id, step) DO NOTHING`, caseID, photoID, step, ms(at))
	return err
}
