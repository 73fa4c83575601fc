package assess

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Method is how a rubric item turns records into points.
type Method string

// The methods.
const (
	// MethodRate: points = max × rate (× (1 − rate) for an indicator where lower is better).
	MethodRate Method = "rate"
	// MethodBands: the first band whose Min the rate reaches gives Share × max.
	MethodBands Method = "bands"
	// MethodDeduct: max − Per × events (the indicator's count), never below 0.
	MethodDeduct Method = "deduct"
	// MethodBonus: Per × events, never above max.
	MethodBonus Method = "bonus"
	// MethodManual: entered by hand with a reason; max until entered.
	MethodManual Method = "manual"
)

// Methods lists the methods.
var Methods = []Method{MethodRate, MethodBands, MethodDeduct, MethodBonus, MethodManual}

// RubricKinds are the subject kinds a rubric may be for.
var RubricKinds = []SubjectKind{Community, Unit, Person}

// Band is one step of a banded item: a rate at or above Min gives Share of the maximum.
type Band struct {
	Min   float64 `json:"min"`
	Share float64 `json:"share"`
}

// Item is one line of a rubric.
type Item struct {
	Key       string  `json:"key"`
	Name      string  `json:"name"`
	Max       float64 `json:"max"`
	Method    Method  `json:"method"`
	Indicator Key     `json:"indicator,omitempty"`
	Bands     []Band  `json:"bands,omitempty"`
	Per       float64 `json:"per,omitempty"`
}

// Rubric is a year's score sheet for one kind of subject.
type Rubric struct {
	ID        int64
	Year      int
	Kind      SubjectKind
	Title     string
	Items     []Item
	Version   int
	Published bool // used by a published bulletin: never edited again
}

// Total is the sum of the items' maxima.
func (r Rubric) Total() float64 {
	var t float64
	for _, it := range r.Items {
		t += it.Max
	}
	return t
}

// Item returns the item with key.
func (r Rubric) Item(key string) (Item, bool) {
	i := slices.IndexFunc(r.Items, func(it Item) bool { return it.Key == key })
	if i < 0 {
		return Item{}, false
	}
	return r.Items[i], true
}

// MaxItems bounds a rubric's length.
const MaxItems = 40

// Validate checks a rubric: year, kind, title, and items whose keys are
// unique, maxima positive and summing to 100, methods known, indicators
// that exist for the kind, bands descending in 0..1.
func (r Rubric) Validate() error {
	f := apperr.Fields{}
	if !validYear(r.Year) {
		f.Add("year", "err.out_of_range")
	}
	if !slices.Contains(RubricKinds, r.Kind) {
		f.Add("kind", "err.invalid_choice")
	}
	if t := strings.TrimSpace(r.Title); t == "" {
		f.Add("title", "err.required")
	} else if len([]rune(t)) > 100 {
		f.Add("title", "err.too_long", 100)
	}
	if len(r.Items) == 0 {
		f.Add("items", "err.required")
	} else if len(r.Items) > MaxItems {
		f.Add("items", "err.assess.too_many_items", MaxItems)
	}
	seen := map[string]bool{}
	for i, it := range r.Items {
		n := strconv.Itoa(i + 1)
		if err := it.check(r.Kind); err != "" {
			f.Add("items", err, n)
			continue
		}
		if seen[it.Key] {
			f.Add("items", "err.assess.item_duplicate", n)
			continue
		}
		seen[it.Key] = true
	}
	if len(f) == 0 && math.Abs(r.Total()-100) > 1e-9 {
		f.Add("items", "err.assess.total", strconv.FormatFloat(r.Total(), 'f', -1, 64))
	}
	return f.Err()
}

// check returns the message key of what is wrong with an item, or "".
func (it Item) check(kind SubjectKind) string {
	if k := strings.TrimSpace(it.Key); k == "" || len(k) > 40 || strings.TrimSpace(it.Name) == "" || len([]rune(it.Name)) > 60 {
		return "err.assess.item_name"
	}
	if !(it.Max > 0 && it.Max <= 100) {
		return "err.assess.item_max"
	}
	if !slices.Contains(Methods, it.Method) {
		return "err.assess.item_method"
	}
	if it.Method == MethodManual {
		return ""
	}
	d, ok := DefOf(it.Indicator)
	if !ok || !d.Applies(kind) {
		return "err.assess.item_indicator"
	}
	switch it.Method {
	case MethodRate:
		if !d.Rate {
			return "err.assess.item_indicator"
		}
	case MethodBands:
		if !d.Rate || len(it.Bands) == 0 {
			return "err.assess.item_bands"
		}
		for i, b := range it.Bands {
			if b.Min < 0 || b.Min > 1 || b.Share < 0 || b.Share > 1 || (i > 0 && b.Min >= it.Bands[i-1].Min) {
				return "err.assess.item_bands"
			}
		}
	case MethodDeduct, MethodBonus:
		if !(it.Per > 0 && it.Per <= 100) {
			return "err.assess.item_per"
		}
	}
	return ""
}

