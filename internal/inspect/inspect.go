// Package inspect holds the weekly inspection (每周督查) of each community by
// the street's inspection group and the hot and hard problems (热点难点问题):
// the inspection and its states, the yearly checklist and its scores, the
// agenda the records give, the schedule on the working-day calendar, the
// hotspots found from the cases, and the problems leaders adopt and track.
// It is pure: the service loads and stores, the web and API translate keys.
package inspect

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// DateLayout is how inspection dates are written: a local date.
const DateLayout = "2006-01-02"

// Status is where an inspection stands.
type Status string

// The statuses of an inspection.
const (
	StatusPlanned   Status = "planned"   // on the schedule, not begun
	StatusOpen      Status = "open"      // begun: the agenda is built, scores are being given
	StatusClosed    Status = "closed"    // finished; never changed again (a correction is a new record)
	StatusCancelled Status = "cancelled" // called off, with a reason
)

// Statuses lists every status.
var Statuses = []Status{StatusPlanned, StatusOpen, StatusClosed, StatusCancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Limits of what people type.
const (
	MaxNote     = 500 // an item's note, a reason, a problem note
	MaxTitle    = 100 // a checklist item's or a problem's title
	MaxGuidance = 500
	MaxItems    = 30
	MaxName     = 30 // the name of whoever acknowledges
	MaxCases    = 200
	// ChecklistTotal is what a checklist's items add up to: the sheet is
	// marked out of 100, so that the year's scores compare.
	ChecklistTotal = 100
)

// Item is one line of an inspection's sheet: the checklist's item with the
// score given (nil until scored), a note and photos.
type Item struct {
	Key      string   `json:"key"`
	Title    string   `json:"title"`
	Max      int      `json:"max"`
	Guidance string   `json:"guidance,omitempty"`
	Score    *float64 `json:"score"`
	Note     string   `json:"note"`
	Photos   []string `json:"photos,omitempty"`
}

// Lost returns the points the item lost (0 until scored).
func (it Item) Lost() float64 {
	if it.Score == nil {
		return 0
	}
	return float64(it.Max) - *it.Score
}

// Ack is the acknowledgement of the sheet by the community's leader present:
// a name and time, and a drawn signature (a PNG file id) when one was given.
type Ack struct {
	Name     string
	PersonID int64
	At       time.Time
	File     string // SHA-256 of the signature PNG, "" when none
}

// Signed reports whether the sheet was acknowledged.
func (a Ack) Signed() bool { return !a.At.IsZero() }

// Inspection is one inspection of one community on one date.
type Inspection struct {
	ID         int64
	Region     string // the community
	Street     string
	Date       string // local date YYYY-MM-DD
	Slot       string // the Monday of the week it was scheduled for; "" for extra ones
	Status     Status
	Year       int // the checklist's year
	Items      []Item
	Score      *float64 // sum of the scores given; nil when none
	Max        int
	Agenda     Agenda
	AgendaAt   time.Time
	Ack        Ack
	Corrects   int64 // the closed inspection this one corrects
	Reason     string
	Inspectors []int64
	Findings   []string // case numbers
	OpenedAt   time.Time
	ClosedAt   time.Time
	ClosedBy   int64
	CreatedAt  time.Time
	Version    int
	UpdatedAt  time.Time
}

// Scored reports whether every item has a score.
func (in Inspection) Scored() bool {
	for _, it := range in.Items {
		if it.Score == nil {
			return false
		}
	}
	return len(in.Items) > 0
}

// Total sums the scores given (nil when none is).
func Total(items []Item) *float64 {
	var sum float64
	any := false
	for _, it := range items {
		if it.Score != nil {
			sum += *it.Score
			any = true
		}
	}
	if !any {
		return nil
	}
	sum = math.Round(sum*10) / 10
	return &sum
}

// MaxOf sums the items' maxima.
func MaxOf(items []Item) int {
	n := 0
	for _, it := range items {
		n += it.Max
	}
	return n
}

// Item returns the item with key.
func (in Inspection) Item(key string) (Item, bool) {
	for _, it := range in.Items {
		if it.Key == key {
			return it, true
		}
	}
	return Item{}, false
}

// Score is one item's score as the inspector gives it.
type Score struct {
	Key   string
	Score float64
	Note  string
}

// ApplyScores returns items with the scores set. A key the sheet does not
// have, a score below 0 or above the item's maximum or with more than one
// decimal, or a note too long is a field error on "items" naming the item;
// nothing is applied then.
func ApplyScores(items []Item, scores []Score) ([]Item, error) {
	out := make([]Item, len(items))
	copy(out, items)
	f := apperr.Fields{}
	if len(scores) == 0 {
		f.Add("items", "err.required")
	}
	for _, s := range scores {
		i := slices.IndexFunc(out, func(it Item) bool { return it.Key == s.Key })
		if i < 0 {
			f.Add("items", "err.inspect.item_unknown", s.Key)
			continue
		}
		it := out[i]
		v := s.Score
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > float64(it.Max) {
			f.Add("items", "err.inspect.score_range", it.Title, it.Key, it.Max)
			continue
		}
		if r := math.Round(v * 10); math.Abs(r-v*10) > 1e-6 {
			f.Add("items", "err.inspect.score_step", it.Title, it.Key)
			continue
		}
		if len([]rune(s.Note)) > MaxNote {
			f.Add("items", "err.inspect.note_long", it.Title, it.Key, MaxNote)
			continue
		}
		v = math.Round(v*10) / 10
		it.Score = &v
		it.Note = strings.TrimSpace(s.Note)
		out[i] = it
	}
	if err := f.Err(); err != nil {
		return items, err
	}
	return out, nil
}

// ChecklistItem is one item of a year's checklist template.
type ChecklistItem struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	Max      int    `json:"max"`
	Guidance string `json:"guidance"`
}

