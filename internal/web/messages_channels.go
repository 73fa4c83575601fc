package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/service/messagesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Outbound channels and their outbox, for admins and leaders; and each
// person's own delivery settings.

// channelForm is a channel as the form holds it (URL and secret only as typed).
type channelForm struct {
	ID      int64
	Kind    string
	Name    string
	URL     string
	Masked  string // the stored URL, masked, shown as a hint when editing
	Region  string
	Events  []string
	Enabled bool
	Secret  bool // a secret is stored
}

// channelsPage lists the channels one manages, with the form to add one.
type channelsPage struct {
	Page
	Rows    []channelRow
	Pager   pager
	Form    channelForm
	Kinds   []messages.Kind
	Events  []messages.Event
	Regions []option
}

// channelRow is a channel with its region's name.
type channelRow struct {
	store.ChannelStatus
	RegionName string
}

func (s *Server) channelsData(r *http.Request, form channelForm) (channelsPage, error) {
	u := userOf(r)
	data := channelsPage{Page: s.page(r, "messages.channels.title"), Form: form, Kinds: messages.Kinds, Events: messages.Events}
	page := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 50}.Clamp()
	list, total, err := s.app.Messages.Channels(r.Context(), u, page)
	if err != nil {
		return data, err
	}
	names, err := s.app.RegionNames(r.Context())
	if err != nil {
		return data, err
	}
	for _, c := range list {
		data.Rows = append(data.Rows, channelRow{ChannelStatus: c, RegionName: names(c.Region)})
	}
	data.Pager = newPager(r, page.Page, page.Size, total)
	rs, err := s.app.DB.Regions(r.Context(), u.Scopes(auth.ChannelManage), false)
	if err != nil {
		return data, err
	}
	for _, rg := range rs {
		data.Regions = append(data.Regions, option{Value: rg.Code, Label: rg.Name})
	}
	return data, nil
}

func (s *Server) channels(w http.ResponseWriter, r *http.Request) {
	data, err := s.channelsData(r, channelForm{Kind: string(messages.WeCom), Enabled: true})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "channels", data)
}

func readChannelForm(r *http.Request) channelForm {
	f := r.PostForm
	return channelForm{Kind: f.Get("kind"), Name: f.Get("name"), URL: f.Get("url"), Region: f.Get("region"), Events: f["events"],
		Enabled: f.Get("enabled") == "1"}
}

func events(list []string) []messages.Event {
	out := make([]messages.Event, len(list))
	for i, e := range list {
		out[i] = messages.Event(e)
	}
	return out
}

func (s *Server) channelCreate(w http.ResponseWriter, r *http.Request) {
	form := readChannelForm(r)
	c := messages.Channel{Kind: messages.Kind(form.Kind), Name: form.Name, URL: form.URL, Secret: r.PostFormValue("secret"), Region: form.Region,
		Events: events(form.Events), Enabled: form.Enabled}
	if _, err := s.app.Messages.CreateChannel(r.Context(), s.actor(r), userOf(r), c); err != nil {
		if apperr.As(err).Code != apperr.Invalid {
			s.pageError(w, r, err)
			return
		}
		data, derr := s.channelsData(r, form)
		if derr != nil {
			s.pageError(w, r, derr)
			return
		}
		data.withError(printer(r), err)
		s.render(w, r, statusFor(err), "channels", data)
		return
	}
	setFlash(w, "messages.flash.channel_saved")
	http.Redirect(w, r, "/channels", http.StatusSeeOther)
}

// channelPage is one channel's edit form.
type channelPage struct {
	Page
	Form    channelForm
	C       store.ChannelStatus
	Events  []messages.Event
	Regions []option
}

func (s *Server) channelEdit(w http.ResponseWriter, r *http.Request, form *channelForm, ferr error) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := userOf(r)
	c, err := s.app.Messages.Channel(r.Context(), u, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := channelPage{Page: s.page(r, "messages.channels.edit"), C: c, Events: messages.Events}
	if form == nil {
		form = &channelForm{Kind: string(c.Kind), Name: c.Name, Region: c.Region, Enabled: c.Enabled}
		for _, e := range c.Events {
			form.Events = append(form.Events, string(e))
		}
	}
	form.ID, form.Masked, form.Secret = c.ID, c.MaskedURL(), c.HasSecret
	data.Form = *form
	rs, err := s.app.DB.Regions(r.Context(), u.Scopes(auth.ChannelManage), false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, rg := range rs {
		data.Regions = append(data.Regions, option{Value: rg.Code, Label: rg.Name})
	}
	status := http.StatusOK
	if ferr != nil {
		data.withError(printer(r), ferr)
		status = statusFor(ferr)
	}
	s.render(w, r, status, "channel", data)
}

func (s *Server) channelDetail(w http.ResponseWriter, r *http.Request) { s.channelEdit(w, r, nil, nil) }

func (s *Server) channelUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	form := readChannelForm(r)
	secret := r.PostFormValue("secret")
	evs := events(form.Events)
	ch := messagesvc.ChannelChange{Name: &form.Name, URL: &form.URL, Secret: &secret, Region: &form.Region, Events: &evs, Enabled: &form.Enabled}
	if _, err := s.app.Messages.UpdateChannel(r.Context(), s.actor(r), userOf(r), id, ch); err != nil {
		if apperr.As(err).Code != apperr.Invalid {
			s.pageError(w, r, err)
			return
		}
		s.channelEdit(w, r, &form, err)
		return
	}
	setFlash(w, "messages.flash.channel_saved")
	http.Redirect(w, r, "/channels", http.StatusSeeOther)
}

