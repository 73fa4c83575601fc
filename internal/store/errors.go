package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lantian-org/lantian/internal/apperr"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// uniqueViolation reports whether err is a unique-constraint failure, and on which column if known.
func uniqueViolation(err error) (bool, string) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		if se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
			// "UNIQUE constraint failed: units.credit_code"
			msg := se.Error()
			if i := strings.LastIndex(msg, "."); i >= 0 {
				return true, strings.TrimRight(strings.Fields(msg[i+1:])[0], ")")
			}
			return true, ""
		}
		return false, ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		// Constraint names follow "<table>_<column>_key".
		col := strings.TrimSuffix(pe.ConstraintName, "_key")
		if i := strings.Index(col, "_"); i >= 0 {
			col = col[i+1:]
		}
		return true, col
	}
	return false, ""
}

// mapErr turns driver errors into shared errors: not found, and unique
// violations as a field error on the column when the caller names it.
func mapErr(err error, uniqueFields ...string) error {
	if err == nil {
		return nil
	}
	if isNoRows(err) {
		return apperr.ErrNotFound
	}
	if ok, col := uniqueViolation(err); ok {
		for _, f := range uniqueFields {
			if f == col {
				return &apperr.Error{Code: apperr.Conflict, Msg: apperr.Msg{Key: "err.duplicate"},
					Fields: map[string]apperr.Msg{f: {Key: "err.duplicate_value"}}, Err: err}
			}
		}
		return apperr.Wrap(err, apperr.Conflict, "err.duplicate")
	}
	return err
}
