package assesssvc

import (
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/store"
)

// BulletinXLSX writes a bulletin's ranking as a workbook in pr's language:
// the title, period and SHA-256, then one row per subject with its rank,
// total, grade and each item's points. It reads only the frozen snapshot.
func BulletinXLSX(w io.Writer, pr locale.Printer, b store.Bulletin) error {
	sn, err := ParseSnapshot(b)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := pr.T("assess.xlsx.ranking")
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	row := 0
	put := func(vals ...any) error {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, vals)
	}
	if err := sw.SetColWidth(2, 2, 28); err != nil {
		return err
	}
	lines := [][]any{
		{pr.T("field.title"), sn.Title},
		{pr.T("field.period"), sn.Period.Key + " (" + sn.Period.From + " – " + sn.Period.To + ")"},
		{pr.T("assess.area"), sn.Area.Name},
		{pr.T("assess.rubric"), sn.Rubric.Title},
		{pr.T("assess.published_at"), sn.PublishedAt},
		{"SHA-256", b.SHA256},
		{},
	}
	head := []any{pr.T("assess.rank"), pr.T("assess.subject"), pr.T("assess.total"), pr.T("assess.grade")}
	for _, it := range sn.Rubric.Items {
		head = append(head, it.Name+" ("+fmtNum(it.Max)+")")
	}
	lines = append(lines, head)
	for _, sc := range sn.Scores {
		vals := []any{sc.Rank, sc.Subject.Name, sc.Total, sc.Grade}
		for _, it := range sc.Items {
			vals = append(vals, it.Points)
		}
		lines = append(lines, vals)
	}
	for _, l := range lines {
		if err := put(l...); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}
