package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The leaders' patrol pages: the compliance calendar (grid × day), one
// patrol's track, a day's tracks, and the patrol record book (巡查记录) of a
// grid for a month, printable on A4 and exported to Excel
// (patrols_export.go). Each asks the patrol service (s.app.Patrols), as the
// API does, and so answers the same (and the same 404 out of scope).

const (
	// patrolDayMax is how many patrols the day's map draws at most.
	patrolDayMax = 300
	// patrolBookMax is how many patrols one month's record book lists at most.
	patrolBookMax = 1000
	// monthLayout is the layout of the month filter.
	monthLayout = "2006-01"
)

// patrolFail shows the patrol service's error as its page, with the
// status and the message the API answers with.
func (s *Server) patrolFail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	switch e.Code {
	case apperr.Internal:
		s.serverError(w, r, err)
	case apperr.NotFound:
		s.notFound(w, r)
	default:
		s.render(w, r, statusFor(err), "error", errorPage{Page: s.page(r, e.Msg.Key), Message: printer(r).Error(err)})
	}
}

// monthOf reads a month "2006-01" (the current one when empty or bad) and
// returns its first day and its number of days.
func (s *Server) monthOf(v string) (time.Time, int) {
	loc := s.app.Loc
	m, err := time.ParseInLocation(monthLayout, v, loc)
	if err != nil {
		now := s.app.Patrols.Now().In(loc)
		m = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	}
	return m, m.AddDate(0, 1, -1).Day()
}

// flagNote is a flag with its explanation.
type flagNote struct {
	Flag  patrol.Flag
	Label string
	Help  string
}

func flagNotes(t func(string, ...any) string, fs []patrol.Flag) []flagNote {
	out := []flagNote{}
	for _, f := range fs {
		out = append(out, flagNote{f, t("patrols.flag." + string(f)), t("patrols.flag_help." + string(f))})
	}
	return out
}

// ---- The calendar ----

type calCell struct {
	patrol.Compliance
	Day    int
	URL    string
	Title  string
	Future bool // a day still to come: shown empty (issue 16)
	Today  bool
}

type calRow struct {
	Code, Name string
	Short      string // the name without its community, for narrow screens
	Cells      []calCell
	Met, Req   int
}

type patrolsPage struct {
	Page
	Month     string
	Prev      string
	Next      string
	Region    string
	Regions   []option
	Days      []int
	Weekend   map[int]bool
	Rows      []calRow
	Statuses  []patrol.Status
	FlagNotes []flagNote
}

// patrolCalendar serves /patrols: grid × day of a month coloured by compliance.
func (s *Server) patrolCalendar(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, p := userOf(r), printer(r)
	q := r.URL.Query()
	first, n := s.monthOf(q.Get("month"))
	res, err := s.app.Patrols.Compliance(ctx, u, patrolsvc.ComplianceQuery{Region: q.Get("region"), From: first.Format(patrol.DateLayout),
		To: first.AddDate(0, 0, n-1).Format(patrol.DateLayout), All: true})
	if err != nil {
		s.patrolFail(w, r, err)
		return
	}
	data := patrolsPage{Page: s.page(r, "patrols.title"), Month: first.Format(monthLayout), Region: q.Get("region"),
		Prev: first.AddDate(0, -1, 0).Format(monthLayout), Next: first.AddDate(0, 1, 0).Format(monthLayout), Weekend: map[int]bool{},
		Statuses:  []patrol.Status{patrol.StatusMet, patrol.StatusPartial, patrol.StatusMissed, patrol.StatusPending, patrol.StatusRest},
		FlagNotes: flagNotes(p.T, patrol.AllFlags)}
	for d := 1; d <= n; d++ {
		data.Days = append(data.Days, d)
		if wd := first.AddDate(0, 0, d-1).Weekday(); wd == time.Saturday || wd == time.Sunday {
			data.Weekend[d] = true
		}
	}
	if opts, _, err := s.regionOptions(r, region.Community); err == nil {
		for _, o := range opts {
			if len(o.Label) < 3 || o.Label[:3] != "　" { // communities and above, not grids
				data.Regions = append(data.Regions, o)
			}
		}
	}
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	byGrid := map[string][]patrol.Compliance{}
	for _, c := range res.Items {
		byGrid[c.Grid] = append(byGrid[c.Grid], c)
	}
	grids := res.Grids
	for _, g := range grids {
		row := calRow{Code: g.Code, Name: g.Name, Short: g.Name}
		// On a phone the grid's name without its community's ("第1网格") is enough.
		if parent := names(region.ParentOf(g.Code)); parent != "" && strings.HasPrefix(g.Name, parent) && len(g.Name) > len(parent) {
			row.Short = strings.TrimSpace(g.Name[len(parent):])
		}
		for i, c := range byGrid[g.Code] {
			title := fmt.Sprintf("%s %s · %s %d/%d", g.Name, c.Date, p.T("patrols.status."+string(c.Status)), c.Done, c.Required)
			if c.WindowsNeed > 0 {
				title += " · " + p.T("patrols.in_window") + fmt.Sprintf(" %d/%d", c.InWindow, c.WindowsNeed)
			}
			for _, f := range c.Flags {
				title += " · " + p.T("patrols.flag."+string(f))
			}
			today := patrol.Day(s.app.Cases.Now(), s.app.Loc)
			row.Cells = append(row.Cells, calCell{Compliance: c, Day: i + 1, Title: title,
				URL: "/patrols/day?date=" + c.Date + "&region=" + url.QueryEscape(g.Code), Future: c.Date > today, Today: c.Date == today})
			row.Req += c.Required
			row.Met += min(c.Done, c.Required)
		}
		data.Rows = append(data.Rows, row)
	}
	s.render(w, r, http.StatusOK, "patrols", data)
}

