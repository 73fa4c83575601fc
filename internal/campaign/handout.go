package campaign

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

// Limits of handouts.
const (
	MaxHandoutBody = 10_000
	MaxBuilding    = 60
)

// HandoutKind is a proposal letter or a reminder.
type HandoutKind string

// The kinds of handout.
const (
	Proposal HandoutKind = "proposal" // 倡议书
	Reminder HandoutKind = "reminder" // 温馨提示
)

// HandoutKinds lists every kind in display order.
var HandoutKinds = []HandoutKind{Proposal, Reminder}

// Valid reports whether k is a known kind.
func (k HandoutKind) Valid() bool { return k == Proposal || k == Reminder }

// Handout is a document handed to every household.
type Handout struct {
	ID int64
	// Region is the street (or community) issuing it; coverage is counted in it.
	Region string
	Kind   HandoutKind
	Title  string
	// Body is the text, where {street} and {date} stand for the issuing
	// street's name and the handout's date.
	Body      string
	Date      string // local date YYYY-MM-DD it bears
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks a handout.
func (h Handout) Validate() error {
	f := apperr.Fields{}
	text(f, "title", h.Title, true, MaxTitle)
	switch {
	case h.Kind == "":
		f.Add("kind", "err.required")
	case !h.Kind.Valid():
		f.Add("kind", "err.invalid_choice")
	}
	text(f, "body", h.Body, true, MaxHandoutBody)
	date(f, "date", h.Date)
	if !region.ValidCode(h.Region) || region.LevelOf(h.Region) < region.Street || region.LevelOf(h.Region) > region.Community {
		f.Add("region", "err.region_code")
	}
	return f.Err()
}

// Render fills the body's {street} and {date} as printed: the street's name
// and the date in Chinese form (2026年3月27日). Paragraphs are split at blank
// lines or line breaks.
func (h Handout) Render(street string) (title string, paragraphs []string) {
	date := h.Date
	if t, err := time.Parse(DateLayout, h.Date); err == nil {
		date = t.Format("2006年1月2日")
	}
	r := strings.NewReplacer("{street}", street, "{date}", date)
	for _, p := range strings.Split(strings.ReplaceAll(h.Body, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(r.Replace(p)); p != "" {
			paragraphs = append(paragraphs, p)
		}
	}
	return r.Replace(h.Title), paragraphs
}

// Distribution is one hand-out round: households reached in a region (a
// community or grid, optionally one building of it) on a date, by someone.
type Distribution struct {
	ID         int64
	HandoutID  int64
	Region     string
	Building   string
	Households int
	Date       string
	ByID       int64
	ByName     string
	CreatedAt  time.Time
}

// Validate checks a distribution against the households of its region (the
// service finds the region; an unknown one is its 422). capacity is the
// region's household count.
func (d Distribution) Validate(capacity int) error {
	f := apperr.Fields{}
	if !region.ValidCode(d.Region) || region.LevelOf(d.Region) < region.Community {
		f.Add("region", "err.region_code")
	}
	switch {
	case d.Households <= 0:
		f.Add("households", "err.campaign.households_positive")
	case d.Households > capacity:
		f.Add("households", "err.campaign.households_over", capacity)
	}
	date(f, "date", d.Date)
	text(f, "building", d.Building, false, MaxBuilding)
	return f.Err()
}

// CoverageRow is one region's coverage by a handout.
type CoverageRow struct {
	Region     string
	Name       string
	Households int
	// Reached is the households reached, at most Households.
	Reached int
	// Rate is Reached / Households in 0..1; 0 for a region with no households.
	Rate float64
}

// Coverage turns the households reached per region into rows, capped at each
// region's households, with the regions not yet reached first, then the
// lowest rates, then by code. reached is keyed by region code.
func Coverage(regions []region.Region, reached map[string]int) []CoverageRow {
	out := make([]CoverageRow, 0, len(regions))
	for _, r := range regions {
		row := CoverageRow{Region: r.Code, Name: r.Name, Households: r.Households, Reached: min(reached[r.Code], r.Households)}
		if row.Reached < 0 {
			row.Reached = 0
		}
		if r.Households > 0 {
			row.Rate = float64(row.Reached) / float64(r.Households)
		}
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b CoverageRow) int {
		if (a.Reached == 0) != (b.Reached == 0) {
			if a.Reached == 0 {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Rate, b.Rate), strings.Compare(a.Region, b.Region))
	})
	return out
}
