package store

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/cases"
)

const categoryCols = `code, COALESCE(parent, ''), name_zh, name_en, severity, level, file_n, file_unit, handle_n, handle_unit, verify_n, verify_unit, sort, active`

func scanCategory(sc interface{ Scan(...any) error }) (cases.Category, error) {
	var c cases.Category
	err := sc.Scan(&c.Code, &c.Parent, &c.NameZh, &c.NameEn, &c.Severity, &c.Level, &c.File.N, &c.File.Unit,
		&c.Handle.N, &c.Handle.Unit, &c.Verify.N, &c.Verify.Unit, &c.Sort, &c.Active)
	return c, err
}

// Categories returns the category tree: top-level groups with their children, in display order.
func (db *DB) Categories(ctx context.Context) ([]cases.Category, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+categoryCols+` FROM categories ORDER BY sort, code`)
	if err != nil {
		return nil, err
	}
	all, err := scanAll(rows, scanCategory)
	if err != nil {
		return nil, err
	}
	var tops []cases.Category
	for _, c := range all {
		if c.Parent == "" {
			tops = append(tops, c)
		}
	}
	for i := range tops {
		for _, c := range all {
			if c.Parent == tops[i].Code {
				tops[i].Children = append(tops[i].Children, c)
			}
		}
	}
	return tops, nil
}

// Category returns one category.
func (db *DB) Category(ctx context.Context, code string) (cases.Category, error) {
	c, err := scanCategory(db.queryRow(ctx, `SELECT `+categoryCols+` FROM categories WHERE code = $1`, code))
	return c, mapErr(err)
}

// SaveCategory updates a category's names, default severity, level and time limits, audited.
func (db *DB) SaveCategory(ctx context.Context, actor Actor, c cases.Category) error {
	f := apperr.Fields{}
	if c.NameZh == "" {
		f.Add("name_zh", "err.required")
	}
	if !c.Severity.Valid() {
		f.Add("severity", "err.invalid_choice")
	}
	if c.Level < cases.LevelStreet || c.Level > cases.LevelGrid {
		f.Add("level", "err.invalid_choice")
	}
	for name, l := range map[string]calendar.Limit{"file_limit": c.File, "handle_limit": c.Handle, "verify_limit": c.Verify} {
		if l.Validate() != nil {
			f.Add(name, "err.limit")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	return db.Write(ctx, actor, func(tx *Tx) error {
		old, err := scanCategory(tx.QueryRowContext(ctx, `SELECT `+categoryCols+` FROM categories WHERE code = $1`, c.Code))
		if err != nil {
			return mapErr(err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE categories SET name_zh = $2, name_en = $3, severity = $4, level = $5, file_n = $6, file_unit = $7,
			handle_n = $8, handle_unit = $9, verify_n = $10, verify_unit = $11, active = $12 WHERE code = $1`,
			c.Code, c.NameZh, c.NameEn, c.Severity, c.Level, c.File.N, c.File.Unit, c.Handle.N, c.Handle.Unit, c.Verify.N, c.Verify.Unit, b2i(c.Active))
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "category", c.Code, "update", old, c)
	})
}

// CalendarDays returns every holiday and make-up working day stored.
func (db *DB) CalendarDays(ctx context.Context) ([]calendar.Day, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT date, kind, name FROM calendar_days ORDER BY date`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (calendar.Day, error) {
		var d calendar.Day
		err := sc.Scan(&d.Date, &d.Kind, &d.Name)
		return d, err
	})
}

// Calendar builds the working-day calendar from the stored days.
func (db *DB) Calendar(ctx context.Context, loc *time.Location) (*calendar.Calendar, error) {
	days, err := db.CalendarDays(ctx)
	if err != nil {
		return nil, err
	}
	return calendar.New(days, loc)
}

// EnsureCalendar stores the official schedule shipped with Lantian when no days are stored yet.
func (db *DB) EnsureCalendar(ctx context.Context) error {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM calendar_days`).Scan(&n); err != nil || n > 0 {
		return err
	}
	return db.Write(ctx, System, func(tx *Tx) error {
		return tx.replaceYears(ctx, calendar.DefaultDays())
	})
}

// ReplaceCalendarYears replaces the stored days of every year that days
// covers with days (an import of the official CSV), audited.
func (db *DB) ReplaceCalendarYears(ctx context.Context, actor Actor, days []calendar.Day) error {
	if _, err := calendar.New(days, time.UTC); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "err.calendar_invalid")
	}
	return db.Write(ctx, actor, func(tx *Tx) error {
		if err := tx.replaceYears(ctx, days); err != nil {
			return err
		}
		return tx.Audit(ctx, "calendar", "days", "import", nil, map[string]any{"days": len(days)})
	})
}

func (tx *Tx) replaceYears(ctx context.Context, days []calendar.Day) error {
	tx.Invalidate(TopicCalendar)
	years := map[string]bool{}
	for _, d := range days {
		years[d.Date[:4]] = true
	}
	for y := range years {
		if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE date BETWEEN $1 AND $2`, y+"-01-01", y+"-12-31"); err != nil {
			return err
		}
	}
	for _, d := range days {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (date, kind, name) VALUES ($1, $2, $3)`, d.Date, string(d.Kind), d.Name); err != nil {
			return err
		}
	}
	return nil
}
