package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/region"
)

// AreaScope is what a viewer may see of an area's records: everything (All),
// the records touching one of Roots' subtrees, or those about one of UnitIDs.
type AreaScope struct {
	All     bool
	Roots   []string
	UnitIDs []int64
}

// overlapClause matches a region column that lies in root's subtree or is one
// of root's ancestors (a street-wide campaign concerns a grid's patrollers too).
func overlapClause(col, root string, add func(any) string) string {
	lo, hi := prefixRange(root)
	parts := []string{col + " BETWEEN " + add(lo) + " AND " + add(hi)}
	for p := region.ParentOf(root); p != ""; p = region.ParentOf(p) {
		parts = append(parts, col+" = "+add(p))
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// CampaignFilter selects campaigns: those p may see (Scope) touching Region,
// with a day from From to To (inclusive, YYYY-MM-DD), and Status.
type CampaignFilter struct {
	Scope    AreaScope
	Region   string
	From, To string
	Status   string
	Page     Page
}

func (f CampaignFilter) where() (string, []any) {
	var args []any
	add := func(v any) string { args = append(args, v); return ph(len(args)) }
	var w []string
	regionsTouch := func(roots []string) string {
		var parts []string
		for _, r := range roots {
			parts = append(parts, overlapClause("cr.region", r, add))
		}
		return "EXISTS (SELECT 1 FROM campaign_regions cr WHERE cr.campaign_id = c.id AND (" + strings.Join(parts, " OR ") + "))"
	}
	if !f.Scope.All {
		var scope []string
		if len(f.Scope.Roots) > 0 {
			scope = append(scope, regionsTouch(f.Scope.Roots))
		}
		if len(f.Scope.UnitIDs) > 0 {
			var phs []string
			for _, id := range f.Scope.UnitIDs {
				phs = append(phs, add(id))
			}
			in := "(" + strings.Join(phs, ",") + ")"
			scope = append(scope, "EXISTS (SELECT 1 FROM campaign_tasks ct WHERE ct.campaign_id = c.id AND ct.unit_id IN "+in+")",
				"EXISTS (SELECT 1 FROM campaign_units cu WHERE cu.campaign_id = c.id AND cu.unit_id IN "+in+")")
		}
		if len(scope) == 0 {
			scope = []string{"1=0"}
		}
		w = append(w, "("+strings.Join(scope, " OR ")+")")
	}
	if f.Region != "" {
		w = append(w, regionsTouch([]string{f.Region}))
	}
	if f.From != "" {
		w = append(w, "c.day >= "+add(f.From))
	}
	if f.To != "" {
		w = append(w, "c.day <= "+add(f.To))
	}
	if f.Status != "" {
		w = append(w, "c.status = "+add(f.Status))
	}
	if len(w) == 0 {
		return "1=1", args
	}
	return strings.Join(w, " AND "), args
}

const campaignCols = `c.id, c.street, c.title, c.day, c.status, c.proposed, c.note, COALESCE(c.created_by, 0), c.created_at, c.updated_at, c.version`

func scanCampaign(sc interface{ Scan(...any) error }) (campaign.Campaign, error) {
	var c campaign.Campaign
	var proposed int
	var created, updated int64
	err := sc.Scan(&c.ID, &c.Street, &c.Title, &c.Date, &c.Status, &proposed, &c.Note, &c.CreatedBy, &created, &updated, &c.Version)
	c.Proposed, c.CreatedAt, c.UpdatedAt = proposed == 1, fromMS(created), fromMS(updated)
	return c, err
}

// Campaigns lists campaigns matching f, latest day first, with their regions
// (not their tasks), and the total.
func (db *DB) Campaigns(ctx context.Context, f CampaignFilter) ([]campaign.Campaign, int, error) {
	w, args := f.where()
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM campaigns c WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	rows, err := db.query(ctx, `SELECT `+campaignCols+` FROM campaigns c WHERE `+w+
		` ORDER BY c.day DESC, c.id DESC LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanCampaign)
	if err != nil {
		return nil, 0, err
	}
	return list, total, db.campaignRegions(ctx, list)
}

// CampaignsBetween lists up to limit campaigns matching f in day order (for the calendar).
func (db *DB) CampaignsBetween(ctx context.Context, f CampaignFilter, limit int) ([]campaign.Campaign, error) {
	w, args := f.where()
	rows, err := db.query(ctx, `SELECT `+campaignCols+` FROM campaigns c WHERE `+w+` ORDER BY c.day, c.id LIMIT `+itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	list, err := scanAll(rows, scanCampaign)
	if err != nil {
		return nil, err
	}
	return list, db.campaignRegions(ctx, list)
}

// campaignRegions fills the regions of listed campaigns.
func (db *DB) campaignRegions(ctx context.Context, list []campaign.Campaign) error {
	if len(list) == 0 {
		return nil
	}
	idx := map[int64]int{}
	var phs []string
	var args []any
	for i, c := range list {
		idx[c.ID] = i
		args = append(args, c.ID)
		phs = append(phs, ph(len(args)))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT campaign_id, region FROM campaign_regions WHERE campaign_id IN (`+strings.Join(phs, ",")+`) ORDER BY campaign_id, region`, args...)
	if err != nil {
		return err
	}
	type pair struct {
		id   int64
		code string
	}
	pairs, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (pair, error) {
		var p pair
		err := sc.Scan(&p.id, &p.code)
		return p, err
	})
	for _, p := range pairs {
		list[idx[p.id]].Regions = append(list[idx[p.id]].Regions, p.code)
	}
	return err
}

// Campaign loads one campaign with its regions, tasks and participants.
func (db *DB) Campaign(ctx context.Context, id int64) (campaign.Campaign, error) {
	return loadCampaign(ctx, db.r, id)
}

// Campaign loads a campaign inside the transaction (to decide on its current state).
func (tx *Tx) Campaign(ctx context.Context, id int64) (campaign.Campaign, error) {
	return loadCampaign(ctx, tx, id)
}

func loadCampaign(ctx context.Context, q querier, id int64) (campaign.Campaign, error) {
	c, err := scanCampaign(q.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns c WHERE c.id = $1`, id))
	if err != nil {
		return c, mapErr(err)
	}
	rows, err := q.QueryContext(ctx, `SELECT region FROM campaign_regions WHERE campaign_id = $1 ORDER BY region`, id)
	if err != nil {
		return c, err
	}
	if c.Regions, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (string, error) {
		var s string
		return s, sc.Scan(&s)
	}); err != nil {
		return c, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, campaign_id, kind, title, region, COALESCE(unit_id, 0), lat, lon, done, ads, corners, bags, tonnes,
		vehicles, people, note, recorded_at, COALESCE(recorded_by, 0) FROM campaign_tasks WHERE campaign_id = $1 ORDER BY id`, id)
	if err != nil {
		return c, err
	}
	if c.Tasks, err = scanAll(rows, scanTask); err != nil {
		return c, err
	}
	rows, err = q.QueryContext(ctx, `SELECT person_id FROM campaign_people WHERE campaign_id = $1 ORDER BY person_id`, id)
	if err != nil {
		return c, err
	}
	if c.People, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
		var v int64
		return v, sc.Scan(&v)
	}); err != nil {
		return c, err
	}
	rows, err = q.QueryContext(ctx, `SELECT cu.unit_id, u.name, cu.headcount FROM campaign_units cu JOIN units u ON u.id = cu.unit_id
		WHERE cu.campaign_id = $1 ORDER BY u.name, cu.unit_id`, id)
	if err != nil {
		return c, err
	}
	c.Units, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (campaign.UnitPart, error) {
		var u campaign.UnitPart
		return u, sc.Scan(&u.UnitID, &u.Name, &u.Headcount)
	})
	return c, err
}

