package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/outreach"
)

// Lectures and their sign-ins (outreach_quiz.go holds the question bank and
// the quizzes). SQL only: the rules live in package outreach and the service.

// OutreachScope limits a list to events whose home region lies under one of
// Roots, or to every event with All.
type OutreachScope struct {
	All   bool
	Roots []string
}

func (s OutreachScope) clause(col string, args *[]any) string {
	if s.All {
		return "1=1"
	}
	return scopeClause(col, s.Roots, args)
}

// LectureFilter selects lectures: in scope, starting in [From, To) when set,
// matching Q in the title, speaker or venue; newest first.
type LectureFilter struct {
	Scope    OutreachScope
	From, To time.Time
	Q        string
	Page     Page
}

const lectureCols = `l.id, l.code, l.title, l.speaker, COALESCE(l.venue_unit_id, 0), COALESCE(u.name, l.venue_name), l.region, l.starts_at, l.ends_at,
	l.opens_at, l.closes_at, l.expected, l.materials, l.cancelled_at, COALESCE(l.created_by, 0), l.created_at, l.updated_at, l.version,
	(SELECT COUNT(*) FROM lecture_signins s WHERE s.lecture_id = l.id)`

const lectureFrom = ` FROM lectures l LEFT JOIN units u ON u.id = l.venue_unit_id`

func scanLecture(sc interface{ Scan(...any) error }) (outreach.Lecture, error) {
	var l outreach.Lecture
	var starts, ends, opens, closes, cancelled, created, updated int64
	err := sc.Scan(&l.ID, &l.Code, &l.Title, &l.Speaker, &l.VenueUnitID, &l.VenueName, &l.Region, &starts, &ends, &opens, &closes,
		&l.Expected, &l.Materials, &cancelled, &l.CreatedBy, &created, &updated, &l.Version, &l.Attendance)
	l.StartsAt, l.EndsAt, l.OpensAt, l.ClosesAt = fromMS(starts), fromMS(ends), fromMS(opens), fromMS(closes)
	l.CancelledAt, l.CreatedAt, l.UpdatedAt = fromMS(cancelled), fromMS(created), fromMS(updated)
	return l, err
}

func lectureSummary(l outreach.Lecture) map[string]any {
	return map[string]any{"title": l.Title, "speaker": l.Speaker, "venue_unit_id": l.VenueUnitID, "venue_name": l.VenueName,
		"region": l.Region, "regions": l.Regions, "unit_ids": l.UnitIDs, "starts_at": ms(l.StartsAt), "ends_at": ms(l.EndsAt),
		"opens_at": ms(l.OpensAt), "closes_at": ms(l.ClosesAt), "expected": l.Expected, "materials": l.Materials, "version": l.Version}
}

// Lecture returns one lecture with its audience, photos and attendance count.
func (db *DB) Lecture(ctx context.Context, id int64) (outreach.Lecture, error) {
	return db.loadLecture(ctx, "l.id = $1", id)
}

// LectureByCode returns the lecture with a public code.
func (db *DB) LectureByCode(ctx context.Context, code string) (outreach.Lecture, error) {
	return db.loadLecture(ctx, "l.code = $1", code)
}

