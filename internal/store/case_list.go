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
	Sort       string // "" newest reported first; "oldest", "deadline", "number"
	Page       Page
	Search     CaseSearch // words to find (case_search.go)
	Mine       *CaseMine  // only cases assigned to this person's side (case_search.go)
	// ExactTotal counts the total however large it is; otherwise Cases
	// stops counting past TotalCap and answers TotalCap+1 ("more").
	ExactTotal bool

	categories []string // Category and its children, resolved by expand
}

// TotalCap is how far the ledger counts its total exactly: a larger result
// is shown as "10,000+" (the API says its total is a lower bound), so that a
// broad filter over millions of cases never costs a full count.
const TotalCap = 10000

// TotalMore reports whether a total from Cases stands for "more than TotalCap".
func TotalMore(total int) bool { return total > TotalCap }

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

// where is the whole condition: the scope's branches joined by OR, and the filters.
func (f CaseFilter) where() (string, []any) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	var w []string
	if !f.All {
		var scope []string
		for _, b := range f.scopes() {
			scope = append(scope, b.term(add))
		}
		if len(scope) == 0 {
			scope = []string{"1=0"}
		}
		w = append(w, "("+strings.Join(scope, " OR ")+")")
	}
	if f.Region != "" {
		w = append(w, caseScope(f.Region, add))
	}
	w = append(w, f.terms(add)...)
	if len(w) == 0 {
		return "1=1", args
	}
	return strings.Join(w, " AND "), args
}

