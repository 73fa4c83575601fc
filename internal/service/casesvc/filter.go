package casesvc

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Query is the ledger filter as people give it: the query parameters of
// GET /api/v1/cases and of the ledger page.
type Query struct {
	Status, Class, Category, Source, Level, Region, Unit, From, To, Sort string
	Overdue, Mine, Supervised                                            bool
	Q                                                                    string // words to search (see search.go)
}

// ParseQuery reads the filter parameters from a URL query.
func ParseQuery(q url.Values) Query {
	v := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	yes := func(k string) bool { return v(k) == "1" || v(k) == "true" }
	return Query{Status: v("status"), Class: v("class"), Category: v("category"), Source: v("source"), Level: v("level"),
		Region: v("region"), Unit: v("unit"), From: v("from"), To: v("to"), Sort: v("sort"), Overdue: yes("overdue"), Mine: yes("mine"), Q: v("q"), Supervised: yes("supervised")}
}

// Filter turns the query into a store filter limited to what p may see;
// values that do not parse are field errors, named by their parameter.
func (q Query) Filter(p *auth.Principal, now time.Time) (store.CaseFilter, error) {
	f := Filter(p)
	f.Status, f.Class, f.Category, f.Source, f.Sort, f.Now = q.Status, q.Class, q.Category, q.Source, q.Sort, now
	errs := apperr.Fields{}
	if f.Status != "" && !cases.Status(f.Status).Valid() {
		errs.Add("status", "err.invalid_choice")
	}
	if f.Class != "" && !cases.Class(f.Class).Valid() {
		errs.Add("class", "err.invalid_choice")
	}
	if f.Source != "" && !cases.Source(f.Source).Valid() {
		errs.Add("source", "err.invalid_choice")
	}
	if q.Level != "" {
		l, err := strconv.Atoi(q.Level)
		if err != nil || l < cases.LevelStreet || l > cases.LevelGrid {
			errs.Add("level", "err.invalid_choice")
		}
		f.Level = l
	}
	if q.Region != "" {
		if !region.ValidCode(q.Region) {
			errs.Add("region", "err.region_code")
		}
		f.Region = q.Region
	}
	if q.Unit != "" {
		id, err := strconv.ParseInt(q.Unit, 10, 64)
		if err != nil || id <= 0 {
			errs.Add("unit", "err.format")
		}
		f.UnitID = id
	}
	for field, val := range map[string]string{"from": q.From, "to": q.To} {
		if val == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", val); err != nil {
			errs.Add(field, "err.format")
		}
	}
	f.From, f.To, f.Overdue = q.From, q.To, q.Overdue
	if q.Mine {
		f.Mine = Mine(p)
	}
	f.Search.Supervised = q.Supervised
	if q.Q != "" {
		if len([]rune(q.Q)) > MaxSearch {
			errs.Add("q", "err.too_long", MaxSearch)
		}
		f.Search = Search(p, q.Q)
		f.Search.Supervised = q.Supervised
	}
	return f, errs.Err()
}
