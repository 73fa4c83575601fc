package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/region"
)

// The assessment's indicators, as SQL aggregates over the records. Each
// indicator's numerator and denominator are one condition each (caseConds
// and friends), used both by the aggregate that counts them and by the
// drill-down that lists the records counted, so the two never disagree.

// AssessQuery is what an indicator is computed over: subjects of Kind
// under the region Roots (every region when All), local dates From..To,
// Start..End their instants (Unix ms), Cutoff the earlier of End and now
// (what is overdue is judged at it).
type AssessQuery struct {
	Kind               assess.SubjectKind
	All                bool
	Roots              []string
	From, To           string
	Start, End, Cutoff int64
	Year               int
	// Subject, when set, restricts the drill-down to one subject's records.
	Subject string
}

// Figures are indicator values by subject id.
type Figures map[string]assess.Value

// regionKey is the SQL of the subject id for kind over the region code col.
func regionKey(kind assess.SubjectKind, col string) string {
	switch kind {
	case assess.Street:
		return "SUBSTR(" + col + ", 1, 9) || '000000'"
	case assess.Community:
		return "SUBSTR(" + col + ", 1, 12) || '000'"
	}
	return col
}

// binder collects arguments and returns their placeholders.
type binder struct{ args []any }

func (b *binder) add(v any) string { b.args = append(b.args, v); return ph(len(b.args)) }

// area is the condition "col lies under one of q's roots".
func (b *binder) area(q AssessQuery, col string) string {
	if q.All {
		return "1=1"
	}
	return scopeClause(col, q.Roots, &b.args)
}

