// Package campaign holds the month-end clean-up (月末综合整治) and the street's
// outreach material work that goes with it: campaigns with their tasks and
// results, the materials store and its moves, outdoor publicity events, and
// handouts (倡议书 / 温馨提示) with their distributions and household coverage.
// It is pure: types, validation and the rule table; no SQL, HTTP or I/O.
package campaign

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

// Limits on what a campaign holds.
const (
	MaxTitle   = 100
	MaxNote    = 2000
	MaxRegions = 50
	MaxTasks   = 200
	MaxPeople  = 500
	MaxUnits   = 500
	// MaxCount bounds each count of a result; a bigger number is a typing slip.
	MaxCount = 1_000_000
	// MaxHeadcount bounds the people a unit sends.
	MaxHeadcount = 10_000
)

// DateLayout is how dates a person picks are written.
const DateLayout = "2006-01-02"

// Status is where a campaign stands.
type Status string

// The statuses of a campaign.
const (
	// Proposed: made by Lantian on the month-end rule, not yet planned by a leader.
	Proposed Status = "proposed"
	// Planned: a leader planned it (or edited a proposal); results are recorded from its day on.
	Planned Status = "planned"
	// Closed: the day is over and its record is final (a planner may reopen it).
	Closed Status = "closed"
	// Cancelled: it will not take place.
	Cancelled Status = "cancelled"
)

