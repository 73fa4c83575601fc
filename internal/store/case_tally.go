package store

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/region"
)

// The ledger's totals from a tally (issue 15). case_tally holds how many
// cases each street, community and grid has of every status, category,
// class and level; the writes that add a case or change its status or level
// change the tally in the same transaction. A ledger total whose filters are
// only those columns (the most common totals: a grid's closed cases, a
// community's pending ones of a category) is then a sum of at most a few
// hundred tally rows instead of a walk of up to 10,001 index entries.
// Totals with other filters (dates, overdue, unit, "assigned to me", a
// search) are counted from the indexes as before.

// tallyKey is one row of case_tally.
type tallyKey struct {
	scope, status, category, class string
	level                          int
}

// tallyCase adds d (+1 or -1) to the tally rows of c: its street, its
// community and its grid. The rows are written when the transaction
// commits (flushTally), all of a transaction's in one statement in one
// order, so concurrent PostgreSQL transactions lock them in the same order.
func (tx *Tx) tallyCase(c cases.Case, d int64) {
	if tx.tally == nil {
		tx.tally = map[tallyKey]int64{}
	}
	for _, scope := range caseScopes(c.Region) {
		tx.tally[tallyKey{scope, string(c.Status), c.Category, string(c.Class), c.Level}] += d
	}
}

// caseScopes are the tally's scopes of a case in region code: its street,
// community and grid, as the case's street, community and region columns
// hold them, each once (a case filed at a community is that community's once).
func caseScopes(code string) []string {
	if code == "" {
		return nil
	}
	out := []string{code}
	for _, l := range []region.Level{region.Community, region.Street} {
		if a := region.AncestorAt(code, l); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// tallyRows is how many rows one statement of flushTally writes.
const tallyRows = 400

// flushTally writes the tally changes of txs (one transaction, or the
// creations of one group commit that did not fail) in one statement.
func flushTally(ctx context.Context, sqlTx execer, txs ...*Tx) error {
	if !slices.ContainsFunc(txs, func(tx *Tx) bool { return len(tx.tally) > 0 }) {
		return nil // most writes touch no case
	}
	sum := map[tallyKey]int64{}
	for _, tx := range txs {
		for k, d := range tx.tally {
			sum[k] += d
		}
	}
	keys := make([]tallyKey, 0, len(sum))
	for k, d := range sum {
		if d != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b tallyKey) int {
		return cmp.Or(cmp.Compare(a.scope, b.scope), cmp.Compare(a.status, b.status), cmp.Compare(a.category, b.category),
			cmp.Compare(a.class, b.class), cmp.Compare(a.level, b.level))
	})
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), tallyRows)]
		keys = keys[len(chunk):]
		var args []any
		rows := make([]string, len(chunk))
		for i, k := range chunk {
			args = append(args, k.scope, k.status, k.category, k.class, k.level, sum[k])
			n := len(args)
			rows[i] = "(" + ph(n-5) + ", " + ph(n-4) + ", " + ph(n-3) + ", " + ph(n-2) + ", " + ph(n-1) + ", " + ph(n) + ")"
		}
		if _, err := sqlTx.ExecContext(ctx, `INSERT INTO case_tally (scope, status, category, class, level, n) VALUES `+strings.Join(rows, ", ")+`
			ON CONFLICT (scope, status, category, class, level) DO UPDATE SET n = case_tally.n + excluded.n`, args...); err != nil {
			return err
		}
	}
	for _, tx := range txs {
		tx.tally = nil
	}
	return nil
}

// RebuildCaseTally counts the tally anew from the cases (after a bulk load
// that wrote cases without the store, such as lantian-bench's COPY).
func (db *DB) RebuildCaseTally(ctx context.Context) error {
	return db.Write(ctx, System, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_tally`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, rebuildTally); err != nil {
			return err
		}
		return tx.Audit(ctx, "case_tally", "", "rebuild", nil, nil)
	})
}

// rebuildTally counts every case once in its street, its community and its
// grid (a case filed at a community or the street itself counts once there).
// Migration 0016 holds the same statement.
const rebuildTally = `INSERT INTO case_tally (scope, status, category, class, level, n)
	SELECT scope, status, category, class, level, COUNT(*) FROM (
		SELECT street AS scope, status, category, class, level FROM cases WHERE street <> ''
		UNION ALL SELECT community, status, category, class, level FROM cases WHERE community <> '' AND community <> street
		UNION ALL SELECT region, status, category, class, level FROM cases WHERE region <> community AND region <> street
	) t GROUP BY scope, status, category, class, level`

// tallyCount is the SQL of branch b's total from the tally, or "" when f
// has a filter the tally does not hold or b is not one street, community
// or grid.
func (f CaseFilter) tallyCount(b caseBranch, add func(any) string) string {
	if !f.tallied() || b.within != nil || b.region != "" || b.lo != "" {
		return ""
	}
	switch b.col {
	case "street", "community", "region":
	default:
		return ""
	}
	w := append([]string{"scope = " + add(b.val)}, f.tallyTerms("", add)...)
	return `(SELECT COALESCE(SUM(n), 0) FROM case_tally WHERE ` + strings.Join(w, " AND ") + `)`
}

// tallied reports whether f's filters are all columns of the tally: with
// those cleared, no term of the cases queries is left (so a filter added to
// terms later is counted from the indexes until the tally holds it).
func (f CaseFilter) tallied() bool {
	g := f
	g.Status, g.Class, g.Category, g.categories, g.Level = "", "", "", nil, 0
	return len(g.terms(func(any) string { return "" })) == 0
}

// tallyTerms are f's filters on the tally's columns (status, class,
// category, level), the column names after prefix ("c." in the cases
// queries, none in the tally's).
func (f CaseFilter) tallyTerms(prefix string, add func(any) string) []string {
	var w []string
	if f.Status != "" {
		w = append(w, prefix+"status = "+add(f.Status))
	}
	if f.Class != "" {
		w = append(w, prefix+"class = "+add(f.Class))
	}
	if len(f.categories) > 0 {
		var phs []string
		for _, c := range f.categories {
			phs = append(phs, add(c))
		}
		w = append(w, prefix+"category IN ("+strings.Join(phs, ",")+")")
	} else if f.Category != "" {
		w = append(w, prefix+"category = "+add(f.Category))
	}
	if f.Level != 0 {
		w = append(w, prefix+"level = "+add(f.Level))
	}
	return w
}
