package store

import (
	"context"
	"strings"
	"time"
)

// Dated records of other areas that the calendar shows: committed cases'
// due dates and the end of the letters' term. Each query is bounded by a
// date range and a limit, and filtered by the viewer's scope.

// Commitment is a committed case waiting on its due date.
type Commitment struct {
	Number   string
	Category string
	Region   string
	UnitID   int64
	Due      time.Time
	Text     string // the written commitment
}

// CommitmentsDue lists pending committed cases that f's scope may see whose
// deadline falls in [from, to), soonest first, at most limit.
func (db *DB) CommitmentsDue(ctx context.Context, f CaseFilter, from, to time.Time, limit int) ([]Commitment, error) {
	scope := CaseFilter{All: f.All, Roots: f.Roots, UnitIDs: f.UnitIDs, PersonID: f.PersonID, Region: f.Region}
	w, args := scope.where()
	n := len(args)
	args = append(args, from.UnixMilli(), to.UnixMilli())
	rows, err := db.query(ctx, `SELECT c.number, c.category, c.region, COALESCE(c.unit_id, COALESCE(c.assignee_unit, 0)), c.deadline, c.commitment
		FROM cases c WHERE c.status IN ('reported', 'filed', 'assigned') AND c.class = 'committed' AND c.deadline >= `+ph(n+1)+
		` AND c.deadline < `+ph(n+2)+` AND `+w+` ORDER BY c.deadline, c.id LIMIT `+itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (Commitment, error) {
		var c Commitment
		var due int64
		err := sc.Scan(&c.Number, &c.Category, &c.Region, &c.UnitID, &due, &c.Text)
		c.Due = fromMS(due)
		return c, err
	})
}

// LetterTerm is the letters of one year in scope whose term ends on 31 December.
type LetterTerm struct {
	Year   int
	Signed int
	Issued int // issued and not yet signed
}

// LetterTerms counts, per year from..to, the issued and signed letters of
// units under roots (all when all) or of unitIDs.
func (db *DB) LetterTerms(ctx context.Context, all bool, roots []string, unitIDs []int64, from, to int) ([]LetterTerm, error) {
	args := []any{from, to}
	w := "l.year BETWEEN $1 AND $2 AND l.status IN ('issued', 'signed')"
	if !all {
		scope := []string{}
		if len(roots) > 0 {
			scope = append(scope, scopeClause("u.region", roots, &args))
		}
		for _, id := range unitIDs {
			args = append(args, id)
			scope = append(scope, "l.unit_id = "+ph(len(args)))
		}
		if len(scope) == 0 {
			scope = []string{"1=0"}
		}
		w += " AND (" + strings.Join(scope, " OR ") + ")"
	}
	rows, err := db.r.QueryContext(ctx, `SELECT l.year, l.status, COUNT(*) FROM letters l JOIN units u ON u.id = l.unit_id WHERE `+w+
		` GROUP BY l.year, l.status ORDER BY l.year`, args...)
	if err != nil {
		return nil, err
	}
	type count struct {
		year   int
		status string
		n      int
	}
	counts, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (count, error) {
		var c count
		return c, sc.Scan(&c.year, &c.status, &c.n)
	})
	var out []LetterTerm
	for _, c := range counts {
		if len(out) == 0 || out[len(out)-1].Year != c.year {
			out = append(out, LetterTerm{Year: c.year})
		}
		if c.status == "signed" {
			out[len(out)-1].Signed += c.n
		} else {
			out[len(out)-1].Issued += c.n
		}
	}
	return out, err
}
