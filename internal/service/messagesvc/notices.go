package messagesvc

import (
	"bytes"
	"context"
	"io"
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Upload checks an attachment by its content against what its name says
// (a PDF, Word or Excel file, or an image; at most 20 MB), stores it and
// records it as p's upload, for a notice p composes next. Images go through
// the photo package's checks and are kept as their cleaned display JPEG.
func (s *Service) Upload(ctx context.Context, who store.Actor, p *auth.Principal, name string, r io.Reader) (store.Upload, error) {
	if !p.CanSomewhere(auth.NoticeSend) {
		return store.Upload{}, apperr.ErrForbidden
	}
	name = cleanName(name)
	t, err := messages.Claimed(name)
	if err != nil {
		return store.Upload{}, err
	}
	data, err := readAll(r, messages.MaxFileBytes, "file")
	if err != nil {
		return store.Upload{}, err
	}
	if t.Image() {
		proc, err := photo.Process(bytes.NewReader(data), photo.Limits{MaxBytes: messages.MaxFileBytes, Location: s.Loc})
		if err != nil {
			return store.Upload{}, photoErr(err, "file")
		}
		if messages.FileType(proc.Format) != t {
			return store.Upload{}, apperr.Field("file", "err.messages.file_mismatch")
		}
		data, t = proc.Display, messages.JPEG
	} else if err := messages.CheckDocument(t, data); err != nil {
		return store.Upload{}, err
	}
	id, err := s.Files.Put(data)
	if err != nil {
		return store.Upload{}, err
	}
	u := store.Upload{PersonID: p.PersonID, File: messages.File{ID: id, Name: name, Type: t, Size: int64(len(data))}}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.AddUpload(ctx, &u); err != nil {
			return err
		}
		return tx.Audit(ctx, "upload", u.ID, "upload", nil, map[string]any{"name": name, "type": t, "size": u.File.Size, "file": id})
	})
	return u, err
}

// cleanName keeps the last element of an uploaded file's name, at most 120 characters.
func cleanName(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' || name[i] == '\\' {
			name = name[i+1:]
			break
		}
	}
	return messages.Shorten(name, 120)
}

// Publish sends a notice: it finds the recipients (the audience's roles in
// its regions, or the people named, never the sender), stores the notice
// with a receipt row each, and tells them in the same transaction — inbox,
// outbound channels of its region subscribed to "notice", and the e-mail
// of those who asked for it. Regions and people outside the sender's reach
// are refused as if they did not exist; an audience that selects nobody is
// a field error.
func (s *Service) Publish(ctx context.Context, who store.Actor, p *auth.Principal, in messages.NoticeInput) (messages.Notice, error) {
	if !p.CanSomewhere(auth.NoticeSend) {
		return messages.Notice{}, apperr.ErrForbidden
	}
	in.Normalize()
	if err := in.Validate(s.today()); err != nil {
		return messages.Notice{}, err
	}
	for _, code := range in.Audience.Regions {
		if !p.Can(auth.NoticeSend, auth.Target{Region: code}) {
			return messages.Notice{}, apperr.Field("regions", "err.region_unknown")
		}
		if _, err := s.DB.Region(ctx, code); apperr.Is(err, apperr.NotFound) {
			return messages.Notice{}, apperr.Field("regions", "err.region_unknown")
		} else if err != nil {
			return messages.Notice{}, err
		}
	}
	if len(in.Audience.People) > 0 {
		ok, err := s.DB.PeopleInScope(ctx, in.Audience.People, p.Can(auth.NoticeSend, auth.Target{}), p.Scopes(auth.NoticeSend))
		if err != nil {
			return messages.Notice{}, err
		}
		if len(ok) != len(in.Audience.People) {
			return messages.Notice{}, apperr.Field("people", "err.messages.people_unknown")
		}
	}
	n := messages.Notice{Title: in.Title, Body: in.Body, Audience: in.Audience, Receipt: in.Receipt, Due: in.Due,
		Region: messages.NoticeRegion(in.Audience, firstScope(p, auth.NoticeSend)), SenderID: p.PersonID, SenderName: p.Name}
	if len(in.Files) > 0 {
		ids := make([]int64, 0, len(in.Files))
		for _, f := range in.Files {
			id, err := parseID(f)
			if err != nil {
				return n, apperr.Field("files", "err.messages.file_unknown")
			}
			ids = append(ids, id)
		}
		ups, err := s.DB.UploadsOf(ctx, p.PersonID, ids)
		if err != nil {
			return n, err
		}
		if len(ups) != len(ids) {
			return n, apperr.Field("files", "err.messages.file_unknown")
		}
		for _, u := range ups {
			n.Files = append(n.Files, u.File)
		}
	}
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		recipients := in.Audience.People
		if len(recipients) == 0 {
			var err error
			if recipients, err = tx.AudiencePeople(ctx, in.Audience.Roles, in.Audience.Regions); err != nil {
				return err
			}
		}
		recipients = slices.DeleteFunc(slices.Clone(recipients), func(id int64) bool { return id == p.PersonID })
		if len(recipients) == 0 {
			return apperr.Field("audience", "err.messages.audience_empty")
		}
		if err := tx.CreateNotice(ctx, &n, recipients); err != nil {
			return err
		}
		args := map[string]any{"notice": n.ID, "title": n.Title, "sender": n.SenderName, "receipt": n.Receipt, "due": n.Due,
			"excerpt": messages.Shorten(n.Body, 120)}
		if _, err := tx.Notify(ctx, notify.Event{Kind: notify.NoticePublished, Record: notify.Record{Kind: "notice", ID: n.ID, Ref: n.Title, Region: n.Region},
			Subject: notify.Subject{People: recipients, Region: n.Region, Actor: p.PersonID}, Args: args}); err != nil {
			return err
		}
		tx.Signal(store.Live{Name: "notice", People: recipients, Data: map[string]any{"id": n.ID, "title": n.Title, "change": "new"}})
		return tx.Audit(ctx, "notice", n.ID, "publish", nil, map[string]any{"title": n.Title, "region": n.Region, "recipients": len(recipients),
			"receipt": n.Receipt, "due": n.Due, "files": len(n.Files)})
	})
	return n, err
}

