package messagesvc

import (
	"context"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/store"
)

// ExportReceipts writes notice id's receipts as an Excel workbook to w, for
// its sender or an overseer: one row per recipient (those who have not
// acknowledged first), headers in p's language. It returns the notice for
// the file's name.
func (s *Service) ExportReceipts(ctx context.Context, w io.Writer, pr locale.Printer, p *auth.Principal, id int64) (messages.Notice, error) {
	n, err := s.receiptsNotice(ctx, p, id, messages.ActReceipts)
	if err != nil {
		return n, err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := pr.T("messages.receipts.sheet")
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return n, err
	}
	for i, wd := range []float64{16, 16, 18, 18, 10} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return n, err
		}
	}
	if err := sw.SetRow("A1", []any{pr.T("messages.notice") + pr.T("punct.colon") + n.Title}); err != nil {
		return n, err
	}
	if err := sw.SetRow("A2", []any{pr.T("messages.receipts.summary", n.Recipients, n.Read, n.Acked, n.Outstanding())}); err != nil {
		return n, err
	}
	head := []any{pr.T("field.name"), pr.T("field.username"), pr.T("messages.read_at"), pr.T("messages.acked_at"), pr.T("field.status")}
	if err := sw.SetRow("A4", head); err != nil {
		return n, err
	}
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(s.Loc).Format("2006-01-02 15:04")
	}
	row := 4
	err = s.DB.EachReceipt(ctx, id, func(r store.Receipt) error {
		row++
		status := pr.T("messages.receipt.unread")
		switch {
		case !r.AckedAt.IsZero():
			status = pr.T("messages.receipt.acked")
		case !r.ReadAt.IsZero():
			status = pr.T("messages.receipt.read")
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, []any{r.Name, r.Username, at(r.ReadAt), at(r.AckedAt), status})
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	_, err = x.WriteTo(w)
	return n, err
}
