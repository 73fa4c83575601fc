package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/store"
)

// The audit page for people (issue 16): who (name and role), what (in
// words), which record (named and linked), when (local time), and what
// changed as "field: before → after"; filtered by person, record and dates.

type auditChange struct {
	Field, Before, After string
}

type auditRow struct {
	store.AuditEntry
	Who, Role    string
	What         string
	Kind         string // the record's kind, in words
	Record, Link string
	Changes      []auditChange
}

type auditPage struct {
	Page
	Rows     []auditRow
	Pager    pager
	Entity   string
	EntityID string
	Actor    string
	From, To string
	Entities []string
	Actors   []store.AuditActor
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userOf(r)
	if !u.Can(auth.AuditRead, auth.Target{}) {
		s.forbidden(w, r)
		return
	}
	p := printer(r)
	q := r.URL.Query()
	data := auditPage{Page: s.page(r, "audit.title"), Entity: q.Get("entity"), EntityID: strings.TrimSpace(q.Get("entity_id")), Actor: q.Get("actor"),
		From: q.Get("from"), To: q.Get("to"),
		Entities: []string{"case", "unit", "person", "region", "category", "calendar", "letter", "letter_template", "patrol", "patrol_plan", "patrol_alert",
			"inspection", "photo", "notice", "channel"}}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 50}.Clamp()
	f := store.AuditFilter{Entity: data.Entity, EntityID: data.EntityID, Page: page}
	if a, err := strconv.ParseInt(data.Actor, 10, 64); err == nil {
		f.ActorID = a
	}
	if d, err := time.ParseInLocation("2006-01-02", data.From, s.app.Loc); err == nil {
		f.From = d
	}
	if d, err := time.ParseInLocation("2006-01-02", data.To, s.app.Loc); err == nil {
		f.To = d.AddDate(0, 0, 1)
	}
	rows, total, err := s.app.DB.AuditLog(ctx, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Actors, err = s.app.DB.AuditActors(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	who := map[int64][2]string{}
	for _, e := range rows {
		data.Rows = append(data.Rows, s.auditRowOf(ctx, p, e, who))
	}
	data.Pager = newPager(r, page.Page, page.Size, total)
	s.render(w, r, http.StatusOK, "audit", data)
}

// auditRowOf puts one entry in words; who caches people's names and roles.
func (s *Server) auditRowOf(ctx context.Context, p locale.Printer, e store.AuditEntry, who map[int64][2]string) auditRow {
	row := auditRow{AuditEntry: e, Who: e.ActorName}
	switch {
	case e.ActorID != 0:
		nr, ok := who[e.ActorID]
		if !ok {
			nr = [2]string{e.ActorName, ""}
			if ps, err := s.app.DB.Person(ctx, e.ActorID); err == nil {
				nr[0] = ps.Name
				var roles []string
				for _, as := range ps.Roles {
					if r := p.T("role." + string(as.Role)); !slices.Contains(roles, r) {
						roles = append(roles, r)
					}
				}
				nr[1] = strings.Join(roles, "、")
			}
			who[e.ActorID] = nr
		}
		row.Who, row.Role = nr[0], nr[1]
	case locale.Has(p.Lang, "ux.audit.actor."+e.ActorName):
		row.Who = p.T("ux.audit.actor." + e.ActorName)
	}
	if locale.Has(p.Lang, "audit.action."+e.Action) {
		row.What = p.T("audit.action." + e.Action)
	} else if locale.Has(p.Lang, "case.action."+e.Action) {
		row.What = p.T("case.action." + e.Action)
	} else if locale.Has(p.Lang, "ux.audit.action."+e.Action) {
		row.What = p.T("ux.audit.action." + e.Action)
	} else {
		row.What = p.T("ux.audit.action.other")
	}
	row.Kind = e.Entity
	if locale.Has(p.Lang, "audit.entity."+e.Entity) {
		row.Kind = p.T("audit.entity." + e.Entity)
	}
	row.Record, row.Link = s.auditRecord(ctx, p.Lang, e)
	row.Changes = auditChanges(p, s.app.Loc, e.Before, e.After)
	return row
}

// auditRecord names the record of an entry and links to its page, when it has one.
func (s *Server) auditRecord(ctx context.Context, lang string, e store.AuditEntry) (string, string) {
	id := e.EntityID
	n, _ := strconv.ParseInt(id, 10, 64)
	switch e.Entity {
	case "case":
		return id, "/cases/" + url.PathEscape(id)
	case "unit":
		if un, err := s.app.DB.Unit(ctx, n); err == nil {
			return un.Name, "/units/" + id
		}
	case "person":
		if ps, err := s.app.DB.Person(ctx, n); err == nil {
			return ps.Name, "/people/" + id
		}
	case "region":
		if rg, err := s.app.DB.Region(ctx, id); err == nil {
			return rg.Name, "/regions/" + id
		}
	case "letter":
		return id, "/letters/" + id
	case "category":
		if c, err := s.app.DB.Category(ctx, id); err == nil {
			return id + " " + c.Name(lang), "/admin/categories#c-" + id
		}
	case "inspection":
		return id, "/inspections/" + id
	case "notice":
		return id, "/notices/" + id
	}
	return id, ""
}

// auditChanges compares the before and after JSON objects field by field;
// values that are not objects are shown whole, as one change.
func auditChanges(p locale.Printer, loc *time.Location, before, after string) []auditChange {
	var b, a map[string]any
	okB := before == "" || json.Unmarshal([]byte(before), &b) == nil
	okA := after == "" || json.Unmarshal([]byte(after), &a) == nil
	if !okB || !okA {
		return []auditChange{{Field: "", Before: before, After: after}}
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []auditChange
	for _, k := range names {
		bv, av := auditValue(p, loc, k, b[k]), auditValue(p, loc, k, a[k])
		if _, had := b[k]; had && bv == av {
			continue
		}
		label := k
		if locale.Has(p.Lang, "field."+k) {
			label = p.T("field." + k)
		} else if locale.Has(p.Lang, "ux.audit.field."+k) {
			label = p.T("ux.audit.field." + k)
		}
		out = append(out, auditChange{Field: label, Before: bv, After: av})
	}
	return out
}

// auditValue shows one value: times as local times, known choices in words.
func auditValue(p locale.Printer, loc *time.Location, key string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		if x > 1e12 && x < 1e13 && (key == "deadline" || strings.HasSuffix(key, "_at") || key == "at" || key == "due") {
			return time.UnixMilli(int64(x)).In(loc).Format("2006-01-02 15:04")
		}
		if x == 0 && (key == "deadline" || strings.HasSuffix(key, "_at")) {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return p.T("ux.audit.yes")
		}
		return p.T("ux.audit.no")
	case string:
		for _, prefix := range []string{"case." + key + ".", "role.", "letter." + key + "."} {
			if prefix == "role." && key != "role" {
				continue
			}
			if locale.Has(p.Lang, prefix+x) {
				return p.T(prefix + x)
			}
		}
		return x
	}
	b, _ := json.Marshal(v)
	return fmt.Sprint(string(b))
}