// ---- One patrol ----

type visitRow struct {
	patrol.Visit
	SiteName string
}

type findingRow struct {
	store.Finding
	CategoryName string
}

type patrolPage struct {
	Page
	P         patrol.Patrol
	GridName  string
	Visits    []visitRow
	Findings  []findingRow
	Records   []patrol.Record
	FlagNotes []flagNote
	MapJSON   template.JS
	NoTrack   bool   // an ended patrol whose track was not kept
	TimeText  string // 2026-11-25 14:59–15:28
	DayURL    string
	BookURL   string
	LengthKM  string
	Minutes   int
	MaxSpeed  string
	Outside   int
}

// mapFeature is what patrols.js draws: tracks, visits and grid outlines.
type mapData struct {
	Grids  []json.RawMessage `json:"grids"`
	Tracks []mapTrack        `json:"tracks"`
	Visits []mapVisit        `json:"visits"`
}

type mapTrack struct {
	ID     string       `json:"id"`
	Label  string       `json:"label"`
	Colour string       `json:"colour"`
	URL    string       `json:"url"`
	Coords [][2]float64 `json:"coords"` // [lon, lat]
}

type mapVisit struct {
	Label string     `json:"label"`
	At    [2]float64 `json:"at"` // [lon, lat]
}

// palette colours tracks by patroller.
var palette = []string{"#1769aa", "#d84315", "#2e7d32", "#6a1b9a", "#00838f", "#ef6c00", "#ad1457", "#4e342e", "#283593", "#558b2f"}

func (s *Server) gridOutline(grid string) json.RawMessage {
	g := s.app.Patrols.Outline(grid)
	if g == nil {
		return nil
	}
	b, err := json.Marshal(g)
	if err != nil {
		return nil
	}
	return b
}

func trackCoords(pts []patrol.Point) [][2]float64 {
	out := make([][2]float64, 0, len(pts))
	for _, pt := range pts {
		out = append(out, [2]float64{pt.Lon, pt.Lat})
	}
	return out
}

func jsonJS(v any) template.JS {
	b, _ := json.Marshal(v)
	return template.JS(b)
}

// patrolDetail serves /patrols/{id}: one patrol's track, visits, findings and records.
func (s *Server) patrolDetail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := printer(r)
	d, err := s.app.Patrols.Get(ctx, userOf(r), r.PathValue("id"))
	if err != nil {
		s.patrolFail(w, r, err)
		return
	}
	pt := d.Patrol
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := patrolPage{Page: s.page(r, "patrols.patrol_title"), P: pt, GridName: names(pt.Grid), FlagNotes: flagNotes(p.T, pt.Flags.Names()),
		DayURL:  "/patrols/day?date=" + pt.Day + "&region=" + url.QueryEscape(pt.Grid),
		BookURL: "/patrols/book?grid=" + url.QueryEscape(pt.Grid) + "&month=" + pt.Day[:7],
		Minutes: int(pt.Duration / time.Minute), LengthKM: fmt.Sprintf("%.2f", pt.Length/1000), MaxSpeed: fmt.Sprintf("%.1f", pt.MaxSpeed),
		Outside: int(pt.Outside*100 + 0.5)}
	if pt.State == patrol.StateOpen {
		data.Minutes = int(s.app.Patrols.Now().Sub(pt.StartedAt) / time.Minute)
	}
	track := d.Track
	data.NoTrack = len(track) == 0
	data.TimeText = pt.StartedAt.In(s.app.Loc).Format("2006-01-02 15:04")
	if !pt.EndedAt.IsZero() {
		end := pt.EndedAt.In(s.app.Loc)
		if patrol.Day(pt.EndedAt, s.app.Loc) == patrol.Day(pt.StartedAt, s.app.Loc) {
			data.TimeText += "–" + end.Format("15:04")
		} else {
			data.TimeText += " – " + end.Format("2006-01-02 15:04")
		}
	}
	sites, err := s.app.Patrols.SiteNames(ctx, pt.Grid)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	md := mapData{Grids: []json.RawMessage{}, Visits: []mapVisit{},
		Tracks: []mapTrack{{ID: pt.UID, Label: pt.PatrollerName, Colour: palette[0], Coords: trackCoords(track)}}}
	if g := s.gridOutline(pt.Grid); g != nil {
		md.Grids = append(md.Grids, g)
	}
	for _, v := range d.Visits {
		name := sites[v.Site.Key()]
		if name == "" {
			name = v.Site.Key()
		}
		data.Visits = append(data.Visits, visitRow{Visit: v, SiteName: name})
		md.Visits = append(md.Visits, mapVisit{Label: name + " " + v.At.In(s.app.Loc).Format("15:04"), At: [2]float64{v.Lon, v.Lat}})
	}
	data.MapJSON = jsonJS(md)
	cats, _, _ := s.categoryNames(ctx, p.Lang)
	for _, f := range d.Findings {
		data.Findings = append(data.Findings, findingRow{Finding: f, CategoryName: cats[f.Category]})
	}
	data.Records = d.Records
	s.render(w, r, http.StatusOK, "patrol", data)
}

