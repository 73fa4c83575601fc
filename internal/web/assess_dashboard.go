package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
)

// The leaders' dashboard (/dashboard): open cases by level and timer
// colour, cases reported and closed per day over 90 days, patrols this
// week, overdue cases by community and the month's ranking so far. Charts
// are SVG drawn here, with no script; every number links to its records.

// levelRow is the open cases held at one level, by timer colour.
type levelRow struct {
	Level    int
	Href     string
	Counts   []timerCount
	Total    int
	TotalRef string
}

type timerCount struct {
	Timer string
	N     int
	Href  string
}

type overdueRow struct {
	Name string
	N    int
	Href string
}

type dashboardPage struct {
	Page
	Tabs       []NavItem
	Today      string
	Levels     []levelRow
	OpenTotal  int
	OpenHref   string
	Flow       template.HTML
	Reported   int
	Closed     int
	FlowFrom   string
	WeekDone   string
	WeekNeed   string
	WeekRate   string
	WeekHref   string
	Overdue    []overdueRow
	Ranking    []scoreRow
	RankHref   string
	RubricName string
	Period     string
	Air90      string
	AirMonth   string
	IsAdmin    bool
}

// casesHref links to the ledger filtered by the values.
func casesHref(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return "/cases?" + v.Encode()
}

// dashboard shows a leader's area at a glance.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	d, err := s.app.Assess.Dashboard(r.Context(), userOf(r))
	if err != nil {
		if apperr.Is(err, apperr.Forbidden) {
			s.forbidden(w, r)
			return
		}
		s.serverError(w, r, err)
		return
	}
	p := printer(r)
	data := dashboardPage{Page: s.page(r, "assess.dashboard_title"), Tabs: s.assessTabs(r), Today: d.Today, OpenHref: casesHref("region", d.Root, "status", "")}
	timers := []string{"green", "yellow", "red", "none"}
	for _, lv := range []int{2, 3, 4} {
		row := levelRow{Level: lv, Href: casesHref("region", d.Root, "level", strconv.Itoa(lv))}
		for _, tm := range timers {
			c := timerCount{Timer: tm, Href: row.Href}
			if tm == "red" {
				c.Href = casesHref("region", d.Root, "level", strconv.Itoa(lv), "overdue", "1")
			}
			for _, o := range d.Open {
				if o.Level == lv && o.Timer == tm {
					c.N += o.N
				}
			}
			row.Counts = append(row.Counts, c)
			row.Total += c.N
		}
		data.OpenTotal += row.Total
		data.Levels = append(data.Levels, row)
	}
	var labels []string
	var rep, clo []int
	var hrefs []string
	for _, f := range d.Days {
		labels, rep, clo = append(labels, f.Day), append(rep, f.Reported), append(clo, f.Closed)
		hrefs = append(hrefs, casesHref("region", d.Root, "from", f.Day, "to", f.Day))
		data.Reported += f.Reported
		data.Closed += f.Closed
	}
	if len(d.Days) > 0 {
		data.FlowFrom = d.Days[0].Day
	}
	data.Flow = flowSVG(labels, rep, clo, hrefs, p.T("assess.dash.reported"), p.T("assess.dash.closed"))
	data.WeekDone, data.WeekNeed, data.WeekRate = assesssvc.FmtNum(d.Week.Num), assesssvc.FmtNum(d.Week.Den), pct(d.Week.Rate())
	data.WeekHref = "/patrols"
	for _, o := range d.Overdue {
		data.Overdue = append(data.Overdue, overdueRow{Name: o.Subject.Name, N: o.N, Href: casesHref("region", o.Subject.ID, "overdue", "1")})
	}
	if d.Air90.Days > 0 {
		data.Air90 = p.T("assess.air_good", d.Air90.Good, d.Air90.Days)
	}
	if d.AirMonth.Days > 0 {
		data.AirMonth = p.T("assess.air_good", d.AirMonth.Good, d.AirMonth.Days)
	}
	data.IsAdmin = userOf(r).CanSomewhere(auth.AssessAdmin)
	if d.Ranking != nil {
		data.Ranking = scoreRows(d.Ranking.Scores, d.Ranking.Rubric.ID, d.Ranking.Period.Key)
		data.RubricName, data.Period = d.Ranking.Rubric.Title, d.Ranking.Period.Key
		data.RankHref = "/assess?" + url.Values{"rubric": {strconv.FormatInt(d.Ranking.Rubric.ID, 10)}, "period": {d.Ranking.Period.Key}}.Encode()
	}
	s.render(w, r, http.StatusOK, "dashboard", data)
}

