package store

import (
	"context"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
)

const personCols = `id, username, name, COALESCE(mobile, ''), active, created_at, updated_at`

func scanPerson(sc interface{ Scan(...any) error }) (people.Person, error) {
	var p people.Person
	var created, updated int64
	err := sc.Scan(&p.ID, &p.Username, &p.Name, &p.Mobile, &p.Active, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, err
}

func personSummary(p people.Person) map[string]any {
	return map[string]any{"username": p.Username, "name": p.Name, "mobile": people.MaskMobile(p.Mobile), "active": p.Active}
}

// Person returns one person with their roles.
func (db *DB) Person(ctx context.Context, id int64) (people.Person, error) {
	p, err := scanPerson(db.queryRow(ctx, `SELECT `+personCols+` FROM people WHERE id = $1`, id))
	if err != nil {
		return p, mapErr(err)
	}
	p.Roles, err = db.Roles(ctx, id)
	return p, err
}

// Credentials finds an active or inactive person by username or mobile and
// returns them with their password hash, for signing in.
func (db *DB) Credentials(ctx context.Context, login string) (people.Person, string, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	var hash string
	row := db.r.QueryRowContext(ctx, `SELECT `+personCols+`, password_hash FROM people WHERE username = $1 OR mobile = $1`, login)
	var p people.Person
	var created, updated int64
	err := row.Scan(&p.ID, &p.Username, &p.Name, &p.Mobile, &p.Active, &created, &updated, &hash)
	if err != nil {
		return p, "", mapErr(err)
	}
	p.Roles, err = db.Roles(ctx, p.ID)
	return p, hash, err
}

// Roles lists a person's role assignments.
func (db *DB) Roles(ctx context.Context, personID int64) ([]people.Assignment, error) {
	rows, err := db.query(ctx, `SELECT id, person_id, role, COALESCE(region, ''), COALESCE(unit_id, 0) FROM role_assignments WHERE person_id = $1 ORDER BY id`, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (people.Assignment, error) {
		var a people.Assignment
		err := sc.Scan(&a.ID, &a.PersonID, &a.Role, &a.Region, &a.UnitID)
		return a, err
	})
}

// PeopleFilter selects people: those with a role inside one of Roots (all people when All is set).
type PeopleFilter struct {
	All    bool
	Roots  []string
	Region string
	Role   string
	Q      string
	Page   Page
}

// People lists people matching f with the total count; each comes with roles.
func (db *DB) People(ctx context.Context, f PeopleFilter) ([]people.Person, int, error) {
	var args []any
	var where []string
	var ra []string
	if !f.All {
		// A person is in scope through a region role in the roots or a unit-contact role for a unit in the roots.
		byRegion := scopeClause("ra.region", f.Roots, &args)
		byUnit := scopeClause("u.region", f.Roots, &args)
		ra = append(ra, "("+byRegion+" OR ra.unit_id IN (SELECT u.id FROM units u WHERE "+byUnit+"))")
	}
	if f.Region != "" {
		ra = append(ra, scopeClause("COALESCE(ra.region, (SELECT u.region FROM units u WHERE u.id = ra.unit_id))", []string{f.Region}, &args))
	}
	if f.Role != "" {
		args = append(args, f.Role)
		ra = append(ra, "ra.role = "+ph(len(args)))
	}
	if len(ra) > 0 {
		where = append(where, "id IN (SELECT ra.person_id FROM role_assignments ra WHERE "+strings.Join(ra, " AND ")+")")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		args = append(args, "%"+strings.ToLower(likeEscape(q))+"%")
		n := ph(len(args))
		where = append(where, "(LOWER(name) LIKE "+n+` ESCAPE '\' OR username LIKE `+n+` ESCAPE '\' OR mobile LIKE `+n+` ESCAPE '\')`)
	}
	w := "1=1"
	if len(where) > 0 {
		w = strings.Join(where, " AND ")
	}
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, args := limitPage(f.Page.Clamp(), args)
	rows, err := db.r.QueryContext(ctx, `SELECT `+personCols+` FROM people WHERE `+w+` ORDER BY id DESC`+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanPerson)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		if out[i].Roles, err = db.Roles(ctx, out[i].ID); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// CreatePerson validates and stores a person with a password hash and roles, audited.
func (db *DB) CreatePerson(ctx context.Context, actor Actor, p *people.Person, hash string) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.CreatePerson(ctx, p, hash) })
}

// CreatePerson stores a person inside a larger transaction.
func (tx *Tx) CreatePerson(ctx context.Context, p *people.Person, hash string) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO people (username, name, mobile, password_hash, active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, p.Username, p.Name, nullStr(p.Mobile), hash, b2i(p.Active), tx.now).Scan(&p.ID)
	if err != nil {
		return mapErr(err, "username", "mobile")
	}
	p.CreatedAt, p.UpdatedAt = fromMS(tx.now), fromMS(tx.now)
	if err := tx.Audit(ctx, "person", p.ID, "create", nil, personSummary(*p)); err != nil {
		return err
	}
	roles := p.Roles
	p.Roles = nil
	for _, a := range roles {
		a.PersonID = p.ID
		if err := tx.AddRole(ctx, &a); err != nil {
			return err
		}
		p.Roles = append(p.Roles, a)
	}
	return nil
}