// terms are the ledger's filters (everything but the scope and the region,
// which branches fold into their own column), each binding its values
// through add; every branch of a list and of a count repeats them. A new
// filter belongs here, not in where, or the ledger's pages would ignore it.
func (f CaseFilter) terms(add func(any) string) []string {
	w := f.tallyTerms("c.", add)
	if f.Source != "" {
		w = append(w, "c.source = "+add(f.Source))
	}
	if f.UnitID != 0 {
		w = append(w, "c.unit_id = "+add(f.UnitID))
	}
	// A case's day is the local date of its report time in the office's
	// zone (within ±14 hours of UTC). Report times from a day after From to
	// the start of To (UTC) lie in the range whatever the zone; only those
	// within a day or so of either end need their day checked. The report
	// time is in the indexes and the day is not, so this reads rows only at
	// the ends of the range.
	from, ferr := time.Parse("2006-01-02", f.From)
	to, terr := time.Parse("2006-01-02", f.To)
	if (f.From != "" && ferr != nil) || (f.To != "" && terr != nil) {
		// Not a date (the services refuse these): compare the text alone.
		if f.From != "" {
			w = append(w, "c.day >= "+add(f.From))
		}
		if f.To != "" {
			w = append(w, "c.day <= "+add(f.To))
		}
	} else if f.From != "" || f.To != "" {
		var outer, inner, day []string
		if f.From != "" {
			outer = append(outer, "c.reported_at >= "+add(from.AddDate(0, 0, -1).UnixMilli()))
			inner = append(inner, "c.reported_at >= "+add(from.AddDate(0, 0, 1).UnixMilli()))
			day = append(day, "c.day >= "+add(f.From))
		}
		if f.To != "" {
			outer = append(outer, "c.reported_at < "+add(to.AddDate(0, 0, 2).UnixMilli()))
			inner = append(inner, "c.reported_at < "+add(to.UnixMilli()))
			day = append(day, "c.day <= "+add(f.To))
		}
		w = append(w, outer...)
		w = append(w, "("+strings.Join(inner, " AND ")+" OR "+strings.Join(day, " AND ")+")")
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
	return f.searchWhere(w, add)
}

// caseBranch is one way a case can lie in the viewer's scope: a column
// equal to a value, or (a district) a range of grid codes; no column and no
// range is no limit. Each branch has indexes of its own.
type caseBranch struct {
	col    string // street, community, region, unit_id, assignee_unit, reporter_id, assignee_person, assignee_region
	val    any
	lo, hi string
	code   string // a region branch's region ("" for no limit)
	region string // a region the cases must lie in besides (a person's or unit's branch under a region filter)
	// within, when set, are the viewer's scope (region filter folded in):
	// a branch of "assigned to me" holds only the cases in one of them.
	within []caseBranch
}

func (b caseBranch) term(add func(any) string) string {
	if b.within != nil {
		own := b
		own.within = nil
		var alts []string
		for _, s := range b.within {
			t := s.term(add)
			if t == "" {
				return own.term(add) // a scope without limit
			}
			alts = append(alts, t)
		}
		return "(" + own.term(add) + " AND (" + strings.Join(alts, " OR ") + "))"
	}
	if b.region != "" {
		return "(" + caseBranch{col: b.col, val: b.val}.term(add) + " AND " + caseScope(b.region, add) + ")"
	}
	switch {
	case b.lo != "":
		return "c.region BETWEEN " + add(b.lo) + " AND " + add(b.hi)
	case b.col == "":
		return ""
	}
	if strings.HasPrefix(b.col, "COALESCE(") {
		return b.col + " = " + add(b.val)
	}
	return "c." + b.col + " = " + add(b.val)
}

// regionBranch limits cases to a region's subtree with an equality on the
// column of that level (community, street, grid); a district takes a code range.
func regionBranch(code string) caseBranch {
	switch region.LevelOf(code) {
	case region.Grid:
		return caseBranch{col: "region", val: code, code: code}
	case region.Community:
		return caseBranch{col: "community", val: code, code: code}
	case region.Street:
		return caseBranch{col: "street", val: code, code: code}
	}
	lo, hi := prefixRange(code)
	return caseBranch{lo: lo, hi: hi, code: code}
}

// regional reports whether b limits cases by region (or not at all) rather
// than to a person's or a unit's own.
func (b caseBranch) regional() bool {
	_, ok := regionRank[b.col]
	return ok || b.lo != ""
}

// branches are the scope's branches with the region filter folded in: a
// region branch becomes the narrower of its region and the filter's (none
// when they do not overlap), so one index column serves both; a person's
// or unit's branch keeps the region as a condition of its own.
func (f CaseFilter) branches() []caseBranch {
	bs := f.scopeBranches()
	if f.Mine == nil || len(bs) == 0 {
		return bs
	}
	// "Assigned to me" is narrower than any scope: the branches walked are
	// the person's, their regions' and their units' assigned cases, each
	// kept only where it lies in the scope.
	mine := []caseBranch{{col: "assignee_person", val: f.Mine.PersonID, within: bs}}
	for _, r := range f.Mine.Regions {
		mine = append(mine, caseBranch{col: "assignee_region", val: r, within: bs})
	}
	for _, u := range f.Mine.UnitIDs {
		mine = append(mine, caseBranch{col: "assignee_unit", val: u, within: bs})
	}
	return mine
}

// scopeBranches are the scope's branches with the region filter folded in.
func (f CaseFilter) scopeBranches() []caseBranch {
	bs := f.scopes()
	if f.Region == "" {
		return bs
	}
	var out []caseBranch
	for _, b := range bs {
		switch {
		case !b.regional():
			b.region = f.Region
		case b.code == "" || region.Contains(b.code, f.Region):
			b = regionBranch(f.Region)
		case region.Contains(f.Region, b.code):
		default:
			continue
		}
		out = append(out, b)
	}
	return out
}

// caseScope is regionBranch's condition.
func caseScope(code string, add func(any) string) string { return regionBranch(code).term(add) }

// scopes lists the branches of the viewer's scope (one without limit for
// district-wide viewers; none for a viewer who may see nothing).
func (f CaseFilter) scopes() []caseBranch {
	if f.All {
		return []caseBranch{{}}
	}
	var out []caseBranch
	for _, r := range f.Roots {
		out = append(out, regionBranch(r))
	}
	for _, id := range f.UnitIDs {
		out = append(out, caseBranch{col: "unit_id", val: id}, caseBranch{col: "assignee_unit", val: id})
	}
	if f.PersonID != 0 {
		out = append(out, caseBranch{col: "reporter_id", val: f.PersonID}, caseBranch{col: "assignee_person", val: f.PersonID})
	}
	return out
}

// regionRank orders region branches from the broadest (no limit, a
// district's range) to the narrowest (a grid).
var regionRank = map[string]int{"": 0, "street": 1, "community": 2, "region": 3}

// branchIndexes names each scope column's indexes: by report time, and by
// status then report time.
var branchIndexes = map[string][2]string{
	"":                {"cases_at", "cases_status_at"},
	"street":          {"cases_street_at", "cases_street_status_at"},
	"community":       {"cases_community_at", "cases_community_status_at"},
	"region":          {"cases_region_at", "cases_region_status_at"},
	"unit_id":         {"cases_unit_at", "cases_unit_at"},
	"assignee_unit":   {"cases_assignee_unit_at", "cases_assignee_unit_at"},
	"reporter_id":     {"cases_reporter_at", "cases_reporter_at"},
	"assignee_person": {"cases_assignee_at", "cases_assignee_at"},
	"assignee_region": {"cases_assignee_region_at", "cases_assignee_region_at"},
}

// index names the index that serves branch b of f on SQLite: for a list,
// one that filters and gives the order, so the walk stops after a page; for
// a count, the most selective. "" leaves the choice to the planner (a case
// number, the number order). Without statistics SQLite's planner often
// picks an index that filters badly (counting a grid's closed cases through
// the status index, say), and statistics make it re-plan per bound value;
// the rule here is fixed, and TestCasePlans checks each combination.
func (f CaseFilter) index(b caseBranch, count bool) string {
	if f.Number != "" {
		return "" // one case, by its unique number
	}
	col := b.col
	if b.lo != "" {
		col = ""
	}
	if !b.regional() {
		return branchIndexes[col][0] // the person's or the unit's own cases: few
	}
	if f.AssignedTo != 0 {
		return "cases_assignee_at"
	}
	if f.UnitID != 0 {
		return "cases_unit_at"
	}
	pending := cases.Status(f.Status).Pending()
	switch {
	case f.Sort == "number" && !count && col != "":
		// By number, that is by the number's day and then the number: walk
		// the scope's days in order and sort one day's cases at a time.
		if col == "street" {
			return "cases_street_day"
		}
		return "cases_hotspot" // (community, day, …, number): a grid's pages name its community too (listWhere)
	case f.Sort == "deadline" && pending && !count || f.Overdue && f.Status == "" && count:
		// Pending cases by deadline; overdue ones counted through the same index.
		switch col {
		case "community":
			return "cases_community_deadline"
		case "region":
			return "cases_region_status_at"
		}
		return "cases_deadline"
	case f.Status != "":
		return branchIndexes[col][1]
	}
	return branchIndexes[col][0]
}

// indexed is the INDEXED BY clause of an index name on SQLite (PostgreSQL
// plans with its statistics).
func (db *DB) indexed(name string) string {
	if name == "" || db.Dialect != SQLite {
		return ""
	}
	return " INDEXED BY " + name
}

// orderKeys are the expressions f's list is sorted by, each with its direction.
func (f CaseFilter) orderKeys() [][2]string {
	switch f.Sort {
	case "oldest":
		return [][2]string{{"c.reported_at", ""}, {"c.id", ""}}
	case "deadline":
		if cases.Status(f.Status).Pending() {
			// Pending cases always have a deadline; the (status, deadline) index gives this order.
			return [][2]string{{"c.deadline", ""}, {"c.id", ""}}
		}
		return [][2]string{{"CASE WHEN c.deadline = 0 THEN 1 ELSE 0 END", ""}, {"c.deadline", ""}, {"c.id", ""}}
	case "number":
		// A case number is its prefix, its report day and a count within
		// the day: within one prefix (a street's) this is the numbers'
		// order, and the (scope, day) indexes give it a day at a time.
		return [][2]string{{"c.day", ""}, {"c.number", ""}}
	}
	// Newest reported first (back-filled and imported cases by when they were reported, not by row).
	return [][2]string{{"c.reported_at", " DESC"}, {"c.id", " DESC"}}
}

func (f CaseFilter) order() string {
	var o []string
	for _, k := range f.orderKeys() {
		o = append(o, k[0]+k[1])
	}
	return strings.Join(o, ", ")
}

// branchWhere is the condition of one branch: its scope term and the filters.
func (f CaseFilter) branchWhere(b caseBranch, add func(any) string) string {
	g := f
	g.Mine = nil // "assigned to me" is in the branches themselves (branches)
	w := g.terms(add)
	if t := b.term(add); t != "" {
		w = append([]string{t}, w...)
	}
	if len(w) == 0 {
		return "1=1"
	}
	return strings.Join(w, " AND ")
}

// listWhere is branchWhere for a page: by number, a grid's page names the
// grid's community too, which leads the index that gives that order, and a
// date range is also compared by day, the index's next column.
func (f CaseFilter) listWhere(b caseBranch, add func(any) string) string {
	w := f.branchWhere(b, add)
	if f.Sort != "number" {
		return w
	}
	// Those indexes hold the day: a date range is a range of them.
	if f.To != "" {
		w = "c.day <= " + add(f.To) + " AND " + w
	}
	if f.From != "" {
		w = "c.day >= " + add(f.From) + " AND " + w
	}
	if f.index(b, false) == "cases_hotspot" && b.col == "region" {
		w = "c.community = " + add(region.AncestorAt(b.val.(string), region.Community)) + " AND " + w
	}
	return w
}

// listQuery is the SQL of one page of f. A scope of several branches (a
// leader's region, and the cases they reported or hold) becomes a union of
// each branch's first rows, each walked in order through its own index,
// instead of one OR that no index orders.
func (db *DB) listQuery(f CaseFilter) (string, []any) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	p := f.Page.Clamp()
	bs := f.branches()
	if len(bs) > maxArms {
		w, args := f.where()
		limit, args := limitPage(p, args)
		return `SELECT ` + caseCols + ` FROM cases c WHERE ` + w + ` ORDER BY ` + f.order() + limit, args
	}
	var walks []listArm
	for _, b := range bs {
		walks = append(walks, f.listArms(b, add)...)
	}
	if len(walks) == 1 {
		a := walks[0]
		q := `SELECT ` + caseCols + ` FROM cases c` + db.indexed(a.index) + ` WHERE ` + a.where + ` ORDER BY ` + a.order
		limit, args := limitPage(p, args)
		return q + limit, args
	}
	// Each arm gives its first rows' ids and sort keys; the union's page is
	// chosen on those, and only the page's rows are read.
	keys, outer := []string{"c.id AS id"}, []string{}
	for i, k := range f.orderKeys() {
		keys = append(keys, k[0]+" AS k"+itoa(i))
		outer = append(outer, "k"+itoa(i)+k[1])
	}
	arms := make([]string, len(walks))
	for i, a := range walks {
		arms[i] = `SELECT * FROM (SELECT ` + strings.Join(keys, ", ") + ` FROM cases c` + db.indexed(a.index) + ` WHERE ` + a.where +
			` ORDER BY ` + a.order + ` LIMIT ` + add(p.Offset()+p.Size) + `) b` + itoa(i)
	}
	limit, args := limitPage(p, args)
	return `SELECT ` + caseCols + ` FROM cases c WHERE c.id IN (SELECT id FROM (` + strings.Join(arms, " UNION ") + `) u ORDER BY ` +
		strings.Join(outer, ", ") + limit + `) ORDER BY ` + f.order(), args
}

