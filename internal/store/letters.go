package store

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/unit"
)

// ---- Templates ----

const templateCols = `id, year, kind, title, preamble, clauses, street_duties, unit_duties, term, version, created_at, updated_at`

func scanTemplate(sc interface{ Scan(...any) error }) (letters.Template, error) {
	var t letters.Template
	var clauses, street, unitDuties string
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.Year, &t.Kind, &t.Title, &t.Preamble, &clauses, &street, &unitDuties, &t.Term, &t.Version, &created, &updated); err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	for _, p := range []struct {
		s string
		v any
	}{{clauses, &t.Clauses}, {street, &t.StreetDuties}, {unitDuties, &t.UnitDuties}} {
		if err := json.Unmarshal([]byte(p.s), p.v); err != nil {
			return t, err
		}
	}
	return t, nil
}

// jsonText marshals v for a TEXT column, writing [] for a nil slice.
func jsonText[T any](v []T) string {
	if v == nil {
		v = []T{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func templateSummary(t letters.Template) map[string]any {
	return map[string]any{"year": t.Year, "kind": t.Kind, "title": t.Title, "preamble": t.Preamble, "clauses": t.Clauses,
		"street_duties": t.StreetDuties, "unit_duties": t.UnitDuties, "term": t.Term, "version": t.Version}
}

// LetterTemplates lists the templates of a year (every year when 0), newest year first, then by kind.
func (db *DB) LetterTemplates(ctx context.Context, year int) ([]letters.Template, error) {
	return letterTemplates(ctx, db.r, year)
}

func letterTemplates(ctx context.Context, q querier, year int) ([]letters.Template, error) {
	where, args := "1=1", []any{}
	if year != 0 {
		where, args = "year = $1", []any{year}
	}
	rows, err := q.QueryContext(ctx, `SELECT `+templateCols+` FROM letter_templates WHERE `+where+` ORDER BY year DESC, kind, id`, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanTemplate)
}

// LetterTemplate returns one template.
func (db *DB) LetterTemplate(ctx context.Context, id int64) (letters.Template, error) {
	t, err := scanTemplate(db.r.QueryRowContext(ctx, `SELECT `+templateCols+` FROM letter_templates WHERE id = $1`, id))
	return t, mapErr(err)
}

// LetterTemplate returns one template, read inside the transaction.
func (tx *Tx) LetterTemplate(ctx context.Context, id int64) (letters.Template, error) {
	t, err := scanTemplate(tx.QueryRowContext(ctx, `SELECT `+templateCols+` FROM letter_templates WHERE id = $1`, id))
	return t, mapErr(err)
}

// checkCategories checks that the category codes of t's clauses exist: a
// field error on "clauses" (err.letter.category_unknown) names the first that does not.
func checkCategories(ctx context.Context, tx *Tx, t *letters.Template) error {
	var cats []string
	for _, c := range t.Clauses {
		cats = append(cats, c.Categories...)
	}
	if len(cats) == 0 {
		return nil
	}
	var args []any
	rows, err := tx.QueryContext(ctx, `SELECT code FROM categories WHERE code IN (`+inList(&args, cats)+`)`, args...)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	err = eachRow(rows, func(sc rowScanner) error {
		var c string
		err := sc.Scan(&c)
		known[c] = true
		return err
	})
	if err != nil {
		return err
	}
	for _, c := range cats {
		if !known[c] {
			return apperr.Field("clauses", "err.letter.category_unknown", c)
		}
	}
	return nil
}

// InsertLetterTemplate stores a new template, which the caller has
// normalized and validated, at version 1, audited; it sets t.ID. Clauses
// tagged with unknown categories are a field error on "clauses".
func (tx *Tx) InsertLetterTemplate(ctx context.Context, t *letters.Template) error {
	if err := checkCategories(ctx, tx, t); err != nil {
		return err
	}
	t.Version = 1
	err := tx.QueryRowContext(ctx, `INSERT INTO letter_templates (year, kind, title, preamble, clauses, street_duties, unit_duties, term, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id`,
		t.Year, t.Kind, t.Title, t.Preamble, jsonText(t.Clauses), jsonText(t.StreetDuties), jsonText(t.UnitDuties), t.Term, tx.now).Scan(&t.ID)
	if err != nil {
		return err
	}
	t.CreatedAt, t.UpdatedAt = fromMS(tx.now), fromMS(tx.now)
	return tx.Audit(ctx, "letter_template", t.ID, "create", nil, templateSummary(*t))
}

// UpdateLetterTemplate saves every field of t (normalized and validated by
// the caller) and increments its version, audited with before and after.
// When t.Version is set it must be the stored version (err.letter.stale
// otherwise). Letters already issued keep their text.
func (tx *Tx) UpdateLetterTemplate(ctx context.Context, t *letters.Template) error {
	old, err := tx.LetterTemplate(ctx, t.ID)
	if err != nil {
		return err
	}
	if t.Version != 0 && t.Version != old.Version {
		return apperr.New(apperr.Conflict, "err.letter.stale")
	}
	if err := checkCategories(ctx, tx, t); err != nil {
		return err
	}
	t.Version = old.Version + 1
	if _, err := tx.ExecContext(ctx, `UPDATE letter_templates SET year = $2, kind = $3, title = $4, preamble = $5, clauses = $6,
		street_duties = $7, unit_duties = $8, term = $9, version = $10, updated_at = $11 WHERE id = $1`,
		t.ID, t.Year, t.Kind, t.Title, t.Preamble, jsonText(t.Clauses), jsonText(t.StreetDuties), jsonText(t.UnitDuties), t.Term,
		t.Version, tx.now); err != nil {
		return err
	}
	t.CreatedAt, t.UpdatedAt = old.CreatedAt, fromMS(tx.now)
	return tx.Audit(ctx, "letter_template", t.ID, "update", templateSummary(old), templateSummary(*t))
}

// EnsureLetterTemplates returns the templates of year; when the year has
// none it first copies the templates of the latest earlier year to it (at
// version 1, audited), so that last year's clauses carry forward. It returns
// none only when no earlier year has templates either.
func (db *DB) EnsureLetterTemplates(ctx context.Context, actor Actor, year int) ([]letters.Template, error) {
	var out []letters.Template
	err := db.Write(ctx, actor, func(tx *Tx) error {
		var err error
		out, err = tx.EnsureLetterTemplates(ctx, year)
		return err
	})
	return out, err
}

// EnsureLetterTemplates is DB.EnsureLetterTemplates inside a transaction.
func (tx *Tx) EnsureLetterTemplates(ctx context.Context, year int) ([]letters.Template, error) {
	list, err := letterTemplates(ctx, tx, year)
	if err != nil || len(list) > 0 {
		return list, err
	}
	var from int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(year), 0) FROM letter_templates WHERE year < $1`, year).Scan(&from); err != nil || from == 0 {
		return nil, err
	}
	prev, err := letterTemplates(ctx, tx, from)
	if err != nil {
		return nil, err
	}
	for _, t := range prev {
		t.ID, t.Year = 0, year
		if err := tx.InsertLetterTemplate(ctx, &t); err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	return list, nil
}

// ---- Letters ----

const (
	letterListCols = `l.id, l.unit_id, l.year, COALESCE(l.template_id, 0), l.template_version, l.status, l.title, l.sha256,
	l.representative, l.note, l.issued_at, l.signed_at, l.withdrawn_at, l.archived_at, l.reminded_at, l.version, u.name, u.kind, u.region,
	COALESCE(l.verify_code, ''), u.status`
	letterCols = letterListCols + `, l.body, l.clauses`
)

func scanLetter(sc interface{ Scan(...any) error }, full bool) (letters.Letter, error) {
	var l letters.Letter
	var issued, signed, withdrawn, archived, reminded int64
	var clauses string
	dst := []any{&l.ID, &l.UnitID, &l.Year, &l.TemplateID, &l.TemplateVersion, &l.Status, &l.Title, &l.SHA256,
		&l.Representative, &l.Note, &issued, &signed, &withdrawn, &archived, &reminded, &l.Version, &l.UnitName, &l.UnitKind, &l.UnitRegion,
		&l.VerifyCode, &l.UnitStatus}
	if full {
		dst = append(dst, &l.Text, &clauses)
	}
	if err := sc.Scan(dst...); err != nil {
		return l, err
	}
	l.IssuedAt, l.SignedAt, l.WithdrawnAt, l.ArchivedAt, l.RemindedAt = fromMS(issued), fromMS(signed), fromMS(withdrawn), fromMS(archived), fromMS(reminded)
	if full {
		if err := json.Unmarshal([]byte(clauses), &l.Clauses); err != nil {
			return l, err
		}
	}
	return l, nil
}

func loadLetter(ctx context.Context, q querier, id int64) (letters.Letter, error) {
	l, err := scanLetter(q.QueryRowContext(ctx, `SELECT `+letterCols+` FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.id = $1`, id), true)
	if err != nil {
		return l, mapErr(err)
	}
	rows, err := q.QueryContext(ctx, `SELECT s.party, s.kind, s.file_id, f.format, COALESCE(s.signer_id, 0), s.signer_name, s.sha256, s.at
		FROM letter_signatures s JOIN letter_files f ON f.id = s.file_id WHERE s.letter_id = $1 ORDER BY s.id`, id)
	if err != nil {
		return l, err
	}
	l.Signatures, err = scanAll(rows, func(sc rowScanner) (letters.Signature, error) {
		var s letters.Signature
		var at int64
		err := sc.Scan(&s.Party, &s.Kind, &s.FileID, &s.Format, &s.SignerID, &s.Signer, &s.SHA256, &at)
		s.At = fromMS(at)
		return s, err
	})
	return l, err
}

// Letter returns one letter with its text, clauses, signatures and unit.
func (db *DB) Letter(ctx context.Context, id int64) (letters.Letter, error) {
	return loadLetter(ctx, db.r, id)
}

// Letter is DB.Letter inside the transaction.
func (tx *Tx) Letter(ctx context.Context, id int64) (letters.Letter, error) {
	return loadLetter(ctx, tx, id)
}

// LetterByCode returns the letter whose verification code is code, with its
// unit but without its text or signatures; NotFound when there is none.
func (db *DB) LetterByCode(ctx context.Context, code string) (letters.Letter, error) {
	l, err := scanLetter(db.r.QueryRowContext(ctx, `SELECT `+letterListCols+` FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.verify_code = $1`, code), false)
	return l, mapErr(err)
}

func letterSummary(l letters.Letter) map[string]any {
	return map[string]any{"unit_id": l.UnitID, "year": l.Year, "status": l.Status, "sha256": l.SHA256,
		"template_id": l.TemplateID, "template_version": l.TemplateVersion, "note": l.Note, "signatures": len(l.Signatures), "version": l.Version}
}

// LetterFilter selects letters. All, Roots and UnitIDs are the caller's
// scope: a letter matches when its unit's grid lies under a root or the unit
// is one of the ids (everything when All is set).
type LetterFilter struct {
	All     bool
	Roots   []string
	UnitIDs []int64
	Year    int
	Region  string // a region code: units in its subtree
	Status  string
	UnitID  int64
	Kind    string // a unit kind
	Page    Page
}

// letterScope returns the WHERE clause of a letter scope over letters l joined to units u.
func letterScope(all bool, roots []string, unitIDs []int64, args *[]any) string {
	if all {
		return "1=1"
	}
	var scope []string
	if len(roots) > 0 {
		scope = append(scope, scopeClause("u.region", roots, args))
	}
	for _, id := range unitIDs {
		*args = append(*args, id)
		scope = append(scope, "u.id = "+ph(len(*args)))
	}
	if len(scope) == 0 {
		return "1=0"
	}
	return "(" + strings.Join(scope, " OR ") + ")"
}

// Letters lists letters matching f, newest first, with the total.
func (db *DB) Letters(ctx context.Context, f LetterFilter) ([]letters.Letter, int, error) {
	var args []any
	where := []string{letterScope(f.All, f.Roots, f.UnitIDs, &args)}
	if f.Year != 0 {
		args = append(args, f.Year)
		where = append(where, "l.year = "+ph(len(args)))
	}
	if f.Region != "" {
		where = append(where, scopeClause("u.region", []string{f.Region}, &args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, "l.status = "+ph(len(args)))
	}
	if f.UnitID != 0 {
		args = append(args, f.UnitID)
		where = append(where, "l.unit_id = "+ph(len(args)))
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where = append(where, "u.kind = "+ph(len(args)))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM letters l JOIN units u ON u.id = l.unit_id WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, args := limitPage(f.Page.Clamp(), args)
	rows, err := db.r.QueryContext(ctx, `SELECT `+letterListCols+` FROM letters l JOIN units u ON u.id = l.unit_id WHERE `+w+
		` ORDER BY l.id DESC`+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, func(sc rowScanner) (letters.Letter, error) { return scanLetter(sc, false) })
	return out, total, err
}

// ActiveLetterUnits returns the active units of region's subtree, by id:
// those a letter for a region goes to.
func (tx *Tx) ActiveLetterUnits(ctx context.Context, region string) ([]unit.Unit, error) {
	var args []any
	return tx.unitsWhere(ctx, scopeClause("region", []string{region}, &args)+` AND status = 'active'`, args)
}

// LetterUnits returns the units of ids that exist (closed ones too), by id.
func (tx *Tx) LetterUnits(ctx context.Context, ids []int64) ([]unit.Unit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var args []any
	return tx.unitsWhere(ctx, `id IN (`+inList(&args, ids)+`)`, args)
}

// RenewalUnits returns the units under roots whose letter for year was
// issued, signed or archived (closed units too), by id: those a renewal
// for the next year looks at.
func (tx *Tx) RenewalUnits(ctx context.Context, year int, roots []string) ([]unit.Unit, error) {
	args := []any{year}
	where := `id IN (SELECT l.unit_id FROM letters l WHERE l.year = $1 AND l.status IN ('issued', 'signed', 'archived')) AND ` +
		scopeClause("region", roots, &args)
	return tx.unitsWhere(ctx, where, args)
}

// unitsWhere loads the units matching a WHERE clause over units, by id.
func (tx *Tx) unitsWhere(ctx context.Context, where string, args []any) ([]unit.Unit, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+unitCols+` FROM units WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanUnit)
}

// CurrentLetters returns, for those of units that have one, the status of
// their current letter for year (the one not withdrawn).
func (tx *Tx) CurrentLetters(ctx context.Context, year int, units []unit.Unit) (map[int64]letters.Status, error) {
	out := map[int64]letters.Status{}
	for start := 0; start < len(units); start += 500 {
		args := []any{year}
		var phs []string
		for _, u := range units[start:min(len(units), start+500)] {
			args = append(args, u.ID)
			phs = append(phs, ph(len(args)))
		}
		rows, err := tx.QueryContext(ctx, `SELECT unit_id, status FROM letters WHERE year = $1 AND status <> 'withdrawn' AND unit_id IN (`+strings.Join(phs, ",")+`)`, args...)
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(sc rowScanner) error {
			var id int64
			var st letters.Status
			err := sc.Scan(&id, &st)
			out[id] = st
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RegionNameOf returns a region's name, "" when there is no such region.
func (tx *Tx) RegionNameOf(ctx context.Context, code string) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = $1`, code).Scan(&name)
	if isNoRows(err) {
		return "", nil
	}
	return name, err
}

// InsertLetter stores a new letter row (without signatures), audited as
// "issue"; it sets l.ID, and gives the letter a verification code from
// letters.NewVerifyCode when it has none. A unit that already holds a
// current letter for the year is err.letter.exists.
func (tx *Tx) InsertLetter(ctx context.Context, l *letters.Letter) error {
	if l.VerifyCode == "" {
		l.VerifyCode = letters.NewVerifyCode()
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO letters (unit_id, year, template_id, template_version, status, title, body, sha256, clauses,
		representative, note, issued_at, issued_by, signed_at, withdrawn_at, archived_at, reminded_at, version, created_at, updated_at, verify_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20) RETURNING id`,
		l.UnitID, l.Year, nullID(l.TemplateID), l.TemplateVersion, l.Status, l.Title, l.Text, l.SHA256, jsonText(l.Clauses),
		l.Representative, l.Note, ms(l.IssuedAt), nullID(tx.actor.ID), ms(l.SignedAt), ms(l.WithdrawnAt), ms(l.ArchivedAt), ms(l.RemindedAt),
		l.Version, tx.now, l.VerifyCode).Scan(&l.ID)
	if err != nil {
		// A repeated verification code (2^-130 for fresh ones) is an internal error, not the unit's.
		if ok, col := uniqueViolation(err); ok && col != "verify_code" {
			return apperr.Wrap(err, apperr.Conflict, "err.letter.exists")
		}
		return err
	}
	return tx.Audit(ctx, "letter", l.ID, "issue", nil, letterSummary(*l))
}

// UpdateLetter saves a letter's state after a change if its version is
// still before's (err.letter.stale otherwise), audited with action.
func (tx *Tx) UpdateLetter(ctx context.Context, before, after letters.Letter, action string) error {
	res, err := tx.ExecContext(ctx, `UPDATE letters SET status = $3, title = $4, body = $5, sha256 = $6, clauses = $7, note = $8,
		issued_at = $9, signed_at = $10, withdrawn_at = $11, archived_at = $12, reminded_at = $13, version = $14, updated_at = $15
		WHERE id = $1 AND version = $2`,
		after.ID, before.Version, after.Status, after.Title, after.Text, after.SHA256, jsonText(after.Clauses), after.Note,
		ms(after.IssuedAt), ms(after.SignedAt), ms(after.WithdrawnAt), ms(after.ArchivedAt), ms(after.RemindedAt), after.Version, tx.now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.letter.stale")
	}
	return tx.Audit(ctx, "letter", after.ID, action, letterSummary(before), letterSummary(after))
}

// SaveLetterFile records a file kept in the letters' file store (once per content hash).
func (tx *Tx) SaveLetterFile(ctx context.Context, id, format string, size int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO letter_files (id, format, size, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO NOTHING`, id, format, size, tx.now, nullID(tx.actor.ID))
	return err
}

// InsertLetterSignature records signature s of a letter with its file (of
// size bytes, already in the file store); a party that has signed already
// is err.letter.party_signed.
func (tx *Tx) InsertLetterSignature(ctx context.Context, letterID int64, s letters.Signature, size int) error {
	if err := tx.SaveLetterFile(ctx, s.FileID, s.Format, size); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO letter_signatures (letter_id, party, kind, file_id, signer_id, signer_name, sha256, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, letterID, s.Party, s.Kind, s.FileID, nullID(s.SignerID), s.Signer, s.SHA256, ms(s.At))
	if ok, _ := uniqueViolation(err); ok {
		return apperr.Wrap(err, apperr.Conflict, "err.letter.party_signed")
	}
	return err
}

// InsertLetterHistory stores a letter as it stands, with its signatures
// (whose files must be recorded with SaveLetterFile), audited: demo data and
// imports of paper records.
func (tx *Tx) InsertLetterHistory(ctx context.Context, l *letters.Letter) error {
	if err := tx.InsertLetter(ctx, l); err != nil {
		return err
	}
	for _, s := range l.Signatures {
		if _, err := tx.ExecContext(ctx, `INSERT INTO letter_signatures (letter_id, party, kind, file_id, signer_id, signer_name, sha256, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.ID, s.Party, s.Kind, s.FileID, nullID(s.SignerID), s.Signer, s.SHA256, ms(s.At)); err != nil {
			return err
		}
	}
	return nil
}

// LettersOfYear returns the full letters of year with status st (in any
// unit's scope), by id: the signed letters the year-end archiving looks at.
func (tx *Tx) LettersOfYear(ctx context.Context, year int, st letters.Status) ([]letters.Letter, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM letters WHERE year = $1 AND status = $2 ORDER BY id`, year, st)
	if err != nil {
		return nil, err
	}
	ids, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	out := make([]letters.Letter, 0, len(ids))
	for _, id := range ids {
		l, err := loadLetter(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// ---- Coverage, reminders and breaches ----

// CoverageFilter selects the units whose letters are counted: those under
// Roots (every unit when All is set), narrowed to Region's subtree.
type CoverageFilter struct {
	Year   int
	All    bool
	Roots  []string
	Region string
	Bucket string // for UnsignedLetterUnits: letters.BucketIssued or BucketNotIssued; "" both
	Page   Page
}

func (f CoverageFilter) where(args *[]any) string {
	where := []string{letterScope(f.All, f.Roots, nil, args)}
	if f.Region != "" {
		where = append(where, scopeClause("u.region", []string{f.Region}, args))
	}
	return strings.Join(where, " AND ")
}

// CoverageCount is how the units of one group stand: signed, issued but
// not signed, and not issued (active units without a letter that year).
type CoverageCount struct {
	Key       string // community code or unit kind
	Name      string // community name ("" for kinds)
	Signed    int
	Issued    int
	NotIssued int
}

// Total is the number of units counted.
func (c CoverageCount) Total() int { return c.Signed + c.Issued + c.NotIssued }

func (c *CoverageCount) add(bucket string, n int) {
	switch bucket {
	case letters.BucketSigned:
		c.Signed += n
	case letters.BucketIssued:
		c.Issued += n
	default:
		c.NotIssued += n
	}
}

// Coverage is a year's letters at a glance: in total, by community and by
// unit kind. Active units count in one bucket each; a closed unit counts
// only when its letter was signed.
type Coverage struct {
	Year        int
	Total       CoverageCount
	Communities []CoverageCount // by community code
	Kinds       []CoverageCount // in unit.Kinds order
}

// LetterCoverage counts a year's letters for the units in f's scope.
func (db *DB) LetterCoverage(ctx context.Context, f CoverageFilter) (Coverage, error) {
	cov := Coverage{Year: f.Year}
	args := []any{f.Year}
	rows, err := db.r.QueryContext(ctx, `SELECT SUBSTR(u.region, 1, 12), u.kind, COALESCE(l.status, ''), COUNT(*)
		FROM units u LEFT JOIN letters l ON l.unit_id = u.id AND l.year = $1 AND l.status <> 'withdrawn'
		WHERE (u.status = 'active' OR l.status IN ('signed', 'archived')) AND `+f.where(&args)+`
		GROUP BY SUBSTR(u.region, 1, 12), u.kind, COALESCE(l.status, '')`, args...)
	if err != nil {
		return cov, err
	}
	comm, kinds := map[string]*CoverageCount{}, map[string]*CoverageCount{}
	get := func(m map[string]*CoverageCount, k string) *CoverageCount {
		if m[k] == nil {
			m[k] = &CoverageCount{Key: k}
		}
		return m[k]
	}
	err = eachRow(rows, func(sc rowScanner) error {
		var prefix, kind, status string
		var n int
		if err := sc.Scan(&prefix, &kind, &status, &n); err != nil {
			return err
		}
		b := letters.Bucket(letters.Status(status))
		cov.Total.add(b, n)
		get(comm, prefix+"000").add(b, n)
		get(kinds, kind).add(b, n)
		return nil
	})
	if err != nil {
		return cov, err
	}
	if len(comm) > 0 {
		var args []any
		rows, err := db.r.QueryContext(ctx, `SELECT code, name FROM regions WHERE code IN (`+inList(&args, slices.Collect(maps.Keys(comm)))+`)`, args...)
		if err != nil {
			return cov, err
		}
		err = eachRow(rows, func(sc rowScanner) error {
			var code, name string
			if err := sc.Scan(&code, &name); err != nil {
				return err
			}
			comm[code].Name = name
			return nil
		})
		if err != nil {
			return cov, err
		}
	}
	for _, c := range comm {
		cov.Communities = append(cov.Communities, *c)
	}
	sortCounts(cov.Communities)
	for _, k := range unit.Kinds {
		if c, ok := kinds[string(k)]; ok {
			cov.Kinds = append(cov.Kinds, *c)
			delete(kinds, string(k))
		}
	}
	var rest []CoverageCount
	for _, c := range kinds {
		rest = append(rest, *c)
	}
	sortCounts(rest)
	cov.Kinds = append(cov.Kinds, rest...)
	return cov, nil
}

func sortCounts(cs []CoverageCount) {
	slices.SortFunc(cs, func(a, b CoverageCount) int { return strings.Compare(a.Key, b.Key) })
}

// UnsignedUnit is an active unit without a signed letter for the year: its
// letter (ID 0 when none) and how it stands.
type UnsignedUnit struct {
	UnitID     int64
	Name       string
	Kind       string
	Region     string
	LetterID   int64
	Status     letters.Status // issued, draft, or "" when none
	Bucket     string         // letters.BucketIssued or BucketNotIssued
	RemindedAt int64          // Unix ms of the last reminder, 0 when none
}

// UnsignedLetterUnits lists the active units in f's scope that have not
// signed the year's letter (issued and unsigned, or not issued), by grid and
// name, with the total.
func (db *DB) UnsignedLetterUnits(ctx context.Context, f CoverageFilter) ([]UnsignedUnit, int, error) {
	args := []any{f.Year}
	w := `u.status = 'active' AND ` + f.where(&args)
	switch f.Bucket {
	case letters.BucketIssued:
		w += ` AND l.status = 'issued'`
	case letters.BucketNotIssued:
		w += ` AND (l.id IS NULL OR l.status = 'draft')`
	default:
		w += ` AND (l.id IS NULL OR l.status IN ('draft', 'issued'))`
	}
	from := ` FROM units u LEFT JOIN letters l ON l.unit_id = u.id AND l.year = $1 AND l.status <> 'withdrawn' WHERE ` + w
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, args := limitPage(f.Page.Clamp(), args)
	rows, err := db.r.QueryContext(ctx, `SELECT u.id, u.name, u.kind, u.region, COALESCE(l.id, 0), COALESCE(l.status, ''), COALESCE(l.reminded_at, 0)`+from+
		` ORDER BY u.region, u.name, u.id`+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, func(sc rowScanner) (UnsignedUnit, error) {
		var u UnsignedUnit
		err := sc.Scan(&u.UnitID, &u.Name, &u.Kind, &u.Region, &u.LetterID, &u.Status, &u.RemindedAt)
		u.Bucket = letters.Bucket(u.Status)
		return u, err
	})
	return out, total, err
}

// UnsignedLetters returns the letters of f.Year in f's scope that wait for
// signatures (draft or issued), with their unit's status, by id: those a
// reminder to all is chosen from.
func (tx *Tx) UnsignedLetters(ctx context.Context, f CoverageFilter) ([]letters.Letter, error) {
	args := []any{f.Year}
	rows, err := tx.QueryContext(ctx, `SELECT `+letterListCols+` FROM letters l JOIN units u ON u.id = l.unit_id
		WHERE l.year = $1 AND l.status IN ('draft', 'issued') AND `+f.where(&args)+` ORDER BY l.id`, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (letters.Letter, error) { return scanLetter(sc, false) })
}

// MarkLetterReminded notes when the unit of letter id was last reminded to sign.
func (tx *Tx) MarkLetterReminded(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE letters SET reminded_at = $2 WHERE id = $1`, id, tx.now)
	return err
}

// LetterBreaches counts, per clause of l, this year's cases about l's unit
// (not rejected) in a category the clause is tagged with (or whose parent it is).
func (db *DB) LetterBreaches(ctx context.Context, l letters.Letter) ([]int, error) {
	y := strconv.Itoa(l.Year)
	rows, err := db.r.QueryContext(ctx, `SELECT c.category, COALESCE(k.parent, ''), COUNT(*) FROM cases c
		LEFT JOIN categories k ON k.code = c.category
		WHERE c.unit_id = $1 AND c.day >= $2 AND c.day <= $3 AND c.status <> 'rejected'
		GROUP BY c.category, k.parent`, l.UnitID, y+"-01-01", y+"-12-31")
	if err != nil {
		return nil, err
	}
	counts, parents := map[string]int{}, map[string]string{}
	err = eachRow(rows, func(sc rowScanner) error {
		var code, parent string
		var n int
		if err := sc.Scan(&code, &parent, &n); err != nil {
			return err
		}
		counts[code] += n
		parents[code] = parent
		return nil
	})
	if err != nil {
		return nil, err
	}
	return letters.Breaches(l.Clauses, counts, parents), nil
}

// UnitLetter returns a unit's current letter for year (the one that is not
// withdrawn) with its clause breaches; NotFound when it has none.
func (db *DB) UnitLetter(ctx context.Context, unitID int64, year int) (letters.Letter, []int, error) {
	var id int64
	err := db.r.QueryRowContext(ctx, `SELECT id FROM letters WHERE unit_id = $1 AND year = $2 AND status <> 'withdrawn' ORDER BY id DESC LIMIT 1`,
		unitID, year).Scan(&id)
	if err != nil {
		return letters.Letter{}, nil, mapErr(err)
	}
	l, err := db.Letter(ctx, id)
	if err != nil {
		return l, nil, err
	}
	b, err := db.LetterBreaches(ctx, l)
	return l, b, err
}
