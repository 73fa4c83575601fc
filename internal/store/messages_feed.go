package store

import (
	"context"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
)

// The feed (工作动态): posts, comments; each person's delivery settings;
// and the scheduled summaries made. SQL only.

// CreatePost stores a post and sets its id.
func (tx *Tx) CreatePost(ctx context.Context, p *messages.Post) error {
	p.CreatedAt = fromMS(tx.now)
	err := tx.QueryRowContext(ctx, `INSERT INTO posts (region, author_id, author_name, body, photos, record_kind, record_ref, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		p.Region, p.AuthorID, p.AuthorName, p.Body, strings.Join(p.Photos, ","), p.RecordKind, p.RecordRef, tx.now).Scan(&p.ID)
	return mapRegionErr(err)
}

const postCols = `p.id, p.region, p.author_id, p.author_name, p.body, p.photos, p.record_kind, p.record_ref, p.comments, p.created_at`

func scanPost(sc interface{ Scan(...any) error }) (messages.Post, error) {
	var p messages.Post
	var photos string
	var created int64
	err := sc.Scan(&p.ID, &p.Region, &p.AuthorID, &p.AuthorName, &p.Body, &photos, &p.RecordKind, &p.RecordRef, &p.Comments, &created)
	if photos != "" {
		p.Photos = strings.Split(photos, ",")
	}
	p.CreatedAt = fromMS(created)
	return p, err
}

// Post loads one post.
func (db *DB) Post(ctx context.Context, id int64) (messages.Post, error) {
	p, err := scanPost(db.r.QueryRowContext(ctx, `SELECT `+postCols+` FROM posts p WHERE p.id = $1`, id))
	if isNoRows(err) {
		return p, apperr.ErrNotFound
	}
	return p, err
}

// FeedFilter picks the posts a feed shows: those of regions under Roots or
// equal to one of Above (All: every post), within Region's subtree when set.
type FeedFilter struct {
	All    bool
	Roots  []string
	Above  []string
	Region string
	Page   Page
}

// Feed lists posts, newest first, with the total.
func (db *DB) Feed(ctx context.Context, f FeedFilter) ([]messages.Post, int, error) {
	var args []any
	where := []string{"1=1"}
	if !f.All {
		or := []string{scopeClause("p.region", f.Roots, &args)}
		if len(f.Above) > 0 {
			var in []string
			for _, r := range f.Above {
				args = append(args, r)
				in = append(in, ph(len(args)))
			}
			or = append(or, "p.region IN ("+strings.Join(in, ",")+")")
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	if f.Region != "" {
		where = append(where, scopeClause("p.region", []string{f.Region}, &args))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts p WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT `+postCols+` FROM posts p WHERE `+w+` ORDER BY p.id DESC LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanPost)
	return list, total, err
}

// AddComment stores a comment on a post, counting it on the post, and sets its id.
func (tx *Tx) AddComment(ctx context.Context, c *messages.Comment) error {
	c.CreatedAt = fromMS(tx.now)
	if err := tx.QueryRowContext(ctx, `INSERT INTO post_comments (post_id, author_id, author_name, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		c.PostID, c.AuthorID, c.AuthorName, c.Body, tx.now).Scan(&c.ID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE posts SET comments = comments + 1 WHERE id = $1`, c.PostID)
	return err
}

// Comments lists a post's comments, oldest first, with the total.
func (db *DB) Comments(ctx context.Context, post int64, p Page) ([]messages.Comment, int, error) {
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM post_comments WHERE post_id = $1`, post).Scan(&total); err != nil {
		return nil, 0, err
	}
	p = p.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT id, post_id, author_id, author_name, body, created_at FROM post_comments WHERE post_id = $1
		ORDER BY id LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), post)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (messages.Comment, error) {
		var c messages.Comment
		var created int64
		err := sc.Scan(&c.ID, &c.PostID, &c.AuthorID, &c.AuthorName, &c.Body, &created)
		c.CreatedAt = fromMS(created)
		return c, err
	})
	return list, total, err
}

