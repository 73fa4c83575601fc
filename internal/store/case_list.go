package store

import (
	"context"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/region"
)

// CaseFilter selects cases. The scope fields say what the viewer may see: a
// case matches when its grid lies under one of Roots, or it is about (or
// assigned to) one of UnitIDs, or PersonID reported it or holds it.
type CaseFilter struct {
	All      bool // no scope limit (district-wide viewers)
	Roots    []string
	UnitIDs  []int64
	PersonID int64

	Status     string
	Class      string
	Category   string // a code; a top-level code matches its children
	Source     string
	Level      int
	Region     string // a region code: cases whose grid lies in its subtree
	UnitID     int64
	From, To   string // local dates, inclusive
	Overdue    bool
	AssignedTo int64 // cases assigned to this person directly
	Number     string
	Now        time.Time
	Sort       string // "" newest first; "oldest", "deadline", "number"
	Page       Page
	Search     CaseSearch // words to find (case_search.go)
	Mine       *CaseMine  // only cases assigned to this person's side (case_search.go)

	categories []string // Category and its children, resolved by expand
}

// expand resolves a category group into its codes, so the query can use the category index.
func (db *DB) expand(ctx context.Context, f *CaseFilter) error {
	if f.Category == "" {
		return nil
	}
	rows, err := db.query(ctx, `SELECT code FROM categories WHERE code = $1 OR parent = $1`, f.Category)
	if err != nil {
		return err
	}
	if f.categories, err = scanAll(rows, scanValue[string]); err != nil {
		return err
	}
	if len(f.categories) == 0 {
		f.categories = []string{f.Category}
	}
	return nil
}

func (f CaseFilter) where() (string, []any) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	var w []string
	if !f.All {
		var scope []string
		for _, r := range f.Roots {
			scope = append(scope, caseScope(r, add))
		}
		for _, id := range f.UnitIDs {
			n := add(id)
			scope = append(scope, "c.unit_id = "+n, "c.assignee_unit = "+n)
		}
		if f.PersonID != 0 {
			n := add(f.PersonID)
			scope = append(scope, "c.reporter_id = "+n, "c.assignee_person = "+n)
		}
		if len(scope) == 0 {
			scope = []string{"1=0"}
		}
		w = append(w, "("+strings.Join(scope, " OR ")+")")
	}
	if f.Status != "" {
		w = append(w, "c.status = "+add(f.Status))
	}
	if f.Class != "" {
		w = append(w, "c.class = "+add(f.Class))
	}
	if len(f.categories) > 0 {
		var phs []string
		for _, c := range f.categories {
			phs = append(phs, add(c))
		}
		w = append(w, "c.category IN ("+strings.Join(phs, ",")+")")
	} else if f.Category != "" {
		w = append(w, "c.category = "+add(f.Category))
	}
	if f.Source != "" {
		w = append(w, "c.source = "+add(f.Source))
	}
	if f.Level != 0 {
		w = append(w, "c.level = "+add(f.Level))
	}
	if f.Region != "" {
		w = append(w, caseScope(f.Region, add))
	}
	if f.UnitID != 0 {
		w = append(w, "c.unit_id = "+add(f.UnitID))
	}
	if f.From != "" {
		w = append(w, "c.day >= "+add(f.From))
	}
	if f.To != "" {
		w = append(w, "c.day <= "+add(f.To))
	}
	if f.Overdue {
		w = append(w, "c.status IN ('reported', 'filed', 'assigned') AND c.deadline > 0 AND c.deadline < "+add(f.Now.UnixMilli()))
	}
	if f.AssignedTo != 0 {
		w = append(w, "c.assignee_person = "+add(f.AssignedTo))
	}
	if f.Number != "" {
		w = append(w, "c.number = "+add(f.Number))
	}
	w = f.searchWhere(w, add)
	if len(w) == 0 {
		return "1=1", args
	}
	return strings.Join(w, " AND "), args
}

// caseScope limits cases to a region's subtree with an equality on the
// column of that level (community, street, grid), which the indexes serve
// together with the newest-first order; a district takes a code range.
func caseScope(code string, add func(any) string) string {
	switch region.LevelOf(code) {
	case region.Grid:
		return "c.region = " + add(code)
	case region.Community:
		return "c.community = " + add(code)
	case region.Street:
		return "c.street = " + add(code)
	}
	lo, hi := prefixRange(code)
	return "c.region BETWEEN " + add(lo) + " AND " + add(hi)
}

