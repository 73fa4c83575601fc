package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The printed ledger lists every filter in its header, and a ledger larger
// than one print is offered in numbered parts and as Excel instead of being
// cut silently (issue 16).

// printPart is a link to one part of a large printed ledger.
type printPart struct {
	N       int
	From    int
	To      int
	Href    string
	Current bool
}

// withoutPart drops part= from a query string.
func withoutPart(query string) string {
	q, err := url.ParseQuery(query)
	if err != nil {
		return query
	}
	q.Del("part")
	return q.Encode()
}

// printPartOf reads ?part= (1 when absent or bad).
func printPartOf(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("part"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// printParts lists the parts of a ledger of total cases, max per part.
func printParts(query string, total, max, current int) []printPart {
	if total <= max {
		return nil
	}
	var out []printPart
	base := "/cases/print?"
	if query != "" {
		base += query + "&"
	}
	for n := 1; (n-1)*max < total; n++ {
		out = append(out, printPart{N: n, From: (n-1)*max + 1, To: min(n*max, total), Href: base + "part=" + strconv.Itoa(n), Current: n == current})
	}
	return out
}

// eachCaseFrom calls fn for at most max cases of f after the first skip, in f's order.
func (s *Server) eachCaseFrom(ctx context.Context, f store.CaseFilter, skip, max int, fn func(cases.Case)) error {
	n := 0
	err := s.app.DB.EachCase(ctx, f, func(c cases.Case, _ string) error {
		n++
		if n <= skip {
			return nil
		}
		if n > skip+max {
			return errEnough
		}
		fn(c)
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return err
}

// printFilters says, one line each, every filter of the printed ledger
// other than the dates (which the range line gives).
func printFilters(p locale.Printer, q casesvc.Query, names func(string) string, catNames map[string]string, unitName func(string) string) []string {
	var out []string
	add := func(field, v string) {
		if v != "" {
			out = append(out, p.T(field)+p.T("punct.colon")+v)
		}
	}
	if q.Status != "" {
		add("field.status", p.T("case.status."+q.Status))
	}
	if q.Class != "" {
		add("field.class", p.T("case.class."+q.Class))
	}
	if q.Category != "" {
		add("field.category", strings.TrimSpace(catNames[q.Category]))
	}
	if q.Source != "" {
		add("field.source", p.T("case.source."+q.Source))
	}
	if q.Level != "" {
		add("cases.held_level", p.T("region.level."+q.Level))
	}
	if q.Region != "" {
		add("field.region", names(q.Region))
	}
	if q.Unit != "" {
		add("field.unit", unitName(q.Unit))
	}
	if q.Q != "" {
		add("field.q", q.Q)
	}
	if q.Overdue {
		out = append(out, p.T("cases.overdue_only"))
	}
	if q.Mine {
		out = append(out, p.T("cases.mine"))
	}
	if q.Supervised {
		out = append(out, p.T("ux.filter.supervised"))
	}
	if q.Sort == "oldest" || q.Sort == "deadline" {
		add("cases.sort", p.T("cases.sort."+q.Sort))
	}
	return out
}