// Checklist is the template of a year's inspection sheet, edited by admins.
type Checklist struct {
	Year      int
	Items     []ChecklistItem
	Version   int
	UpdatedAt time.Time
	Default   bool // not stored yet: the built-in default
}

// Max sums the checklist's maxima.
func (c Checklist) Max() int {
	n := 0
	for _, it := range c.Items {
		n += it.Max
	}
	return n
}

// Sheet returns fresh, unscored items for an inspection.
func (c Checklist) Sheet() []Item {
	out := make([]Item, 0, len(c.Items))
	for _, it := range c.Items {
		out = append(out, Item{Key: it.Key, Title: it.Title, Max: it.Max, Guidance: it.Guidance})
	}
	return out
}

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Validate checks a checklist: a sensible year, 1 to MaxItems items with
// unique keys (lower-case letters, digits and _), a title and a positive
// maximum each, adding up to ChecklistTotal.
func (c Checklist) Validate() error {
	f := apperr.Fields{}
	if c.Year < 2000 || c.Year > 2100 {
		f.Add("year", "err.inspect.year")
	}
	if len(c.Items) == 0 || len(c.Items) > MaxItems {
		f.Add("items", "err.inspect.items_count", MaxItems)
	}
	seen := map[string]bool{}
	for _, it := range c.Items {
		switch {
		case !keyRE.MatchString(it.Key):
			f.Add("items", "err.inspect.item_key", it.Key)
		case seen[it.Key]:
			f.Add("items", "err.inspect.item_key_twice", it.Key)
		case strings.TrimSpace(it.Title) == "":
			f.Add("items", "err.inspect.item_title", it.Key)
		case len([]rune(it.Title)) > MaxTitle || len([]rune(it.Guidance)) > MaxGuidance:
			f.Add("items", "err.inspect.item_long", it.Key, MaxTitle, MaxGuidance)
		case it.Max <= 0 || it.Max > ChecklistTotal:
			f.Add("items", "err.inspect.item_max", it.Key, ChecklistTotal)
		}
		seen[it.Key] = true
	}
	if _, bad := f["items"]; !bad && len(c.Items) > 0 && c.Max() != ChecklistTotal {
		f.Add("items", "err.inspect.total", ChecklistTotal, c.Max())
	}
	return f.Err()
}

// DefaultChecklist is the sheet of issue 10: six items, 100 points in all.
// Titles are in Chinese, as the sheet is printed; admins may edit them.
func DefaultChecklist(year int) Checklist {
	return Checklist{Year: year, Default: true, Items: []ChecklistItem{
		{Key: "patrol", Title: "巡查记录完整", Max: 20, Guidance: "各网格每日巡查记录齐全，轨迹、打卡与巡查记录本一致；缺失或存疑的巡查逐条核实。"},
		{Key: "ledger", Title: "台账及时、案件按时办结", Max: 25, Guidance: "问题处理台账当日登记；超期案件每件扣分，承诺件按期核查。"},
		{Key: "onspot", Title: "即办件现场处置", Max: 15, Guidance: "小问题不出三级网格：即办件当场处置并留存处置后照片。"},
		{Key: "hotspots", Title: "热点难点问题跟进", Max: 20, Guidance: "上周热点难点问题有责任人、有时限、有进展；反复出现的问题查明原因。"},
		{Key: "publicity", Title: "宣传和志愿者", Max: 10, Guidance: "宣传资料到户，红袖标志愿者在岗并上报问题。"},
		{Key: "site_order", Title: "重点单位现场秩序", Max: 10, Guidance: "工地、餐饮、锅炉等重点单位现场抽查：围挡、覆盖、油烟净化、燃料。"},
	}}
}

