package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/messagesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The work group's notices: the list of those received and sent, composing
// one, reading and acknowledging one, and the sender's live receipts page.

// noticesPage lists notices: those received, or (tab=sent) those sent.
type noticesPage struct {
	Page
	Sent    bool
	CanSend bool
	Mine    []store.NoticeItem
	Out     []messages.Notice
	Pager   pager
	Unacked bool
}

func (s *Server) noticeList(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	q := r.URL.Query()
	data := noticesPage{Page: s.page(r, "messages.notices.title"), Sent: q.Get("tab") == "sent", CanSend: u.CanSomewhere(auth.NoticeSend),
		Unacked: q.Get("unacked") == "1"}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()
	var total int
	var err error
	if data.Sent {
		data.Out, total, err = s.app.Messages.Sent(r.Context(), u, page)
	} else {
		data.Mine, total, err = s.app.Messages.Mine(r.Context(), u, data.Unacked, page)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Pager = newPager(r, page.Page, page.Size, total)
	if q.Get("partial") == "1" {
		s.renderPartial(w, r, "notices", "notice-list", data)
		return
	}
	s.render(w, r, http.StatusOK, "notices", data)
}

// personChoice is one person the compose form offers by name.
type personChoice struct {
	ID      int64
	Label   string
	Checked bool
}

// personGroup is the people of one role and level (the communities' leaders, say).
type personGroup struct {
	Key    string
	Label  string
	People []personChoice
}

// composePage is the form of a new notice.
type composePage struct {
	Page
	In         messages.NoticeInput
	RoleValues []string // the roles ticked
	ByName     bool
	Roles      []people.Role
	Regions    []option
	Groups     []personGroup
}

// audienceRoles are the roles the compose form offers.
var audienceRoles = []people.Role{people.Leader, people.Inspector, people.Patroller, people.Volunteer, people.UnitContact}

func (s *Server) composeData(r *http.Request, in messages.NoticeInput, byName bool) (composePage, error) {
	u := userOf(r)
	ctx := r.Context()
	p := printer(r)
	data := composePage{Page: s.page(r, "messages.compose.title"), In: in, ByName: byName, Roles: audienceRoles}
	for _, role := range in.Audience.Roles {
		data.RoleValues = append(data.RoleValues, string(role))
	}
	rs, err := s.app.Messages.AudienceRegions(ctx, u)
	if err != nil {
		return data, err
	}
	for _, rg := range rs {
		data.Regions = append(data.Regions, option{Value: rg.Code, Label: rg.Name})
	}
	names, err := s.app.RegionNames(ctx)
	if err != nil {
		return data, err
	}
	// Named people: the leaders and inspectors of the sender's regions, by role and level.
	roots := u.Scopes(auth.NoticeSend)
	groups := map[string]*personGroup{}
	var order []string
	for _, role := range []people.Role{people.Leader, people.Inspector} {
		for page := 1; page <= 5; page++ {
			ps, total, err := s.app.DB.People(ctx, store.PeopleFilter{All: u.Can(auth.NoticeSend, auth.Target{}), Roots: roots, Role: string(role),
				Page: store.Page{Page: page, Size: 100}})
			if err != nil {
				return data, err
			}
			for _, person := range ps {
				if person.ID == u.PersonID || !person.Active {
					continue
				}
				for _, as := range person.Roles {
					if as.Role != role || !u.Can(auth.NoticeSend, auth.Target{Region: as.Region}) {
						continue
					}
					lv := region.LevelOf(as.Region)
					key := fmt.Sprintf("%s-%d", role, lv)
					g := groups[key]
					if g == nil {
						g = &personGroup{Key: key, Label: p.T(fmt.Sprintf("region.level.%d", lv)) + " · " + p.T("role."+string(role))}
						groups[key] = g
						order = append(order, key)
					}
					g.People = append(g.People, personChoice{ID: person.ID, Label: person.Name + "（" + names(as.Region) + "）",
						Checked: slices.Contains(in.Audience.People, person.ID)})
					break
				}
			}
			if page*100 >= total {
				break
			}
		}
	}
	slices.Sort(order)
	for _, k := range order {
		data.Groups = append(data.Groups, *groups[k])
	}
	return data, nil
}

func (s *Server) noticeNew(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.NoticeSend) {
		s.forbidden(w, r)
		return
	}
	data, err := s.composeData(r, messages.NoticeInput{Receipt: true}, r.URL.Query().Get("by") == "name")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "notice_new", data)
}

