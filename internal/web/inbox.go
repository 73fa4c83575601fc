package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
)

// inboxRow is one message of the inbox, with its kind in words.
type inboxRow struct {
	store.InboxItem
	Label    string
	LetterID int64 // for letter reminders: the letter to open
	// Open is the page an inspection's message opens (the sheet, the week or the problem).
	Open     string
	NoticeID int64 // for notices and their reminders: the notice to open
}

// inboxData is the signed-in person's in-app inbox.
type inboxData struct {
	Page
	Rows       []inboxRow
	Total      int
	Pager      pager
	UnreadOnly bool
}

// inboxKindLabel names a message kind (inbox.kind.assigned, …), with a
// general label for kinds added later.
func inboxKindLabel(p locale.Printer, kind string) string {
	if key := "inbox.kind." + kind; locale.Has(p.Lang, key) || locale.Has(locale.Languages[0], key) {
		return p.T(key)
	}
	return p.T("inbox.kind.other")
}

// inboxPage lists the person's messages, newest first; ?unread=1 shows only the unread ones.
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	q := r.URL.Query()
	data := inboxData{Page: s.page(r, "inbox.title"), UnreadOnly: q.Get("unread") == "1"}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()
	items, total, err := s.app.DB.Inbox(r.Context(), u.PersonID, data.UnreadOnly, page)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := printer(r)
	for _, it := range items {
		row := inboxRow{InboxItem: it, Label: inboxKindLabel(p, it.Kind)}
		if it.Kind == string(notify.NoticePublished) || it.Kind == string(notify.NoticeReminder) {
			var args struct {
				Notice int64 `json:"notice"`
			}
			if json.Unmarshal([]byte(it.Args), &args) == nil {
				row.NoticeID = args.Notice
			}
		}
		if it.Kind == string(notify.LetterReminder) {
			var args struct {
				Letter int64 `json:"letter"`
			}
			if json.Unmarshal([]byte(it.Args), &args) == nil {
				row.LetterID = args.Letter
			}
		}
		row.Open = inspectInboxLink(it)
		data.Rows = append(data.Rows, row)
	}
	data.Total = total
	data.Pager = newPager(r, page.Page, page.Size, total)
	s.render(w, r, http.StatusOK, "inbox", data)
}

// caseNumberRe is the shape of a case number (XG-20261128-0042), checked
// before it goes into a redirect.
var caseNumberRe = regexp.MustCompile(`^[A-Za-z0-9]{1,16}-[0-9]{8}-[0-9]{1,8}$`)

// inboxRead marks messages read: all=1 marks every one; id marks one and,
// with the message's case number, opens that case.
func (s *Server) inboxRead(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	ctx := r.Context()
	if r.PostFormValue("all") == "1" {
		if err := s.app.DB.MarkRead(ctx, u.PersonID, 0); err != nil {
			s.serverError(w, r, err)
			return
		}
		setFlash(w, "flash.inbox_read")
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return
	}
	// MarkRead touches only the person's own messages.
	if err := s.app.DB.MarkRead(ctx, u.PersonID, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	if id, err := strconv.ParseInt(r.PostFormValue("notice"), 10, 64); err == nil && id > 0 {
		http.Redirect(w, r, "/notices/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	if id, err := strconv.ParseInt(r.PostFormValue("letter"), 10, 64); err == nil && id > 0 {
		http.Redirect(w, r, "/letters/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	if o := r.PostFormValue("open"); inspectInboxPath.MatchString(o) {
		http.Redirect(w, r, o, http.StatusSeeOther)
		return
	}
	if n := r.PostFormValue("number"); caseNumberRe.MatchString(n) {
		http.Redirect(w, r, "/cases/"+url.PathEscape(n), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}
