// Package ledgermix draws ledger requests at random the way people use the
// ledger: who signs in (the street leader, a community leader, a grid
// leader, an inspector) and which filters they pick, so that no cache can
// hold the answers. It feeds the benchmarks only (lantian-bench list and
// the store's BenchmarkLedgerMix); nothing in the server uses it.
package ledgermix

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
)

// Scope is a demo sign-in and the region its role covers.
type Scope struct {
	Username string
	Region   string
}

// Scopes lists the street leader, each community leader, each grid leader
// and an inspector of the demo street.
func Scopes() []Scope {
	out := []Scope{{"street", demo.StreetCode}, {"inspector", demo.StreetCode}}
	for c := range 6 {
		out = append(out, Scope{fmt.Sprintf("community%d", c+1), demo.CommunityCode(c)})
		for r := range 5 {
			out = append(out, Scope{fmt.Sprintf("grid%02d", c*5+r+1), demo.GridCode(c, r)})
		}
	}
	return out
}

// Options are the values the filters choose from.
type Options struct {
	Categories []string  // leaf codes
	Groups     []string  // top-level codes (a group matches its children)
	Units      []int64   // unit ids
	Start, End time.Time // the span of report days
}

// subregions lists code and the regions under it in the demo street.
func subregions(code string) []string {
	out := []string{code}
	for c := range 6 {
		for r := range 5 {
			g := demo.GridCode(c, r)
			if code == demo.StreetCode {
				if r == 0 {
					out = append(out, demo.CommunityCode(c))
				}
				out = append(out, g)
			} else if code == demo.CommunityCode(c) {
				out = append(out, g)
			}
		}
	}
	return out
}

// Draw returns one request's query (page_size 50 and page 1–5 included)
// and its shape: the scope's level and the filter names, to group timings.
func Draw(rnd *rand.Rand, s Scope, o Options) (url.Values, string) {
	q := url.Values{}
	pick := func(p float64) bool { return rnd.Float64() < p }
	if pick(0.4) {
		q.Set("status", string(cases.Statuses[rnd.IntN(len(cases.Statuses))]))
	}
	if pick(0.15) {
		q.Set("class", string(cases.Classes[rnd.IntN(len(cases.Classes))]))
	}
	if pick(0.25) {
		if len(o.Groups) > 0 && pick(0.4) {
			q.Set("category", o.Groups[rnd.IntN(len(o.Groups))])
		} else if len(o.Categories) > 0 {
			q.Set("category", o.Categories[rnd.IntN(len(o.Categories))])
		}
	}
	if pick(0.1) {
		q.Set("level", strconv.Itoa(cases.LevelStreet+rnd.IntN(3)))
	}
	if pick(0.3) {
		subs := subregions(s.Region)
		q.Set("region", subs[rnd.IntN(len(subs))])
	}
	if pick(0.05) && len(o.Units) > 0 {
		q.Set("unit", strconv.FormatInt(o.Units[rnd.IntN(len(o.Units))], 10))
	}
	if pick(0.25) {
		days := int(o.End.Sub(o.Start).Hours()/24) + 1
		from := o.Start.AddDate(0, 0, rnd.IntN(max(days, 1)))
		switch rnd.IntN(4) {
		case 0: // a week
			q.Set("from", from.Format("2006-01-02"))
			q.Set("to", from.AddDate(0, 0, 6).Format("2006-01-02"))
		case 1: // a month
			q.Set("from", from.Format("2006-01-02"))
			q.Set("to", from.AddDate(0, 1, -1).Format("2006-01-02"))
		case 2: // since a day
			q.Set("from", from.Format("2006-01-02"))
		default: // up to a day
			q.Set("to", from.Format("2006-01-02"))
		}
	}
	if pick(0.1) {
		q.Set("overdue", "1")
	}
	if pick(0.05) {
		q.Set("mine", "1")
	}
	switch r := rnd.Float64(); {
	case r < 0.1:
		q.Set("sort", "oldest")
	case r < 0.2:
		q.Set("sort", "deadline")
	case r < 0.25:
		q.Set("sort", "number")
	}
	page := 1
	if pick(0.5) {
		page = 2 + rnd.IntN(4)
	}
	q.Set("page", strconv.Itoa(page))
	q.Set("page_size", "50")
	return q, Shape(s, q)
}

// Shape names a request's scope level and filter names (not their values).
func Shape(s Scope, q url.Values) string {
	level := "grid"
	switch {
	case s.Username == "street" || s.Username == "inspector":
		level = s.Username
	case strings.HasPrefix(s.Username, "community"):
		level = "community"
	}
	var keys []string
	for k := range q {
		switch k {
		case "page", "page_size":
			continue
		case "sort":
			keys = append(keys, "sort="+q.Get(k))
		default:
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return level + ":" + strings.Join(keys, ",")
}
