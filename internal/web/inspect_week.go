package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
)

// The street's week across its communities: each one's score, the items it
// lost, its findings and hotspots, and a small chart of its scores over the
// year (SVG made here: no script, prints as it shows). It prints on A4 and
// downloads as Excel.

type weekRow struct {
	inspectsvc.Row
	ScoreText string
	LostText  []string
	Trend     template.HTML // an inline SVG sparkline
	TrendText string        // the same scores in words, for screen readers and print
}

type weekPage struct {
	Page
	Monday, Sunday string
	Prev, Next     string
	Region         string
	Rows           []weekRow
	XLSX           string
}

// sparkline draws scores (0..max each) as a small line chart, left to right by date.
func sparkline(points []inspectsvc.Point, label string) template.HTML {
	const w, h, pad = 120.0, 28.0, 2.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`, w, h, w, h, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<line x1="0" y1="%g" x2="%g" y2="%g" class="spark-base"/>`, h-pad, w, h-pad)
	if len(points) > 0 {
		var path strings.Builder
		for i, p := range points {
			x := pad
			if len(points) > 1 {
				x = pad + float64(i)*(w-2*pad)/float64(len(points)-1)
			}
			share := 0.0
			if p.Max > 0 {
				share = p.Score / float64(p.Max)
			}
			y := h - pad - share*(h-2*pad)
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x, y)
			if i == len(points)-1 {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2" class="spark-dot"/>`, x, y)
			}
		}
		fmt.Fprintf(&b, `<path d="%s" class="spark-line"/>`, strings.TrimSpace(path.String()))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// weekSummary shows the week (?week=any date of it; this week by default).
func (s *Server) weekSummary(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := printer(r)
	wk, err := s.app.Inspect.WeekSummary(r.Context(), userOf(r), q.Get("region"), q.Get("week"))
	if err != nil {
		switch {
		case apperr.Is(err, apperr.Forbidden):
			s.forbidden(w, r)
		case apperr.Is(err, apperr.NotFound):
			s.notFound(w, r)
		case apperr.Is(err, apperr.Invalid):
			s.inspectListFailed(w, r, err)
		default:
			s.serverError(w, r, err)
		}
		return
	}
	mon, _ := time.ParseInLocation(inspect.DateLayout, wk.Monday, s.app.Loc)
	data := weekPage{Page: s.page(r, "inspect.week_title"), Monday: wk.Monday, Sunday: wk.Sunday, Region: q.Get("region"),
		Prev: mon.AddDate(0, 0, -7).Format(inspect.DateLayout), Next: mon.AddDate(0, 0, 7).Format(inspect.DateLayout)}
	data.Title = p.T("inspect.week_heading", wk.Monday, wk.Sunday)
	v := url.Values{"week": {wk.Monday}}
	if data.Region != "" {
		v.Set("region", data.Region)
	}
	data.XLSX = "/inspections/week.xlsx?" + v.Encode()
	for _, row := range wk.Rows {
		wr := weekRow{Row: row}
		if row.Inspection != nil {
			wr.ScoreText = scoreText(row.Inspection.Score)
		}
		for _, it := range row.Lost {
			wr.LostText = append(wr.LostText, it.Title+" −"+strconv.FormatFloat(it.Lost(), 'f', -1, 64))
		}
		var words []string
		for _, pt := range row.Trend {
			words = append(words, pt.Date[5:]+" "+strconv.FormatFloat(pt.Score, 'f', -1, 64))
		}
		wr.TrendText = strings.Join(words, "，")
		wr.Trend = sparkline(row.Trend, p.T("inspect.trend_label", row.Name, mon.Year()))
		data.Rows = append(data.Rows, wr)
	}
	s.render(w, r, http.StatusOK, "inspect_week", data)
}

// weekXLSX downloads the week's summary as an Excel workbook.
func (s *Server) weekXLSX(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := printer(r)
	wk, err := s.app.Inspect.WeekSummary(r.Context(), userOf(r), q.Get("region"), q.Get("week"))
	if err != nil {
		s.inspectListFailed(w, r, err)
		return
	}
	name := p.T("inspect.export.filename") + "-" + wk.Monday + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"inspections.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	if err := s.app.Inspect.ExportWeek(r.Context(), w, p, userOf(r), q.Get("region"), wk.Monday); err != nil {
		s.app.Log.Error("inspection export failed", "err", err)
	}
}