func scanTask(sc interface{ Scan(...any) error }) (campaign.Task, error) {
	var t campaign.Task
	var lat, lon sql.NullFloat64
	var done int
	var recorded int64
	err := sc.Scan(&t.ID, &t.CampaignID, &t.Kind, &t.Title, &t.Region, &t.UnitID, &lat, &lon, &done, &t.Counts.Ads, &t.Counts.Corners,
		&t.Counts.Bags, &t.Counts.Tonnes, &t.Counts.Vehicles, &t.Counts.People, &t.Note, &recorded, &t.RecordedBy)
	if lat.Valid && lon.Valid {
		t.Lat, t.Lon = &lat.Float64, &lon.Float64
	}
	t.Done, t.RecordedAt = done == 1, fromMS(recorded)
	return t, err
}

// CampaignSummary is what the audit log keeps of a campaign.
func CampaignSummary(c campaign.Campaign) map[string]any {
	return map[string]any{"title": c.Title, "date": c.Date, "regions": c.Regions, "status": c.Status, "tasks": len(c.Tasks)}
}

// InsertCampaign stores a new campaign with its regions, tasks and
// participants, audited. A proposal for a street and month that has one
// already is not stored: created is false.
func (tx *Tx) InsertCampaign(ctx context.Context, c *campaign.Campaign) (created bool, err error) {
	month := c.Month()
	q := `INSERT INTO campaigns (street, title, day, month, status, proposed, note, created_by, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)`
	if c.Proposed {
		q += ` ON CONFLICT DO NOTHING`
	}
	err = tx.QueryRowContext(ctx, q+` RETURNING id`, c.Street, c.Title, c.Date, month, c.Status, b2i(c.Proposed), c.Note,
		nullID(tx.actor.ID), tx.now).Scan(&c.ID)
	if isNoRows(err) && c.Proposed {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version = tx.actor.ID, fromMS(tx.now), fromMS(tx.now), 1
	if err := tx.writeCampaignRegions(ctx, c.ID, c.Regions); err != nil {
		return false, err
	}
	for i := range c.Tasks {
		if err := tx.InsertTask(ctx, c.ID, &c.Tasks[i]); err != nil {
			return false, err
		}
	}
	if err := tx.SetCampaignParticipants(ctx, c.ID, c.People, c.Units); err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, "campaign", c.ID, "create", nil, CampaignSummary(*c))
}