func (db *DB) loadLecture(ctx context.Context, where string, arg any) (outreach.Lecture, error) {
	l, err := scanLecture(db.r.QueryRowContext(ctx, `SELECT `+lectureCols+lectureFrom+` WHERE `+where, arg))
	if err != nil {
		return l, mapErr(err)
	}
	if l.Regions, err = strings1(ctx, db, `SELECT region FROM lecture_regions WHERE lecture_id = $1 ORDER BY region`, l.ID); err != nil {
		return l, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT unit_id FROM lecture_units WHERE lecture_id = $1 AND venue = 0 ORDER BY unit_id`, l.ID)
	if err != nil {
		return l, err
	}
	if l.UnitIDs, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}); err != nil {
		return l, err
	}
	l.Photos, err = strings1(ctx, db, `SELECT photo_id FROM lecture_photos WHERE lecture_id = $1 ORDER BY added_at, photo_id`, l.ID)
	return l, err
}

// strings1 runs a query of one text column.
func strings1(ctx context.Context, db *DB, q string, args ...any) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (string, error) {
		var s string
		return s, sc.Scan(&s)
	})
}

// Lectures lists lectures matching f, newest start first, with the total.
func (db *DB) Lectures(ctx context.Context, f LectureFilter) ([]outreach.Lecture, int, error) {
	var args []any
	where := []string{f.Scope.clause("l.region", &args)}
	if !f.From.IsZero() {
		args = append(args, ms(f.From))
		where = append(where, "l.starts_at >= "+ph(len(args)))
	}
	if !f.To.IsZero() {
		args = append(args, ms(f.To))
		where = append(where, "l.starts_at < "+ph(len(args)))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		args = append(args, "%"+likeEscape(strings.ToLower(q))+"%")
		n := ph(len(args))
		where = append(where, "(LOWER(l.title) LIKE "+n+` ESCAPE '\' OR LOWER(l.speaker) LIKE `+n+` ESCAPE '\' OR LOWER(COALESCE(u.name, l.venue_name)) LIKE `+n+` ESCAPE '\')`)
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*)`+lectureFrom+` WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	args = append(args, p.Size, p.Offset())
	rows, err := db.r.QueryContext(ctx, `SELECT `+lectureCols+lectureFrom+` WHERE `+w+` ORDER BY l.starts_at DESC, l.id DESC LIMIT `+ph(len(args)-1)+` OFFSET `+ph(len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanLecture)
	return list, total, err
}

// InsertLecture stores a new lecture with its audience, audited; it sets l.ID.
func (tx *Tx) InsertLecture(ctx context.Context, l *outreach.Lecture) error {
	l.Version = 1
	err := tx.QueryRowContext(ctx, `INSERT INTO lectures (code, title, speaker, venue_unit_id, venue_name, region, starts_at, ends_at, opens_at, closes_at,
		expected, materials, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
		l.Code, l.Title, l.Speaker, nullID(l.VenueUnitID), l.VenueName, l.Region, ms(l.StartsAt), ms(l.EndsAt), ms(l.OpensAt), ms(l.ClosesAt),
		l.Expected, l.Materials, nullID(l.CreatedBy), tx.now).Scan(&l.ID)
	if err != nil {
		return mapErr(err)
	}
	l.CreatedAt, l.UpdatedAt = fromMS(tx.now), fromMS(tx.now)
	if err := tx.lectureAudience(ctx, *l); err != nil {
		return err
	}
	return tx.Audit(ctx, "lecture", l.ID, "create", nil, lectureSummary(*l))
}

// lectureAudience replaces a lecture's audience rows.
func (tx *Tx) lectureAudience(ctx context.Context, l outreach.Lecture) error {
	for _, q := range []string{`DELETE FROM lecture_regions WHERE lecture_id = $1`, `DELETE FROM lecture_units WHERE lecture_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, l.ID); err != nil {
			return err
		}
	}
	for _, r := range l.Regions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lecture_regions (lecture_id, region) VALUES ($1, $2)`, l.ID, r); err != nil {
			return err
		}
	}
	if l.VenueUnitID != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lecture_units (lecture_id, unit_id, venue) VALUES ($1, $2, 1)`, l.ID, l.VenueUnitID); err != nil {
			return err
		}
	}
	for _, u := range l.UnitIDs {
		if u == l.VenueUnitID {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lecture_units (lecture_id, unit_id, venue) VALUES ($1, $2, 0)`, l.ID, u); err != nil {
			return err
		}
	}
	return nil
}

// UpdateLecture saves l over old (same id), bumping the version; a version
// changed since old was read is a conflict. Audited with before and after.
func (tx *Tx) UpdateLecture(ctx context.Context, old outreach.Lecture, l *outreach.Lecture) error {
	l.Version = old.Version + 1
	res, err := tx.ExecContext(ctx, `UPDATE lectures SET title = $3, speaker = $4, venue_unit_id = $5, venue_name = $6, region = $7, starts_at = $8,
		ends_at = $9, opens_at = $10, closes_at = $11, expected = $12, materials = $13, updated_at = $14, version = $15 WHERE id = $1 AND version = $2`,
		old.ID, old.Version, l.Title, l.Speaker, nullID(l.VenueUnitID), l.VenueName, l.Region, ms(l.StartsAt), ms(l.EndsAt), ms(l.OpensAt),
		ms(l.ClosesAt), l.Expected, l.Materials, tx.now, l.Version)
	if err := staleIfNone(res, err); err != nil {
		return err
	}
	l.ID, l.Code, l.CreatedAt, l.CreatedBy, l.UpdatedAt = old.ID, old.Code, old.CreatedAt, old.CreatedBy, fromMS(tx.now)
	if err := tx.lectureAudience(ctx, *l); err != nil {
		return err
	}
	return tx.Audit(ctx, "lecture", l.ID, "update", lectureSummary(old), lectureSummary(*l))
}

// staleIfNone turns an UPDATE that matched no row into the stale-version conflict.
func staleIfNone(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.Conflict, "err.outreach.stale")
	}
	return nil
}

// CancelLecture marks a lecture cancelled, audited.
func (tx *Tx) CancelLecture(ctx context.Context, l outreach.Lecture) error {
	res, err := tx.ExecContext(ctx, `UPDATE lectures SET cancelled_at = $3, updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2`,
		l.ID, l.Version, tx.now)
	if err := staleIfNone(res, err); err != nil {
		return err
	}
	return tx.Audit(ctx, "lecture", l.ID, "cancel_lecture", nil, map[string]any{"title": l.Title})
}

// InsertSignIn records a sign-in (at s.At, now when zero), audited (the mobile masked). A mobile or
// phone already signed in at the lecture is a conflict naming the field.
func (tx *Tx) InsertSignIn(ctx context.Context, s *outreach.SignIn) error {
	for _, c := range []struct{ col, key, v string }{{"mobile", "err.outreach.signed_in_mobile", s.Mobile}, {"device", "err.outreach.signed_in_device", s.Device}} {
		if c.v == "" {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM lecture_signins WHERE lecture_id = $1 AND `+c.col+` = $2`, s.LectureID, c.v).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &apperr.Error{Code: apperr.Conflict, Msg: apperr.Msg{Key: c.key}, Fields: map[string]apperr.Msg{c.col: {Key: c.key}}}
		}
	}
	if s.At.IsZero() {
		s.At = fromMS(tx.now)
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO lecture_signins (lecture_id, name, region, mobile, device, desk, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		s.LectureID, s.Name, s.Region, nullStr(s.Mobile), nullStr(s.Device), b2i(s.Desk), ms(s.At)).Scan(&s.ID)
	if err != nil {
		return mapErr(err)
	}
	return tx.Audit(ctx, "lecture_signin", s.ID, "create", nil, map[string]any{"lecture_id": s.LectureID, "name": s.Name,
		"region": s.Region, "mobile": outreach.MaskMobile(s.Mobile), "desk": s.Desk})
}

