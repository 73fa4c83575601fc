package store

import (
	"context"
	"reflect"

	"github.com/lantian-org/lantian/internal/cases"
)

// UpdateCategory stores c's names, severity, level, limits and active flag
// inside tx and audits the change; it reports whether anything changed
// (an unchanged category writes nothing). The caller validates.
func (tx *Tx) UpdateCategory(ctx context.Context, c cases.Category) (bool, error) {
	old, err := scanCategory(tx.QueryRowContext(ctx, `SELECT `+categoryCols+` FROM categories WHERE code = $1`, c.Code))
	if err != nil {
		return false, mapErr(err)
	}
	c.Parent, c.Sort, c.Children = old.Parent, old.Sort, nil
	if reflect.DeepEqual(old, c) {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE categories SET name_zh = $2, name_en = $3, severity = $4, level = $5, file_n = $6, file_unit = $7,
		handle_n = $8, handle_unit = $9, verify_n = $10, verify_unit = $11, active = $12 WHERE code = $1`,
		c.Code, c.NameZh, c.NameEn, c.Severity, c.Level, c.File.N, c.File.Unit, c.Handle.N, c.Handle.Unit, c.Verify.N, c.Verify.Unit, b2i(c.Active))
	if err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, "category", c.Code, "update", old, c)
}