func (tx *Tx) writeCampaignRegions(ctx context.Context, id int64, regions []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_regions WHERE campaign_id = $1`, id); err != nil {
		return err
	}
	for _, r := range regions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_regions (campaign_id, region) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, r); err != nil {
			return err
		}
	}
	return nil
}

// InsertTask adds a task to a campaign (not audited on its own: the caller audits the change).
func (tx *Tx) InsertTask(ctx context.Context, campaignID int64, t *campaign.Task) error {
	var lat, lon any
	if t.Lat != nil && t.Lon != nil {
		lat, lon = *t.Lat, *t.Lon
	}
	t.CampaignID = campaignID
	return tx.QueryRowContext(ctx, `INSERT INTO campaign_tasks (campaign_id, kind, title, region, unit_id, lat, lon, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		campaignID, t.Kind, strings.TrimSpace(t.Title), t.Region, nullID(t.UnitID), lat, lon, tx.now).Scan(&t.ID)
}

// DeleteTask removes a task with nothing recorded; a task with a result,
// photos or findings stays (Conflict).
func (tx *Tx) DeleteTask(ctx context.Context, campaignID, taskID int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM campaign_tasks WHERE id = $1 AND campaign_id = $2 AND recorded_at = 0
		AND NOT EXISTS (SELECT 1 FROM campaign_photos WHERE task_id = $1) AND NOT EXISTS (SELECT 1 FROM campaign_findings WHERE task_id = $1)`,
		taskID, campaignID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.campaign.task_recorded")
	}
	return nil
}

// SetCampaignParticipants replaces a campaign's people and units.
func (tx *Tx) SetCampaignParticipants(ctx context.Context, id int64, people []int64, units []campaign.UnitPart) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_people WHERE campaign_id = $1`, id); err != nil {
		return err
	}
	for _, p := range people {
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_people (campaign_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, p); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_units WHERE campaign_id = $1`, id); err != nil {
		return err
	}
	for _, u := range units {
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_units (campaign_id, unit_id, headcount) VALUES ($1, $2, $3)
			ON CONFLICT (campaign_id, unit_id) DO UPDATE SET headcount = excluded.headcount`, id, u.UnitID, u.Headcount); err != nil {
			return err
		}
	}
	return nil
}

// SetUnitHeadcount records the people a unit sent (adding it to those asked if need be).
func (tx *Tx) SetUnitHeadcount(ctx context.Context, id, unitID int64, headcount int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO campaign_units (campaign_id, unit_id, headcount) VALUES ($1, $2, $3)
		ON CONFLICT (campaign_id, unit_id) DO UPDATE SET headcount = excluded.headcount`, id, unitID, headcount)
	return err
}

// UpdateCampaign writes a campaign's title, date, regions, note and status,
// if its version is still the one read (Conflict otherwise); it bumps the version.
func (tx *Tx) UpdateCampaign(ctx context.Context, c *campaign.Campaign) error {
	res, err := tx.ExecContext(ctx, `UPDATE campaigns SET title = $1, day = $2, status = $3, note = $4, updated_at = $5, version = version + 1
		WHERE id = $6 AND version = $7`, c.Title, c.Date, c.Status, c.Note, tx.now, c.ID, c.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.campaign.stale")
	}
	c.Version++
	c.UpdatedAt = fromMS(tx.now)
	return tx.writeCampaignRegions(ctx, c.ID, c.Regions)
}

// TouchCampaign bumps a campaign's version and time after a change to its parts.
func (tx *Tx) TouchCampaign(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE campaigns SET updated_at = $1, version = version + 1 WHERE id = $2`, tx.now, id)
	return err
}

