package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/people"
)

// Notices, their recipients' receipts and their attachments: SQL only.

// AudiencePeople resolves a notice's audience by roles: the active people
// holding one of roles at a region under one of regions (a unit contact
// through a unit there), each once, by id.
func (tx *Tx) AudiencePeople(ctx context.Context, roles []people.Role, regions []string) ([]int64, error) {
	var args []any
	var parts []string
	var plain []string
	for _, r := range roles {
		if r != people.UnitContact {
			args = append(args, string(r))
			plain = append(plain, ph(len(args)))
		}
	}
	if len(plain) > 0 {
		parts = append(parts, "(ra.role IN ("+strings.Join(plain, ",")+") AND "+scopeClause("ra.region", regions, &args)+")")
	}
	for _, r := range roles {
		if r == people.UnitContact {
			parts = append(parts, "(ra.role = 'unit_contact' AND ra.unit_id IN (SELECT u.id FROM units u WHERE "+scopeClause("u.region", regions, &args)+"))")
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return queryIDs(ctx, tx, `SELECT DISTINCT ra.person_id FROM role_assignments ra JOIN people p ON p.id = ra.person_id
		WHERE p.active = 1 AND (`+strings.Join(parts, " OR ")+`) ORDER BY ra.person_id`, args...)
}

// PeopleInScope returns those of ids who are active and, unless all, hold a
// role in a region under roots (or for a unit there), by id.
func (db *DB) PeopleInScope(ctx context.Context, ids []int64, all bool, roots []string) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var args []any
	var in []string
	for _, id := range ids {
		args = append(args, id)
		in = append(in, ph(len(args)))
	}
	q := `SELECT p.id FROM people p WHERE p.active = 1 AND p.id IN (` + strings.Join(in, ",") + `)`
	if !all {
		byRegion := scopeClause("ra.region", roots, &args)
		byUnit := scopeClause("u.region", roots, &args)
		q += ` AND p.id IN (SELECT ra.person_id FROM role_assignments ra WHERE ` + byRegion + ` OR ra.unit_id IN (SELECT u.id FROM units u WHERE ` + byUnit + `))`
	}
	return queryIDs(ctx, db.r, q+` ORDER BY p.id`, args...)
}

// CreateNotice stores a notice with one receipt row per recipient and its
// attachments, setting its id.
func (tx *Tx) CreateNotice(ctx context.Context, n *messages.Notice, recipients []int64) error {
	aud, err := json.Marshal(n.Audience)
	if err != nil {
		return err
	}
	n.Recipients, n.CreatedAt = len(recipients), fromMS(tx.now)
	err = tx.QueryRowContext(ctx, `INSERT INTO notices (title, body, audience, receipt, due, region, sender_id, sender_name, recipients, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		n.Title, n.Body, string(aud), b2i(n.Receipt), n.Due, n.Region, n.SenderID, n.SenderName, n.Recipients, tx.now).Scan(&n.ID)
	if err != nil {
		return mapRegionErr(err)
	}
	for _, p := range recipients {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_recipients (notice_id, person_id) VALUES ($1, $2)`, n.ID, p); err != nil {
			return err
		}
	}
	for i, f := range n.Files {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_files (notice_id, position, file_id, name, type, size) VALUES ($1, $2, $3, $4, $5, $6)`,
			n.ID, i+1, f.ID, f.Name, string(f.Type), f.Size); err != nil {
			return err
		}
	}
	return nil
}

const noticeCols = `n.id, n.title, n.body, n.audience, n.receipt, n.due, n.region, n.sender_id, n.sender_name, n.recipients, n.read_n, n.ack_n, n.reminded_at, n.created_at`

func scanNotice(sc interface{ Scan(...any) error }, extra ...any) (messages.Notice, error) {
	var n messages.Notice
	var aud string
	var receipt int
	var reminded, created int64
	dest := append([]any{&n.ID, &n.Title, &n.Body, &aud, &receipt, &n.Due, &n.Region, &n.SenderID, &n.SenderName, &n.Recipients, &n.Read, &n.Acked,
		&reminded, &created}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return n, err
	}
	n.Receipt, n.RemindedAt, n.CreatedAt = receipt == 1, fromMS(reminded), fromMS(created)
	if aud != "" {
		if err := json.Unmarshal([]byte(aud), &n.Audience); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Notice loads a notice with its attachments.
func (db *DB) Notice(ctx context.Context, id int64) (messages.Notice, error) {
	n, err := scanNotice(db.r.QueryRowContext(ctx, `SELECT `+noticeCols+` FROM notices n WHERE n.id = $1`, id))
	if isNoRows(err) {
		return n, apperr.ErrNotFound
	}
	if err != nil {
		return n, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT file_id, name, type, size FROM notice_files WHERE notice_id = $1 ORDER BY position`, id)
	if err != nil {
		return n, err
	}
	n.Files, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (messages.File, error) {
		var f messages.File
		err := sc.Scan(&f.ID, &f.Name, &f.Type, &f.Size)
		return f, err
	})
	return n, err
}