// relation is how p stands to notice n (0: not at all).
func (s *Service) relation(ctx context.Context, p *auth.Principal, n messages.Notice) (messages.Relation, store.Receipt, error) {
	var rel messages.Relation
	rc, got, err := s.DB.ReceiptOf(ctx, n.ID, p.PersonID)
	if err != nil {
		return 0, rc, err
	}
	if got {
		rel |= messages.Recipient
	}
	if n.SenderID == p.PersonID {
		rel |= messages.Sender
	}
	if p.Can(auth.NoticeOversee, auth.Target{Region: n.Region}) {
		rel |= messages.Overseer
	}
	return rel, rc, nil
}

// NoticeView is a notice as one person sees it: their own receipt and what they may do.
type NoticeView struct {
	messages.Notice
	Mine    store.Receipt
	Rel     messages.Relation
	Actions []messages.NoticeAction
}

// Can reports whether the viewer may take action a.
func (v NoticeView) Can(a messages.NoticeAction) bool { return slices.Contains(v.Actions, a) }

// Open shows notice id to p (404 unless p received, sent or oversees it).
// A recipient's first opening records "read", tells the sender's live
// receipts page, and marks the inbox message read.
func (s *Service) Open(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (NoticeView, error) {
	n, err := s.DB.Notice(ctx, id)
	if err != nil {
		return NoticeView{}, err
	}
	rel, rc, err := s.relation(ctx, p, n)
	if err != nil {
		return NoticeView{}, err
	}
	if err := messages.DecideNotice(rel, messages.ActOpen, n, s.Now()); err != nil {
		return NoticeView{}, err
	}
	if rel&messages.Recipient != 0 && rc.ReadAt.IsZero() {
		err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
			first, err := tx.MarkNoticeRead(ctx, n.ID, p.PersonID)
			if err != nil || !first {
				return err
			}
			if err := tx.ReadNoticeInbox(ctx, n.ID, p.PersonID); err != nil {
				return err
			}
			if err := s.signalReceipt(ctx, tx, n); err != nil {
				return err
			}
			return tx.Audit(ctx, "notice", n.ID, "read", nil, nil)
		})
		if err != nil {
			return NoticeView{}, err
		}
		if n, err = s.DB.Notice(ctx, id); err != nil {
			return NoticeView{}, err
		}
		rc.ReadAt = s.Now()
	}
	return NoticeView{Notice: n, Mine: rc, Rel: rel, Actions: messages.Allowed(rel, n, s.Now())}, nil
}

// signalReceipt tells the sender's open streams the notice's new counts.
func (s *Service) signalReceipt(ctx context.Context, tx *store.Tx, n messages.Notice) error {
	total, read, acked, err := tx.NoticeCounts(ctx, n.ID)
	if err != nil {
		return err
	}
	tx.Signal(store.Live{Name: "notice", People: []int64{n.SenderID}, Data: map[string]any{"id": n.ID, "change": "receipt",
		"read": read, "acknowledged": acked, "total": total}})
	return nil
}

// Ack records p's receipt (回执) of notice id: 404 when p did not receive
// it; acknowledging again changes nothing (the first time is kept).
func (s *Service) Ack(ctx context.Context, who store.Actor, p *auth.Principal, id int64) error {
	n, err := s.DB.Notice(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return err
	}
	rel, _, err := s.relation(ctx, p, n)
	if err != nil {
		return err
	}
	if err := messages.DecideNotice(rel, messages.ActAck, n, s.Now()); err != nil {
		return err
	}
	return s.DB.Write(ctx, who, func(tx *store.Tx) error {
		first, err := tx.AckNotice(ctx, n.ID, p.PersonID)
		if err != nil || !first {
			return err
		}
		if err := tx.ReadNoticeInbox(ctx, n.ID, p.PersonID); err != nil {
			return err
		}
		if err := s.signalReceipt(ctx, tx, n); err != nil {
			return err
		}
		return tx.Audit(ctx, "notice", n.ID, "ack", nil, nil)
	})
}