func (s *Server) channelTest(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.app.Messages.TestChannel(r.Context(), s.actor(r), userOf(r), id)
	switch {
	case apperr.Is(err, apperr.Conflict):
		setFlash(w, apperr.As(err).Msg.Key)
	case err != nil:
		s.pageError(w, r, err)
		return
	default:
		setFlash(w, "messages.flash.test_queued")
	}
	http.Redirect(w, r, fmt.Sprintf("/outbox?channel=%d", id), http.StatusSeeOther)
}

// outboxPage lists outbox messages by status.
type outboxPage struct {
	Page
	Status   string
	Channel  int64
	Statuses []string
	Channels []option
	Rows     []store.OutboxItem
	Pager    pager
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	q := r.URL.Query()
	data := outboxPage{Page: s.page(r, "messages.outbox.title"), Status: q.Get("status"), Statuses: messages.Statuses}
	if v := q.Get("channel"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.pageError(w, r, apperr.Field("channel", "err.messages.channel_unknown"))
			return
		}
		data.Channel = id
	}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 50}.Clamp()
	list, total, err := s.app.Messages.Outbox(r.Context(), u, data.Status, data.Channel, page)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data.Rows, data.Pager = list, newPager(r, page.Page, page.Size, total)
	chans, _, err := s.app.Messages.Channels(r.Context(), u, store.Page{Size: 100})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, c := range chans {
		data.Channels = append(data.Channels, option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
	}
	s.render(w, r, http.StatusOK, "outbox", data)
}

func (s *Server) outboxAct(w http.ResponseWriter, r *http.Request, retry bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	act, flash := s.app.Messages.Discard, "messages.flash.discarded"
	if retry {
		act, flash = s.app.Messages.Retry, "messages.flash.retried"
	}
	err := act(r.Context(), s.actor(r), userOf(r), id)
	switch {
	case apperr.Is(err, apperr.Conflict):
		setFlash(w, apperr.As(err).Msg.Key)
	case err != nil:
		s.pageError(w, r, err)
		return
	default:
		setFlash(w, flash)
	}
	back := "/outbox?status=dead"
	if st := r.PostFormValue("back"); st != "" && st[0] == '/' && (len(st) == 1 || st[1] != '/') {
		back = st
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request)   { s.outboxAct(w, r, true) }
func (s *Server) outboxDiscard(w http.ResponseWriter, r *http.Request) { s.outboxAct(w, r, false) }

// settingsPage is one's own delivery settings.
type settingsPage struct {
	Page
	S     messages.Settings
	Kinds []kindChoice
}

// kindChoice is one kind of notification on the settings form.
type kindChoice struct {
	Kind    string
	Checked bool
}

func (s *Server) notifySettingsPage(w http.ResponseWriter, r *http.Request, st messages.Settings, err error) {
	data := settingsPage{Page: s.page(r, "messages.settings.title"), S: st}
	for _, k := range messages.PersonalKinds() {
		checked := false
		for _, x := range st.Kinds {
			checked = checked || x == k
		}
		data.Kinds = append(data.Kinds, kindChoice{Kind: string(k), Checked: checked})
	}
	status := http.StatusOK
	if err != nil {
		data.withError(printer(r), err)
		status = statusFor(err)
	}
	s.render(w, r, status, "notify_settings", data)
}

func (s *Server) notifySettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.app.Messages.Settings(r.Context(), userOf(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.notifySettingsPage(w, r, st, nil)
}

func (s *Server) notifySettingsSave(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	st := messages.Settings{Email: f.Get("email"), QuietFrom: f.Get("quiet_from"), QuietTo: f.Get("quiet_to")}
	for _, k := range f["kinds"] {
		st.Kinds = append(st.Kinds, notify.Kind(k))
	}
	if _, err := s.app.Messages.SaveSettings(r.Context(), s.actor(r), userOf(r), st); err != nil {
		if apperr.As(err).Code != apperr.Invalid {
			s.pageError(w, r, err)
			return
		}
		s.notifySettingsPage(w, r, st, err)
		return
	}
	setFlash(w, "messages.flash.settings_saved")
	http.Redirect(w, r, "/profile/notifications", http.StatusSeeOther)
}