// Receipt is one recipient's reading and acknowledging of a notice.
type Receipt struct {
	PersonID int64
	Name     string
	Username string
	ReadAt   time.Time
	AckedAt  time.Time
}

// ReceiptOf returns person's receipt row for a notice; ok is false when they did not receive it.
func (db *DB) ReceiptOf(ctx context.Context, notice, person int64) (Receipt, bool, error) {
	r := Receipt{PersonID: person}
	var read, acked int64
	err := db.r.QueryRowContext(ctx, `SELECT read_at, acked_at FROM notice_recipients WHERE notice_id = $1 AND person_id = $2`, notice, person).Scan(&read, &acked)
	if isNoRows(err) {
		return r, false, nil
	}
	r.ReadAt, r.AckedAt = fromMS(read), fromMS(acked)
	return r, err == nil, err
}

// NoticeItem is a notice in a list, with the reader's own receipt.
type NoticeItem struct {
	messages.Notice
	ReadAt  time.Time
	AckedAt time.Time
}

// MyNotices lists the notices person received, newest first, with the total.
func (db *DB) MyNotices(ctx context.Context, person int64, unackedOnly bool, p Page) ([]NoticeItem, int, error) {
	w := "r.person_id = $1"
	if unackedOnly {
		w += " AND r.acked_at = 0 AND n.receipt = 1"
	}
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM notice_recipients r JOIN notices n ON n.id = r.notice_id WHERE `+w, person).Scan(&total); err != nil {
		return nil, 0, err
	}
	p = p.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT `+noticeCols+`, r.read_at, r.acked_at FROM notice_recipients r JOIN notices n ON n.id = r.notice_id
		WHERE `+w+` ORDER BY r.notice_id DESC LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), person)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (NoticeItem, error) {
		var it NoticeItem
		var read, acked int64
		n, err := scanNotice(sc, &read, &acked)
		it.Notice, it.ReadAt, it.AckedAt = n, fromMS(read), fromMS(acked)
		return it, err
	})
	return list, total, err
}

// SentFilter limits the list of sent notices: those sent by Sender, or
// (All, or under Roots) those of regions an overseer administers.
type SentFilter struct {
	Sender int64
	All    bool
	Roots  []string
	Page   Page
}

// SentNotices lists sent notices, newest first, with the total.
func (db *DB) SentNotices(ctx context.Context, f SentFilter) ([]messages.Notice, int, error) {
	var args []any
	var or []string
	if f.Sender != 0 {
		args = append(args, f.Sender)
		or = append(or, "n.sender_id = "+ph(len(args)))
	}
	if f.All {
		or = append(or, "1=1")
	} else if len(f.Roots) > 0 {
		or = append(or, scopeClause("n.region", f.Roots, &args))
	}
	if len(or) == 0 {
		return nil, 0, nil
	}
	w := "(" + strings.Join(or, " OR ") + ")"
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM notices n WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT `+noticeCols+` FROM notices n WHERE `+w+` ORDER BY n.id DESC LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (messages.Notice, error) { return scanNotice(sc) })
	return list, total, err
}

// MarkNoticeRead records that person opened the notice, the first time
// only; it reports whether this was the first.
func (tx *Tx) MarkNoticeRead(ctx context.Context, notice, person int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE notice_recipients SET read_at = $3 WHERE notice_id = $1 AND person_id = $2 AND read_at = 0`, notice, person, tx.now)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE notices SET read_n = read_n + 1 WHERE id = $1`, notice)
	return err == nil, err
}

// AckNotice records person's acknowledgement (and reading) of the notice,
// the first time only; it reports whether this was the first.
func (tx *Tx) AckNotice(ctx context.Context, notice, person int64) (bool, error) {
	if _, err := tx.MarkNoticeRead(ctx, notice, person); err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE notice_recipients SET acked_at = $3 WHERE notice_id = $1 AND person_id = $2 AND acked_at = 0`, notice, person, tx.now)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE notices SET ack_n = ack_n + 1 WHERE id = $1`, notice)
	return err == nil, err
}

// ReadNoticeInbox marks person's inbox messages about a notice read.
func (tx *Tx) ReadNoticeInbox(ctx context.Context, notice, person int64) error {
	// The inbox keeps the notice's id in its JSON arguments: "notice":12, or "notice":12}.
	key := `%"notice":` + itoa64(notice)
	_, err := tx.ExecContext(ctx, `UPDATE inbox SET read_at = $4 WHERE person_id = $1 AND read_at = 0 AND kind IN ('notice', 'notice_reminder')
		AND (args LIKE $2 OR args LIKE $3)`, person, key+",%", key+"}%", tx.now)
	if err == nil {
		tx.change.Inbox = append(tx.change.Inbox, person)
	}
	return err
}

func itoa64(n int64) string { return itoa(int(n)) }

// NoticeCounts returns a notice's recipients, read and acknowledged counts, as stored now.
func (tx *Tx) NoticeCounts(ctx context.Context, notice int64) (total, read, acked int, err error) {
	err = tx.QueryRowContext(ctx, `SELECT recipients, read_n, ack_n FROM notices WHERE id = $1`, notice).Scan(&total, &read, &acked)
	return
}

// Receipts lists a notice's recipients — those who have not acknowledged
// first, then by name — with the total.
func (db *DB) Receipts(ctx context.Context, notice int64, p Page) ([]Receipt, int, error) {
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM notice_recipients WHERE notice_id = $1`, notice).Scan(&total); err != nil {
		return nil, 0, err
	}
	p = p.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT r.person_id, p.name, p.username, r.read_at, r.acked_at FROM notice_recipients r JOIN people p ON p.id = r.person_id
		WHERE r.notice_id = $1 ORDER BY CASE WHEN r.acked_at = 0 THEN 0 ELSE 1 END, p.name, r.person_id LIMIT `+itoa(p.Size)+` OFFSET `+itoa(p.Offset()), notice)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (Receipt, error) {
		var r Receipt
		var read, acked int64
		err := sc.Scan(&r.PersonID, &r.Name, &r.Username, &read, &acked)
		r.ReadAt, r.AckedAt = fromMS(read), fromMS(acked)
		return r, err
	})
	return list, total, err
}

// EachReceipt calls fn for every recipient of a notice in the Receipts order (for the Excel export).
func (db *DB) EachReceipt(ctx context.Context, notice int64, fn func(Receipt) error) error {
	for page := 1; ; page++ {
		list, total, err := db.Receipts(ctx, notice, Page{Page: page, Size: 100})
		if err != nil {
			return err
		}
		for _, r := range list {
			if err := fn(r); err != nil {
				return err
			}
		}
		if page*100 >= total {
			return nil
		}
	}
}

// Outstanding lists the recipients of a notice who have not acknowledged it.
func (tx *Tx) Outstanding(ctx context.Context, notice int64) ([]int64, error) {
	return queryIDs(ctx, tx, `SELECT person_id FROM notice_recipients WHERE notice_id = $1 AND acked_at = 0 ORDER BY person_id`, notice)
}

// SetReminded records a reminder of the notice sent now, if the last was
// before since; it reports whether it did (a concurrent reminder loses).
func (tx *Tx) SetReminded(ctx context.Context, notice int64, since time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE notices SET reminded_at = $2 WHERE id = $1 AND reminded_at <= $3`, notice, tx.now, ms(since))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Upload is an attachment as uploaded, before a notice takes it.
type Upload struct {
	ID       int64
	PersonID int64
	File     messages.File
}