// listArm is one ordered walk of a page's union: a branch of the scope, or
// a part of one.
type listArm struct {
	where, index, order string
}

// listArms are the walks of branch b: one, in f's order through f.index;
// or, by deadline over a community, a street or the district without a
// pending status and with no filter but the status, two per status — the
// cases with a deadline by deadline, then those without by id — each read
// in order from a (community,) status, deadline index, instead of a sort of
// every case in the area (a street's took 100–350 ms). A grid's cases, and
// those a date range or another filter narrows, are fewer to sort than
// these walks would read.
func (f CaseFilter) listArms(b caseBranch, add func(any) string) []listArm {
	narrowed := f.From != "" || f.To != "" || f.Class != "" || f.Category != "" || f.Level != 0 || f.Source != "" ||
		f.Number != "" || f.AssignedTo != 0 || f.UnitID != 0 || f.Search.Q != "" || f.Search.Supervised
	if f.Sort != "deadline" || cases.Status(f.Status).Pending() || !b.regional() || b.col == "region" || narrowed {
		return []listArm{{f.listWhere(b, add), f.index(b, false), f.order()}}
	}
	statuses := cases.Statuses
	if f.Status != "" {
		statuses = []cases.Status{cases.Status(f.Status)}
	}
	index := "cases_deadline" // (status, deadline): the district's, or a street's checked on each row
	if b.col == "community" {
		index = "cases_community_deadline"
	}
	var out []listArm
	for _, st := range statuses {
		g := f
		g.Status = string(st)
		w := g.listWhere(b, add)
		out = append(out, listArm{w + " AND c.deadline > 0", index, "c.deadline, c.id"}, listArm{w + " AND c.deadline = 0", index, "c.id"})
	}
	return out
}