// ---- A day's tracks ----

type dayRow struct {
	patrol.Patrol
	GridName string
	Colour   string
	Minutes  int
	LengthKM string
	Time     string // 08:30–09:10
}

type patrolDayPage struct {
	Page
	Date      string
	Prev      string
	Next      string
	Region    string
	Regions   []option
	Rows      []dayRow
	Total     int
	Truncated bool
	MapJSON   template.JS
	Legend    []mapTrack
}

// patrolDay serves /patrols/day: all tracks of a day in scope on one map.
func (s *Server) patrolDay(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	day, err := time.ParseInLocation(patrol.DateLayout, q.Get("date"), s.app.Loc)
	if err != nil {
		day = s.app.Patrols.Now().In(s.app.Loc)
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.app.Loc)
	}
	date := day.Format(patrol.DateLayout)
	list, total, err := s.app.Patrols.Day(ctx, userOf(r), q.Get("region"), date, patrolDayMax)
	if err != nil {
		s.patrolFail(w, r, err)
		return
	}
	data := patrolDayPage{Page: s.page(r, "patrols.day_title"), Date: date, Region: q.Get("region"), Total: total,
		Prev: day.AddDate(0, 0, -1).Format(patrol.DateLayout), Next: day.AddDate(0, 0, 1).Format(patrol.DateLayout)}
	opts, _, err := s.regionOptions(r, region.Community)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Regions = opts
	nameOf, err := s.app.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	md := mapData{Grids: []json.RawMessage{}, Tracks: []mapTrack{}, Visits: []mapVisit{}}
	colours := map[int64]string{}
	seenGrid := map[string]bool{}
	for _, d := range list {
		pt := d.Patrol
		c, ok := colours[pt.PatrollerID]
		if !ok {
			c = palette[len(colours)%len(palette)]
			colours[pt.PatrollerID] = c
			data.Legend = append(data.Legend, mapTrack{Label: pt.PatrollerName, Colour: c})
		}
		row := dayRow{Patrol: pt, GridName: nameOf(pt.Grid), Colour: c, Minutes: int(pt.Duration / time.Minute),
			LengthKM: fmt.Sprintf("%.2f", pt.Length/1000), Time: pt.StartedAt.In(s.app.Loc).Format("15:04")}
		if !pt.EndedAt.IsZero() {
			row.Time += "–" + pt.EndedAt.In(s.app.Loc).Format("15:04")
		}
		data.Rows = append(data.Rows, row)
		md.Tracks = append(md.Tracks, mapTrack{ID: pt.UID, Label: pt.PatrollerName + " · " + row.GridName + " " +
			pt.StartedAt.In(s.app.Loc).Format("15:04"), Colour: c, URL: "/patrols/" + pt.UID, Coords: trackCoords(d.Track)})
		if !seenGrid[pt.Grid] {
			seenGrid[pt.Grid] = true
			if g := s.gridOutline(pt.Grid); g != nil {
				md.Grids = append(md.Grids, g)
			}
		}
	}
	data.Truncated = data.Total > len(data.Rows)
	// Reverse to time order for the list.
	for i, j := 0, len(data.Rows)-1; i < j; i, j = i+1, j-1 {
		data.Rows[i], data.Rows[j] = data.Rows[j], data.Rows[i]
	}
	data.MapJSON = jsonJS(md)
	s.render(w, r, http.StatusOK, "patrols_day", data)
}

// visitPhoto serves a key-site check-in's photo (?thumb=1 for the thumbnail) to those who see the patrol.
func (s *Server) visitPhoto(w http.ResponseWriter, r *http.Request) {
	f, id, err := s.app.Patrols.OpenVisitPhoto(r.Context(), userOf(r), r.PathValue("id"), r.PathValue("visit"), photo.Thumb(r))
	if s.loaded(w, r, err) {
		photo.Serve(w, r, id, f)
	}
}