// AddUpload records an uploaded file and sets its id.
func (tx *Tx) AddUpload(ctx context.Context, u *Upload) error {
	return tx.QueryRowContext(ctx, `INSERT INTO uploads (file_id, person_id, name, type, size, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.File.ID, u.PersonID, u.File.Name, string(u.File.Type), u.File.Size, tx.now).Scan(&u.ID)
}

// UploadsOf returns person's uploads among ids, in the order of ids; others are left out.
func (db *DB) UploadsOf(ctx context.Context, person int64, ids []int64) ([]Upload, error) {
	var out []Upload
	for _, id := range ids {
		u := Upload{ID: id, PersonID: person}
		err := db.r.QueryRowContext(ctx, `SELECT file_id, name, type, size FROM uploads WHERE id = $1 AND person_id = $2`, id, person).
			Scan(&u.File.ID, &u.File.Name, &u.File.Type, &u.File.Size)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// NoticeFile returns attachment position pos of a notice.
func (db *DB) NoticeFile(ctx context.Context, notice int64, pos int) (messages.File, error) {
	var f messages.File
	err := db.r.QueryRowContext(ctx, `SELECT file_id, name, type, size FROM notice_files WHERE notice_id = $1 AND position = $2`, notice, pos).
		Scan(&f.ID, &f.Name, &f.Type, &f.Size)
	if isNoRows(err) {
		return f, apperr.ErrNotFound
	}
	return f, err
}