// MaxComposeUpload bounds the compose form: its text and up to ten attachments.
const MaxComposeUpload = 64<<20 + 1<<20

// noticeCreate publishes a notice from the compose form: its attachments
// are checked and stored first, then the notice goes out; errors show on
// the form again (attachments must then be chosen again).
func (s *Server) noticeCreate(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.NoticeSend) {
		s.forbidden(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxComposeUpload)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		s.composeError(w, r, messages.NoticeInput{}, false, apperr.Field("files", "err.messages.file_large", messages.MaxFileBytes>>20))
		return
	}
	f := r.MultipartForm.Value
	first := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	in := messages.NoticeInput{Title: first("title"), Body: first("body"), Receipt: first("receipt") == "1", Due: first("due")}
	byName := first("by") == "name"
	if byName {
		for _, v := range f["people"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				in.Audience.People = append(in.Audience.People, id)
			}
		}
		if len(in.Audience.People) == 0 {
			s.composeError(w, r, in, byName, apperr.Field("people", "err.required"))
			return
		}
	} else {
		for _, v := range f["roles"] {
			in.Audience.Roles = append(in.Audience.Roles, people.Role(v))
		}
		in.Audience.Regions = f["regions"]
	}
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		file, err := fh.Open()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		up, err := s.app.Messages.Upload(r.Context(), s.actor(r), u, fh.Filename, file)
		file.Close()
		if err != nil {
			s.composeError(w, r, in, byName, err)
			return
		}
		in.Files = append(in.Files, strconv.FormatInt(up.ID, 10))
	}
	n, err := s.app.Messages.Publish(r.Context(), s.actor(r), u, in)
	if err != nil {
		in.Files = nil
		s.composeError(w, r, in, byName, err)
		return
	}
	setFlash(w, "messages.flash.sent")
	http.Redirect(w, r, fmt.Sprintf("/notices/%d/receipts", n.ID), http.StatusSeeOther)
}

func (s *Server) composeError(w http.ResponseWriter, r *http.Request, in messages.NoticeInput, byName bool, err error) {
	if apperr.As(err).Code == apperr.Internal {
		s.serverError(w, r, err)
		return
	}
	data, derr := s.composeData(r, in, byName)
	if derr != nil {
		s.serverError(w, r, derr)
		return
	}
	data.withError(printer(r), err)
	s.render(w, r, statusFor(err), "notice_new", data)
}

// noticePage shows one notice to a recipient, its sender or an overseer.
type noticePage struct {
	Page
	N      messagesvc.NoticeView
	Blocks []messages.Block
	Files  []fileLink
	CanAck bool
	Acked  bool
}

// fileLink is an attachment as the notice page lists it.
type fileLink struct {
	Href, Name, Size string
}