// ParseDate reads a local date and checks that it is sensible: within
// five years of today (a typo such as 0226 or 2926 is refused).
func ParseDate(field, s string, today time.Time) (time.Time, error) {
	d, err := time.ParseInLocation(DateLayout, strings.TrimSpace(s), today.Location())
	if err != nil {
		if strings.TrimSpace(s) == "" {
			return d, apperr.Field(field, "err.required")
		}
		return d, apperr.Field(field, "err.format")
	}
	if d.Before(today.AddDate(-5, 0, 0)) || d.After(today.AddDate(5, 0, 0)) {
		return d, apperr.Field(field, "err.inspect.date_range", 5)
	}
	return d, nil
}

// Monday returns the Monday that begins the week of d (weeks run Monday to Sunday).
func Monday(d time.Time) time.Time {
	y, m, dd := d.Date()
	day := time.Date(y, m, dd, 0, 0, 0, 0, d.Location())
	off := (int(day.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return day.AddDate(0, 0, -off)
}

// Workdays tells whether a date is a working day (calendar.Calendar does).
type Workdays interface {
	IsWorkday(t time.Time) bool
}

// ScheduledDate returns the inspection date of the week beginning monday:
// the weekday wd when it is a working day, else the last working day of the
// same week before it; ok is false when there is none before it.
func ScheduledDate(cal Workdays, monday time.Time, wd time.Weekday) (time.Time, bool) {
	idx := (int(wd) + 6) % 7
	for i := idx; i >= 0; i-- {
		d := monday.AddDate(0, 0, i)
		if cal.IsWorkday(d.Add(12 * time.Hour)) {
			return d, true
		}
	}
	return time.Time{}, false
}

// Weekday parses a weekday setting: 1 (Monday) to 7 (Sunday).
func Weekday(n int) (time.Weekday, bool) {
	if n < 1 || n > 7 {
		return 0, false
	}
	return time.Weekday(n % 7), true
}

// DefaultWeekday is the day the seed names: every Friday.
const DefaultWeekday = 5

// Agenda is what the records say about a community before an inspection:
// each list names records (case numbers, grid-days, hotspot ids, problem
// ids, unit ids). Totals count what a list holds beyond its first page.
type Agenda struct {
	Overdue          []string  `json:"overdue"`
	Escalated        []string  `json:"escalated"`
	CommitmentsDue   []string  `json:"commitments_due"`
	PatrolGaps       []GridDay `json:"patrol_gaps"`
	Hotspots         []string  `json:"hotspots"`
	Problems         []int64   `json:"problems"`
	UnsignedUnits    []int64   `json:"unsigned_units"`
	VolunteerReports []string  `json:"volunteer_reports"`
	Totals           Totals    `json:"totals"`
}

// Totals are how many records each agenda list stands for.
type Totals struct {
	Overdue          int `json:"overdue"`
	Escalated        int `json:"escalated"`
	CommitmentsDue   int `json:"commitments_due"`
	PatrolGaps       int `json:"patrol_gaps"`
	Hotspots         int `json:"hotspots"`
	Problems         int `json:"problems"`
	UnsignedUnits    int `json:"unsigned_units"`
	VolunteerReports int `json:"volunteer_reports"`
}

// GridDay is a grid's day with missed or doubtful patrols.
type GridDay struct {
	Grid     string `json:"grid"`
	Date     string `json:"date"`
	Status   string `json:"status"`   // missed, partial, or met (when only doubtful)
	Doubtful int    `json:"doubtful"` // doubtful patrols that day
}

// Empty reports whether the agenda lists nothing.
func (a Agenda) Empty() bool {
	return len(a.Overdue)+len(a.Escalated)+len(a.CommitmentsDue)+len(a.PatrolGaps)+len(a.Hotspots)+len(a.Problems)+
		len(a.UnsignedUnits)+len(a.VolunteerReports) == 0
}

// AgendaLimit is how many records each agenda list keeps.
const AgendaLimit = 100

// CheckReason checks a reason for moving or cancelling: required, bounded.
func CheckReason(reason string) error {
	switch n := len([]rune(strings.TrimSpace(reason))); {
	case n == 0:
		return apperr.Field("reason", "err.required")
	case n > MaxNote:
		return apperr.Field("reason", "err.too_long", MaxNote)
	}
	return nil
}

// CheckAckName checks the name of whoever acknowledges the sheet.
func CheckAckName(name string) error {
	switch n := len([]rune(strings.TrimSpace(name))); {
	case n == 0:
		return apperr.Field("name", "err.required")
	case n > MaxName:
		return apperr.Field("name", "err.too_long", MaxName)
	}
	return nil
}
