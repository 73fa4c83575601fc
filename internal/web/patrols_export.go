package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/locale"
)

// patrolBookExport streams the record book of grid (named gridName) for the
// month starting at first as an Excel workbook, in the paper form's columns
// with Chinese headers (the form is Chinese whatever the page language).
func (s *Server) patrolBookExport(w http.ResponseWriter, r *http.Request, grid, gridName string, first time.Time) {
	p := locale.New("zh-CN")
	rows, _, err := s.bookRows(r.Context(), userOf(r), p, grid, first)
	if err != nil {
		s.patrolFail(w, r, err)
		return
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := p.T("recordbook.sheet")
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	headers := []string{"recordbook.col.no", "recordbook.col.date", "recordbook.col.time", "recordbook.col.patroller", "recordbook.col.route",
		"recordbook.col.problems", "recordbook.col.records", "recordbook.col.summary", "recordbook.col.flags", "recordbook.col.signature"}
	widths := []float64{6, 12, 14, 10, 36, 44, 30, 30, 14, 12}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	title := gridName + " " + p.T("recordbook.month", first.Year(), int(first.Month())) + " " + p.T("recordbook.title")
	if err := sw.SetRow("A1", []any{title}); err != nil {
		s.serverError(w, r, err)
		return
	}
	head := make([]any, len(headers))
	for i, h := range headers {
		head[i] = p.T(h)
	}
	if err := sw.SetRow("A2", head); err != nil {
		s.serverError(w, r, err)
		return
	}
	for i, b := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		vals := []any{i + 1, b.Date, b.Start + "–" + b.End, b.Patroller, b.Route, b.ProblemsText(), b.Records, b.Summary, b.Flags, ""}
		if err := sw.SetRow(cell, vals); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if err := sw.Flush(); err != nil {
		s.serverError(w, r, err)
		return
	}
	name := gridName + "-" + sheet + "-" + first.Format("200601") + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"recordbook.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "private, no-store")
	if _, err := x.WriteTo(w); err != nil {
		s.app.Log.Error("record book export failed", "path", r.URL.Path, "err", err)
	}
}