// maxArms is the most branches a query is split into: a scope of many
// units or regions (rare: a contact of several units) is one plain OR,
// which SQLite serves by uniting each term's index look-ups.
const maxArms = 6

// countQuery is the SQL counting f's cases, up to TotalCap+1 per branch
// unless f wants the exact total. Branches overlap (a leader reports cases
// in their own grid), so each counts only what no earlier branch holds, and
// the counts add up without a union to deduplicate thousands of ids.
func (db *DB) countQuery(f CaseFilter) (string, []any) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	limit, count := "", "COUNT(*)"
	if !f.ExactTotal {
		limit, count = " LIMIT "+itoa(TotalCap+1), capped
	}
	bs := f.branches()
	if len(bs) > maxArms {
		w, args := f.where()
		return `SELECT ` + count + ` FROM (SELECT c.id FROM cases c WHERE ` + w + limit + `) t`, args
	}
	arms := make([]string, len(bs))
	for i, b := range bs {
		if disjoint(b, bs[:i]) {
			if t := f.tallyCount(b, add); t != "" { // (binds its values only when it answers)
				arms[i] = t
				continue
			}
		}
		w := f.branchWhere(b, add)
		for _, prev := range bs[:i] {
			w += " AND NOT (" + prev.nullSafe().term(add) + ")"
		}
		arms[i] = `(SELECT ` + count + ` FROM (SELECT c.id FROM cases c` + db.indexed(f.index(b, true)) + ` WHERE ` + w + limit + `) b` + itoa(i) + `)`
	}
	return `SELECT ` + strings.Join(arms, " + "), args
}

