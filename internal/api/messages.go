package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/live"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/service/messagesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The work group: notices with receipts, the feed, outbound channels and
// their outbox, one's own delivery settings, and the live event stream.

// messageRoutes are the work group's endpoints.
func (a *API) messageRoutes() []route {
	list := pageParams
	return []route{
		{Method: "POST", Path: "/api/v1/notices", Handler: a.publishNotice, Summary: "Send a notice to roles within regions, or to named people (422 when the audience selects nobody)", Body: "NoticeInput", Resp: "NoticeCreated", Status: 201},
		{Method: "GET", Path: "/api/v1/notices", Handler: a.myNotices, Summary: "Notices I received, newest first, with whether I read and acknowledged each", Query: append([]string{"unacked"}, list...), Resp: "NoticeList", Status: 200},
		{Method: "GET", Path: "/api/v1/notices/sent", Handler: a.sentNotices, Summary: "Notices I sent (and, for admins, those of my regions), with their counts", Query: list, Resp: "NoticeList", Status: 200},
		{Method: "GET", Path: "/api/v1/notices/{id}", Handler: a.getNotice, Summary: "One notice; a recipient's first opening records it read", Resp: "Notice", Status: 200},
		{Method: "POST", Path: "/api/v1/notices/{id}/ack", Handler: a.ackNotice, Summary: "Acknowledge a notice I received (again: 200, the first time kept; 404 when not mine)", Resp: "Notice", Status: 200},
		{Method: "GET", Path: "/api/v1/notices/{id}/receipts", Handler: a.noticeReceipts, Summary: "Who read and acknowledged a notice I sent (those outstanding first)", Query: list, Resp: "ReceiptList", Status: 200},
		{Method: "GET", Path: "/api/v1/notices/{id}/receipts.xlsx", Handler: a.noticeReceiptsXLSX, Summary: "The receipts as an Excel workbook", Resp: "xlsx", Status: 200},
		{Method: "POST", Path: "/api/v1/notices/{id}/remind", Handler: a.remindNotice, Summary: "Remind those who have not acknowledged (at most once an hour: 429 with Retry-After)", Resp: "Reminded", Status: 200},
		{Method: "GET", Path: "/api/v1/notices/{id}/files/{n}", Handler: a.noticeFile, Summary: "Attachment n (1-based) of a notice I may open", Resp: "file", Status: 200},
		{Method: "POST", Path: "/api/v1/notice-files", Handler: a.uploadNoticeFile, Summary: "Upload an attachment for a notice (multipart field file: PDF, Word, Excel or an image, at most 20 MB, checked by content)", Body: "multipart:FileUpload", Resp: "Upload", Status: 201},

		{Method: "GET", Path: "/api/v1/posts", Handler: a.listPosts, Summary: "The feed: posts of my regions, the regions below and above them, newest first", Query: append([]string{"region"}, list...), Resp: "PostList", Status: 200},
		{Method: "POST", Path: "/api/v1/posts", Handler: a.createPost, Summary: "Post to the feed of one of my regions, with up to 9 photos I uploaded", Body: "PostInput", Resp: "Post", Status: 201},
		{Method: "POST", Path: "/api/v1/posts/photos", Handler: a.uploadPostPhoto, Summary: "Upload a photo for a post (multipart field photo)", Body: "multipart", Resp: "PhotoRef", Status: 201},
		{Method: "POST", Path: "/api/v1/posts/share", Handler: a.shareCase, Summary: "Share a closed case to its community's feed, linked to it (409 unless closed)", Body: "ShareInput", Resp: "Post", Status: 201},
		{Method: "GET", Path: "/api/v1/posts/{id}", Handler: a.getPost, Summary: "One post", Resp: "Post", Status: 200},
		{Method: "GET", Path: "/api/v1/posts/{id}/photos/{photo}", Handler: a.postPhoto, Summary: "A post's photo (thumb=1 for the thumbnail)", Query: []string{"thumb"}, Resp: "jpeg", Status: 200},
		{Method: "GET", Path: "/api/v1/posts/{id}/comments", Handler: a.listComments, Summary: "A post's comments, oldest first", Query: list, Resp: "CommentList", Status: 200},
		{Method: "POST", Path: "/api/v1/posts/{id}/comments", Handler: a.addComment, Summary: "Comment on a post", Body: "CommentInput", Resp: "Comment", Status: 201},

		{Method: "GET", Path: "/api/v1/channels", Handler: a.listChannels, Summary: "Outbound channels of my regions (admins all, leaders their regions'; others 403); secrets are never returned", Query: list, Resp: "ChannelList", Status: 200},
		{Method: "POST", Path: "/api/v1/channels", Handler: a.createChannel, Summary: "Add a channel: WeCom or DingTalk group robot, SMTP server or signed JSON webhook", Body: "ChannelInput", Resp: "Channel", Status: 201},
		{Method: "GET", Path: "/api/v1/channels/{id}", Handler: a.getChannel, Summary: "One channel with its delivery state", Resp: "Channel", Status: 200},
		{Method: "PATCH", Path: "/api/v1/channels/{id}", Handler: a.patchChannel, Summary: "Change a channel (enable or disable it; an empty url or secret keeps the stored one)", Body: "ChannelPatch", Resp: "Channel", Status: 200},
		{Method: "POST", Path: "/api/v1/channels/{id}/test", Handler: a.testChannel, Summary: "Send a test message through the outbox (409 when the channel is disabled)", Status: 202},
		{Method: "GET", Path: "/api/v1/outbox", Handler: a.listOutbox, Summary: "Outbox messages of my channels, newest first: pending, sent, dead (given up) or discarded", Query: append([]string{"status", "channel"}, list...), Resp: "OutboxList", Status: 200},
		{Method: "POST", Path: "/api/v1/outbox/{id}/retry", Handler: a.retryOutbox, Summary: "Send a dead message again, with a new day of attempts (409 unless dead or discarded)", Resp: "OutboxItem", Status: 200},
		{Method: "POST", Path: "/api/v1/outbox/{id}/discard", Handler: a.discardOutbox, Summary: "Give up a dead message for good (409 unless dead)", Resp: "OutboxItem", Status: 200},

		{Method: "GET", Path: "/api/v1/me/settings", Handler: a.mySettings, Summary: "My delivery settings: which of my notifications are e-mailed to me, quiet hours", Resp: "Settings", Status: 200},
		{Method: "PUT", Path: "/api/v1/me/settings", Handler: a.putMySettings, Summary: "Change my delivery settings", Body: "Settings", Resp: "Settings", Status: 200},
		{Method: "GET", Path: "/api/v1/events", Handler: a.events, Session: true, Summary: "My live events (Server-Sent Events, bearer token or the pages' session): event: inbox {unread}, notice {id,change,…}, post {id,region,…}", Resp: "events", Status: 200},
	}
}

