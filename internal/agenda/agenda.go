// Package agenda is the one calendar of everything with a date: the items
// each area contributes (campaigns, publicity events, inspections, lectures,
// quizzes, letter and commitment deadlines), the query they answer, the month
// and week grids the calendar page draws, and the iCalendar (RFC 5545) feed
// that phone and desktop calendar apps subscribe to. It is pure: no SQL,
// HTTP or I/O beyond the writer it is given.
package agenda

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

// Kind names what an item is; it picks the item's colour and label
// (calendar.kind.<kind>) and is the calendar's filter.
type Kind string

// The kinds of item. Inspection, lecture and quiz come from their own areas.
const (
	Campaign   Kind = "campaign"   // a month-end clean-up
	Publicity  Kind = "publicity"  // an outdoor publicity event
	Inspection Kind = "inspection" // a weekly inspection of a community
	Lecture    Kind = "lecture"    // a science lecture
	Quiz       Kind = "quiz"       // a prize quiz
	Letter     Kind = "letter"     // the end of the responsibility letters' term
	Commitment Kind = "commitment" // a committed case's due date
)

// Kinds lists every kind in display order.
var Kinds = []Kind{Inspection, Campaign, Publicity, Lecture, Quiz, Letter, Commitment}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Item is one dated thing on the calendar.
type Item struct {
	Kind Kind
	// Key and Args, when Key is set, word the title from the catalogs (for
	// items Lantian words itself, such as the end of the letters' term);
	// otherwise Title is the record's own name.
	Key  string
	Args []any
	// ID identifies the item within its kind (a record id or a number); with
	// Kind it makes the feed's stable UID.
	ID    string
	Title string
	// Date is the local day (YYYY-MM-DD) the item falls on.
	Date string
	// Start and End, when set, give a time of day; an item without them is
	// an all-day item on Date.
	Start, End time.Time
	// Region is where it takes place (a street, community or grid); "" for none.
	Region string
	// Place is a venue or address, shown as the event's location.
	Place string
	// Note is a short description.
	Note string
	// Path is the item's page on the site (/campaigns/12), for links.
	Path string
	// Status is the record's status in words of its area (planned, closed…), optional.
	Status string
	// Updated is when the record last changed, for the feed's DTSTAMP; zero for unknown.
	Updated time.Time
}

// Text returns the item's title: Title, or Key worded by t with Args.
func (it Item) Text(t func(key string, args ...any) string) string {
	if it.Key != "" {
		return t(it.Key, it.Args...)
	}
	return it.Title
}

// UID returns the item's stable unique id for the feed: the same record
// keeps its UID across fetches, so calendar apps update rather than duplicate.
func (it Item) UID(host string) string {
	return string(it.Kind) + "-" + it.ID + "@" + host
}

// Query selects items: local days From to To inclusive (YYYY-MM-DD), touching
// Region (its subtree, or the regions above it), of the given Kinds (all when empty).
type Query struct {
	From, To string
	Region   string
	Kinds    []Kind
}

// Wants reports whether the query asks for kind k.
func (q Query) Wants(k Kind) bool { return len(q.Kinds) == 0 || slices.Contains(q.Kinds, k) }

// Touches reports whether an item at code is in the query's region: inside
// it or above it (a street-wide campaign belongs on a community's calendar).
// An item without a region touches every query.
func (q Query) Touches(code string) bool {
	if q.Region == "" || code == "" {
		return true
	}
	return region.Contains(q.Region, code) || region.Contains(code, q.Region)
}

// MaxDays bounds a query's span, so that one request cannot ask for years of items.
const MaxDays = 400

// ParseQuery reads a query's fields as a request gives them, with their
// errors named by field: from and to (YYYY-MM-DD, to not before from, at most
// MaxDays apart), region (a region code) and kind (comma-separated kinds).
func ParseQuery(from, to, regionCode, kinds string) (Query, error) {
	f := apperr.Fields{}
	q := Query{From: strings.TrimSpace(from), To: strings.TrimSpace(to), Region: strings.TrimSpace(regionCode)}
	a, errA := time.Parse(time.DateOnly, q.From)
	b, errB := time.Parse(time.DateOnly, q.To)
	if errA != nil {
		f.Add("from", "err.format")
	}
	if errB != nil {
		f.Add("to", "err.format")
	}
	if errA == nil && errB == nil {
		switch {
		case b.Before(a):
			f.Add("to", "err.agenda.range_order")
		case b.Sub(a) > MaxDays*24*time.Hour:
			f.Add("to", "err.agenda.range_long", MaxDays)
		}
	}
	if q.Region != "" && !region.ValidCode(q.Region) {
		f.Add("region", "err.region_code")
	}
	for _, k := range strings.Split(kinds, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !Kind(k).Valid() {
			f.Add("kind", "err.invalid_choice")
			break
		}
		q.Kinds = append(q.Kinds, Kind(k))
	}
	return q, f.Err()
}

// Sort orders items by day, then by time (all-day first), kind and id.
func Sort(items []Item) {
	slices.SortStableFunc(items, func(a, b Item) int {
		return cmp.Or(strings.Compare(a.Date, b.Date), a.Start.Compare(b.Start),
			slices.Index(Kinds, a.Kind)-slices.Index(Kinds, b.Kind), strings.Compare(a.ID, b.ID))
	})
}

// Day is one cell of a month or week grid.
type Day struct {
	Date    string // YYYY-MM-DD
	Day     int    // day of the month
	Weekday time.Weekday
	InMonth bool // false for the days of the weeks before and after the month
	Today   bool
	Items   []Item
}

// Week is a row of the grid, Monday to Sunday.
type Week []Day

// MonthGrid lays the items of a month out in weeks from Monday to Sunday,
// with the days of the neighbouring months that fill the first and last weeks.
func MonthGrid(year int, month time.Month, today string, items []Item) []Week {
	first := time.Date(year, month, 1, 12, 0, 0, 0, time.UTC)
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	last := first.AddDate(0, 1, -1)
	end := last.AddDate(0, 0, (7-int(last.Weekday()))%7)
	return grid(start, end, month, today, items)
}

// WeekGrid lays out the week (Monday to Sunday) that holds day.
func WeekGrid(day time.Time, today string, items []Item) []Week {
	start := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	return grid(start, start.AddDate(0, 0, 6), 0, today, items)
}

// MonthRange returns the first and last days shown by MonthGrid (YYYY-MM-DD).
func MonthRange(year int, month time.Month) (from, to string) {
	w := MonthGrid(year, month, "", nil)
	return w[0][0].Date, w[len(w)-1][6].Date
}

// WeekStart returns the Monday of day's week.
func WeekStart(day time.Time) time.Time {
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

func grid(start, end time.Time, month time.Month, today string, items []Item) []Week {
	byDay := map[string][]Item{}
	for _, it := range items {
		byDay[it.Date] = append(byDay[it.Date], it)
	}
	var weeks []Week
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday || len(weeks) == 0 {
			weeks = append(weeks, Week{})
		}
		key := d.Format(time.DateOnly)
		w := &weeks[len(weeks)-1]
		*w = append(*w, Day{Date: key, Day: d.Day(), Weekday: d.Weekday(), InMonth: month == 0 || d.Month() == month,
			Today: key == today, Items: byDay[key]})
	}
	return weeks
}