// caseArea is the condition "case c lies under one of q's roots", by
// equality on the case's street or community column where a root is one
// (their indexes then serve it), by range otherwise.
func (b *binder) caseArea(q AssessQuery) string {
	if q.All {
		return "1=1"
	}
	if len(q.Roots) == 0 {
		return "1=0"
	}
	var parts []string
	for _, r := range q.Roots {
		switch region.LevelOf(r) {
		case region.Street:
			parts = append(parts, "c.street = "+b.add(r))
		case region.Community:
			// The street first, so that cases_assess serves a community too.
			parts = append(parts, "(c.street = "+b.add(region.AncestorAt(r, region.Street))+" AND c.community = "+b.add(r)+")")
		case region.Grid:
			parts = append(parts, "(c.street = "+b.add(region.AncestorAt(r, region.Street))+" AND c.region = "+b.add(r)+")")
		default:
			lo, hi := prefixRange(r)
			parts = append(parts, "c.street BETWEEN "+b.add(lo)+" AND "+b.add(hi))
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// caseCond is an indicator's numerator and denominator over cases c; den
// is "" for a count. end and cutoff are the placeholders of q.End and q.Cutoff.
type caseCond struct{ num, den string }

const caseCounted = "c.status <> 'rejected' AND c.merged_into = ''"

func caseConds(end, cutoff string) map[assess.Key]caseCond {
	closed := caseCounted + " AND c.status = 'closed' AND c.closed_at < " + end
	return map[assess.Key]caseCond{
		assess.ClosingRate:      {closed, caseCounted},
		assess.OnTimeClosing:    {closed + " AND (c.deadline = 0 OR c.closed_at <= c.deadline)", caseCounted},
		assess.ReworkRate:       {closed + " AND c.rework > 0", closed},
		assess.OnSpotShare:      {caseCounted + " AND c.class = 'onspot'", caseCounted},
		assess.ValidReports:     {"c.status <> 'rejected'", "1=1"},
		assess.VolunteerReports: {caseCounted + " AND c.source = 'volunteer'", ""},
		assess.OverdueCases:     {caseCounted + " AND c.deadline > 0 AND ((c.status = 'closed' AND c.closed_at > c.deadline) OR (c.status <> 'closed' AND c.deadline < " + cutoff + "))", ""},
	}
}

// caseKeys are the case indicators in a fixed order (the aggregate's columns).
var caseKeys = []assess.Key{assess.ClosingRate, assess.OnTimeClosing, assess.ReworkRate, assess.OnSpotShare, assess.ValidReports, assess.VolunteerReports, assess.OverdueCases}

// caseSubject returns the SQL of the subject id over cases c, and a
// condition every counted case of the kind meets.
func caseSubject(kind assess.SubjectKind) (key, cond string) {
	switch kind {
	case assess.Street:
		return "c.street", "1=1"
	case assess.Community:
		return "c.community", "1=1"
	case assess.Unit:
		return "CAST(c.unit_id AS TEXT)", "c.unit_id IS NOT NULL"
	case assess.Person:
		return "CAST(c.reporter_id AS TEXT)", "c.reporter_id IS NOT NULL"
	}
	return "c.region", "1=1"
}

// CaseFigures computes the case indicators of every subject of q's kind
// in one pass over the cases reported in the period.
func (db *DB) CaseFigures(ctx context.Context, q AssessQuery) (map[assess.Key]Figures, error) {
	var b binder
	from, to, end, cutoff := b.add(q.From), b.add(q.To), b.add(q.End), b.add(q.Cutoff)
	conds := caseConds(end, cutoff)
	key, kc := caseSubject(q.Kind)
	var cols []string
	for _, k := range caseKeys {
		c := conds[k]
		cols = append(cols, "SUM(CASE WHEN "+c.num+" THEN 1 ELSE 0 END)")
		if c.den != "" {
			cols = append(cols, "SUM(CASE WHEN "+c.den+" THEN 1 ELSE 0 END)")
		}
	}
	group := key
	if q.Kind.IsRegion() {
		// Grouped in the order of cases_assess (street, day, …), so that
		// SQLite sums as it reads instead of sorting half a million rows
		// first; the days of a subject are added up below.
		group = "c.street, c.day, " + key
	}
	sqlText := "SELECT " + key + ", " + strings.Join(cols, ", ") + " FROM cases c WHERE c.day BETWEEN " + from + " AND " + to +
		" AND " + kc + " AND " + b.caseArea(q) + " GROUP BY " + group
	rows, err := db.r.QueryContext(ctx, sqlText, b.args...)
	if err != nil {
		return nil, err
	}
	out := map[assess.Key]Figures{}
	for _, k := range caseKeys {
		out[k] = Figures{}
	}
	return out, eachRow(rows, func(sc rowScanner) error {
		var id string
		vals := make([]int64, len(cols))
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := sc.Scan(dest...); err != nil {
			return err
		}
		i := 0
		for _, k := range caseKeys {
			v := out[k][id]
			v.Num += float64(vals[i])
			i++
			if conds[k].den != "" {
				v.Den, v.HasDen = v.Den+float64(vals[i]), true
				i++
			}
			out[k][id] = v
		}
		return nil
	})
}

// Drill is the drill-down of one figure: the records counted in its numerator and denominator.
type Drill struct {
	Kind string
	Num  []string
	Den  []string
}

// drillRows reads rows of (subject, id, in numerator, in denominator) into drill-downs by subject.
func drillRows(ctx context.Context, db *DB, kind, sqlText string, args []any, hasDen bool) (map[string]Drill, error) {
	out := map[string]Drill{}
	rows, err := db.r.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	return out, eachRow(rows, func(sc rowScanner) error {
		var subj, id string
		var n, m int
		if err := sc.Scan(&subj, &id, &n, &m); err != nil {
			return err
		}
		d, ok := out[subj]
		if !ok {
			d = Drill{Kind: kind, Num: []string{}, Den: []string{}}
		}
		if n == 1 {
			d.Num = append(d.Num, id)
		}
		if hasDen && m == 1 {
			d.Den = append(d.Den, id)
		}
		out[subj] = d
		return nil
	})
}

// CaseDrills lists the case numbers behind a case indicator, by subject
// (q.Subject's alone when set).
func (db *DB) CaseDrills(ctx context.Context, q AssessQuery, k assess.Key) (map[string]Drill, error) {
	var b binder
	from, to := b.add(q.From), b.add(q.To)
	c := caseConds("{{end}}", "{{cutoff}}")[k]
	key, kc := caseSubject(q.Kind)
	den := c.den
	if den == "" {
		den = "1=0"
	}
	w := ""
	if q.Subject != "" {
		w = " AND " + key + " = " + b.add(q.Subject)
	}
	sqlText := "SELECT " + key + ", c.number, CASE WHEN " + c.num + " THEN 1 ELSE 0 END, CASE WHEN " + den + " THEN 1 ELSE 0 END FROM cases c WHERE c.day BETWEEN " + from + " AND " + to +
		" AND " + kc + w + " AND " + b.caseArea(q) + " AND (" + c.num + " OR " + den + ") ORDER BY c.number"
	// PostgreSQL refuses a parameter the statement does not use: bind the
	// instants only where the condition names them.
	for _, t := range []struct {
		tok string
		v   int64
	}{{"{{end}}", q.End}, {"{{cutoff}}", q.Cutoff}} {
		if strings.Contains(sqlText, t.tok) {
			sqlText = strings.ReplaceAll(sqlText, t.tok, b.add(t.v))
		}
	}
	return drillRows(ctx, db, "case", sqlText, b.args, c.den != "")
}

// GridDayDone is the ended patrols of a grid on a date.
type GridDayDone struct {
	Grid, Day string
	Done      int
}

// PatrolDone returns the ended patrols per grid and date under q's roots in the period.
func (db *DB) PatrolDone(ctx context.Context, q AssessQuery) ([]GridDayDone, error) {
	var b binder
	sqlText := "SELECT grid, day, done FROM patrol_days WHERE day BETWEEN " + b.add(q.From) + " AND " + b.add(q.To) + " AND " + b.area(q, "grid")
	rows, err := db.r.QueryContext(ctx, sqlText, b.args...)
	if err != nil {
		return nil, err
	}
	var out []GridDayDone
	return out, eachRow(rows, func(sc rowScanner) error {
		var g GridDayDone
		if err := sc.Scan(&g.Grid, &g.Day, &g.Done); err != nil {
			return err
		}
		out = append(out, g)
		return nil
	})
}

// PatrolIDs lists the ended patrols in the period by subject (q.Subject's alone when set).
func (db *DB) PatrolIDs(ctx context.Context, q AssessQuery) (map[string][]string, error) {
	var b binder
	key := regionKey(q.Kind, "grid")
	w := ""
	if q.Subject != "" {
		w = " AND " + key + " = " + b.add(q.Subject)
	}
	sqlText := "SELECT " + key + ", id FROM patrols WHERE state = 'ended' AND day BETWEEN " + b.add(q.From) + " AND " + b.add(q.To) + " AND " + b.area(q, "grid") + w + " ORDER BY id"
	rows, err := db.r.QueryContext(ctx, sqlText, b.args...)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	return out, eachRow(rows, func(sc rowScanner) error {
		var s string
		var id int64
		if err := sc.Scan(&s, &id); err != nil {
			return err
		}
		out[s] = append(out[s], strconv.FormatInt(id, 10))
		return nil
	})
}

// otherSQL is an indicator over other records: the SQL of the rows
// (id, subject, in numerator, in denominator) for a subject kind.
type otherSQL func(q AssessQuery, b *binder) (sqlText string, ok bool)

func unitKey(kind assess.SubjectKind, idCol, regionCol string) string {
	if kind == assess.Unit {
		return "CAST(" + idCol + " AS TEXT)"
	}
	return regionKey(kind, regionCol)
}

var otherIndicators = map[assess.Key]struct {
	kind   string
	hasDen bool
	rows   otherSQL
}{
	assess.LettersSigned: {"unit", true, func(q AssessQuery, b *binder) (string, bool) {
		if q.Kind == assess.Person {
			return "", false
		}
		return "SELECT CAST(u.id AS TEXT) AS id, " + unitKey(q.Kind, "u.id", "u.region") + " AS s, CASE WHEN EXISTS (SELECT 1 FROM letters l WHERE l.unit_id = u.id AND l.year = " + b.add(q.Year) +
			" AND l.status IN ('signed', 'archived')) THEN 1 ELSE 0 END AS n, 1 AS d FROM units u WHERE u.status = 'active' AND " + b.area(q, "u.region"), true
	}},
	assess.InspectionScore: {"inspection", true, func(q AssessQuery, b *binder) (string, bool) {
		if !q.Kind.IsRegion() {
			return "", false
		}
		return "SELECT CAST(i.id AS TEXT) AS id, " + regionKey(q.Kind, "i.region") + " AS s, i.score AS n, i.max AS d FROM inspections i WHERE i.status = 'closed' AND i.score IS NOT NULL AND i.date BETWEEN " +
			b.add(q.From) + " AND " + b.add(q.To) + " AND NOT EXISTS (SELECT 1 FROM inspections x WHERE x.corrects = i.id AND x.status = 'closed') AND " + b.area(q, "i.region"), true
	}},
	assess.CampaignParticipation: {"campaign", true, func(q AssessQuery, b *binder) (string, bool) {
		if q.Kind == assess.Person {
			return "", false
		}
		return "SELECT CAST(cu.campaign_id AS TEXT) || ':' || CAST(u.id AS TEXT) AS id, " + unitKey(q.Kind, "u.id", "u.region") + " AS s, CASE WHEN cu.headcount > 0 THEN 1 ELSE 0 END AS n, 1 AS d FROM campaign_units cu JOIN campaigns c ON c.id = cu.campaign_id JOIN units u ON u.id = cu.unit_id WHERE c.status IN ('planned', 'closed') AND c.day BETWEEN " +
			b.add(q.From) + " AND " + b.add(q.To) + " AND " + b.area(q, "u.region"), true
	}},
	assess.Outreach: {"outreach", false, func(q AssessQuery, b *binder) (string, bool) {
		if !q.Kind.IsRegion() {
			return "", false
		}
		start, end := b.add(q.Start), b.add(q.End)
		return "SELECT 'lecture:' || CAST(l.id AS TEXT) AS id, " + regionKey(q.Kind, "l.region") + " AS s, 1 AS n, 0 AS d FROM lectures l WHERE l.cancelled_at = 0 AND l.starts_at >= " + start + " AND l.starts_at < " + end + " AND " + b.area(q, "l.region") +
			" UNION ALL SELECT 'quiz:' || CAST(z.id AS TEXT), " + regionKey(q.Kind, "z.region") + ", 1, 0 FROM quizzes z WHERE z.cancelled_at = 0 AND z.opens_at >= " + start + " AND z.opens_at < " + end + " AND " + b.area(q, "z.region") +
			" UNION ALL SELECT 'publicity:' || CAST(p.id AS TEXT), " + regionKey(q.Kind, "p.region") + ", 1, 0 FROM publicity p WHERE p.day BETWEEN " + b.add(q.From) + " AND " + b.add(q.To) + " AND " + b.area(q, "p.region"), true
	}},
	assess.NoticeAck: {"notice", true, func(q AssessQuery, b *binder) (string, bool) {
		if q.Kind == assess.Unit {
			return "", false
		}
		key := regionKey(q.Kind, "n.region")
		if q.Kind == assess.Person {
			key = "CAST(r.person_id AS TEXT)"
		}
		// On time: acknowledged before the end of the due date, or at all when none is set.
		// The due date's end is bound per date below (dueEnds), as neither
		// database shares a date function with the other.
		return "SELECT CAST(n.id AS TEXT) || ':' || CAST(r.person_id AS TEXT) AS id, " + key + " AS s, CASE WHEN r.acked_at > 0 AND (n.due = '' OR r.acked_at < {{due_end}}) THEN 1 ELSE 0 END AS n, 1 AS d FROM notice_recipients r JOIN notices n ON n.id = r.notice_id WHERE n.receipt = 1 AND n.created_at >= " +
			b.add(q.Start) + " AND n.created_at < " + b.add(q.End) + " AND " + b.area(q, "n.region"), true
	}},
}

// OtherKinds reports the record kind of an indicator that is not about
// cases or patrols, and whether it is one.
func OtherKinds(k assess.Key) (string, bool) {
	o, ok := otherIndicators[k]
	return o.kind, ok
}

// dueEnd turns "{{due_end}}" into a CASE over the notices' due dates in
// the period: each date's end instant, computed by endOf.
func (db *DB) dueEnd(ctx context.Context, sqlText string, b *binder, q AssessQuery, endOf func(string) int64) (string, error) {
	if !strings.Contains(sqlText, "{{due_end}}") {
		return sqlText, nil
	}
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT due FROM notices WHERE receipt = 1 AND due <> '' AND created_at >= $1 AND created_at < $2`, q.Start, q.End)
	if err != nil {
		return "", err
	}
	var dues []string
	if err := eachRow(rows, func(sc rowScanner) error {
		var d string
		if err := sc.Scan(&d); err != nil {
			return err
		}
		dues = append(dues, d)
		return nil
	}); err != nil {
		return "", err
	}
	expr := "0"
	if len(dues) > 0 {
		var sb strings.Builder
		sb.WriteString("CASE n.due")
		for _, d := range dues {
			sb.WriteString(" WHEN " + b.add(d) + " THEN CAST(" + b.add(endOf(d)) + " AS BIGINT)")
		}
		sb.WriteString(" ELSE 0 END")
		expr = sb.String()
	}
	return strings.ReplaceAll(sqlText, "{{due_end}}", expr), nil
}

// OtherFigures computes indicator k (not a case or patrol indicator) for
// every subject of q's kind; endOf gives a local date's end instant.
func (db *DB) OtherFigures(ctx context.Context, q AssessQuery, k assess.Key, endOf func(string) int64) (Figures, error) {
	o, ok := otherIndicators[k]
	out := Figures{}
	if !ok {
		return out, nil
	}
	var b binder
	inner, ok := o.rows(q, &b)
	if !ok {
		return out, nil
	}
	inner, err := db.dueEnd(ctx, inner, &b, q, endOf)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, "SELECT s, SUM(n), SUM(d) FROM ("+inner+") t GROUP BY s", b.args...)
	if err != nil {
		return nil, err
	}
	return out, eachRow(rows, func(sc rowScanner) error {
		var id string
		var n, d float64
		if err := sc.Scan(&id, &n, &d); err != nil {
			return err
		}
		out[id] = assess.Value{Num: n, Den: d, HasDen: o.hasDen}
		return nil
	})
}

// OtherDrills lists the records behind indicator k by subject (q.Subject's alone when set).
func (db *DB) OtherDrills(ctx context.Context, q AssessQuery, k assess.Key, endOf func(string) int64) (map[string]Drill, error) {
	o, ok := otherIndicators[k]
	if !ok {
		return map[string]Drill{}, nil
	}
	var b binder
	inner, ok := o.rows(q, &b)
	if !ok {
		return map[string]Drill{}, nil
	}
	inner, err := db.dueEnd(ctx, inner, &b, q, endOf)
	if err != nil {
		return nil, err
	}
	w := ""
	if q.Subject != "" {
		w = " WHERE s = " + b.add(q.Subject)
	}
	sqlText := "SELECT s, id, CASE WHEN n > 0 THEN 1 ELSE 0 END, CASE WHEN d > 0 THEN 1 ELSE 0 END FROM (" + inner + ") t" + w + " ORDER BY s, id"
	return drillRows(ctx, db, o.kind, sqlText, b.args, o.hasDen)
}
