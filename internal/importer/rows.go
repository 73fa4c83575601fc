package importer

import (
	"context"
	"io"

	"github.com/lantian-org/lantian/internal/apperr"
)

// eachRow calls do with each data row of t that is not blank, counting
// them in rep: it stops with an error when the file holds more rows than
// opts allows or ctx ends.
func eachRow(ctx context.Context, t *table, rep *Report, opts Options, do func(row int, cells []string) error) error {
	for {
		row, cells, err := t.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if blank(cells) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if rep.Rows++; rep.Rows > opts.maxRows() {
			return apperr.New(apperr.TooLarge, "import.too_many_rows", opts.maxRows())
		}
		if err := do(row, cells); err != nil {
			return err
		}
	}
}