// Settings returns a person's delivery settings (empty when never saved).
func (db *DB) Settings(ctx context.Context, person int64) (messages.Settings, error) {
	var s messages.Settings
	err := db.r.QueryRowContext(ctx, `SELECT email, quiet_from, quiet_to FROM person_settings WHERE person_id = $1`, person).
		Scan(&s.Email, &s.QuietFrom, &s.QuietTo)
	if isNoRows(err) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT kind FROM person_mail_kinds WHERE person_id = $1`, person)
	if err != nil {
		return s, err
	}
	kinds, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (notify.Kind, error) {
		var k string
		err := sc.Scan(&k)
		return notify.Kind(k), err
	})
	s.Kinds = kinds
	s.Normalize()
	return s, err
}

// SaveSettings stores a person's delivery settings.
func (tx *Tx) SaveSettings(ctx context.Context, person int64, s messages.Settings) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO person_settings (person_id, email, quiet_from, quiet_to, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (person_id) DO UPDATE SET email = $2, quiet_from = $3, quiet_to = $4, updated_at = $5`,
		person, s.Email, s.QuietFrom, s.QuietTo, tx.now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_mail_kinds WHERE person_id = $1`, person); err != nil {
		return err
	}
	for _, k := range s.Kinds {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_mail_kinds (kind, person_id) VALUES ($1, $2)`, string(k), person); err != nil {
			return err
		}
	}
	return nil
}

// MarkSummary records that the summary kind of region for day is being
// made; it reports false when it was made before (so it is made once).
func (tx *Tx) MarkSummary(ctx context.Context, kind, region, day string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO summaries (kind, region, day, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, kind, region, day, tx.now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DayFigures are a region's figures for a digest.
type DayFigures struct {
	Reported int // cases reported that day
	Closed   int // cases closed that day
	Overdue  int // pending cases past their deadline at the end
}

// DigestFigures counts, for the region's subtree, the cases reported and
// closed in [from, to) and those pending past their deadline at to.
func (db *DB) DigestFigures(ctx context.Context, code string, from, to time.Time) (DayFigures, error) {
	var f DayFigures
	var args []any
	scope := scopeClause("region", []string{code}, &args)
	args = append(args, from.UnixMilli(), to.UnixMilli())
	n := len(args)
	err := db.r.QueryRowContext(ctx, `SELECT
			COUNT(CASE WHEN reported_at >= `+ph(n-1)+` AND reported_at < `+ph(n)+` THEN 1 END),
			COUNT(CASE WHEN closed_at >= `+ph(n-1)+` AND closed_at < `+ph(n)+` THEN 1 END),
			COUNT(CASE WHEN status IN ('reported', 'filed', 'assigned') AND deadline > 0 AND deadline < `+ph(n)+` THEN 1 END)
		FROM cases WHERE `+scope+` AND (reported_at >= `+ph(n-1)+` OR closed_at >= `+ph(n-1)+` OR status IN ('reported', 'filed', 'assigned'))`, args...).
		Scan(&f.Reported, &f.Closed, &f.Overdue)
	return f, err
}

// RegionRef is a region's code, name and level.
type RegionRef struct {
	Code  string
	Name  string
	Level int
}

// SummaryRegions lists the streets and communities, by code (the regions summaries are made for).
func (db *DB) SummaryRegions(ctx context.Context) ([]RegionRef, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT code, name, level FROM regions WHERE level IN (2, 3) ORDER BY code`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (RegionRef, error) {
		var r RegionRef
		err := sc.Scan(&r.Code, &r.Name, &r.Level)
		return r, err
	})
}

// SummariesMade returns the regions whose summary kind was made for day.
func (db *DB) SummariesMade(ctx context.Context, kind, day string) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT region FROM summaries WHERE kind = $1 AND day = $2`, kind, day)
	if err != nil {
		return nil, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (string, error) {
		var s string
		err := sc.Scan(&s)
		return s, err
	})
	out := map[string]bool{}
	for _, s := range list {
		out[s] = true
	}
	return out, err
}

// Backdate makes the transaction's later writes carry t as their time, for
// demo data made to look lived-in (a notice sent last week, read the next day).
func (tx *Tx) Backdate(t time.Time) { tx.now = t.UnixMilli() }
