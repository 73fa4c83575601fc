package casesvc

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/store"
)

// exportBatch is how many cases are held at once while exporting.
const exportBatch = 500

// ExportXLSX writes the cases matching f as an Excel workbook to w, one row
// per case with a timeline summary, headers in p's language. Rows are
// streamed in batches, so a hundred thousand cases never sit in memory at once.
func (s *Service) ExportXLSX(ctx context.Context, w io.Writer, p locale.Printer, f store.CaseFilter, names func(code string) string) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := p.T("export.sheet")
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	headers := []string{"export.number", "export.reported_at", "export.category", "export.class", "export.severity", "export.source",
		"export.status", "export.level", "export.grid", "export.address", "export.description", "export.deadline", "export.overdue",
		"export.closed_at", "export.rework", "export.timeline"}
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = p.T(h)
	}
	widths := []float64{20, 17, 14, 8, 8, 10, 8, 8, 22, 28, 40, 17, 8, 17, 6, 60}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	cats := map[string]string{}
	tree, err := s.DB.Categories(ctx)
	if err != nil {
		return err
	}
	for _, t := range tree {
		for _, c := range t.Children {
			cats[c.Code] = c.Name(p.Lang)
		}
	}
	now := s.Now()
	fmtTime := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(s.Loc).Format("2006-01-02 15:04")
	}
	n := 1
	var batch []cases.Case
	flush := func() error {
		ids := make([]int64, len(batch))
		for i, c := range batch {
			ids[i] = c.ID
		}
		events, err := s.DB.CaseEvents(ctx, ids)
		if err != nil {
			return err
		}
		for _, c := range batch {
			n++
			var steps []string
			for _, e := range events[c.ID] {
				step := e.At.In(s.Loc).Format("01-02 15:04") + " " + p.T("case.action."+string(e.Action))
				if e.Note != "" {
					step += "（" + e.Note + "）"
				}
				steps = append(steps, step)
			}
			overdue := ""
			if c.Overdue(now) {
				overdue = p.T("common.yes")
			}
			vals := []any{c.Number, fmtTime(c.ReportedAt), cats[c.Category], p.T("case.class." + string(c.Class)), p.T("case.severity." + string(c.Severity)),
				p.T("case.source." + string(c.Source)), p.T("case.status." + string(c.Status)), p.T(fmt.Sprintf("region.level.%d", c.Level)),
				names(c.Region), c.Address, c.Description, fmtTime(c.Deadline), overdue, fmtTime(c.ClosedAt), c.Rework, strings.Join(steps, "；")}
			cell, _ := excelize.CoordinatesToCellName(1, n)
			if err := sw.SetRow(cell, vals); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	f.Page = store.Page{}
	err = s.DB.EachCase(ctx, f, func(c cases.Case, _ string) error {
		batch = append(batch, c)
		if len(batch) >= exportBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}