// flowSVG draws cases reported (bars) and closed (a line) per day; each
// day's bar links to that day's cases.
func flowSVG(days []string, reported, closed []int, hrefs []string, repLabel, closedLabel string) template.HTML {
	const w, h, pad, bottom = 900.0, 220.0, 30.0, 24.0
	n := len(days)
	if n == 0 {
		return ""
	}
	top := 1
	for i := range days {
		top = max(top, reported[i], closed[i])
	}
	step := (w - pad) / float64(n)
	y := func(v int) float64 { return h - bottom - float64(v)/float64(top)*(h-bottom-10) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s / %s" id="flow-chart">`, w, h, html.EscapeString(repLabel), html.EscapeString(closedLabel))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#999"/>`, pad, h-bottom, w, h-bottom)
	fmt.Fprintf(&b, `<text x="2" y="14" font-size="11">%d</text><text x="2" y="%.1f" font-size="11">0</text>`, top, h-bottom)
	for i := range days {
		x := pad + float64(i)*step
		fmt.Fprintf(&b, `<a href="%s"><rect class="bar-r" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s %d, %s %d</title></rect></a>`,
			html.EscapeString(hrefs[i]), x+step*0.1, y(reported[i]), step*0.8, h-bottom-y(reported[i]), html.EscapeString(days[i]), html.EscapeString(repLabel), reported[i], html.EscapeString(closedLabel), closed[i])
		if i%15 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">%s</text>`, x, h-6, html.EscapeString(days[i][5:]))
		}
	}
	var pts []string
	for i := range days {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", pad+(float64(i)+0.5)*step, y(closed[i])))
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#43a047" stroke-width="2" points="%s"/>`, strings.Join(pts, " "))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// hbarsSVG draws one horizontal bar per label, scaled to top.
func hbarsSVG(labels []string, values []float64, top float64) template.HTML {
	if len(labels) == 0 {
		return ""
	}
	const w, row, left = 600.0, 22.0, 150.0
	h := row*float64(len(labels)) + 6
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" class="hbars">`, w, h)
	for i, l := range labels {
		yy := float64(i)*row + 4
		bw := (w - left - 50) * min(max(values[i], 0), top) / top
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="12">%s</text><rect x="%.0f" y="%.1f" width="%.1f" height="%.1f" fill="#1e88e5"/><text x="%.1f" y="%.1f" font-size="12">%s</text>`,
			yy+13, html.EscapeString(trimTitle(l, 12)), left, yy, bw, row-6, left+bw+4, yy+13, assesssvc.FmtNum(values[i]))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// dashboardAir imports a monitoring station's daily figures (admins), then shows the dashboard.
func (s *Server) dashboardAir(w http.ResponseWriter, r *http.Request) {
	p := printer(r)
	fail := func(err error) {
		if apperr.Is(err, apperr.Forbidden) {
			s.forbidden(w, r)
			return
		}
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, statusFor(err), "error", errorPage{Page: s.page(r, "err.invalid"), Message: p.Error(err)})
	}
	r.Body = http.MaxBytesReader(w, r.Body, 5<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		fail(apperr.Field("file", "err.required"))
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		fail(apperr.Field("file", "err.required"))
		return
	}
	defer f.Close()
	if _, err := s.app.Assess.ImportAir(r.Context(), s.actor(r), userOf(r), r.FormValue("region"), f); err != nil {
		fail(err)
		return
	}
	setFlash(w, "assess.air_imported")
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}
