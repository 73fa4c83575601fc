package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// The leaders' patrol pages: the compliance calendar (grid × day), one
// patrol's track, a day's tracks, and the patrol record book (巡查记录) of a
// grid for a month, printable on A4 and exported to Excel
// (patrols_export.go). Scope is the caller's auth.PatrolRead, as in the API.

const (
	// patrolDayMax is how many patrols the day's map draws at most.
	patrolDayMax = 300
	// patrolBookMax is how many patrols one month's record book lists at most.
	patrolBookMax = 1000
	// monthLayout is the layout of the month filter.
	monthLayout = "2006-01"
)

// patrolScope works out the grids r may cover: the caller's patrol scope,
// narrowed to regionCode when given. A region wholly outside the scope is
// ErrNotFound; no patrol scope at all is ErrForbidden.
func patrolScope(p *auth.Principal, regionCode string) (all bool, roots []string, err error) {
	return p.Within(auth.PatrolRead, regionCode)
}

// patrolFail shows a scope error as its page.
func (s *Server) patrolFail(w http.ResponseWriter, r *http.Request, err error) {
	switch apperr.As(err).Code {
	case apperr.NotFound:
		s.notFound(w, r)
	case apperr.Forbidden:
		s.forbidden(w, r)
	default:
		s.serverError(w, r, err)
	}
}