// UpdatePerson saves name, mobile and active flag, audited.
func (db *DB) UpdatePerson(ctx context.Context, actor Actor, p *people.Person) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.UpdatePerson(ctx, p) })
}

// UpdatePerson saves name, mobile and active flag inside a larger
// transaction, audited; an inactive person's sessions end.
func (tx *Tx) UpdatePerson(ctx context.Context, p *people.Person) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	old, err := scanPerson(tx.QueryRowContext(ctx, `SELECT `+personCols+` FROM people WHERE id = $1`, p.ID))
	if err != nil {
		return mapErr(err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE people SET name = $2, mobile = $3, active = $4, updated_at = $5 WHERE id = $1`,
		p.ID, p.Name, nullStr(p.Mobile), b2i(p.Active), tx.now)
	if err != nil {
		return mapErr(err, "mobile")
	}
	if !p.Active {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1`, p.ID); err != nil {
			return err
		}
	}
	p.Username = old.Username
	return tx.Audit(ctx, "person", p.ID, "update", personSummary(old), personSummary(*p))
}

// SetPassword replaces a person's password hash and ends their other
// sessions (keepSession, a token hash, survives), audited.
func (db *DB) SetPassword(ctx context.Context, actor Actor, personID int64, hash, keepSession string) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.SetPassword(ctx, personID, hash, keepSession) })
}

// SetPassword is SetPassword inside a larger transaction.
func (tx *Tx) SetPassword(ctx context.Context, personID int64, hash, keepSession string) error {
	res, err := tx.ExecContext(ctx, `UPDATE people SET password_hash = $2, updated_at = $3 WHERE id = $1`, personID, hash, tx.now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2`, personID, keepSession); err != nil {
		return err
	}
	return tx.Audit(ctx, "person", personID, "password", nil, nil)
}

// AddRole gives a person a role, audited.
func (db *DB) AddRole(ctx context.Context, actor Actor, a *people.Assignment) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.AddRole(ctx, a) })
}

// AddRole gives a person a role inside a larger transaction.
func (tx *Tx) AddRole(ctx context.Context, a *people.Assignment) error {
	valid := func(code string) bool {
		var n int
		return region.ValidCode(code) && tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, code).Scan(&n) == nil && n > 0
	}
	if err := people.ValidateAssignment(*a, valid); err != nil {
		return err
	}
	if a.Role == people.UnitContact {
		a.Region = ""
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE id = $1`, a.UnitID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Field("unit_id", "err.unit_unknown")
		}
	} else {
		a.UnitID = 0
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO role_assignments (person_id, role, region, unit_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		a.PersonID, a.Role, nullStr(a.Region), nullID(a.UnitID), tx.now).Scan(&a.ID)
	if err != nil {
		if ok, _ := uniqueViolation(err); ok {
			return apperr.Field("role", "err.role_duplicate")
		}
		return err
	}
	return tx.Audit(ctx, "person", a.PersonID, "role_add", nil, a)
}

// RemoveRole takes a role assignment away, audited.
func (db *DB) RemoveRole(ctx context.Context, actor Actor, personID, assignmentID int64) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.RemoveRole(ctx, personID, assignmentID) })
}

// RemoveRole is RemoveRole inside a larger transaction.
func (tx *Tx) RemoveRole(ctx context.Context, personID, assignmentID int64) error {
	var a people.Assignment
	err := tx.QueryRowContext(ctx, `SELECT id, person_id, role, COALESCE(region, ''), COALESCE(unit_id, 0) FROM role_assignments WHERE id = $1 AND person_id = $2`,
		assignmentID, personID).Scan(&a.ID, &a.PersonID, &a.Role, &a.Region, &a.UnitID)
	if err != nil {
		return mapErr(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM role_assignments WHERE id = $1`, assignmentID); err != nil {
		return err
	}
	return tx.Audit(ctx, "person", personID, "role_remove", a, nil)
}

// SetLanguage stores a person's preferred language (not audited: a preference, not a record).
func (db *DB) SetLanguage(ctx context.Context, personID int64, lang string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE people SET lang = $2 WHERE id = $1`, personID, lang)
	return err
}

// Language returns a person's preferred language, "" when unset.
func (db *DB) Language(ctx context.Context, personID int64) (string, error) {
	var lang string
	err := db.r.QueryRowContext(ctx, `SELECT lang FROM people WHERE id = $1`, personID).Scan(&lang)
	return lang, mapErr(err)
}

// CountPeople returns how many people are stored.
func (db *DB) CountPeople(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM people`).Scan(&n)
	return n, err
}
