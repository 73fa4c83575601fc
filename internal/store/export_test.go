package store

import (
	"context"
	"strings"

	"github.com/lantian-org/lantian/internal/cases"
)

// SetStmtCacheSize bounds the read statement cache, so that a test can
// overflow it with a handful of distinct queries.
func SetStmtCacheSize(db *DB, n int) {
	db.stmts.mu.Lock()
	db.stmts.max = n
	db.stmts.mu.Unlock()
}

// StmtCacheLen reports how many read statements are cached.
func StmtCacheLen(db *DB) int {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return len(db.stmts.m)
}

// CaseQueries returns the SQL that Cases runs for f: the page and the count.
func CaseQueries(ctx context.Context, db *DB, f CaseFilter) (list string, listArgs []any, count string, countArgs []any, err error) {
	if err := db.expand(ctx, &f); err != nil {
		return "", nil, "", nil, err
	}
	list, listArgs = db.listQuery(f)
	count, countArgs = db.countQuery(f)
	return list, listArgs, count, countArgs, nil
}

// CasesPlain lists f's page and exact total the plain way: one WHERE with
// the scope's OR, the day compared as text, no index named, no union.
func CasesPlain(ctx context.Context, db *DB, f CaseFilter) ([]cases.Case, int, error) {
	if err := db.expand(ctx, &f); err != nil {
		return nil, 0, err
	}
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
		scope = append(scope, "1=0")
		w = append(w, "("+strings.Join(scope, " OR ")+")")
	}
	if f.Region != "" {
		w = append(w, caseScope(f.Region, add))
	}
	g := f
	g.From, g.To = "", ""
	w = append(w, g.terms(add)...)
	if f.From != "" {
		w = append(w, "c.day >= "+add(f.From))
	}
	if f.To != "" {
		w = append(w, "c.day <= "+add(f.To))
	}
	w = append(w, "1=1")
	where := strings.Join(w, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases c WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, args := limitPage(f.Page.Clamp(), args)
	rows, err := db.r.QueryContext(ctx, `SELECT `+caseCols+` FROM cases c WHERE `+where+` ORDER BY `+f.order()+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanCase)
	return out, total, err
}

// Explain returns the plan of q: EXPLAIN QUERY PLAN's rows (id, parent,
// detail) on SQLite; EXPLAIN's lines on PostgreSQL, planned with
// sequential scans off so that a missing index shows as one.
func Explain(ctx context.Context, db *DB, q string, args []any) ([][3]any, error) {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var out [][3]any
	if db.Dialect == SQLite {
		rows, err := conn.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return nil, err
			}
			out = append(out, [3]any{id, parent, detail})
		}
		return out, rows.Err()
	}
	if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `RESET enable_seqscan`)
	rows, err := conn.QueryContext(ctx, `EXPLAIN `+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		out = append(out, [3]any{0, 0, line})
	}
	return out, rows.Err()
}