func (f CaseFilter) order() string {
	switch f.Sort {
	case "oldest":
		return "c.id"
	case "deadline":
		if cases.Status(f.Status).Pending() {
			// Pending cases always have a deadline; the (status, deadline) index gives this order.
			return "c.deadline, c.id"
		}
		return "CASE WHEN c.deadline = 0 THEN 1 ELSE 0 END, c.deadline, c.id"
	case "number":
		return "c.number"
	}
	if (f.From != "" || f.To != "") && f.Status == "" && f.Category == "" && f.Class == "" {
		// Newest first by report day, which the (day, id) index gives without sorting.
		return "c.day DESC, c.id DESC"
	}
	return "c.id DESC"
}

// Cases lists the cases matching f (without timelines) and the total.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]cases.Case, int, error) {
	if err := db.expand(ctx, &f); err != nil {
		return nil, 0, err
	}
	w, args := f.where()
	total, err := db.countCases(ctx, w, args)
	if err != nil {
		return nil, 0, err
	}
	limit, args := limitPage(f.Page.Clamp(), args)
	rows, err := db.query(ctx, `SELECT `+caseCols+` FROM cases c WHERE `+w+` ORDER BY `+f.order()+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanCase)
	return out, total, err
}

// EachCase calls fn for every case matching f in order, streaming rows so
// that large exports never sit in memory; fn gets a short timeline summary.
func (db *DB) EachCase(ctx context.Context, f CaseFilter, fn func(c cases.Case, summary string) error) error {
	if err := db.expand(ctx, &f); err != nil {
		return err
	}
	w, args := f.where()
	rows, err := db.r.QueryContext(ctx, `SELECT `+caseCols+`,
		COALESCE((SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id), 0)
		FROM cases c WHERE `+w+` ORDER BY `+f.order(), args...)
	if err != nil {
		return err
	}
	return eachRow(rows, func(sc rowScanner) error {
		var c cases.Case
		var n int
		var deadline, from, reported, closed, updated int64
		err := sc.Scan(&c.ID, &c.Number, &c.ClientID, &c.Category, &c.Description, &c.Lat, &c.Lon, &c.Address, &c.Region, &c.UnitID,
			&c.Source, &c.HotlineRef, &c.Class, &c.Severity, &c.Status, &c.Level, &c.Held, &c.Assignee, &c.Commitment, &c.ReporterID,
			&c.ReporterName, &c.ReporterMobile, &c.HandledBy, &deadline, &from, &reported, &closed, &c.Day,
			&c.Rework, &c.MergedInto, &c.AfterPhotos, &c.Version, &updated, &n)
		if err != nil {
			return err
		}
		c.Deadline, c.DeadlineFrom, c.ReportedAt, c.ClosedAt, c.UpdatedAt = fromMS(deadline), fromMS(from), fromMS(reported), fromMS(closed), fromMS(updated)
		return fn(c, itoa(n))
	})
}

// CaseEvents returns the timeline of several cases at once, keyed by case id (for exports and prints).
func (db *DB) CaseEvents(ctx context.Context, ids []int64) (map[int64][]cases.Event, error) {
	out := map[int64][]cases.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	var args []any
	rows, err := db.r.QueryContext(ctx, `SELECT case_id, id, at, COALESCE(actor_id, 0), actor_name, action, status, level, note
		FROM case_events WHERE case_id IN (`+inList(&args, ids)+`) ORDER BY case_id, id`, args...)
	if err != nil {
		return nil, err
	}
	return out, eachRow(rows, func(sc rowScanner) error {
		var cid int64
		var e cases.Event
		var at int64
		if err := sc.Scan(&cid, &e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Status, &e.Level, &e.Note); err != nil {
			return err
		}
		e.At = fromMS(at)
		out[cid] = append(out[cid], e)
		return nil
	})
}

// NearbyOpen lists open cases of a category within a box, reported since a time (duplicate candidates).
func (db *DB) NearbyOpen(ctx context.Context, category string, minLat, minLon, maxLat, maxLon float64, since time.Time) ([]cases.Case, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+caseCols+` FROM cases c WHERE c.category = $1 AND c.lat BETWEEN $2 AND $3
		AND c.lon BETWEEN $4 AND $5 AND c.reported_at >= $6 AND c.status IN ('reported', 'filed', 'assigned', 'handled')
		ORDER BY c.id DESC LIMIT 20`, category, minLat, maxLat, minLon, maxLon, since.UnixMilli())
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanCase)
}

