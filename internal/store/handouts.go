package store

import (
	"context"
	"strings"

	"github.com/lantian-org/lantian/internal/campaign"
)

const handoutCols = `id, region, kind, title, body, day, COALESCE(created_by, 0), created_at, updated_at`

func scanHandout(sc interface{ Scan(...any) error }) (campaign.Handout, error) {
	var h campaign.Handout
	var created, updated int64
	err := sc.Scan(&h.ID, &h.Region, &h.Kind, &h.Title, &h.Body, &h.Date, &h.CreatedBy, &created, &updated)
	h.CreatedAt, h.UpdatedAt = fromMS(created), fromMS(updated)
	return h, err
}

// Handouts lists the handouts of regions in scope (those issued for the
// viewer's region, above it or inside it), newest first, with the total.
func (db *DB) Handouts(ctx context.Context, s AreaScope, pg Page) ([]campaign.Handout, int, error) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	w := storeScope("region", s, add)
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM handouts WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := pg.Clamp()
	rows, err := db.query(ctx, `SELECT `+handoutCols+` FROM handouts WHERE `+w+` ORDER BY day DESC, id DESC LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanHandout)
	return list, total, err
}

// Handout loads one handout.
func (db *DB) Handout(ctx context.Context, id int64) (campaign.Handout, error) {
	h, err := scanHandout(db.queryRow(ctx, `SELECT `+handoutCols+` FROM handouts WHERE id = $1`, id))
	return h, mapErr(err)
}

// InsertHandout stores a new handout, audited.
func (tx *Tx) InsertHandout(ctx context.Context, h *campaign.Handout) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO handouts (region, kind, title, body, day, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, h.Region, h.Kind, strings.TrimSpace(h.Title), strings.TrimSpace(h.Body), h.Date,
		nullID(tx.actor.ID), tx.now).Scan(&h.ID)
	if err != nil {
		return err
	}
	h.CreatedBy, h.CreatedAt, h.UpdatedAt = tx.actor.ID, fromMS(tx.now), fromMS(tx.now)
	return tx.Audit(ctx, "handout", h.ID, "create", nil, map[string]any{"title": h.Title, "kind": h.Kind, "date": h.Date, "region": h.Region})
}

// UpdateHandout changes a handout's title, kind, text and date, audited.
func (tx *Tx) UpdateHandout(ctx context.Context, before, h campaign.Handout) error {
	if _, err := tx.ExecContext(ctx, `UPDATE handouts SET title = $1, kind = $2, body = $3, day = $4, updated_at = $5 WHERE id = $6`,
		strings.TrimSpace(h.Title), h.Kind, strings.TrimSpace(h.Body), h.Date, tx.now, h.ID); err != nil {
		return err
	}
	sum := func(h campaign.Handout) map[string]any {
		return map[string]any{"title": h.Title, "kind": h.Kind, "date": h.Date, "body_chars": len([]rune(h.Body))}
	}
	return tx.Audit(ctx, "handout", h.ID, "update", sum(before), sum(h))
}

// InsertDistribution records a hand-out round, audited.
func (tx *Tx) InsertDistribution(ctx context.Context, d *campaign.Distribution) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO handout_distributions (handout_id, region, building, households, day, by_id, by_name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, d.HandoutID, d.Region, strings.TrimSpace(d.Building), d.Households, d.Date,
		nullID(tx.actor.ID), tx.actor.Name, tx.now).Scan(&d.ID)
	if err != nil {
		return err
	}
	d.ByID, d.ByName, d.CreatedAt = tx.actor.ID, tx.actor.Name, fromMS(tx.now)
	return tx.Audit(ctx, "handout", d.HandoutID, "distribute", nil, map[string]any{"region": d.Region, "households": d.Households, "date": d.Date, "building": d.Building})
}

// Distributions lists a handout's rounds in regions under one of roots (all
// when all), newest first, with the total.
func (db *DB) Distributions(ctx context.Context, handoutID int64, all bool, roots []string, pg Page) ([]campaign.Distribution, int, error) {
	args := []any{handoutID}
	w := "handout_id = $1"
	if !all {
		w += " AND " + scopeClause("region", roots, &args)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM handout_distributions WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := pg.Clamp()
	rows, err := db.query(ctx, `SELECT id, handout_id, region, building, households, day, COALESCE(by_id, 0), by_name, created_at FROM handout_distributions
		WHERE `+w+` ORDER BY day DESC, id DESC LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (campaign.Distribution, error) {
		var d campaign.Distribution
		var created int64
		err := sc.Scan(&d.ID, &d.HandoutID, &d.Region, &d.Building, &d.Households, &d.Date, &d.ByID, &d.ByName, &created)
		d.CreatedAt = fromMS(created)
		return d, err
	})
	return list, total, err
}

// ReachedByRegion sums a handout's households reached per region code of its distributions.
func (db *DB) ReachedByRegion(ctx context.Context, handoutID int64) (map[string]int, error) {
	rows, err := db.query(ctx, `SELECT region, SUM(households) FROM handout_distributions WHERE handout_id = $1 GROUP BY region`, handoutID)
	if err != nil {
		return nil, err
	}
	type sum struct {
		code string
		n    int
	}
	sums, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (sum, error) {
		var s sum
		return s, sc.Scan(&s.code, &s.n)
	})
	out := map[string]int{}
	for _, s := range sums {
		out[s.code] = s.n
	}
	return out, err
}

// FeedPerson returns the person whose calendar feed has the secret hash, or NotFound.
func (db *DB) FeedPerson(ctx context.Context, secretHash string) (int64, error) {
	var id int64
	err := db.queryRow(ctx, `SELECT person_id FROM calendar_feeds WHERE secret_hash = $1`, secretHash).Scan(&id)
	return id, mapErr(err)
}

// HasFeed reports whether a person has a calendar feed, and since when (Unix ms).
func (db *DB) HasFeed(ctx context.Context, personID int64) (bool, int64, error) {
	var at int64
	err := db.queryRow(ctx, `SELECT created_at FROM calendar_feeds WHERE person_id = $1`, personID).Scan(&at)
	if isNoRows(err) {
		return false, 0, nil
	}
	return err == nil, at, err
}

// SetFeedSecret gives a person a new calendar feed secret (by its hash): the
// old one stops working. Audited without the hash.
func (tx *Tx) SetFeedSecret(ctx context.Context, personID int64, secretHash string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_feeds (person_id, secret_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (person_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at`, personID, secretHash, tx.now); err != nil {
		return err
	}
	return tx.Audit(ctx, "person", personID, "calendar_feed", nil, nil)
}