// monthOf reads a month "2006-01" (the current one when empty or bad) and
// returns its first day and its number of days.
func (s *Server) monthOf(v string) (time.Time, int) {
	loc := s.app.Loc
	m, err := time.ParseInLocation(monthLayout, v, loc)
	if err != nil {
		now := s.app.Cases.Now().In(loc)
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
	Day   int
	URL   string
	Title string
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
	all, roots, err := patrolScope(u, q.Get("region"))
	if err != nil {
		s.patrolFail(w, r, err)
		return
	}
	first, n := s.monthOf(q.Get("month"))
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
	grids, err := s.app.DB.GridsUnder(ctx, all, roots)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cal, err := s.app.Cases.Calendar(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	codes := make([]string, len(grids))
	for i, g := range grids {
		codes[i] = g.Code
	}
	today := patrol.Day(s.app.Cases.Now(), s.app.Loc)
	items, _, err := s.app.DB.Compliance(ctx, cal, store.ComplianceQuery{Grids: codes, From: first.Format(patrol.DateLayout),
		To: first.AddDate(0, 0, n-1).Format(patrol.DateLayout), Today: today, Limit: len(codes) * n})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	byGrid := map[string][]patrol.Compliance{}
	for _, c := range items {
		byGrid[c.Grid] = append(byGrid[c.Grid], c)
	}
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
			row.Cells = append(row.Cells, calCell{Compliance: c, Day: i + 1, Title: title,
				URL: "/patrols/day?date=" + c.Date + "&region=" + url.QueryEscape(g.Code)})
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

// siteNames names a grid's key sites by their key ("unit:12", "point:3").
func (s *Server) siteNames(ctx context.Context, grid string) map[string]string {
	out := map[string]string{}
	if units, err := s.app.DB.KeySites(ctx, grid); err == nil {
		for _, un := range units {
			out[patrol.SiteRef{UnitID: un.ID}.Key()] = un.Name
		}
	}
	if plan, err := s.app.DB.PatrolPlan(ctx, grid); err == nil {
		for i, fp := range plan.Points {
			out[patrol.SiteRef{Point: i + 1}.Key()] = fp.Name
		}
	}
	return out
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

func (s *Server) gridOutline(ctx context.Context, grid string) json.RawMessage {
	g, err := s.app.DB.GridGeometry(ctx, grid)
	if err != nil || g == nil {
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

// loadPatrol returns the patrol of the path's id when the caller may see it.
func (s *Server) loadPatrol(r *http.Request) (patrol.Patrol, bool) {
	uid := r.PathValue("id")
	if !patrol.ValidUUID(uid) {
		return patrol.Patrol{}, false
	}
	pt, err := s.app.DB.PatrolByUID(r.Context(), uid)
	if err != nil {
		return pt, false
	}
	u := userOf(r)
	return pt, pt.PatrollerID == u.PersonID || u.Can(auth.PatrolRead, auth.Target{Region: pt.Grid})
}

// patrolDetail serves /patrols/{id}: one patrol's track, visits, findings and records.
func (s *Server) patrolDetail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := printer(r)
	pt, ok := s.loadPatrol(r)
	if !ok {
		s.notFound(w, r)
		return
	}
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
		data.Minutes = int(s.app.Cases.Now().Sub(pt.StartedAt) / time.Minute)
	}
	track, err := s.app.DB.Track(ctx, pt.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
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
	visits, err := s.app.DB.Visits(ctx, pt.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sites := s.siteNames(ctx, pt.Grid)
	md := mapData{Grids: []json.RawMessage{}, Visits: []mapVisit{},
		Tracks: []mapTrack{{ID: pt.UID, Label: pt.PatrollerName, Colour: palette[0], Coords: trackCoords(track)}}}
	if g := s.gridOutline(ctx, pt.Grid); g != nil {
		md.Grids = append(md.Grids, g)
	}
	for _, v := range visits {
		name := sites[v.Site.Key()]
		if name == "" {
			name = v.Site.Key()
		}
		data.Visits = append(data.Visits, visitRow{Visit: v, SiteName: name})
		md.Visits = append(md.Visits, mapVisit{Label: name + " " + v.At.In(s.app.Loc).Format("15:04"), At: [2]float64{v.Lon, v.Lat}})
	}
	data.MapJSON = jsonJS(md)
	findings, err := s.app.DB.Findings(ctx, pt.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cats, _, _ := s.categoryNames(ctx, p.Lang)
	for _, f := range findings {
		data.Findings = append(data.Findings, findingRow{Finding: f, CategoryName: cats[f.Category]})
	}
	if data.Records, err = s.app.DB.Records(ctx, pt.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
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
	u := userOf(r)
	q := r.URL.Query()
	all, roots, err := patrolScope(u, q.Get("region"))
	if err != nil {
		s.patrolFail(w, r, err)
		return
	}
	day, err := time.ParseInLocation(patrol.DateLayout, q.Get("date"), s.app.Loc)
	if err != nil {
		day = s.app.Cases.Now().In(s.app.Loc)
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.app.Loc)
	}
	date := day.Format(patrol.DateLayout)
	data := patrolDayPage{Page: s.page(r, "patrols.day_title"), Date: date, Region: q.Get("region"),
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
	f := store.PatrolFilter{All: all, Roots: roots, From: date, To: date}
	if len(roots) == 0 && !all {
		f.PersonID = u.PersonID
	}
	md := mapData{Grids: []json.RawMessage{}, Tracks: []mapTrack{}, Visits: []mapVisit{}}
	colours := map[int64]string{}
	seenGrid := map[string]bool{}
	for page := 1; len(data.Rows) < patrolDayMax; page++ {
		f.Page = store.Page{Page: page, Size: 100}
		list, total, err := s.app.DB.Patrols(ctx, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.Total = total
		for _, pt := range list {
			if len(data.Rows) == patrolDayMax {
				break
			}
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
			track, err := s.app.DB.Track(ctx, pt.ID)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			md.Tracks = append(md.Tracks, mapTrack{ID: pt.UID, Label: pt.PatrollerName + " · " + row.GridName + " " +
				pt.StartedAt.In(s.app.Loc).Format("15:04"), Colour: c, URL: "/patrols/" + pt.UID, Coords: trackCoords(track)})
			if !seenGrid[pt.Grid] {
				seenGrid[pt.Grid] = true
				if g := s.gridOutline(ctx, pt.Grid); g != nil {
					md.Grids = append(md.Grids, g)
				}
			}
		}
		if len(list) < 100 {
			break
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
	pt, ok := s.loadPatrol(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	id, err := s.app.DB.VisitPhoto(r.Context(), pt.ID, r.PathValue("visit"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	f, err := s.app.Photos.Open(id, r.URL.Query().Get("thumb") != "")
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, id+".jpg", time.Time{}, f)
}