// PendingBelowStreet lists pending cases held below the street, for the escalation job.
func (db *DB) PendingBelowStreet(ctx context.Context, limit int) ([]cases.Case, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+caseCols+` FROM cases c WHERE c.status IN ('reported', 'filed', 'assigned')
		AND c.level > 2 AND (c.severity = 'major' OR (c.deadline > 0 AND c.deadline < $1)) ORDER BY c.id LIMIT $2`, db.now(), limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanCase)
}

// InboxItem is one message in a person's inbox.
type InboxItem struct {
	ID        int64
	Kind      string
	CaseID    int64
	Number    string
	Args      string
	CreatedAt time.Time
	Read      bool
}

// Inbox lists a person's messages, newest first, with the total and the unread count.
func (db *DB) Inbox(ctx context.Context, personID int64, unreadOnly bool, p Page) ([]InboxItem, int, error) {
	w := "person_id = $1"
	if unreadOnly {
		w += " AND read_at = 0"
	}
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox WHERE `+w, personID).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, args := limitPage(p.Clamp(), []any{personID})
	rows, err := db.r.QueryContext(ctx, `SELECT id, kind, COALESCE(case_id, 0), number, args, created_at, read_at FROM inbox WHERE `+w+
		` ORDER BY id DESC`+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, func(sc rowScanner) (InboxItem, error) {
		var it InboxItem
		var created, read int64
		err := sc.Scan(&it.ID, &it.Kind, &it.CaseID, &it.Number, &it.Args, &created, &read)
		it.CreatedAt, it.Read = fromMS(created), read != 0
		return it, err
	})
	return out, total, err
}

// Unread counts a person's unread messages.
func (db *DB) Unread(ctx context.Context, personID int64) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM inbox WHERE person_id = $1 AND read_at = 0`, personID).Scan(&n)
	return n, err
}

// MarkRead marks a person's messages read: one (id) or all (id 0).
func (db *DB) MarkRead(ctx context.Context, personID, id int64) error {
	q := `UPDATE inbox SET read_at = $2 WHERE person_id = $1 AND read_at = 0`
	args := []any{personID, db.now()}
	if id != 0 {
		q += ` AND id = $3`
		args = append(args, id)
	}
	_, err := db.w.ExecContext(ctx, q, args...)
	return err
}

// PeopleWithRole lists the active people holding role exactly at one of the regions.
func (db *DB) PeopleWithRole(ctx context.Context, role string, regions ...string) ([]int64, error) {
	if len(regions) == 0 {
		return nil, nil
	}
	args := []any{role}
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT ra.person_id FROM role_assignments ra JOIN people p ON p.id = ra.person_id
		WHERE p.active = 1 AND ra.role = $1 AND ra.region IN (`+inList(&args, regions)+`) ORDER BY ra.person_id`, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanValue[int64])
}

// UnitContacts lists the people holding the unit_contact role for a unit.
func (db *DB) UnitContacts(ctx context.Context, unitID int64) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT ra.person_id FROM role_assignments ra JOIN people p ON p.id = ra.person_id
		WHERE p.active = 1 AND ra.role = 'unit_contact' AND ra.unit_id = $1`, unitID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanValue[int64])
}

// OverdueUnnoticed lists pending cases past their deadline whose people have not been told yet.
func (db *DB) OverdueUnnoticed(ctx context.Context, limit int) ([]cases.Case, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+caseCols+` FROM cases c WHERE c.status IN ('reported', 'filed', 'assigned')
		AND c.deadline > 0 AND c.deadline < $1 AND c.overdue_noticed = 0 ORDER BY c.deadline LIMIT $2`, db.now(), limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanCase)
}

// NoticeOverdue writes ev (the case is overdue) once per deadline, audited as the system.
func (db *DB) NoticeOverdue(ctx context.Context, c cases.Case, ev notify.Event) error {
	return db.Write(ctx, System, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET overdue_noticed = 1 WHERE id = $1 AND overdue_noticed = 0 AND deadline = $2`, c.ID, ms(c.Deadline))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		n, err := tx.Notify(ctx, caseEvents(c, []notify.Event{ev})...)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "case", c.Number, "overdue", nil, map[string]any{"deadline": ms(c.Deadline), "notified": n})
	})
}
