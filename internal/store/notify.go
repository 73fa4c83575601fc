package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/region"
)

// Notify writes events inside the transaction: it resolves each event's
// audience (package notify's rule for its kind) to active people and writes
// one inbox message per person and event. It returns how many messages it
// wrote. This is the one place messages are written; the outbox of the work
// group hangs off it too.
func (tx *Tx) Notify(ctx context.Context, evs ...notify.Event) (int, error) {
	n := 0
	for _, ev := range evs {
		if !notify.Known(ev.Kind) {
			return n, fmt.Errorf("notify: unknown event kind %q", ev.Kind)
		}
		people, err := tx.Recipients(ctx, notify.Audience(ev))
		if err != nil {
			return n, fmt.Errorf("notify %s: recipients: %w", ev.Kind, err)
		}
		args := ""
		if len(ev.Args) > 0 {
			b, err := json.Marshal(ev.Args)
			if err != nil {
				return n, err
			}
			args = string(b)
		}
		var caseID any
		if ev.Record.Kind == "case" && ev.Record.ID != 0 {
			caseID = ev.Record.ID
		}
		for _, p := range people {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inbox (person_id, kind, case_id, number, args, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				p, string(ev.Kind), caseID, ev.Record.Ref, args, tx.now); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Recipients resolves selectors to the ids of active people, each once, in order.
func (tx *Tx) Recipients(ctx context.Context, sels []notify.Selector) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	add := func(ids []int64) {
		for _, id := range ids {
			if id != 0 && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	for _, s := range sels {
		var ids []int64
		var err error
		switch s.Role {
		case notify.Person:
			ids = []int64{s.PersonID}
		case notify.UnitContacts:
			ids, err = queryIDs(ctx, tx, `SELECT ra.person_id FROM role_assignments ra JOIN people p ON p.id = ra.person_id
				WHERE p.active = 1 AND ra.role = 'unit_contact' AND ra.unit_id = $1 ORDER BY ra.person_id`, s.Unit)
		case notify.Leaders, notify.Patrollers:
			for code := s.Region; code != ""; code = region.ParentOf(code) {
				ids, err = queryIDs(ctx, tx, `SELECT DISTINCT ra.person_id FROM role_assignments ra JOIN people p ON p.id = ra.person_id
					WHERE p.active = 1 AND ra.role = $1 AND ra.region = $2 ORDER BY ra.person_id`, string(s.Role), code)
				if err != nil || len(ids) > 0 || !s.Up || region.LevelOf(code) <= region.Street {
					break
				}
			}
		default:
			err = fmt.Errorf("unknown selector role %q", s.Role)
		}
		if err != nil {
			return nil, err
		}
		add(ids)
	}
	return out, nil
}

// queryIDs runs a query whose rows are one id each.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanValue[int64])
}
