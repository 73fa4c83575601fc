package store

import (
	"context"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/region"
)

// AllStreetSettings returns every stored street and district settings row.
func (db *DB) AllStreetSettings(ctx context.Context) ([]region.Settings, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT region, case_prefix, grace_minutes, inspect_weekday, updated_at FROM street_settings ORDER BY region`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc rowScanner) (region.Settings, error) {
		var s region.Settings
		var at int64
		err := sc.Scan(&s.Region, &s.CasePrefix, &s.GraceMinutes, &s.InspectWeekday, &at)
		s.UpdatedAt = fromMS(at)
		return s, err
	})
}

// SaveStreetSettings stores the settings of a street or district, audited,
// and tells every server to reload them.
func (tx *Tx) SaveStreetSettings(ctx context.Context, before, s region.Settings) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO street_settings (region, case_prefix, grace_minutes, inspect_weekday, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (region) DO UPDATE SET case_prefix = excluded.case_prefix, grace_minutes = excluded.grace_minutes,
			inspect_weekday = excluded.inspect_weekday, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		s.Region, s.CasePrefix, s.GraceMinutes, s.InspectWeekday, nullID(tx.actor.ID), tx.now)
	if err != nil {
		return mapErr(err)
	}
	tx.Invalidate(TopicSettings)
	summary := func(s region.Settings) map[string]any {
		return map[string]any{"case_prefix": s.CasePrefix, "grace_minutes": s.GraceMinutes, "inspect_weekday": s.InspectWeekday}
	}
	return tx.Audit(ctx, "street_settings", s.Region, "save", summary(before), summary(s))
}

// DueForEscalation returns pending cases held below the street that are
// major or past their deadline, after the case id after, in id order, at
// most limit. The grace differs by street, so the caller checks it and
// pages on: with a single page, cases overdue but within a long grace
// could fill it and hide the ones due behind them.
func (db *DB) DueForEscalation(ctx context.Context, after int64, limit int) ([]cases.Case, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+caseCols+` FROM cases c WHERE c.status IN ('reported', 'filed', 'assigned')
		AND c.level > 2 AND (c.severity = 'major' OR (c.deadline > 0 AND c.deadline < $1)) AND c.id > $2 ORDER BY c.id LIMIT $3`, db.now(), after, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanCase)
}