// sizeLabel writes a file size in KB or MB.
func sizeLabel(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func (s *Server) noticeDetail(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	v, err := s.app.Messages.Open(r.Context(), s.actor(r), userOf(r), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := noticePage{Page: s.page(r, "messages.notice"), N: v, Blocks: messages.Blocks(v.Body),
		CanAck: v.Can(messages.ActAck) && v.Receipt && v.Mine.AckedAt.IsZero(), Acked: !v.Mine.AckedAt.IsZero()}
	data.Title = v.Title
	for i, f := range v.Files {
		data.Files = append(data.Files, fileLink{Href: fmt.Sprintf("/notices/%d/files/%d", v.ID, i+1), Name: f.Name, Size: sizeLabel(f.Size)})
	}
	s.render(w, r, http.StatusOK, "notice", data)
}

// pageError shows a service error as the page for its code.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	switch apperr.As(err).Code {
	case apperr.NotFound:
		s.notFound(w, r)
	case apperr.Forbidden:
		s.forbidden(w, r)
	case apperr.Internal:
		s.serverError(w, r, err)
	default:
		pg := s.page(r, "err.invalid")
		s.render(w, r, statusFor(err), "error", errorPage{Page: pg, Message: printer(r).Error(err)})
	}
}

func (s *Server) noticeAck(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.app.Messages.Ack(r.Context(), s.actor(r), userOf(r), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	setFlash(w, "messages.flash.acked")
	http.Redirect(w, r, fmt.Sprintf("/notices/%d", id), http.StatusSeeOther)
}

// receiptsPage is the sender's view of who has read and acknowledged; it
// updates itself as receipts come in (messages.js, on the live stream).
type receiptsPage struct {
	Page
	R         messagesvc.Receipts
	Pager     pager
	CanRemind bool
	RemindAt  time.Time // when a reminder is next allowed, zero when now
}

func (s *Server) noticeReceipts(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := userOf(r)
	page := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 50}.Clamp()
	rc, err := s.app.Messages.Receipts(r.Context(), u, id, page)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := receiptsPage{Page: s.page(r, "messages.receipts.title"), R: rc, Pager: newPager(r, page.Page, page.Size, rc.Total)}
	now := s.app.Messages.Now()
	data.CanRemind = rc.Notice.Receipt && rc.Notice.Outstanding() > 0
	if !rc.Notice.RemindedAt.IsZero() && now.Sub(rc.Notice.RemindedAt) < messages.RemindEvery {
		data.RemindAt = rc.Notice.RemindedAt.Add(messages.RemindEvery)
	}
	if r.URL.Query().Get("partial") == "1" {
		s.renderPartial(w, r, "notice_receipts", "receipts", data)
		return
	}
	s.render(w, r, http.StatusOK, "notice_receipts", data)
}

func (s *Server) noticeRemind(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	n, err := s.app.Messages.Remind(r.Context(), s.actor(r), userOf(r), id)
	switch {
	case apperr.Is(err, apperr.TooMany), apperr.Is(err, apperr.Conflict):
		setFlash(w, apperr.As(err).Msg.Key)
	case err != nil:
		s.pageError(w, r, err)
		return
	case n > 0:
		setFlash(w, "messages.flash.reminded")
	}
	http.Redirect(w, r, fmt.Sprintf("/notices/%d/receipts", id), http.StatusSeeOther)
}

func (s *Server) noticeReceiptsXLSX(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	p := printer(r)
	var buf bytes.Buffer
	n, err := s.app.Messages.ExportReceipts(r.Context(), &buf, p, userOf(r), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"receipts.xlsx\"; filename*=UTF-8''"+
		url.PathEscape(p.T("messages.receipts.filename", messages.Shorten(n.Title, 30))+".xlsx"))
	w.Write(buf.Bytes())
}

func (s *Server) noticeFile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	pos, err := strconv.Atoi(r.PathValue("n"))
	if !ok || err != nil || pos < 1 || pos > messages.MaxNoticeFiles {
		s.notFound(w, r)
		return
	}
	f, rc, err := s.app.Messages.File(r.Context(), userOf(r), id, pos)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer rc.Close()
	disp := "attachment"
	if f.Type.Image() || f.Type == messages.PDF {
		disp = "inline"
	}
	w.Header().Set("Content-Type", f.Type.ContentType())
	w.Header().Set("Content-Disposition", disp+"; filename=\"file\"; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", time.Time{}, rc)
}