// countMore is what a counted branch answers once it reaches TotalCap+1
// rows: larger than any exact total, so that the sum of the branches says
// "more" by itself, while branches counted from the tally stay exact.
const countMore = 1_000_000_000

// capped is a branch's count of its rows (at most TotalCap+1 of them).
var capped = `CASE WHEN COUNT(*) > ` + itoa(TotalCap) + ` THEN ` + itoa(countMore) + ` ELSE COUNT(*) END`

// disjoint reports whether no case of branch b lies in any of the earlier
// branches: all are regions, none inside another.
func disjoint(b caseBranch, earlier []caseBranch) bool {
	for _, e := range earlier {
		if !e.regional() || e.code == "" || region.Contains(e.code, b.code) || region.Contains(b.code, e.code) {
			return false
		}
	}
	return true
}

// nullSafe is b with its column compared through COALESCE when the column
// may be NULL, so that NOT of its term is true rather than NULL there.
func (b caseBranch) nullSafe() caseBranch {
	switch {
	case b.col == "assignee_region":
		b.col = "COALESCE(c." + b.col + ", '')"
	case !b.regional():
		b.col = "COALESCE(c." + b.col + ", 0)"
	}
	if b.within != nil {
		within := make([]caseBranch, len(b.within))
		for i, w := range b.within {
			within[i] = w.nullSafe()
		}
		b.within = within
	}
	return b
}

// Analyze gathers PostgreSQL's statistics of a table after a bulk load
// (nothing on SQLite, whose ledger queries name their indexes: statistics
// there would make every statement re-plan per bound value).
func (db *DB) Analyze(ctx context.Context, table string) error {
	if db.Dialect != Postgres || table != "cases" {
		return nil
	}
	// VACUUM too: it marks the pages all-visible, without which PostgreSQL
	// cannot count from an index alone (a grid's count went from 300 ms to 12).
	_, err := db.w.ExecContext(ctx, `VACUUM ANALYZE cases`)
	return err
}

// Cases lists the cases matching f (without timelines) and the total: exact
// up to TotalCap, TotalCap+1 for anything larger unless f.ExactTotal.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]cases.Case, int, error) {
	list, t, err := db.CasesTotal(ctx, f)
	if t.More || !f.ExactTotal && t.N > TotalCap {
		t.N = TotalCap + 1
	}
	return list, t.N, err
}

// CaseTotal is a ledger total: N cases, or at least N when More.
type CaseTotal struct {
	N    int
	More bool
}

// CasesTotal is Cases for the ledger's pages and API: the total is exact
// up to TotalCap, and above it when the tally holds it (a street's,
// community's or grid's cases by status, category, class and level);
// otherwise it is TotalCap with More set, unless f.ExactTotal.
func (db *DB) CasesTotal(ctx context.Context, f CaseFilter) ([]cases.Case, CaseTotal, error) {
	if len(f.branches()) == 0 {
		return nil, CaseTotal{}, nil
	}
	if err := db.expand(ctx, &f); err != nil {
		return nil, CaseTotal{}, err
	}
	cq, cargs := db.countQuery(f)
	n, err := db.countCases(ctx, cq, cargs)
	if err != nil {
		return nil, CaseTotal{}, err
	}
	total := CaseTotal{N: n}
	if n >= countMore {
		total = CaseTotal{N: TotalCap, More: true}
	}
	if !total.More && total.N <= f.Page.Clamp().Offset() {
		// Nothing on this page (a filter nothing matches, a page past the
		// end): the list would walk its whole index to find so.
		return []cases.Case{}, total, nil
	}
	q, args := db.listQuery(f)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, CaseTotal{}, err
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
