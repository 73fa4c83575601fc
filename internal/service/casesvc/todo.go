package casesvc

import (
	"context"
	"net/url"
	"strconv"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// TodoItem is one line of a person's to-do list: a kind of work, how many
// cases wait for it, and the ledger filter that lists them.
type TodoItem struct {
	Kind   string // to_file, to_assign, to_verify, overdue, supervised, to_handle
	Region string // the region it is about, "" for mine or everywhere
	Count  int
	Query  url.Values // the ledger filter (GET /cases?…) listing those cases
}

// Href is the ledger link listing the item's cases.
func (t TodoItem) Href() string { return "/cases?" + t.Query.Encode() }

// Todo lists what waits for p's action on the ledger: for each region p
// leads (everywhere for an admin of the whole district), reports to file,
// cases to assign and to verify held there, overdue and supervised cases
// under it; for everyone, the cases assigned to them (Mine) to handle.
// Items with nothing waiting are left out.
func (s *Service) Todo(ctx context.Context, p *auth.Principal) ([]TodoItem, error) {
	var out []TodoItem
	add := func(kind, reg string, q Query) error {
		f, err := q.Filter(p, s.Now())
		if err != nil {
			return err
		}
		f.Page = store.Page{Page: 1, Size: 1}
		_, n, err := s.DB.Cases(ctx, f)
		if err != nil || n == 0 {
			return err
		}
		v := url.Values{}
		set := func(k, val string) {
			if val != "" {
				v.Set(k, val)
			}
		}
		set("status", q.Status)
		set("region", q.Region)
		set("level", q.Level)
		if q.Overdue {
			v.Set("overdue", "1")
		}
		if q.Mine {
			v.Set("mine", "1")
		}
		if q.Supervised {
			v.Set("supervised", "1")
		}
		set("sort", q.Sort)
		out = append(out, TodoItem{Kind: kind, Region: reg, Count: n, Query: v})
		return nil
	}
	var regions []string
	for _, as := range p.Roles {
		if as.Role == people.Leader || (as.Role == people.Admin && as.Region != "") {
			regions = append(regions, as.Region)
		}
	}
	if len(regions) == 0 && p.Has(people.Admin) {
		regions = append(regions, "")
	}
	for _, reg := range regions {
		level := ""
		if l := region.LevelOf(reg); reg != "" && l >= region.Street && l <= region.Grid {
			level = strconv.Itoa(int(l))
		}
		steps := []struct {
			kind string
			q    Query
		}{
			{"to_file", Query{Status: "reported", Region: reg, Level: level, Sort: "deadline"}},
			{"to_assign", Query{Status: "filed", Region: reg, Level: level, Sort: "deadline"}},
			{"to_verify", Query{Status: "handled", Region: reg, Level: level, Sort: "deadline"}},
			{"overdue", Query{Overdue: true, Region: reg, Sort: "deadline"}},
			{"supervised", Query{Supervised: true, Region: reg, Sort: "deadline"}},
		}
		for _, st := range steps {
			if err := add(st.kind, reg, st.q); err != nil {
				return nil, err
			}
		}
	}
	if err := add("to_handle", "", Query{Mine: true, Status: "assigned", Sort: "deadline"}); err != nil {
		return nil, err
	}
	return out, nil
}
