package messages

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/people"
)

const (
	street    = "620502004000000"
	community = "620502004001000"
	grid      = "620502004001001"
	otherComm = "620502004002000"
	otherGrid = "620502004002001"
)

// fieldOf returns the first field named in a validation error, or "".
func fieldOf(err error) string {
	if err == nil {
		return ""
	}
	e := apperr.As(err)
	for f := range e.Fields {
		return f
	}
	return string(e.Code)
}

// TestRoutes is the table of which channel an event goes to.
func TestRoutes(t *testing.T) {
	ch := func(id int64, reg string, evs ...Event) Channel {
		return Channel{ID: id, Kind: WeCom, Region: reg, Events: evs, Enabled: true}
	}
	chans := []Channel{
		ch(1, street, CaseAssigned, Digest, NoticeOut),
		ch(2, community, CaseAssigned, Digest, PatrolMissed),
		ch(3, otherComm, CaseAssigned),
		ch(4, grid, CaseOverdue),
		{ID: 5, Kind: DingTalk, Region: community, Events: []Event{CaseAssigned}}, // disabled
	}
	caseEv := func(k notify.Kind, where string) notify.Event {
		return notify.Event{Kind: k, Record: notify.Record{Kind: "case", ID: 1, Ref: "XG-1", Region: where}}
	}
	tests := []struct {
		name string
		ev   notify.Event
		want []int64
	}{
		{"AssignedGoesToEveryRegionAbove", caseEv(notify.CaseAssigned, grid), []int64{1, 2}},
		{"AssignedElsewhere", caseEv(notify.CaseAssigned, otherGrid), []int64{1, 3}},
		{"OverdueOnlyToSubscribers", caseEv(notify.CaseOverdue, grid), []int64{4}},
		{"InboxOnlyKindGoesNowhere", caseEv(notify.CaseReported, grid), nil},
		{"RecordWithoutRegionFallsBackToHeld", notify.Event{Kind: notify.CaseAssigned, Subject: notify.Subject{Held: community}}, []int64{1, 2}},
		{"PatrolMissedByGrid", notify.Event{Kind: notify.PatrolMissed, Subject: notify.Subject{Region: grid}}, []int64{2}},
		{"DigestOnlyToItsOwnRegion", notify.Event{Kind: notify.Digest, Record: notify.Record{Kind: "region", Region: community}}, []int64{2}},
		{"StreetDigestToTheStreet", notify.Event{Kind: notify.Digest, Record: notify.Record{Kind: "region", Region: street}}, []int64{1}},
		{"NoticeOfTheStreet", notify.Event{Kind: notify.NoticePublished, Record: notify.Record{Kind: "notice", Region: street}}, []int64{1}},
		{"TestToItsChannelOnly", notify.Event{Kind: notify.ChannelTest, Subject: notify.Subject{Channel: 4}}, []int64{4}},
		{"TestOfDisabledChannel", notify.Event{Kind: notify.ChannelTest, Subject: notify.Subject{Channel: 5}}, nil},
		{"NoRegionNowhere", notify.Event{Kind: notify.CaseAssigned}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, c := range Routes(tt.ev, chans) {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Routes = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestEveryEventHasAKind keeps the channel events and the kind table in step:
// every event a channel can subscribe to is made by some kind, except the
// inspection's, which its area adds.
func TestEveryEventHasAKind(t *testing.T) {
	made := map[Event]bool{}
	for k, e := range ChannelEvents {
		if !notify.Known(k) {
			t.Errorf("ChannelEvents maps unknown kind %s", k)
		}
		made[e] = true
	}
	for _, e := range Events {
		if !made[e] && e != Inspection {
			t.Errorf("no kind sends %s", e)
		}
	}
}

// TestMailChannel picks the SMTP channel for a person's own e-mail.
func TestMailChannel(t *testing.T) {
	smtp := func(id int64, reg string, on bool) Channel {
		return Channel{ID: id, Kind: SMTP, Region: reg, Enabled: on}
	}
	chans := []Channel{smtp(1, street, true), smtp(2, community, true), smtp(3, otherComm, true), smtp(4, grid, false), {ID: 5, Kind: WeCom, Region: grid, Enabled: true}}
	for _, tt := range []struct {
		where string
		want  int64
	}{{grid, 2}, {otherGrid, 3}, {street, 1}, {"", 1}, {"620503000000000", 1}} {
		got, ok := MailChannel(tt.where, chans)
		if !ok || got.ID != tt.want {
			t.Errorf("MailChannel(%q) = %d, %v; want %d", tt.where, got.ID, ok, tt.want)
		}
	}
	if _, ok := MailChannel(grid, chans[4:]); ok {
		t.Error("a robot carries e-mail")
	}
}

// TestChannelValidate is the table of channels refused and accepted.
func TestChannelValidate(t *testing.T) {
	ok := Channel{Kind: WeCom, Name: "社区群", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", Region: community, Events: []Event{CaseAssigned}}
	with := func(f func(c *Channel)) Channel { c := ok; f(&c); return c }
	tests := []struct {
		name  string
		c     Channel
		field string
	}{
		{"OK", ok, ""},
		{"LocalDouble", with(func(c *Channel) { c.URL = "http://127.0.0.1:8099/send" }), ""},
		{"BadKind", with(func(c *Channel) { c.Kind = "sms" }), "kind"},
		{"NoName", with(func(c *Channel) { c.Name = "" }), "name"},
		{"LongName", with(func(c *Channel) { c.Name = strings.Repeat("群", 61) }), "name"},
		{"FTP", with(func(c *Channel) { c.URL = "ftp://x.example/y" }), "url"},
		{"JavaScript", with(func(c *Channel) { c.URL = "javascript:alert(1)" }), "url"},
		{"NoHost", with(func(c *Channel) { c.URL = "https:///path" }), "url"},
		{"UserInURL", with(func(c *Channel) { c.URL = "https://u:p@x.example/" }), "url"},
		{"UnknownEvent", with(func(c *Channel) { c.Events = []Event{CaseAssigned, "fireworks"} }), "events"},
		{"NoRegion", with(func(c *Channel) { c.Region = "" }), "region"},
		{"BadRegion", with(func(c *Channel) { c.Region = "x" }), "region"},
		{"WebhookNeedsSecret", with(func(c *Channel) { c.Kind = Webhook }), "secret"},
		{"WebhookKeepsSecret", with(func(c *Channel) { c.Kind = Webhook; c.HasSecret = true }), ""},
		{"SMTP", with(func(c *Channel) {
			c.Kind = SMTP
			c.URL = "smtp://lantian@mail.example:587?from=a@example.com&to=b@example.com"
		}), ""},
		{"SMTPS", with(func(c *Channel) {
			c.Kind = SMTP
			c.URL = "smtps://mail.example?from=a@example.com&to=b@example.com,c@example.com"
		}), ""},
		{"SMTPNeedsFrom", with(func(c *Channel) { c.Kind = SMTP; c.URL = "smtp://mail.example?to=b@example.com" }), "url"},
		{"SMTPBadTo", with(func(c *Channel) { c.Kind = SMTP; c.URL = "smtp://mail.example?from=a@example.com&to=nobody" }), "url"},
		{"SMTPPasswordInURL", with(func(c *Channel) {
			c.Kind = SMTP
			c.URL = "smtp://u:pw@mail.example?from=a@example.com&to=b@example.com"
		}), "url"},
		{"SMTPEventsNeedTo", with(func(c *Channel) { c.Kind = SMTP; c.URL = "smtp://mail.example?from=a@example.com" }), "url"},
		{"SMTPForPersonalMailOnly", with(func(c *Channel) { c.Kind = SMTP; c.URL = "smtp://mail.example?from=a@example.com"; c.Events = nil }), ""},
		{"SMTPNotHTTP", with(func(c *Channel) { c.Kind = SMTP }), "url"},
		{"RobotNotSMTP", with(func(c *Channel) { c.URL = "smtp://mail.example?from=a@example.com" }), "url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Normalize()
			if got := fieldOf(c.Validate()); got != tt.field {
				t.Errorf("Validate names %q, want %q (%v)", got, tt.field, c.Validate())
			}
		})
	}
}

func TestMaskedURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET":      "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****",
		"https://oapi.dingtalk.com/robot/send?access_token=T&x=1":          "https://oapi.dingtalk.com/robot/send?access_token=****&x=1",
		"https://hooks.example.com/lantian":                                "https://hooks.example.com/lantian",
		"smtp://user@mail.example:587?from=a@example.com&to=b@example.com": "smtp://user@mail.example:587?from=a@example.com&to=b@example.com",
	} {
		if got := (Channel{URL: in}).MaskedURL(); got != want {
			t.Errorf("MaskedURL(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestNoticeValidate is the table of notices refused and accepted.
func TestNoticeValidate(t *testing.T) {
	ok := NoticeInput{Title: "通知", Body: "正文", Audience: Audience{Roles: []people.Role{people.Leader}, Regions: []string{community}}, Receipt: true, Due: "2026-12-31"}
	with := func(f func(n *NoticeInput)) NoticeInput { n := ok; f(&n); return n }
	tests := []struct {
		name  string
		in    NoticeInput
		field string
	}{
		{"OK", ok, ""},
		{"NamedPeople", with(func(n *NoticeInput) { n.Audience = Audience{People: []int64{3, 4}} }), ""},
		{"NoTitle", with(func(n *NoticeInput) { n.Title = "  " }), "title"},
		{"LongTitle", with(func(n *NoticeInput) { n.Title = strings.Repeat("通", 101) }), "title"},
		{"NoBody", with(func(n *NoticeInput) { n.Body = "" }), "body"},
		{"NoAudience", with(func(n *NoticeInput) { n.Audience = Audience{} }), "audience"},
		{"Both", with(func(n *NoticeInput) { n.Audience.People = []int64{3} }), "audience"},
		{"RolesWithoutRegions", with(func(n *NoticeInput) { n.Audience.Regions = nil }), "regions"},
		{"RegionsWithoutRoles", with(func(n *NoticeInput) { n.Audience.Roles = nil }), "roles"},
		{"UnknownRole", with(func(n *NoticeInput) { n.Audience.Roles = []people.Role{"mayor"} }), "roles"},
		{"BadRegion", with(func(n *NoticeInput) { n.Audience.Regions = []string{"12"} }), "regions"},
		{"DueWithoutReceipt", with(func(n *NoticeInput) { n.Receipt = false }), "due"},
		{"DuePast", with(func(n *NoticeInput) { n.Due = "2026-11-01" }), "due"},
		{"DueBadDate", with(func(n *NoticeInput) { n.Due = "2026-13-45" }), "due"},
		{"TooManyFiles", with(func(n *NoticeInput) { n.Files = strings.Split("1,2,3,4,5,6,7,8,9,10,11", ",") }), "files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Normalize()
			if got := fieldOf(in.Validate("2026-12-01")); got != tt.field {
				t.Errorf("Validate names %q, want %q", got, tt.field)
			}
		})
	}
}

func TestNoticeRegion(t *testing.T) {
	for _, tt := range []struct {
		a     Audience
		scope string
		want  string
	}{
		{Audience{Regions: []string{grid}}, street, grid},
		{Audience{Regions: []string{grid, "620502004001002"}}, street, community},
		{Audience{Regions: []string{grid, otherGrid}}, street, street},
		{Audience{People: []int64{1}}, community, community},
	} {
		if got := NoticeRegion(tt.a, tt.scope); got != tt.want {
			t.Errorf("NoticeRegion(%v) = %s, want %s", tt.a, got, tt.want)
		}
	}
}

// TestDecideNotice is the rule table: relation × action × state.
func TestDecideNotice(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	open := Notice{Receipt: true, Recipients: 6, Acked: 2}
	reminded := open
	reminded.RemindedAt = now.Add(-30 * time.Minute)
	old := open
	old.RemindedAt = now.Add(-61 * time.Minute)
	done := open
	done.Acked = 6
	plain := Notice{Recipients: 6}
	tests := []struct {
		name string
		rel  Relation
		act  NoticeAction
		n    Notice
		want apperr.Code
	}{
		{"RecipientOpens", Recipient, ActOpen, open, ""},
		{"SenderOpens", Sender, ActOpen, open, ""},
		{"OverseerOpens", Overseer, ActOpen, open, ""},
		{"StrangerOpens", 0, ActOpen, open, apperr.NotFound},
		{"RecipientAcks", Recipient, ActAck, open, ""},
		{"SenderAcksNotReceived", Sender, ActAck, open, apperr.NotFound},
		{"StrangerAcks", 0, ActAck, open, apperr.NotFound},
		{"RecipientReceipts", Recipient, ActReceipts, open, apperr.Forbidden},
		{"SenderReceipts", Sender, ActReceipts, open, ""},
		{"OverseerReceipts", Overseer, ActReceipts, open, ""},
		{"SenderReminds", Sender, ActRemind, open, ""},
		{"RecipientReminds", Recipient, ActRemind, open, apperr.Forbidden},
		{"RemindWithinHour", Sender, ActRemind, reminded, apperr.TooMany},
		{"RemindAfterHour", Sender, ActRemind, old, ""},
		{"RemindNobodyLeft", Sender, ActRemind, done, apperr.Conflict},
		{"RemindNoReceipt", Sender, ActRemind, plain, apperr.Conflict},
		{"SenderAlsoRecipientAcks", Sender | Recipient, ActAck, open, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := DecideNotice(tt.rel, tt.act, tt.n, now)
			var got apperr.Code
			if err != nil {
				got = apperr.As(err).Code
			}
			if got != tt.want {
				t.Errorf("DecideNotice = %v, want %q", err, tt.want)
			}
		})
	}
	if e := apperr.As(DecideNotice(Sender, ActRemind, reminded, now)); e.RetryAfter != 30*time.Minute {
		t.Errorf("Retry-After %v, want 30m", e.RetryAfter)
	}
}

func TestBlocks(t *testing.T) {
	got := Blocks("各社区：\n请做好以下工作。\n\n- 清理死角\n- 清除小广告\n1. 周五前完成\n2、上报照片\n\n谢谢")
	want := []Block{
		{Lines: []string{"各社区：", "请做好以下工作。"}},
		{List: true, Lines: []string{"清理死角", "清除小广告"}},
		{List: true, Ordered: true, Lines: []string{"周五前完成", "上报照片"}},
		{Lines: []string{"谢谢"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Blocks = %+v\nwant %+v", got, want)
	}
}

// TestFitCutsLongLists: a list too long for a robot is cut with "and N more",
// within the byte limit and on a rune boundary.
func TestFitCutsLongLists(t *testing.T) {
	var lines []string
	for i := 0; i < 400; i++ {
		lines = append(lines, fmt.Sprintf("第%d家单位：天水市某某有限责任公司", i+1))
	}
	m := Message{ID: 7, Event: LettersUnsigned, Title: "【责任书未签】西关街道", Lines: lines, More: "……等 %d 项", Hidden: 12, Link: "查看", URL: "https://x.example/letters"}
	req, err := Build(Channel{Kind: WeCom, URL: "https://robot.example/send?key=k"}, m, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Markdown struct{ Content string } `json:"markdown"`
	}
	if err := jsonUnmarshal(req.Body, &body); err != nil {
		t.Fatal(err)
	}
	c := body.Markdown.Content
	if len(c) > WeComMarkdownMax {
		t.Fatalf("content is %d bytes, over %d", len(c), WeComMarkdownMax)
	}
	shown := strings.Count(c, "家单位")
	if want := fmt.Sprintf("……等 %d 项", 400-shown+12); !strings.Contains(c, want) {
		t.Errorf("content lacks %q (%d shown)", want, shown)
	}
	if !strings.HasSuffix(c, "[查看](https://x.example/letters)") {
		t.Errorf("the link was cut: …%s", c[len(c)-60:])
	}
	// A short list is sent whole; one line beyond 200 runes is shortened.
	m2 := Message{Title: "t", Lines: []string{strings.Repeat("长", 300)}, More: "等 %d 项"}
	s := fit(m2, WeComMarkdownMax, func(l []string) string { return strings.Join(l, "\n") })
	if n := len([]rune(s)); n != LineMax {
		t.Errorf("a long line is %d runes, want %d", n, LineMax)
	}
}

func TestDingTalkSign(t *testing.T) {
	// The expected value was computed apart, with Python's hmac and base64, from DESIGN.md §6's formula.
	got := DingTalkSign("https://oapi.dingtalk.com/robot/send?access_token=XXX", "this is secret", time.UnixMilli(1577262236757))
	u, _ := url.Parse(got)
	if u.Query().Get("timestamp") != "1577262236757" || u.Query().Get("access_token") != "XXX" {
		t.Fatalf("signed URL %s", got)
	}
	if !strings.HasSuffix(got, "&timestamp=1577262236757&sign=hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D") {
		t.Errorf("signed URL %s", got)
	}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name   string
		kind   Kind
		status int
		body   string
		ok     bool
		block  time.Duration
	}{
		{"WeComOK", WeCom, 200, `{"errcode":0,"errmsg":"ok"}`, true, 0},
		{"WeComErrcode", WeCom, 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, false, 0},
		{"WeComThrottled", WeCom, 200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, false, time.Minute},
		{"DingTalkThrottled", DingTalk, 200, `{"errcode":130101,"errmsg":"send too fast"}`, false, 10 * time.Minute},
		{"RobotNoErrcode", DingTalk, 200, `<html>portal</html>`, false, 0},
		{"RobotHTTP500", WeCom, 500, ``, false, 0},
		{"WebhookNoContent", Webhook, 204, ``, true, 0},
		{"WebhookAnyBody", Webhook, 200, `{"errcode":5}`, true, 0},
		{"WebhookRedirect", Webhook, 302, ``, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Judge(tt.kind, tt.status, []byte(tt.body))
			if o.OK != tt.ok || o.Block != tt.block || !o.OK && o.Error == "" {
				t.Errorf("Judge = %+v", o)
			}
		})
	}
}

func TestBackoffAndRetry(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if Backoff(30) != MaxRetry {
		t.Errorf("Backoff is not capped: %v", Backoff(30))
	}
	created := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if next, dead := Retry(created, created.Add(time.Minute), 1); dead || !next.Equal(created.Add(90*time.Second)) {
		t.Errorf("first retry %v %v", next, dead)
	}
	if _, dead := Retry(created, created.Add(23*time.Hour), 12); !dead {
		t.Error("a retry past 24 hours is not dead")
	}
	// A message failing every time is tried about 20 times in its day.
	at, n := created, 0
	for {
		n++
		next, dead := Retry(created, at, n)
		if dead {
			break
		}
		at = next
	}
	if n < 15 || n > 25 || at.Sub(created) > GiveUpAfter {
		t.Errorf("%d attempts over %v", n, at.Sub(created))
	}
}

// TestAdmit holds a channel to 20 sends in any minute.
func TestAdmit(t *testing.T) {
	r := Rate{N: 20, Per: time.Minute}
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var recent []int64
	sent := 0
	for i := 0; i < 25; i++ {
		ok, keep, wait := Admit(r, recent, start.Add(time.Duration(i)*time.Second))
		recent = keep
		if ok {
			sent++
		} else if i == 20 && wait != 40*time.Second+time.Millisecond {
			t.Errorf("wait %v, want 40s", wait)
		}
	}
	if sent != 20 {
		t.Fatalf("%d admitted in 25 s, want 20", sent)
	}
	if ok, _, _ := Admit(r, recent, start.Add(60*time.Second+time.Millisecond)); !ok {
		t.Error("not admitted a minute after the first")
	}
	if ok, _, _ := Admit(RateOf(Webhook), recent, start); !ok {
		t.Error("a webhook is limited")
	}
}

func TestQuietUntil(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, loc) }
	night := Settings{QuietFrom: "22:00", QuietTo: "07:00"}
	lunch := Settings{QuietFrom: "12:00", QuietTo: "14:00"}
	tests := []struct {
		s     Settings
		t     time.Time
		quiet bool
		until time.Time
	}{
		{night, at(23, 0), true, at(7, 0).AddDate(0, 0, 1)},
		{night, at(6, 59), true, at(7, 0)},
		{night, at(7, 0), false, time.Time{}},
		{night, at(21, 59), false, time.Time{}},
		{lunch, at(12, 30), true, at(14, 0)},
		{lunch, at(14, 0), false, time.Time{}},
		{Settings{}, at(23, 0), false, time.Time{}},
	}
	for _, tt := range tests {
		until, quiet := tt.s.QuietUntil(tt.t, loc)
		if quiet != tt.quiet || !until.Equal(tt.until) {
			t.Errorf("%s–%s at %s: %v %v, want %v %v", tt.s.QuietFrom, tt.s.QuietTo, tt.t.Format("15:04"), quiet, until, tt.quiet, tt.until)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name  string
		s     Settings
		field string
	}{
		{"OK", Settings{Email: "a@example.com", Kinds: []notify.Kind{notify.CaseAssigned}, QuietFrom: "22:00", QuietTo: "07:00"}, ""},
		{"Nothing", Settings{}, ""},
		{"KindsNeedEmail", Settings{Kinds: []notify.Kind{notify.CaseAssigned}}, "email"},
		{"BadEmail", Settings{Email: "张三 <a@example.com>"}, "email"},
		{"ChannelOnlyKind", Settings{Email: "a@example.com", Kinds: []notify.Kind{notify.Digest}}, "kinds"},
		{"UnknownKind", Settings{Email: "a@example.com", Kinds: []notify.Kind{"x"}}, "kinds"},
		{"OneEnd", Settings{QuietFrom: "22:00"}, "quiet_to"},
		{"BadClock", Settings{QuietFrom: "25:00", QuietTo: "07:00"}, "quiet_from"},
		{"Empty", Settings{QuietFrom: "07:00", QuietTo: "07:00"}, "quiet_to"},
	}
	for _, tt := range tests {
		s := tt.s
		s.Normalize()
		if got := fieldOf(s.Validate()); got != tt.field {
			t.Errorf("%s: Validate names %q, want %q", tt.name, got, tt.field)
		}
	}
}

// office builds a ZIP holding the given parts, as an Office file does.
func office(t *testing.T, parts ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, _ := zw.Create(p)
		w.Write([]byte("<x/>"))
	}
	zw.Close()
	return buf.Bytes()
}

func ole(stream string) []byte {
	b := append([]byte{}, oleMagic...)
	b = append(b, make([]byte, 500)...)
	for _, c := range []byte(stream) {
		b = append(b, c, 0)
	}
	return append(b, make([]byte, 100)...)
}

// TestCheckDocument: attachments are what their names say, by content.
func TestCheckDocument(t *testing.T) {
	docx := office(t, "[Content_Types].xml", "word/document.xml")
	xlsx := office(t, "[Content_Types].xml", "xl/workbook.xml")
	tests := []struct {
		name string
		file string
		data []byte
		err  string // field error expected, "" for accepted
	}{
		{"PDF", "a.pdf", []byte("%PDF-1.7\n..."), ""},
		{"PDFUpperCase", "A.PDF", []byte("%PDF-1.7\n..."), ""},
		{"NotPDF", "a.pdf", []byte("<html>"), "file"},
		{"DOCX", "方案.docx", docx, ""},
		{"XLSXNamedDOCX", "方案.docx", xlsx, "file"},
		{"XLSX", "表.xlsx", xlsx, ""},
		{"ZipNamedXLSX", "表.xlsx", office(t, "a.txt"), "file"},
		{"DOC", "旧.doc", ole("WordDocument"), ""},
		{"XLS", "旧.xls", ole("Workbook"), ""},
		{"DOCNamedXLS", "旧.xls", ole("WordDocument"), "file"},
		{"EXE", "a.exe", []byte("MZ"), "file"},
		{"NoExtension", "readme", []byte("x"), "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft, err := Claimed(tt.file)
			if err == nil {
				err = CheckDocument(ft, tt.data)
			}
			if got := fieldOf(err); got != tt.err {
				t.Errorf("%s: %v", tt.file, err)
			}
		})
	}
	if err := CheckDocument(PDF, make([]byte, MaxFileBytes+1)); fieldOf(err) != "file" {
		t.Errorf("a file over 20 MB: %v", err)
	}
	// A ZIP claiming more entries than an Office file has is refused before it is read.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < maxZipEntries+1; i++ {
		zw.Create(fmt.Sprintf("f%d", i))
	}
	zw.Create("[Content_Types].xml")
	zw.Create("word/document.xml")
	zw.Close()
	if CheckDocument(DOCX, buf.Bytes()) == nil {
		t.Error("a ZIP of thousands of entries passed as a Word file")
	}
}

func TestFeedVisible(t *testing.T) {
	for _, tt := range []struct {
		roots []string
		r     string
		want  bool
	}{
		{[]string{grid}, grid, true},
		{[]string{grid}, community, true},
		{[]string{grid}, street, true},
		{[]string{grid}, otherGrid, false},
		{[]string{street}, otherGrid, true},
		{[]string{community}, otherComm, false},
	} {
		if got := FeedVisible(tt.roots, tt.r); got != tt.want {
			t.Errorf("FeedVisible(%v, %s) = %v", tt.roots, tt.r, got)
		}
	}
	if got := FeedRegions([]string{grid}); !slices.Equal(got, []string{community, street, "620502000000000"}) {
		t.Errorf("FeedRegions = %v", got)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
