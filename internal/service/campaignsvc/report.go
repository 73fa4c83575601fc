package campaignsvc

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/locale"
)

// ReportView is a campaign's report as p may see it, with the names it shows.
type ReportView struct {
	View
	Sum campaign.Report
	// UnitNames names the units of the tasks; RegionName names region codes.
	UnitNames  map[int64]string
	RegionName func(string) string
}

// Report sums up campaign id for p: totals, tasks done and not done, units
// that took part and units asked that did not. Unit contacts, who see their
// unit's tasks only, get no report (404).
func (s *Service) Report(ctx context.Context, p *auth.Principal, id int64) (ReportView, error) {
	v, err := s.Get(ctx, p, id)
	if err != nil {
		return ReportView{}, err
	}
	if !v.AllTasks {
		return ReportView{}, apperr.ErrNotFound
	}
	names := map[int64]string{}
	for _, t := range v.Tasks {
		if t.UnitID != 0 && names[t.UnitID] == "" {
			u, err := s.DB.Unit(ctx, t.UnitID)
			if err != nil {
				return ReportView{}, err
			}
			names[t.UnitID] = u.Name
		}
	}
	for _, u := range v.Units {
		names[u.UnitID] = u.Name
	}
	regionNames, err := s.DB.RegionNames(ctx)
	if err != nil {
		return ReportView{}, err
	}
	return ReportView{View: v, Sum: campaign.Summarize(v.Campaign, names, len(v.Findings)), UnitNames: names,
		RegionName: func(code string) string { return regionNames[code] }}, nil
}

// ExportXLSX writes campaign id's report as an Excel workbook in p's
// language: a summary sheet with the totals and the units, and a sheet of
// tasks with their results.
func (s *Service) ExportXLSX(ctx context.Context, w io.Writer, pr locale.Printer, p *auth.Principal, id int64) (ReportView, error) {
	rv, err := s.Report(ctx, p, id)
	if err != nil {
		return rv, err
	}
	x := excelize.NewFile()
	defer x.Close()
	summary := pr.T("campaign.xlsx.summary")
	x.SetSheetName("Sheet1", summary)
	sw, err := x.NewStreamWriter(summary)
	if err != nil {
		return rv, err
	}
	row := 0
	put := func(sw *excelize.StreamWriter, vals ...any) error {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, vals)
	}
	if err := sw.SetColWidth(1, 1, 24); err != nil {
		return rv, err
	}
	if err := sw.SetColWidth(2, 2, 40); err != nil {
		return rv, err
	}
	var regions []string
	for _, r := range rv.Regions {
		regions = append(regions, rv.RegionName(r))
	}
	lines := [][]any{
		{pr.T("field.title"), rv.Title},
		{pr.T("field.date"), rv.Date},
		{pr.T("field.regions"), strings.Join(regions, pr.T("campaign.list_sep"))},
		{pr.T("field.status"), pr.T("campaign.status." + string(rv.Status))},
		{pr.T("campaign.report.tasks_done"), fmt.Sprintf("%d / %d", rv.Sum.TasksDone, rv.Sum.Tasks)},
	}
	for _, k := range campaign.CountKeys {
		lines = append(lines, []any{pr.T("campaign.count." + k), rv.Sum.Counts.Get(k)})
	}
	lines = append(lines, []any{pr.T("campaign.report.findings"), rv.Sum.Findings}, []any{})
	lines = append(lines, []any{pr.T("campaign.report.units_present"), pr.T("campaign.headcount")})
	for _, u := range rv.Sum.UnitsPresent {
		lines = append(lines, []any{u.Name, u.Headcount})
	}
	lines = append(lines, []any{}, []any{pr.T("campaign.report.units_absent")})
	for _, u := range rv.Sum.UnitsAbsent {
		lines = append(lines, []any{u.Name})
	}
	for _, l := range lines {
		if err := put(sw, l...); err != nil {
			return rv, err
		}
	}
	if err := sw.Flush(); err != nil {
		return rv, err
	}

	tasks := pr.T("campaign.xlsx.tasks")
	if _, err := x.NewSheet(tasks); err != nil {
		return rv, err
	}
	tw, err := x.NewStreamWriter(tasks)
	if err != nil {
		return rv, err
	}
	head := []any{pr.T("campaign.task.number"), pr.T("field.kind"), pr.T("campaign.task.title"), pr.T("campaign.task.responsible"), pr.T("campaign.task.done")}
	for _, k := range campaign.CountKeys {
		head = append(head, pr.T("campaign.count."+k))
	}
	head = append(head, pr.T("field.note"), pr.T("campaign.photos.before"), pr.T("campaign.photos.after"))
	for i, wd := range []float64{6, 12, 28, 24, 8, 10, 10, 10, 10, 10, 10, 36, 8, 8} {
		if err := tw.SetColWidth(i+1, i+1, wd); err != nil {
			return rv, err
		}
	}
	row = 0
	if err := put(tw, head...); err != nil {
		return rv, err
	}
	photos := map[string]int{}
	for _, ph := range rv.Photos {
		photos[strconv.FormatInt(ph.TaskID, 10)+ph.Step]++
	}
	for i, t := range rv.Tasks {
		resp := rv.RegionName(t.Region)
		if t.UnitID != 0 {
			resp = rv.UnitNames[t.UnitID]
		}
		done := pr.T("common.no")
		if t.Done {
			done = pr.T("common.yes")
		}
		vals := []any{i + 1, pr.T("campaign.kind." + string(t.Kind)), t.Title, resp, done}
		for _, k := range campaign.CountKeys {
			vals = append(vals, t.Counts.Get(k))
		}
		id := strconv.FormatInt(t.ID, 10)
		vals = append(vals, t.Note, photos[id+"before"], photos[id+"after"])
		if err := put(tw, vals...); err != nil {
			return rv, err
		}
	}
	if err := tw.Flush(); err != nil {
		return rv, err
	}
	_, err = x.WriteTo(w)
	return rv, err
}
