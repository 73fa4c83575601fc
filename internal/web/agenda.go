package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

// The calendar of everything with a date (by month or by week, filtered by
// region and kind), the person's private feed URL, and the feed itself.

type agendaPage struct {
	Page
	View      string // "month" or "week"
	Heading   string
	Date      string // the day the view holds (YYYY-MM-DD)
	Prev      string
	Next      string
	TodayLink string
	Weeks     []agenda.Week
	Days      []agenda.Day // the days with items, for the list on phones
	Region    string
	Regions   []option
	Kinds     []agenda.Kind
	Kind      string
	Weekdays  []string
	HasFeed   bool
	FeedSince time.Time
	FeedURL   string // shown once, right after a reset
}

func (s *Server) calendarView(w http.ResponseWriter, r *http.Request) {
	s.calendarWith(w, r, "")
}

func (s *Server) calendarWith(w http.ResponseWriter, r *http.Request, feedURL string) {
	ctx := r.Context()
	u := userOf(r)
	q := r.URL.Query()
	p := printer(r)
	today := s.app.Agenda.Today()
	day := today
	if d, err := time.Parse(time.DateOnly, q.Get("date")); err == nil && d.Year() >= 2000 && d.Year() <= 2100 {
		day = d.Add(12 * time.Hour)
	}
	data := agendaPage{Page: s.page(r, "agenda.title"), View: q.Get("view"), Region: q.Get("region"), Kind: q.Get("kind"), Kinds: s.app.Agenda.Kinds(),
		Date: day.Format(time.DateOnly), FeedURL: feedURL}
	if data.View != "week" {
		data.View = "month"
	}
	for _, k := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		data.Weekdays = append(data.Weekdays, p.T("agenda.wd."+k))
	}
	link := func(d time.Time) string {
		v := r.URL.Query()
		v.Set("date", d.Format(time.DateOnly))
		v.Set("view", data.View)
		return "/calendar?" + v.Encode()
	}
	var from, to string
	if data.View == "week" {
		start := agenda.WeekStart(day)
		from, to = start.Format(time.DateOnly), start.AddDate(0, 0, 6).Format(time.DateOnly)
		data.Prev, data.Next = link(start.AddDate(0, 0, -7)), link(start.AddDate(0, 0, 7))
		data.Heading = p.T("agenda.week_of", from, to)
	} else {
		first := time.Date(day.Year(), day.Month(), 1, 12, 0, 0, 0, time.UTC)
		from, to = agenda.MonthRange(day.Year(), day.Month())
		data.Prev, data.Next = link(first.AddDate(0, -1, 0)), link(first.AddDate(0, 1, 0))
		data.Heading = p.T("agenda.month_of", day.Year(), int(day.Month()))
	}
	data.TodayLink = link(today)
	kinds := data.Kind
	query, err := agenda.ParseQuery(from, to, data.Region, kinds)
	if err != nil {
		data.withError(p, err)
		query, _ = agenda.ParseQuery(from, to, "", "")
		data.Region, data.Kind = "", ""
	}
	opts, _, err := s.regionOptions(r, region.Street)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Regions = opts
	items, err := s.app.Agenda.Items(ctx, u, query)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	for i := range items {
		items[i].Title = items[i].Text(p.T)
	}
	todayKey := today.Format(time.DateOnly)
	if data.View == "week" {
		data.Weeks = agenda.WeekGrid(day, todayKey, items)
	} else {
		data.Weeks = agenda.MonthGrid(day.Year(), day.Month(), todayKey, items)
	}
	for _, wk := range data.Weeks {
		for _, d := range wk {
			if len(d.Items) > 0 && (d.InMonth || data.View == "week") {
				data.Days = append(data.Days, d)
			}
		}
	}
	if data.HasFeed, data.FeedSince, err = s.app.Agenda.HasFeed(ctx, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agenda", data)
}

// calendarFeedReset makes a new secret feed URL and shows it once; the old URL stops working.
func (s *Server) calendarFeedReset(w http.ResponseWriter, r *http.Request) {
	path, err := s.app.Agenda.ResetFeed(r.Context(), s.actor(r), userOf(r))
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	base := s.app.Cfg.BaseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	w.Header().Set("Cache-Control", "no-store")
	s.calendarWith(w, r, base+path)
}

// calendarFeed serves GET /calendar/{secret}.ics to calendar apps, which
// sign in with nothing but the secret in the URL.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		http.NotFound(w, r)
		return
	}
	body, err := s.app.Agenda.Feed(r.Context(), secret, r.Host)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			http.NotFound(w, r)
			return
		}
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", `inline; filename="lantian.ics"`)
	w.Write(body)
}