// RecordResult writes a task's result (its counts replace the earlier tally).
func (tx *Tx) RecordResult(ctx context.Context, t campaign.Task) error {
	c := t.Counts
	_, err := tx.ExecContext(ctx, `UPDATE campaign_tasks SET done = $1, ads = $2, corners = $3, bags = $4, tonnes = $5, vehicles = $6, people = $7,
		note = $8, recorded_at = $9, recorded_by = $10 WHERE id = $11 AND campaign_id = $12`,
		b2i(t.Done), c.Ads, c.Corners, c.Bags, c.Tonnes, c.Vehicles, c.People, strings.TrimSpace(t.Note), tx.now, nullID(tx.actor.ID), t.ID, t.CampaignID)
	if err != nil {
		return err
	}
	return tx.TouchCampaign(ctx, t.CampaignID)
}

// CampaignPhoto is a photo of a campaign's task.
type CampaignPhoto struct {
	TaskID  int64
	PhotoID string
	Step    string
	At      time.Time
	ByID    int64
}

// AttachCampaignPhoto records a processed photo and attaches it to a task at step (before or after).
func (tx *Tx) AttachCampaignPhoto(ctx context.Context, campaignID, taskID int64, p PhotoRecord, step string) error {
	if err := tx.savePhoto(ctx, p); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO campaign_photos (campaign_id, task_id, photo_id, step, at, by_id) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT DO NOTHING`, campaignID, taskID, p.ID, step, tx.now, nullID(tx.actor.ID))
	if err != nil {
		return err
	}
	return tx.TouchCampaign(ctx, campaignID)
}

// CampaignPhotos lists the photos of a campaign's tasks, oldest first.
func (db *DB) CampaignPhotos(ctx context.Context, campaignID int64) ([]CampaignPhoto, error) {
	rows, err := db.query(ctx, `SELECT task_id, photo_id, step, at, COALESCE(by_id, 0) FROM campaign_photos WHERE campaign_id = $1 ORDER BY id`, campaignID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (CampaignPhoto, error) {
		var p CampaignPhoto
		var at int64
		err := sc.Scan(&p.TaskID, &p.PhotoID, &p.Step, &at, &p.ByID)
		p.At = fromMS(at)
		return p, err
	})
}

// CountTaskPhotos counts a task's photos at step.
func (tx *Tx) CountTaskPhotos(ctx context.Context, taskID int64, step string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_photos WHERE task_id = $1 AND step = $2`, taskID, step).Scan(&n)
	return n, err
}

// PhotoCampaigns lists the campaigns a photo is attached to.
func (db *DB) PhotoCampaigns(ctx context.Context, photoID string) ([]int64, error) {
	return queryIDs(ctx, db.r, `SELECT DISTINCT campaign_id FROM campaign_photos WHERE photo_id = $1`, photoID)
}

// CampaignFinding is a case found during a campaign, with where it stands.
type CampaignFinding struct {
	TaskID   int64
	Number   string
	Category string
	Status   string
	Class    string
}

// LinkCampaignFinding links a case to a task; linking it again does nothing.
func (tx *Tx) LinkCampaignFinding(ctx context.Context, campaignID, taskID int64, number string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO campaign_findings (campaign_id, task_id, case_number, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, campaignID, taskID, number, tx.now, nullID(tx.actor.ID))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// CampaignFindings lists the cases found during a campaign.
func (db *DB) CampaignFindings(ctx context.Context, campaignID int64) ([]CampaignFinding, error) {
	rows, err := db.query(ctx, `SELECT f.task_id, c.number, c.category, c.status, c.class FROM campaign_findings f JOIN cases c ON c.number = f.case_number
		WHERE f.campaign_id = $1 ORDER BY f.created_at, c.number`, campaignID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (CampaignFinding, error) {
		var f CampaignFinding
		return f, sc.Scan(&f.TaskID, &f.Number, &f.Category, &f.Status, &f.Class)
	})
}

// ProposedMonths returns the months (YYYY-MM) of year for which street has a proposal.
func (db *DB) ProposedMonths(ctx context.Context, street string, year int) (map[string]bool, error) {
	y := itoa(year)
	rows, err := db.r.QueryContext(ctx, `SELECT month FROM campaigns WHERE street = $1 AND proposed = 1 AND month BETWEEN $2 AND $3`, street, y+"-01", y+"-12")
	if err != nil {
		return nil, err
	}
	months, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (string, error) {
		var s string
		return s, sc.Scan(&s)
	})
	out := map[string]bool{}
	for _, m := range months {
		out[m] = true
	}
	return out, err
}