const signInCols = `id, lecture_id, name, region, COALESCE(mobile, ''), desk, at`

func scanSignIn(sc interface{ Scan(...any) error }) (outreach.SignIn, error) {
	var s outreach.SignIn
	var at int64
	var desk int
	err := sc.Scan(&s.ID, &s.LectureID, &s.Name, &s.Region, &s.Mobile, &desk, &at)
	s.At, s.Desk = fromMS(at), desk != 0
	return s, err
}

// SignIns lists a lecture's sign-ins in the order they came, with the total;
// a zero page lists them all (the printed sheet).
func (db *DB) SignIns(ctx context.Context, lectureID int64, page Page) ([]outreach.SignIn, int, error) {
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM lecture_signins WHERE lecture_id = $1`, lectureID).Scan(&total); err != nil {
		return nil, 0, err
	}
	q, args := `SELECT `+signInCols+` FROM lecture_signins WHERE lecture_id = $1 ORDER BY at, id`, []any{lectureID}
	if page != (Page{}) {
		p := page.Clamp()
		q += ` LIMIT $2 OFFSET $3`
		args = append(args, p.Size, p.Offset())
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanSignIn)
	return list, total, err
}

// AttendanceByRegion counts a lecture's sign-ins by the community the residents gave.
func (db *DB) AttendanceByRegion(ctx context.Context, lectureID int64) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT region, COUNT(*) FROM lecture_signins WHERE lecture_id = $1 GROUP BY region`, lectureID)
	if err != nil {
		return nil, err
	}
	pairs, err := scanAll(rows, scanCount)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, p := range pairs {
		out[p.key] = p.n
	}
	return out, nil
}

type keyCount struct {
	key string
	n   int
}

func scanCount(sc interface{ Scan(...any) error }) (keyCount, error) {
	var k keyCount
	return k, sc.Scan(&k.key, &k.n)
}

// AddLecturePhoto attaches a stored photo to a lecture, audited; the same photo twice is kept once.
func (tx *Tx) AddLecturePhoto(ctx context.Context, lectureID int64, photoID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM lecture_photos WHERE lecture_id = $1 AND photo_id = $2`, lectureID, photoID).Scan(&n); err != nil || n > 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO lecture_photos (lecture_id, photo_id, added_by, added_at) VALUES ($1, $2, $3, $4)`,
		lectureID, photoID, nullID(tx.actor.ID), tx.now); err != nil {
		return err
	}
	return tx.Audit(ctx, "lecture", lectureID, "photo", nil, map[string]any{"photo": photoID})
}