// Statuses lists every status in display order.
var Statuses = []Status{Proposed, Planned, Closed, Cancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// TaskKind is what a task clears.
type TaskKind string

// The kinds of task.
const (
	TaskAds       TaskKind = "ads"       // small ads and illegal posters (小广告、牛皮癣)
	TaskCorners   TaskKind = "corners"   // dead corners (卫生死角)
	TaskRoad      TaskKind = "road"      // road and lane cleaning
	TaskCourtyard TaskKind = "courtyard" // courtyards (院落)
	TaskSite      TaskKind = "site"      // a construction site
	TaskOther     TaskKind = "other"
)

// TaskKinds lists every task kind in display order.
var TaskKinds = []TaskKind{TaskAds, TaskCorners, TaskRoad, TaskCourtyard, TaskSite, TaskOther}

// Valid reports whether k is a known task kind.
func (k TaskKind) Valid() bool {
	for _, x := range TaskKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Counts is a task's result: what was removed, cleared and used.
type Counts struct {
	Ads      int     `json:"ads"`      // small ads removed
	Corners  int     `json:"corners"`  // dead corners cleared
	Bags     int     `json:"bags"`     // bags of waste
	Tonnes   float64 `json:"tonnes"`   // tonnes of waste (for loads weighed rather than bagged)
	Vehicles int     `json:"vehicles"` // vehicles used
	People   int     `json:"people"`   // people who worked on it
}

// CountKeys lists the counts' names, as the API and forms give them.
var CountKeys = []string{"ads", "corners", "bags", "tonnes", "vehicles", "people"}

// Add returns the sum of two tallies.
func (c Counts) Add(o Counts) Counts {
	return Counts{Ads: c.Ads + o.Ads, Corners: c.Corners + o.Corners, Bags: c.Bags + o.Bags,
		Tonnes: math.Round((c.Tonnes+o.Tonnes)*1000) / 1000, Vehicles: c.Vehicles + o.Vehicles, People: c.People + o.People}
}

// Get returns the count named key (one of CountKeys).
func (c Counts) Get(key string) float64 {
	switch key {
	case "ads":
		return float64(c.Ads)
	case "corners":
		return float64(c.Corners)
	case "bags":
		return float64(c.Bags)
	case "tonnes":
		return c.Tonnes
	case "vehicles":
		return float64(c.Vehicles)
	case "people":
		return float64(c.People)
	}
	return 0
}

// Map returns the counts by name (for the API).
func (c Counts) Map() map[string]float64 {
	out := make(map[string]float64, len(CountKeys))
	for _, k := range CountKeys {
		out[k] = c.Get(k)
	}
	return out
}

// ParseCounts reads counts by name. Every count must be a known name, not
// negative and not above MaxCount; all but tonnes are whole numbers. A name
// left out counts as 0. Errors name the field "counts".
func ParseCounts(m map[string]float64) (Counts, error) {
	var c Counts
	for k, v := range m {
		switch {
		case !knownCount(k):
			return Counts{}, apperr.Field("counts", MsgCountUnknown, k)
		case math.IsNaN(v) || math.IsInf(v, 0):
			return Counts{}, apperr.Field("counts", "err.format")
		case v < 0:
			return Counts{}, apperr.Field("counts", "err.not_negative")
		case v > MaxCount:
			return Counts{}, apperr.Field("counts", "err.out_of_range")
		case k != "tonnes" && v != math.Trunc(v):
			return Counts{}, apperr.Field("counts", MsgCountWhole, k)
		}
		n := int(v)
		switch k {
		case "ads":
			c.Ads = n
		case "corners":
			c.Corners = n
		case "bags":
			c.Bags = n
		case "tonnes":
			c.Tonnes = math.Round(v*1000) / 1000
		case "vehicles":
			c.Vehicles = n
		case "people":
			c.People = n
		}
	}
	return c, nil
}

func knownCount(k string) bool {
	for _, x := range CountKeys {
		if x == k {
			return true
		}
	}
	return false
}

// Message keys of this package's own errors.
const (
	MsgCountUnknown  = "err.campaign.count_unknown"  // a count name that is not one of CountKeys
	MsgCountWhole    = "err.campaign.count_whole"    // a fractional count of something counted whole
	MsgTaskPlace     = "err.campaign.task_place"     // a task names neither a region nor a unit
	MsgRegionOutside = "err.campaign.region_outside" // a task's region lies outside the campaign's regions
	MsgState         = "err.campaign.state"          // the campaign's status does not allow the action
	MsgNotYet        = "err.campaign.not_yet"        // results before the campaign's day
	MsgOneStreet     = "err.campaign.one_street"     // a campaign's regions lie in more than one street
)

// Task is one job of a campaign, with its result.
type Task struct {
	ID         int64
	CampaignID int64
	Kind       TaskKind
	Title      string // the place or the job, e.g. 忠武巷12号院 or 民主西路背街小巷
	// Region is the community or grid responsible (for a unit's task, the unit's grid).
	Region string
	// UnitID is the unit responsible, 0 when a community or grid is.
	UnitID     int64
	Lat, Lon   *float64
	Done       bool
	Counts     Counts
	Note       string
	RecordedAt time.Time
	RecordedBy int64
}

// Responsible says who answers for the task: "unit", "grid" or "community".
func (t Task) Responsible() string {
	if t.UnitID != 0 {
		return "unit"
	}
	if region.LevelOf(t.Region) == region.Grid {
		return "grid"
	}
	return "community"
}

// Validate checks a task as planned (the service checks that its region and
// unit exist and lie in the campaign). Field names are prefixed with prefix
// (such as "tasks"), so that a form can show which task is wrong.
func (t Task) Validate(f apperr.Fields, prefix string) {
	switch {
	case t.Kind == "":
		f.Add(prefix, "err.required")
	case !t.Kind.Valid():
		f.Add(prefix, "err.invalid_choice")
	}
	text(f, prefix, t.Title, true, MaxTitle)
	if t.Region == "" && t.UnitID == 0 {
		f.Add(prefix, MsgTaskPlace)
	}
	if t.Region != "" && (!region.ValidCode(t.Region) || region.LevelOf(t.Region) < region.Community) {
		f.Add(prefix, "err.region_code")
	}
	if (t.Lat == nil) != (t.Lon == nil) {
		f.Add(prefix, "err.coords")
	} else if t.Lat != nil && !validPoint(*t.Lat, *t.Lon) {
		f.Add(prefix, "err.out_of_range")
	}
}

// UnitPart is a unit asked to take part, with the people it sent.
type UnitPart struct {
	UnitID    int64
	Name      string
	Headcount int
}

// Campaign is one clean-up day.
type Campaign struct {
	ID int64
	// Street is the street the campaign belongs to (its regions lie in it).
	Street   string
	Title    string
	Date     string // local date YYYY-MM-DD
	Regions  []string
	Status   Status
	Proposed bool // made by Lantian on the month-end rule
	Note     string
	// People are the people taking part, by person id.
	People    []int64
	Units     []UnitPart
	Tasks     []Task
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Month returns the campaign's month as YYYY-MM.
func (c Campaign) Month() string {
	if len(c.Date) < 7 {
		return ""
	}
	return c.Date[:7]
}

// Covers reports whether code lies in one of the campaign's regions.
func (c Campaign) Covers(code string) bool {
	for _, r := range c.Regions {
		if region.Contains(r, code) {
			return true
		}
	}
	return false
}

// Task returns the campaign's task with id.
func (c Campaign) Task(id int64) (Task, bool) {
	for _, t := range c.Tasks {
		if t.ID == id {
			return t, true
		}
	}
	return Task{}, false
}

// Validate checks a campaign as planned: title, date, regions (all in one
// street) and tasks, whose regions must lie inside the campaign's. The
// service checks that the regions exist and lie in the planner's scope.
func (c Campaign) Validate() error {
	f := apperr.Fields{}
	text(f, "title", c.Title, true, MaxTitle)
	date(f, "date", c.Date)
	switch {
	case len(c.Regions) == 0:
		f.Add("regions", "err.required")
	case len(c.Regions) > MaxRegions:
		f.Add("regions", "err.too_many_items", MaxRegions)
	default:
		street := ""
		for _, r := range c.Regions {
			if !region.ValidCode(r) || region.LevelOf(r) < region.Street {
				f.Add("regions", "err.region_code")
				break
			}
			s := region.AncestorAt(r, region.Street)
			if street != "" && s != street {
				f.Add("regions", MsgOneStreet)
				break
			}
			street = s
		}
	}
	text(f, "note", c.Note, false, MaxNote)
	if len(c.Tasks) > MaxTasks {
		f.Add("tasks", "err.too_many_items", MaxTasks)
	}
	for _, t := range c.Tasks {
		t.Validate(f, "tasks")
		if _, bad := f["regions"]; !bad && t.Region != "" && len(c.Regions) > 0 && !c.Covers(t.Region) {
			f.Add("tasks", MsgRegionOutside)
		}
	}
	if len(c.People) > MaxPeople {
		f.Add("people", "err.too_many_items", MaxPeople)
	}
	if len(c.Units) > MaxUnits {
		f.Add("units", "err.too_many_items", MaxUnits)
	}
	for _, u := range c.Units {
		if u.Headcount < 0 {
			f.Add("units", "err.not_negative")
		} else if u.Headcount > MaxHeadcount {
			f.Add("units", "err.out_of_range")
		}
	}
	return f.Err()
}

// StreetOf returns the street of a set of region codes (the first one's).
func StreetOf(regions []string) string {
	for _, r := range regions {
		if s := region.AncestorAt(r, region.Street); s != "" {
			return s
		}
	}
	return ""
}

// ParseDate reads a local date YYYY-MM-DD (in UTC; only the date matters).
func ParseDate(s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, apperr.Field("date", "err.required")
	}
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, apperr.Field("date", "err.format")
	}
	return t, nil
}

// date checks a local date field.
func date(f apperr.Fields, field, s string) {
	if _, err := ParseDate(s); err != nil {
		m := apperr.As(err).Fields["date"]
		f.Add(field, m.Key)
	}
}

// text checks a text field's presence and length in runes after trimming.
func text(f apperr.Fields, field, s string, required bool, max int) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(s)); {
	case n == 0 && required:
		f.Add(field, "err.required")
	case n > max:
		f.Add(field, "err.too_long", max)
	}
}

func validPoint(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0)
}