// Receipts is who has read and acknowledged a notice.
type Receipts struct {
	Notice messages.Notice
	Items  []store.Receipt
	Total  int // recipients
	Read   int
	Acked  int
}

// Receipts lists notice id's recipients for its sender or an overseer (404 for others who cannot see it, 403 for recipients).
func (s *Service) Receipts(ctx context.Context, p *auth.Principal, id int64, page store.Page) (Receipts, error) {
	n, err := s.receiptsNotice(ctx, p, id, messages.ActReceipts)
	if err != nil {
		return Receipts{}, err
	}
	items, total, err := s.DB.Receipts(ctx, id, page)
	if err != nil {
		return Receipts{}, err
	}
	return Receipts{Notice: n, Items: items, Total: total, Read: n.Read, Acked: n.Acked}, nil
}

func (s *Service) receiptsNotice(ctx context.Context, p *auth.Principal, id int64, a messages.NoticeAction) (messages.Notice, error) {
	n, err := s.DB.Notice(ctx, id)
	if err != nil {
		return n, err
	}
	rel, _, err := s.relation(ctx, p, n)
	if err != nil {
		return n, err
	}
	return n, messages.DecideNotice(rel, a, n, s.Now())
}

// Remind tells those who have not acknowledged notice id again (inbox and
// their e-mail), at most once an hour; it returns how many it reminded.
func (s *Service) Remind(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (int, error) {
	n, err := s.receiptsNotice(ctx, p, id, messages.ActRemind)
	if err != nil {
		return 0, err
	}
	now := s.Now()
	count := 0
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		ok, err := tx.SetReminded(ctx, n.ID, now.Add(-messages.RemindEvery))
		if err != nil {
			return err
		}
		if !ok {
			return apperr.TooManyFor(messages.RemindEvery, "err.messages.remind_wait")
		}
		out, err := tx.Outstanding(ctx, n.ID)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			return apperr.New(apperr.Conflict, "err.messages.none_outstanding")
		}
		count = len(out)
		args := map[string]any{"notice": n.ID, "title": n.Title, "sender": n.SenderName, "due": n.Due}
		if _, err := tx.Notify(ctx, notify.Event{Kind: notify.NoticeReminder, Record: notify.Record{Kind: "notice", ID: n.ID, Ref: n.Title, Region: n.Region},
			Subject: notify.Subject{People: out, Region: n.Region, Actor: p.PersonID}, Args: args}); err != nil {
			return err
		}
		tx.Signal(store.Live{Name: "notice", People: out, Data: map[string]any{"id": n.ID, "title": n.Title, "change": "reminder"}})
		return tx.Audit(ctx, "notice", n.ID, "remind", nil, map[string]any{"reminded": count})
	})
	return count, err
}

// Mine lists the notices p received, newest first.
func (s *Service) Mine(ctx context.Context, p *auth.Principal, unacked bool, page store.Page) ([]store.NoticeItem, int, error) {
	return s.DB.MyNotices(ctx, p.PersonID, unacked, page)
}

// Sent lists the notices p sent, and for an overseer those of their regions, newest first.
func (s *Service) Sent(ctx context.Context, p *auth.Principal, page store.Page) ([]messages.Notice, int, error) {
	f := store.SentFilter{Sender: p.PersonID, All: p.Can(auth.NoticeOversee, auth.Target{}), Roots: p.Scopes(auth.NoticeOversee), Page: page}
	return s.DB.SentNotices(ctx, f)
}

// File opens attachment pos (1-based) of notice id for someone who may open the notice.
func (s *Service) File(ctx context.Context, p *auth.Principal, id int64, pos int) (messages.File, io.ReadSeekCloser, error) {
	n, err := s.DB.Notice(ctx, id)
	if err != nil {
		return messages.File{}, nil, err
	}
	rel, _, err := s.relation(ctx, p, n)
	if err != nil {
		return messages.File{}, nil, err
	}
	if err := messages.DecideNotice(rel, messages.ActOpen, n, s.Now()); err != nil {
		return messages.File{}, nil, err
	}
	f, err := s.DB.NoticeFile(ctx, id, pos)
	if err != nil {
		return f, nil, err
	}
	rc, err := s.Files.Open(f.ID)
	return f, rc, err
}

// AudienceRegions lists the regions p may send notices to (their scopes
// and everything under them down to communities), for the compose form.
func (s *Service) AudienceRegions(ctx context.Context, p *auth.Principal) ([]region.Region, error) {
	all, err := s.DB.Regions(ctx, p.Scopes(auth.NoticeSend), false)
	if err != nil {
		return nil, err
	}
	var out []region.Region
	for _, r := range all {
		if r.Level <= region.Community && p.Can(auth.NoticeSend, auth.Target{Region: r.Code}) {
			out = append(out, r)
		}
	}
	return out, nil
}
