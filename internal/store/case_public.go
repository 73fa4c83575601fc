package store

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
)

// A public reporter's tracking secret and feedback (table case_public).

// CasePublic is what is kept for a case reported by the public: the hash of
// its tracking secret and the reporter's one word on the outcome.
type CasePublic struct {
	CaseID       int64
	TrackingHash string
	FeedbackAt   time.Time // zero until the reporter has spoken
	Solved       bool
	Comment      string
}

// CaseFeedback is the public reporter's word on a case.
type CaseFeedback struct {
	Solved  bool
	Comment string
}

// saveTracking keeps what a new case carries beside its row: the hash of
// its tracking secret and the flag of a position set by hand.
func (tx *Tx) saveTracking(ctx context.Context, c *cases.Case) error {
	if c.ManualPosition {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_flags (case_id, flag) VALUES ($1, $2)`, c.ID, FlagManualPosition); err != nil {
			return err
		}
	}
	if c.TrackingHash == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_public (case_id, tracking_hash) VALUES ($1, $2)`, c.ID, c.TrackingHash)
	return err
}

// FlagManualPosition marks a case whose point was set by hand.
const FlagManualPosition = "position"

// CaseFlags returns a case's flags.
func (db *DB) CaseFlags(ctx context.Context, caseID int64) ([]string, error) {
	rows, err := db.query(ctx, `SELECT flag FROM case_flags WHERE case_id = $1 ORDER BY flag`, caseID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanValue[string])
}

// saveFeedback records fb once: a second word is a Conflict (err.case.feedback_given).
func (tx *Tx) saveFeedback(ctx context.Context, caseID int64, fb *CaseFeedback) error {
	if fb == nil {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE case_public SET feedback_at = $2, solved = $3, comment = $4 WHERE case_id = $1 AND feedback_at = 0`,
		caseID, tx.now, boolInt(fb.Solved), fb.Comment)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.case.feedback_given")
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CasePublicOf returns what is kept of a public report; NotFound when the
// case was not reported by the public with a tracking secret.
func (db *DB) CasePublicOf(ctx context.Context, caseID int64) (CasePublic, error) {
	cp := CasePublic{CaseID: caseID}
	var at int64
	var solved int
	err := db.queryRow(ctx, `SELECT tracking_hash, feedback_at, solved, comment FROM case_public WHERE case_id = $1`, caseID).
		Scan(&cp.TrackingHash, &at, &solved, &cp.Comment)
	if isNoRows(err) {
		return cp, apperr.ErrNotFound
	}
	if at != 0 {
		cp.FeedbackAt = fromMS(at)
	}
	cp.Solved = solved != 0
	return cp, err
}

// Satisfaction counts the public reporters' feedback given between from and
// to (to exclusive; zero times leave that end open) on cases under the region
// code (every case when empty): how many said solved, out of how many.
func (db *DB) Satisfaction(ctx context.Context, code string, from, to time.Time) (solved, total int, err error) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	w := "p.feedback_at > 0"
	if code != "" {
		w += " AND " + caseScope(code, add)
	}
	if !from.IsZero() {
		w += " AND p.feedback_at >= " + add(from.UnixMilli())
	}
	if !to.IsZero() {
		w += " AND p.feedback_at < " + add(to.UnixMilli())
	}
	err = db.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(p.solved), 0) FROM case_public p JOIN cases c ON c.id = p.case_id WHERE `+w, args...).
		Scan(&total, &solved)
	return solved, total, err
}

// AuditActor is someone who appears in the audit log.
type AuditActor struct {
	ID   int64
	Name string
}

// AuditActors lists the people who appear in the audit log, by name (for its filter).
func (db *DB) AuditActors(ctx context.Context) ([]AuditActor, error) {
	rows, err := db.query(ctx, `SELECT p.id, p.name FROM people p WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.actor_id = p.id) ORDER BY p.name LIMIT 500`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (AuditActor, error) {
		var a AuditActor
		err := sc.Scan(&a.ID, &a.Name)
		return a, err
	})
}