// --- notices ---

type noticeInput struct {
	Title    string            `json:"title"`
	Body     string            `json:"body"`
	Audience messages.Audience `json:"audience"`
	Receipt  bool              `json:"receipt"`
	Due      string            `json:"due"`
	Files    []json64OrString  `json:"files"`
}

// json64OrString is an id that may come as a number or a string.
type json64OrString string

func (j *json64OrString) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	*j = json64OrString(s)
	return nil
}

func (a *API) publishNotice(w http.ResponseWriter, r *http.Request) {
	var in noticeInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	ni := messages.NoticeInput{Title: in.Title, Body: in.Body, Audience: in.Audience, Receipt: in.Receipt, Due: in.Due}
	for _, f := range in.Files {
		ni.Files = append(ni.Files, string(f))
	}
	n, err := a.app.Messages.Publish(r.Context(), a.actor(r), userOf(r), ni)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": n.ID, "recipients": n.Recipients})
}

type fileJSON struct {
	N    int    `json:"n"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

func (a *API) noticeJSON(n messages.Notice) map[string]any {
	var due any
	if n.Due != "" {
		due = n.Due
	}
	files := []fileJSON{}
	for i, f := range n.Files {
		files = append(files, fileJSON{N: i + 1, Name: f.Name, Type: string(f.Type), Size: f.Size, URL: fmt.Sprintf("/api/v1/notices/%d/files/%d", n.ID, i+1)})
	}
	return map[string]any{"id": n.ID, "title": n.Title, "body": n.Body, "sender": map[string]any{"id": n.SenderID, "name": n.SenderName},
		"region": n.Region, "receipt": n.Receipt, "due": due, "created_at": a.rfc(n.CreatedAt), "files": files,
		"counts": map[string]int{"total": n.Recipients, "read": n.Read, "acknowledged": n.Acked}}
}

func (a *API) rfcOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return a.rfc(t)
}

func (a *API) myNotices(w http.ResponseWriter, r *http.Request) {
	items, total, err := a.app.Messages.Mine(r.Context(), userOf(r), r.URL.Query().Get("unacked") == "1", pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, it := range items {
		m := a.noticeJSON(it.Notice)
		delete(m, "body")
		delete(m, "counts")
		m["read"], m["acknowledged"] = !it.ReadAt.IsZero(), !it.AckedAt.IsZero()
		m["read_at"], m["acknowledged_at"] = a.rfcOrNil(it.ReadAt), a.rfcOrNil(it.AckedAt)
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": total})
}

func (a *API) sentNotices(w http.ResponseWriter, r *http.Request) {
	items, total, err := a.app.Messages.Sent(r.Context(), userOf(r), pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, n := range items {
		m := a.noticeJSON(n)
		delete(m, "body")
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": total})
}

func (a *API) viewJSON(v messagesvc.NoticeView) map[string]any {
	m := a.noticeJSON(v.Notice)
	if v.Rel&messages.Recipient != 0 {
		m["read"], m["acknowledged"] = !v.Mine.ReadAt.IsZero(), !v.Mine.AckedAt.IsZero()
		m["read_at"], m["acknowledged_at"] = a.rfcOrNil(v.Mine.ReadAt), a.rfcOrNil(v.Mine.AckedAt)
	}
	if !v.Can(messages.ActReceipts) {
		delete(m, "counts")
	}
	m["actions"] = v.Actions
	return m
}

func (a *API) getNotice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Messages.Open(r.Context(), a.actor(r), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.viewJSON(v))
}

func (a *API) ackNotice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	if err := a.app.Messages.Ack(r.Context(), a.actor(r), p, id); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Messages.Open(r.Context(), a.actor(r), p, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.viewJSON(v))
}

func (a *API) noticeReceipts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rc, err := a.app.Messages.Receipts(r.Context(), userOf(r), id, pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := []map[string]any{}
	for _, it := range rc.Items {
		items = append(items, map[string]any{"person": it.PersonID, "name": it.Name, "read_at": a.rfcOrNil(it.ReadAt), "acknowledged_at": a.rfcOrNil(it.AckedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "read": rc.Read, "acknowledged": rc.Acked, "total": rc.Total})
}

func (a *API) noticeReceiptsXLSX(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pr := printer(r, a.app.Cfg.Lang)
	var buf bytes.Buffer
	n, err := a.app.Messages.ExportReceipts(r.Context(), &buf, pr, userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	serveXLSX(w, pr.T("messages.receipts.filename", messages.Shorten(n.Title, 30)), buf.Bytes())
}

// serveXLSX sends a workbook as an attachment named name (.xlsx added).
func serveXLSX(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"receipts.xlsx\"; filename*=UTF-8''"+url.PathEscape(name+".xlsx"))
	w.Write(b)
}

func (a *API) remindNotice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.app.Messages.Remind(r.Context(), a.actor(r), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"reminded": n})
}

func (a *API) noticeFile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > messages.MaxNoticeFiles {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	f, rc, err := a.app.Messages.File(r.Context(), userOf(r), id, n)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer rc.Close()
	serveFile(w, r, f, rc)
}

// serveFile sends an attachment under its own name, never rendered inline
// except images and PDFs (sniffing is off, and the type is the checked one).
func serveFile(w http.ResponseWriter, r *http.Request, f messages.File, rc interface {
	Read([]byte) (int, error)
	Seek(int64, int) (int64, error)
}) {
	disp := "attachment"
	if f.Type.Image() || f.Type == messages.PDF {
		disp = "inline"
	}
	w.Header().Set("Content-Type", f.Type.ContentType())
	w.Header().Set("Content-Disposition", disp+"; filename=\"file\"; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", time.Time{}, rc)
}

// MaxFileUpload bounds an attachment upload's body: the 20 MB file plus the form around it.
const MaxFileUpload = messages.MaxFileBytes + 64<<10

func (a *API) uploadNoticeFile(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileUpload)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		a.fail(w, r, formFileErr(err, "file", messages.MaxFileBytes>>20))
		return
	}
	defer file.Close()
	u, err := a.app.Messages.Upload(r.Context(), a.actor(r), userOf(r), hdr.Filename, file)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": strconv.FormatInt(u.ID, 10), "name": u.File.Name, "type": u.File.Type, "size": u.File.Size})
}

// formFileErr turns a multipart read failure into 413 (too large) or a missing-field error.
func formFileErr(err error, field string, mb int) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apperr.Error{Code: apperr.TooLarge, Msg: apperr.Msg{Key: "err.messages.file_large", Args: []any{mb}},
			Fields: map[string]apperr.Msg{field: {Key: "err.messages.file_large", Args: []any{mb}}}}
	}
	return apperr.Field(field, "err.required")
}

// --- feed ---

func (a *API) postJSON(p messages.Post) map[string]any {
	photos := []map[string]string{}
	for _, id := range p.Photos {
		u := fmt.Sprintf("/api/v1/posts/%d/photos/%s", p.ID, id)
		photos = append(photos, map[string]string{"id": id, "url": u, "thumb": u + "?thumb=1"})
	}
	var rec any
	if p.RecordKind != "" {
		rec = map[string]string{"kind": p.RecordKind, "id": p.RecordRef}
	}
	return map[string]any{"id": p.ID, "region": p.Region, "author": map[string]any{"id": p.AuthorID, "name": p.AuthorName}, "body": p.Body,
		"photos": photos, "record": rec, "comments": p.Comments, "created_at": a.rfc(p.CreatedAt)}
}

func (a *API) listPosts(w http.ResponseWriter, r *http.Request) {
	list, total, err := a.app.Messages.Feed(r.Context(), userOf(r), r.URL.Query().Get("region"), pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, p := range list {
		out = append(out, a.postJSON(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": total})
}

func (a *API) createPost(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Region string   `json:"region"`
		Body   string   `json:"body"`
		Photos []string `json:"photos"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.app.Messages.CreatePost(r.Context(), a.actor(r), userOf(r), messages.Post{Region: in.Region, Body: in.Body, Photos: in.Photos})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.postJSON(p))
}

