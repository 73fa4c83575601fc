package inspectsvc

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Point is one closed inspection's score on a community's trend.
type Point struct {
	Date  string
	Score float64
	Max   int
}

// Row is one community's line of a week's summary.
type Row struct {
	Community  string
	Name       string
	Inspection *inspect.Inspection // the week's record that counts: a closed correction over what it corrects; nil when none
	Lost       []inspect.Item      // the items scored below their maximum
	Hotspots   int                 // the community's hotspots of the last 8 weeks
	Trend      []Point             // the year's closed inspections, by date
}

// Week is the street's week of inspections across its communities.
type Week struct {
	Monday, Sunday string
	Rows           []Row
}

// weekOf parses a date of the week asked for ("" this week) into its Monday.
func (s *Service) weekOf(day string) (time.Time, error) {
	if strings.TrimSpace(day) == "" {
		return inspect.Monday(s.today()), nil
	}
	d, err := inspect.ParseDate("week", day, s.today())
	if err != nil {
		return d, err
	}
	return inspect.Monday(d), nil
}

// effective picks the record of a community's week that counts: the newest
// closed record not corrected by a closed later one (a correction replaces
// what it corrects), else the newest live one, else a cancelled one.
func effective(list []inspect.Inspection) *inspect.Inspection {
	corrected := map[int64]bool{}
	for _, in := range list {
		if in.Corrects != 0 && in.Status == inspect.StatusClosed {
			corrected[in.Corrects] = true
		}
	}
	var best *inspect.Inspection
	rank := func(in inspect.Inspection) int {
		switch {
		case in.Status == inspect.StatusClosed && !corrected[in.ID]:
			return 3
		case in.Status == inspect.StatusOpen || in.Status == inspect.StatusPlanned:
			return 2
		case in.Status == inspect.StatusCancelled:
			return 1
		}
		return 0
	}
	for i := range list {
		in := list[i]
		if r := rank(in); r > 0 && (best == nil || r > rank(*best) || (r == rank(*best) && in.ID > best.ID)) {
			best = &list[i]
		}
	}
	return best
}

// WeekSummary returns the week holding day ("" for this week) for the
// communities p may see inside regionCode: each community's score, the
// items it lost, its findings and hotspots, and its trend over the year.
func (s *Service) WeekSummary(ctx context.Context, p *auth.Principal, regionCode, day string) (Week, error) {
	all, roots, err := scope(p, regionCode)
	if err != nil {
		return Week{}, err
	}
	mon, err := s.weekOf(day)
	if err != nil {
		return Week{}, err
	}
	sun := mon.AddDate(0, 0, 6)
	w := Week{Monday: mon.Format(inspect.DateLayout), Sunday: sun.Format(inspect.DateLayout)}
	comms, err := s.Communities(ctx, p)
	if err != nil {
		return w, err
	}
	var mine []store.GridRef
	for _, c := range comms {
		if regionCode == "" || region.Contains(regionCode, c.Code) || region.Contains(c.Code, regionCode) {
			mine = append(mine, c)
		}
	}
	f := store.InspectionFilter{All: all, Roots: roots, Region: regionCode, From: w.Monday, To: w.Sunday}
	if region.LevelOf(regionCode) == region.Grid {
		f.Region = region.AncestorAt(regionCode, region.Community)
	}
	byComm := map[string][]inspect.Inspection{}
	if err := s.DB.EachInspection(ctx, f, func(in inspect.Inspection) error {
		byComm[in.Region] = append(byComm[in.Region], in)
		return nil
	}); err != nil {
		return w, err
	}
	trend, err := s.trend(ctx, f, mon.Year())
	if err != nil {
		return w, err
	}
	counts := map[string]int{}
	streets := map[string]bool{}
	for _, c := range mine {
		streets[region.AncestorAt(c.Code, region.Street)] = true
	}
	for st := range streets {
		// Counted on the street's cases, as the street's hotspot list shows them.
		if !p.Can(auth.InspectRead, auth.Target{Region: st}) {
			continue
		}
		hs, err := s.hotspots(ctx, st, inspect.DefaultWeeks)
		if err != nil {
			return w, err
		}
		for _, h := range hs {
			counts[h.Community]++
		}
	}
	for _, c := range mine {
		row := Row{Community: c.Code, Name: c.Name, Inspection: effective(byComm[c.Code]), Trend: trend[c.Code]}
		row.Hotspots = counts[c.Code]
		if !p.Can(auth.InspectRead, auth.Target{Region: region.AncestorAt(c.Code, region.Street)}) {
			hs, err := s.hotspots(ctx, c.Code, inspect.DefaultWeeks)
			if err != nil {
				return w, err
			}
			row.Hotspots = len(hs)
		}
		if row.Inspection != nil {
			for _, it := range row.Inspection.Items {
				if it.Lost() > 0 {
					row.Lost = append(row.Lost, it)
				}
			}
		}
		w.Rows = append(w.Rows, row)
	}
	return w, nil
}

