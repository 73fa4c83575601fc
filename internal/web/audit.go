package web

import (
	"net/http"
	"strconv"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/store"
)

type auditPage struct {
	Page
	Rows     []store.AuditEntry
	Pager    pager
	Entity   string
	EntityID string
	Entities []string
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.Can(auth.AuditRead, auth.Target{}) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	data := auditPage{Page: s.page(r, "audit.title"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"),
		Entities: []string{"unit", "person", "region", "case", "category", "calendar", "letter", "letter_template", "patrol", "patrol_plan", "photo"}}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 50}.Clamp()
	f := store.AuditFilter{Entity: data.Entity, EntityID: data.EntityID, Page: page}
	if a, err := strconv.ParseInt(q.Get("actor"), 10, 64); err == nil {
		f.ActorID = a
	}
	rows, total, err := s.app.DB.AuditLog(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Rows = rows
	data.Pager = newPager(r, page.Page, page.Size, total)
	s.render(w, r, http.StatusOK, "audit", data)
}