// Grade is a letter for a total: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below.
func Grade(total float64) string {
	switch {
	case total >= 90:
		return "A"
	case total >= 75:
		return "B"
	case total >= 60:
		return "C"
	case total >= 40:
		return "D"
	}
	return "E"
}

// Manual is a hand-entered score of an item for a subject.
type Manual struct {
	Points float64
	Reason string
}

// Basis is what produced an item's points: the indicator's figure, the
// events counted, or the manual entry's reason.
type Basis struct {
	Indicator Key      `json:"indicator,omitempty"`
	Num       *float64 `json:"num,omitempty"`
	Den       *float64 `json:"den,omitempty"`
	Rate      *float64 `json:"rate"`
	Events    *float64 `json:"events,omitempty"`
	Manual    bool     `json:"manual,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	NoData    bool     `json:"no_data,omitempty"`
}

// ItemScore is one item's points with their basis.
type ItemScore struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Points float64 `json:"points"`
	Max    float64 `json:"max"`
	Basis  Basis   `json:"basis"`
}

// Score is a subject's score on a rubric.
type Score struct {
	Subject Subject     `json:"subject"`
	Total   float64     `json:"total"`
	Grade   string      `json:"grade"`
	Rank    int         `json:"rank"`
	Items   []ItemScore `json:"items"`
}

// round2 rounds to hundredths, so that totals print and compare stably.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Apply scores one subject: vals are its indicators, manual its entries by item key.
func Apply(r Rubric, s Subject, vals map[Key]Value, manual map[string]Manual) Score {
	out := Score{Subject: s, Items: make([]ItemScore, 0, len(r.Items))}
	for _, it := range r.Items {
		is := ItemScore{Key: it.Key, Name: it.Name, Max: it.Max}
		if it.Method == MethodManual {
			is.Points, is.Basis.Manual = it.Max, true
			if m, ok := manual[it.Key]; ok {
				is.Points, is.Basis.Reason = m.Points, m.Reason
			}
		} else {
			v := vals[it.Indicator]
			d, _ := DefOf(it.Indicator)
			num := v.Num
			is.Basis.Indicator, is.Basis.Num = it.Indicator, &num
			if v.HasDen {
				den := v.Den
				is.Basis.Den = &den
			}
			is.Basis.Rate = v.Rate()
			is.Points = itemPoints(it, d, v, &is.Basis)
			if m, ok := manual[it.Key]; ok {
				// A hand correction overrides the computed figure, with its reason.
				is.Points, is.Basis.Manual, is.Basis.Reason = m.Points, true, m.Reason
			}
		}
		is.Points = round2(is.Points)
		out.Total += is.Points
		out.Items = append(out.Items, is)
	}
	out.Total = round2(out.Total)
	out.Grade = Grade(out.Total)
	return out
}

func itemPoints(it Item, d Def, v Value, b *Basis) float64 {
	switch it.Method {
	case MethodRate, MethodBands:
		rate := v.Rate()
		if rate == nil {
			// No data is neither failure nor merit: the item keeps its maximum.
			b.NoData = true
			return it.Max
		}
		x := *rate
		if !d.LowerBad {
			x = 1 - x
		}
		x = min(max(x, 0), 1)
		if it.Method == MethodRate {
			return it.Max * x
		}
		for _, band := range it.Bands {
			if x >= band.Min-1e-12 {
				return it.Max * band.Share
			}
		}
		return 0
	case MethodDeduct:
		e := v.Num
		b.Events = &e
		return max(it.Max-it.Per*e, 0)
	case MethodBonus:
		e := v.Num
		b.Events = &e
		return min(it.Per*e, it.Max)
	}
	return 0
}

// Rank sets each score's rank by total, highest first; equal totals share
// a rank and the next rank skips (1, 2, 2, 4). Ties keep their order.
func Rank(scores []Score) {
	slices.SortStableFunc(scores, func(a, b Score) int {
		switch {
		case a.Total > b.Total:
			return -1
		case a.Total < b.Total:
			return 1
		}
		return 0
	})
	for i := range scores {
		if i > 0 && scores[i].Total == scores[i-1].Total {
			scores[i].Rank = scores[i-1].Rank
		} else {
			scores[i].Rank = i + 1
		}
	}
}

// CheckManual checks a manual entry against its item: a reason is
// required, and points lie in 0..max.
func CheckManual(it Item, m Manual) error {
	f := apperr.Fields{}
	if r := strings.TrimSpace(m.Reason); r == "" {
		f.Add("reason", "err.required")
	} else if len([]rune(r)) > 500 {
		f.Add("reason", "err.too_long", 500)
	}
	if math.IsNaN(m.Points) || m.Points < 0 || m.Points > it.Max {
		f.Add("points", "err.assess.points", strconv.FormatFloat(it.Max, 'f', -1, 64))
	}
	return f.Err()
}