func (a *API) uploadPostPhoto(w http.ResponseWriter, r *http.Request) {
	file, err := formPhoto(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer file.Close()
	id, err := a.app.Messages.UploadPhoto(r.Context(), a.actor(r), userOf(r), file)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (a *API) shareCase(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Case string `json:"case"`
		Body string `json:"body"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Case == "" {
		a.fail(w, r, apperr.Field("case", "err.required"))
		return
	}
	p, err := a.app.Messages.ShareCase(r.Context(), a.actor(r), userOf(r), in.Case, in.Body)
	if apperr.Is(err, apperr.NotFound) {
		err = apperr.Field("case", "err.messages.case_unknown")
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.postJSON(p))
}

func (a *API) getPost(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.app.Messages.Post(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.postJSON(p))
}

func (a *API) postPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := a.app.Messages.PostPhoto(r.Context(), userOf(r), id, r.PathValue("photo"), r.URL.Query().Get("thumb") != "")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (a *API) commentJSON(c messages.Comment) map[string]any {
	return map[string]any{"id": c.ID, "author": map[string]any{"id": c.AuthorID, "name": c.AuthorName}, "body": c.Body, "created_at": a.rfc(c.CreatedAt)}
}

func (a *API) listComments(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, total, err := a.app.Messages.Comments(r.Context(), userOf(r), id, pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, c := range list {
		out = append(out, a.commentJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": total})
}

func (a *API) addComment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.app.Messages.Comment(r.Context(), a.actor(r), userOf(r), id, in.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.commentJSON(c))
}

// --- channels and outbox ---

func (a *API) channelJSON(c store.ChannelStatus) map[string]any {
	events := c.Events
	if events == nil {
		events = []messages.Event{}
	}
	return map[string]any{"id": c.ID, "kind": c.Kind, "name": c.Name, "url": c.MaskedURL(), "region": c.Region, "events": events,
		"enabled": c.Enabled, "has_secret": c.HasSecret, "last_error": c.LastError, "last_sent_at": a.msOrNil(c.LastSentAt),
		"rest_until": a.msOrNil(c.RestUntil), "pending": c.Pending, "dead": c.Dead, "created_at": a.rfc(c.CreatedAt), "updated_at": a.rfc(c.UpdatedAt)}
}

func (a *API) msOrNil(ms int64) any {
	if ms <= 0 {
		return nil
	}
	return a.rfc(time.UnixMilli(ms))
}

func (a *API) listChannels(w http.ResponseWriter, r *http.Request) {
	list, total, err := a.app.Messages.Channels(r.Context(), userOf(r), pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, c := range list {
		out = append(out, a.channelJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": total})
}

func (a *API) createChannel(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind    messages.Kind    `json:"kind"`
		Name    string           `json:"name"`
		URL     string           `json:"url"`
		Secret  string           `json:"secret"`
		Region  string           `json:"region"`
		Events  []messages.Event `json:"events"`
		Enabled *bool            `json:"enabled"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c := messages.Channel{Kind: in.Kind, Name: in.Name, URL: in.URL, Secret: in.Secret, Region: in.Region, Events: in.Events, Enabled: true}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	p := userOf(r)
	c, err := a.app.Messages.CreateChannel(r.Context(), a.actor(r), p, c)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerChannel(w, r, p, c.ID, http.StatusCreated)
}

func (a *API) answerChannel(w http.ResponseWriter, r *http.Request, p *auth.Principal, id int64, status int) {
	c, err := a.app.Messages.Channel(r.Context(), p, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, a.channelJSON(c))
}

func (a *API) getChannel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerChannel(w, r, userOf(r), id, http.StatusOK)
}

func (a *API) patchChannel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Name    *string           `json:"name"`
		URL     *string           `json:"url"`
		Secret  *string           `json:"secret"`
		Region  *string           `json:"region"`
		Events  *[]messages.Event `json:"events"`
		Enabled *bool             `json:"enabled"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	if _, err := a.app.Messages.UpdateChannel(r.Context(), a.actor(r), p, id, messagesvc.ChannelChange{Name: in.Name, URL: in.URL,
		Secret: in.Secret, Region: in.Region, Events: in.Events, Enabled: in.Enabled}); err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerChannel(w, r, p, id, http.StatusOK)
}

func (a *API) testChannel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.app.Messages.TestChannel(r.Context(), a.actor(r), userOf(r), id); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *API) outboxJSON(it store.OutboxItem) map[string]any {
	return map[string]any{"id": it.ID, "channel": it.ChannelID, "channel_name": it.ChannelName, "event": it.Event, "status": it.Status,
		"attempts": it.Attempts, "last_error": it.LastError, "created_at": a.rfc(it.CreatedAt), "sent_at": a.rfcOrNil(it.SentAt),
		"next_at": a.rfcOrNil(it.NextAt), "record": recordOf(it), "person": it.PersonID}
}

func recordOf(it store.OutboxItem) any {
	if it.RecordKind == "" {
		return nil
	}
	return map[string]any{"kind": it.RecordKind, "ref": it.RecordRef}
}

func (a *API) listOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var ch int64
	if s := q.Get("channel"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 {
			a.fail(w, r, apperr.Field("channel", "err.messages.channel_unknown"))
			return
		}
		ch = v
	}
	list, total, err := a.app.Messages.Outbox(r.Context(), userOf(r), q.Get("status"), ch, pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, it := range list {
		out = append(out, a.outboxJSON(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": total})
}

func (a *API) outboxAct(w http.ResponseWriter, r *http.Request, act func(context.Context, store.Actor, *auth.Principal, int64) error) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := act(r.Context(), a.actor(r), userOf(r), id); err != nil {
		a.fail(w, r, err)
		return
	}
	it, err := a.app.DB.OutboxMessage(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.outboxJSON(it))
}

func (a *API) retryOutbox(w http.ResponseWriter, r *http.Request) {
	a.outboxAct(w, r, a.app.Messages.Retry)
}

func (a *API) discardOutbox(w http.ResponseWriter, r *http.Request) {
	a.outboxAct(w, r, a.app.Messages.Discard)
}

// --- settings ---

type mySettingsJSON struct {
	Email     string   `json:"email"`
	Kinds     []string `json:"kinds"`
	QuietFrom string   `json:"quiet_from"`
	QuietTo   string   `json:"quiet_to"`
}

func toSettingsJSON(s messages.Settings) mySettingsJSON {
	out := mySettingsJSON{Email: s.Email, Kinds: []string{}, QuietFrom: s.QuietFrom, QuietTo: s.QuietTo}
	for _, k := range s.Kinds {
		out.Kinds = append(out.Kinds, string(k))
	}
	return out
}

func (a *API) mySettings(w http.ResponseWriter, r *http.Request) {
	s, err := a.app.Messages.Settings(r.Context(), userOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(s))
}

func (a *API) putMySettings(w http.ResponseWriter, r *http.Request) {
	var in mySettingsJSON
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s := messages.Settings{Email: in.Email, QuietFrom: in.QuietFrom, QuietTo: in.QuietTo}
	for _, k := range in.Kinds {
		s.Kinds = append(s.Kinds, notify.Kind(k))
	}
	s, err := a.app.Messages.SaveSettings(r.Context(), a.actor(r), userOf(r), s)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(s))
}

// --- live events ---

// Heartbeat is how often an idle event stream sends a comment, so that
// proxies keep it open and a dead client is noticed.
const Heartbeat = 25 * time.Second

// events streams the caller's live events as Server-Sent Events: first the
// unread count, then inbox counts, notices and posts as they are committed.
func (a *API) events(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	rc := http.NewResponseController(w)
	sub := live.Subscriber{Person: p.PersonID, Shows: func(code string) bool { return messagesvc.CanReadPost(p, code) }}
	events, cancel := a.app.Live.Subscribe(sub)
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	inbox := func() bool {
		n, err := a.app.DB.Unread(r.Context(), p.PersonID)
		if err != nil {
			return false
		}
		fmt.Fprintf(w, "event: inbox\ndata: {\"unread\":%d}\n\n", n)
		return rc.Flush() == nil
	}
	fmt.Fprint(w, "retry: 3000\n\n")
	if !inbox() {
		return
	}
	tick := time.NewTicker(Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
			if rc.Flush() != nil {
				return
			}
		case ev, ok := <-events:
			if !ok {
				return // the server is shutting down
			}
			if ev.Name == "inbox" {
				if !inbox() {
					return
				}
				continue
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Name, ev.Data)
			if rc.Flush() != nil {
				return
			}
		}
	}
}