// trend returns each community's closed scores over a year (a correction's
// score in place of what it corrects).
func (s *Service) trend(ctx context.Context, f store.InspectionFilter, year int) (map[string][]Point, error) {
	f.From, f.To, f.Status = fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year), string(inspect.StatusClosed)
	var list []inspect.Inspection
	if err := s.DB.EachInspection(ctx, f, func(in inspect.Inspection) error {
		list = append(list, in)
		return nil
	}); err != nil {
		return nil, err
	}
	replaced := map[int64]inspect.Inspection{}
	for _, in := range list {
		if in.Corrects != 0 {
			if old, ok := replaced[in.Corrects]; !ok || in.ID > old.ID {
				replaced[in.Corrects] = in
			}
		}
	}
	out := map[string][]Point{}
	for _, in := range list {
		if in.Corrects != 0 || in.Score == nil {
			continue
		}
		if c, ok := replaced[in.ID]; ok && c.Score != nil {
			in = c
		}
		out[in.Region] = append(out[in.Region], Point{Date: in.Date, Score: *in.Score, Max: in.Max})
	}
	return out, nil
}

// ExportWeek writes the week's summary as an Excel workbook, headers in p's language.
func (s *Service) ExportWeek(ctx context.Context, wr io.Writer, pr locale.Printer, p *auth.Principal, regionCode, day string) error {
	w, err := s.WeekSummary(ctx, p, regionCode, day)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := pr.T("inspect.export.sheet")
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, wd := range []float64{16, 12, 10, 8, 8, 40, 30, 10, 16} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	title := pr.T("inspect.export.title", w.Monday, w.Sunday)
	if err := sw.SetRow("A1", []any{title}); err != nil {
		return err
	}
	head := []any{}
	for _, k := range []string{"community", "date", "status", "score", "max", "lost", "findings", "hotspots", "ack"} {
		head = append(head, pr.T("inspect.export."+k))
	}
	if err := sw.SetRow("A2", head); err != nil {
		return err
	}
	for i, r := range w.Rows {
		row := []any{r.Name, "", pr.T("inspect.none"), "", "", "", "", r.Hotspots, ""}
		if in := r.Inspection; in != nil {
			row[1], row[2], row[4] = in.Date, pr.T("inspect.status."+string(in.Status)), in.Max
			if in.Score != nil {
				row[3] = *in.Score
			}
			var lost []string
			for _, it := range r.Lost {
				lost = append(lost, it.Title+" −"+strconv.FormatFloat(it.Lost(), 'f', -1, 64))
			}
			row[5] = strings.Join(lost, "；")
			row[6] = strings.Join(in.Findings, "、")
			if in.Ack.Signed() {
				row[8] = in.Ack.Name + " " + in.Ack.At.In(s.Loc).Format("01-02 15:04")
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = x.WriteTo(wr)
	return err
}