// PhotoLectures lists the lectures a photo belongs to.
func (db *DB) PhotoLectures(ctx context.Context, photoID string) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT lecture_id FROM lecture_photos WHERE photo_id = $1`, photoID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	})
}

// TallyFilter selects the events counted for the assessment: in scope, held
// (started, not cancelled) in [From, To) and by Now.
type TallyFilter struct {
	Scope    OutreachScope
	From, To time.Time
	Now      time.Time
}

// OutreachTally counts lectures held and their attendance, quizzes held and
// their entries: grouped by the events' home regions, by the communities the
// residents gave, and (lectures) by the units at or for which they were held.
func (db *DB) OutreachTally(ctx context.Context, f TallyFilter) (outreach.Tally, error) {
	var t outreach.Tally
	held := func(alias, col string, args *[]any) string {
		w := []string{f.Scope.clause(alias+".region", args), alias + ".cancelled_at = 0"}
		*args = append(*args, ms(f.Now))
		w = append(w, alias+"."+col+" <= "+ph(len(*args)))
		if !f.From.IsZero() {
			*args = append(*args, ms(f.From))
			w = append(w, alias+"."+col+" >= "+ph(len(*args)))
		}
		if !f.To.IsZero() {
			*args = append(*args, ms(f.To))
			w = append(w, alias+"."+col+" < "+ph(len(*args)))
		}
		return strings.Join(w, " AND ")
	}
	counts := func(q string, args []any) ([]keyCount, error) {
		rows, err := db.r.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		return scanAll(rows, scanCount)
	}
	add := func(dst map[string]*outreach.RegionTally, code string) *outreach.RegionTally {
		r, ok := dst[code]
		if !ok {
			r = &outreach.RegionTally{Region: code}
			dst[code] = r
		}
		return r
	}
	regions := map[string]*outreach.RegionTally{}
	var args []any
	lec, err := counts(`SELECT l.region, COUNT(*) FROM lectures l WHERE `+held("l", "starts_at", &args)+` GROUP BY l.region`, args)
	if err != nil {
		return t, err
	}
	for _, c := range lec {
		add(regions, outreach.CommunityOf(c.key)).Lectures += c.n
		t.Lectures += c.n
	}
	args = nil
	att, err := counts(`SELECT s.region, COUNT(*) FROM lecture_signins s JOIN lectures l ON l.id = s.lecture_id WHERE `+held("l", "starts_at", &args)+` GROUP BY s.region`, args)
	if err != nil {
		return t, err
	}
	for _, c := range att {
		add(regions, outreach.CommunityOf(c.key)).Attendance += c.n
		t.Attendance += c.n
	}
	args = nil
	qz, err := counts(`SELECT z.region, COUNT(*) FROM quizzes z WHERE `+held("z", "opens_at", &args)+` GROUP BY z.region`, args)
	if err != nil {
		return t, err
	}
	for _, c := range qz {
		add(regions, outreach.CommunityOf(c.key)).Quizzes += c.n
		t.Quizzes += c.n
	}
	args = nil
	rows, err := db.r.QueryContext(ctx, `SELECT e.region, COUNT(*), SUM(CASE WHEN e.submitted_at > 0 THEN 1 ELSE 0 END)
		FROM quiz_entries e JOIN quizzes z ON z.id = e.quiz_id WHERE `+held("z", "opens_at", &args)+` GROUP BY e.region`, args...)
	if err != nil {
		return t, err
	}
	type ent struct {
		region  string
		n, subm int
	}
	ents, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (ent, error) {
		var e ent
		return e, sc.Scan(&e.region, &e.n, &e.subm)
	})
	if err != nil {
		return t, err
	}
	for _, e := range ents {
		r := add(regions, outreach.CommunityOf(e.region))
		r.Entries += e.n
		r.Submitted += e.subm
		t.Entries += e.n
		t.Submitted += e.subm
	}
	for _, r := range regions {
		t.Regions = append(t.Regions, *r)
	}
	// By unit: the lectures held at or for a unit and the residents who came to them.
	args = nil
	rows, err = db.r.QueryContext(ctx, `SELECT lu.unit_id, u.name, COUNT(*), SUM((SELECT COUNT(*) FROM lecture_signins s WHERE s.lecture_id = l.id))
		FROM lecture_units lu JOIN lectures l ON l.id = lu.lecture_id JOIN units u ON u.id = lu.unit_id
		WHERE `+held("l", "starts_at", &args)+` GROUP BY lu.unit_id, u.name`, args...)
	if err != nil {
		return t, err
	}
	t.Units, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (outreach.UnitTally, error) {
		var u outreach.UnitTally
		return u, sc.Scan(&u.UnitID, &u.Name, &u.Lectures, &u.Attendance)
	})
	t.Sort()
	return t, err
}

// jsonInts decodes a JSON array of integers from a TEXT column.
func jsonInts(s string) ([]int, error) {
	var out []int
	if s == "" {
		return out, nil
	}
	return out, json.Unmarshal([]byte(s), &out)
}
