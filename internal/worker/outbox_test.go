package worker_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
	"github.com/lantian-org/lantian/internal/worker"
)

func principal(t *testing.T, a *app.App, username string) (*auth.Principal, store.Actor) {
	return testutil.As(t, a, username)
}

// addChannel creates a channel as admin.
func addChannel(t *testing.T, a *app.App, c messages.Channel) messages.Channel {
	t.Helper()
	p, who := principal(t, a, "admin")
	c.Enabled = true
	out, err := a.Messages.CreateChannel(context.Background(), who, p, c)
	if err != nil {
		t.Fatalf("create %s channel: %v", c.Kind, err)
	}
	return out
}

// assignedCase reports a case in grid (0, 0) as its patroller and has the
// community's leader assign it to the grid; it returns the case.
func assignedCase(t *testing.T, a *app.App, n int) cases.Case {
	t.Helper()
	ctx := context.Background()
	p, who := principal(t, a, "patrol01")
	c, _, err := a.Cases.Report(ctx, who, p, casesvc.Report{Input: cases.Input{ClientID: fmt.Sprintf("5b0c0a52-6f7e-4c43-8d1c-3a1e2b7f%04d", n),
		Category: "06010", Description: "暴露垃圾堆放在巷口", Address: "忠武巷12号院门口", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassEscalated}})
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	lp, lwho := principal(t, a, "community1")
	v := c.Version
	c, err = a.Cases.Act(ctx, lwho, lp, c.Number, casesvc.Action{Action: cases.ActionAssign, Version: &v,
		Assignee: &casesvc.Assignee{Region: demo.GridCode(0, 0)}})
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
	return c
}

func outboxOf(t *testing.T, a *app.App, status string) []store.OutboxItem {
	t.Helper()
	list, _, err := a.DB.Outbox(context.Background(), store.OutboxFilter{All: true, Status: status, Page: store.Page{Size: 100}})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestDeliveryPayloads assigns a case to a grid whose community has one
// channel of each kind and checks, at local doubles, the exact payload and
// signature each receives; then a robot's errcode is a failure that is
// tried again, and DingTalk's "too fast" rests the robot ten minutes.
func TestDeliveryPayloads(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			a := testutil.NewApp(t, backend)
			a.Cfg.BaseURL = "https://lantian.example.gov.cn"
			d := newDouble(t)
			mail := newMailServer(t, true)
			community := demo.CommunityCode(0)
			on := []messages.Event{messages.CaseAssigned}
			wecom := addChannel(t, a, messages.Channel{Kind: messages.WeCom, Name: "忠武巷社区企业微信群", URL: d.URL + "/cgi-bin/webhook/send?key=KEY-1",
				Region: community, Events: on})
			ding := addChannel(t, a, messages.Channel{Kind: messages.DingTalk, Name: "忠武巷社区钉钉群", URL: d.URL + "/robot/send?access_token=TOKEN-2",
				Secret: "SECxyz", Region: community, Events: on})
			hook := addChannel(t, a, messages.Channel{Kind: messages.Webhook, Name: "区网格中心", URL: d.URL + "/hook", Secret: "whsec-3",
				Region: community, Events: on})
			addChannel(t, a, messages.Channel{Kind: messages.SMTP, Name: "街道邮件", URL: "smtp://lantian@" + mail.addr() +
				"?from=lantian@xiguan.gov.cn&to=group@xiguan.gov.cn,office@xiguan.gov.cn", Secret: "mail-pass", Region: community, Events: on})
			// A channel elsewhere, and one here without the event, get nothing.
			addChannel(t, a, messages.Channel{Kind: messages.WeCom, Name: "砚房背后社区", URL: d.URL + "/other", Region: demo.CommunityCode(1), Events: on})
			addChannel(t, a, messages.Channel{Kind: messages.WeCom, Name: "只收超期", URL: d.URL + "/other", Region: community,
				Events: []messages.Event{messages.CaseOverdue}})

			c := assignedCase(t, a, 1)
			pending := outboxOf(t, a, messages.Pending)
			if len(pending) != 4 {
				t.Fatalf("%d outbox messages after the assignment, want 4 (one per matching channel): %+v", len(pending), pending)
			}
			ids := map[int64]int64{}
			for _, it := range pending {
				ids[it.ChannelID] = it.ID
			}

			o := worker.NewOutbox(a)
			now := time.Now().Add(time.Second).Truncate(time.Second)
			o.Now = func() time.Time { return now }
			o.TLS = &tls.Config{RootCAs: mail.roots}
			if n, err := o.DeliverDue(ctx); err != nil || n != 4 {
				t.Fatalf("DeliverDue = %d, %v; outbox: %+v", n, err, outboxOf(t, a, ""))
			}
			grid, _ := a.DB.Region(ctx, demo.GridCode(0, 0))
			link := "https://lantian.example.gov.cn/cases/" + c.Number
			lines := []string{
				"位置：" + grid.Name + " 忠武巷12号院门口",
				"问题：暴露垃圾堆放在巷口",
				"处置：" + grid.Name,
				"时限：" + c.Deadline.In(a.Loc).Format("2006-01-02 15:04"),
			}
			title := "【案件派遣】" + c.Number + " 暴露垃圾"

			// WeCom: markdown, the key in the URL as configured.
			got := d.requests("/cgi-bin/webhook/send")
			if len(got) != 1 || got[0].Query["key"][0] != "KEY-1" {
				t.Fatalf("WeCom requests %+v", got)
			}
			wantWeCom := `{"msgtype":"markdown","markdown":{"content":"**` + title + `**\n` + strings.Join(lines, `\n`) + `\n[查看详情](` + link + `)"}}`
			if string(got[0].Body) != wantWeCom {
				t.Errorf("WeCom body\n got %s\nwant %s", got[0].Body, wantWeCom)
			}

			// DingTalk: markdown with a title, signed with timestamp and sign.
			got = d.requests("/robot/send")
			if len(got) != 1 {
				t.Fatalf("DingTalk requests %+v", got)
			}
			q := got[0].Query
			ts := q["timestamp"][0]
			if ts != strconv.FormatInt(now.UnixMilli(), 10) || q["access_token"][0] != "TOKEN-2" {
				t.Errorf("DingTalk query %v", q)
			}
			mac := hmac.New(sha256.New, []byte("SECxyz"))
			mac.Write([]byte(ts + "\n" + "SECxyz"))
			if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); q["sign"][0] != want {
				t.Errorf("DingTalk sign %q, want %q", q["sign"][0], want)
			}
			wantDing := `{"msgtype":"markdown","markdown":{"title":"` + title + `","text":"**` + title + `**\n\n` + strings.Join(lines, `\n\n`) +
				`\n\n[查看详情](` + link + `)"}}`
			if string(got[0].Body) != wantDing {
				t.Errorf("DingTalk body\n got %s\nwant %s", got[0].Body, wantDing)
			}

			// Webhook: the JSON of the issue, signed over the body, keyed by the message id.
			got = d.requests("/hook")
			if len(got) != 1 {
				t.Fatalf("webhook requests %+v", got)
			}
			id := strconv.FormatInt(ids[hook.ID], 10)
			var body map[string]any
			if err := json.Unmarshal(got[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			wantHook := map[string]any{"id": id, "event": "case_assigned", "text": title + "\n" + strings.Join(lines, "\n") + "\n" + link, "url": link,
				"record": map[string]any{"kind": "case", "id": c.Number}}
			if fmt.Sprint(body) != fmt.Sprint(wantHook) {
				t.Errorf("webhook body\n got %v\nwant %v", body, wantHook)
			}
			sig := hmac.New(sha256.New, []byte("whsec-3"))
			sig.Write(got[0].Body)
			if h := got[0].Header.Get("X-Lantian-Signature"); h != "sha256="+hex.EncodeToString(sig.Sum(nil)) {
				t.Errorf("X-Lantian-Signature %q", h)
			}
			if k := got[0].Header.Get("Idempotency-Key"); k != id {
				t.Errorf("Idempotency-Key %q, want %q", k, id)
			}

			// E-mail: over STARTTLS, signed in, to the group addresses.
			mails := mail.got()
			if len(mails) != 1 {
				t.Fatalf("mails %+v", mails)
			}
			m := mails[0]
			if !m.TLS || m.Auth != "\x00lantian\x00mail-pass" || m.From != "lantian@xiguan.gov.cn" ||
				strings.Join(m.To, ",") != "group@xiguan.gov.cn,office@xiguan.gov.cn" {
				t.Errorf("mail envelope %+v", m)
			}
			subject := ""
			for _, l := range strings.Split(m.Data, "\n") {
				if s, ok := strings.CutPrefix(l, "Subject: "); ok {
					subject, _ = new(mime.WordDecoder).DecodeHeader(s)
				}
			}
			if subject != title || readBody(m.Data) != strings.ReplaceAll(title+"\n"+strings.Join(lines, "\n")+"\n"+link, "\n", "\r\n") {
				t.Errorf("mail subject %q body %q", subject, readBody(m.Data))
			}
			if sent := outboxOf(t, a, messages.Sent); len(sent) != 4 {
				t.Fatalf("%d sent, want 4", len(sent))
			}
			// Sent is sent: nothing goes again.
			if n, _ := o.DeliverDue(ctx); n != 0 {
				t.Fatalf("%d sent again", n)
			}

			// A robot that answers 200 with an errcode has failed: the message waits its back-off.
			d.setAnswer(func(r *http.Request, _ []byte) (int, string) {
				if r.URL.Path == "/robot/send" {
					return 200, `{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}`
				}
				if r.URL.Path == "/cgi-bin/webhook/send" {
					return 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`
				}
				return 200, `{"errcode":0}`
			})
			c2 := assignedCase(t, a, 2)
			if n, err := o.DeliverDue(ctx); err != nil || n != 2 {
				t.Fatalf("with two robots failing: %d sent, %v", n, err)
			}
			failed := map[int64]store.OutboxItem{}
			for _, it := range outboxOf(t, a, messages.Pending) {
				failed[it.ChannelID] = it
			}
			if it := failed[ding.ID]; it.Attempts != 1 || !strings.Contains(it.LastError, "130101") || it.RecordRef != c2.Number {
				t.Fatalf("DingTalk message after 130101: %+v", it)
			}
			if it := failed[wecom.ID]; it.Attempts != 1 || !strings.Contains(it.LastError, "93000") || !it.NextAt.Equal(now.Add(messages.FirstRetry)) {
				t.Fatalf("WeCom message after errcode 93000: %+v", it)
			}
			dc, _ := a.DB.Channel(ctx, ding.ID)
			if want := now.Add(messages.DingTalkBlock).UnixMilli(); dc.RestUntil != want {
				t.Fatalf("DingTalk rests until %d, want %d (10 minutes)", dc.RestUntil, want)
			}
			d.setAnswer(nil)
			now = now.Add(5 * time.Minute)
			if n, _ := o.DeliverDue(ctx); n != 1 {
				t.Fatalf("after 5 minutes %d sent, want 1 (WeCom; DingTalk still blocked)", n)
			}
			now = now.Add(6 * time.Minute)
			if n, _ := o.DeliverDue(ctx); n != 1 {
				t.Fatalf("after 11 minutes %d sent, want 1 (DingTalk)", n)
			}
			if left := outboxOf(t, a, messages.Pending); len(left) != 0 {
				t.Fatalf("still pending: %+v", left)
			}
		})
	}
}

// TestRateLimit sends 100 events to one robot within a minute: at most 20
// go in any 60 seconds, the rest in the minutes after, none lost and none
// twice. The clock is the worker's own, moved by hand.
func TestRateLimit(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			a := testutil.NewApp(t, backend)
			d := newDouble(t)
			addChannel(t, a, messages.Channel{Kind: messages.WeCom, Name: "街道企业微信群", URL: d.URL + "/send?key=K",
				Region: demo.StreetCode, Events: []messages.Event{messages.CaseAssigned}})
			for i := 0; i < 100; i++ {
				ev := notify.Event{Kind: notify.CaseAssigned, Record: notify.Record{Kind: "case", Ref: fmt.Sprintf("XG-RATE-%03d", i), Region: demo.GridCode(i%6, 0)}}
				if err := a.DB.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.Notify(ctx, ev); return err }); err != nil {
					t.Fatal(err)
				}
			}
			o := worker.NewOutbox(a)
			start := time.Now().Add(time.Second)
			now := start
			o.Now = func() time.Time { return now }
			sentAt := map[string]time.Time{} // case ref → when it reached the robot
			ref := regexp.MustCompile(`XG-RATE-[0-9]{3}`)
			for step := 0; step < 40 && len(sentAt) < 100; step++ {
				if _, err := o.DeliverDue(ctx); err != nil {
					t.Fatal(err)
				}
				got := d.requests("/send")
				for _, r := range got {
					k := ref.FindString(string(r.Body))
					if _, ok := sentAt[k]; !ok {
						sentAt[k] = now
					}
				}
				if step == 0 && len(got) != 20 {
					t.Fatalf("first minute: %d sent, want 20", len(got))
				}
				if len(got) != len(sentAt) {
					t.Fatalf("%d requests for %d messages: one went twice", len(got), len(sentAt))
				}
				now = now.Add(15 * time.Second)
			}
			if len(sentAt) != 100 {
				t.Fatalf("%d of 100 sent", len(sentAt))
			}
			for _, t0 := range sentAt {
				n := 0
				for _, t1 := range sentAt {
					if !t1.Before(t0) && t1.Sub(t0) < time.Minute {
						n++
					}
				}
				if n > 20 {
					t.Fatalf("%d sends within a minute from %v", n, t0.Sub(start))
				}
			}
			if last := now.Sub(start); last < 4*time.Minute {
				t.Fatalf("100 messages went within %v", last)
			}
			if sent := outboxOf(t, a, messages.Sent); len(sent) != 100 {
				t.Fatalf("%d recorded sent, want 100", len(sent))
			}
		})
	}
}

// TestStuckChannelDoesNotHoldOthers runs the worker as the server does: a
// webhook that never answers holds up only its own messages; the robot next
// to it gets its message while the webhook is still hanging.
func TestStuckChannelDoesNotHoldOthers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := testutil.NewApp(t, "sqlite")
	d := newDouble(t)
	release := make(chan struct{})
	hung := make(chan struct{}, 10)
	d.setAnswer(func(r *http.Request, _ []byte) (int, string) {
		if r.URL.Path == "/stuck" {
			hung <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		return 200, `{"errcode":0}`
	})
	on := []messages.Event{messages.CaseAssigned}
	addChannel(t, a, messages.Channel{Kind: messages.Webhook, Name: "卡住的接收方", URL: d.URL + "/stuck", Secret: "s", Region: demo.StreetCode, Events: on})
	addChannel(t, a, messages.Channel{Kind: messages.WeCom, Name: "社区群", URL: d.URL + "/robot", Region: demo.CommunityCode(0), Events: on})
	o := worker.NewOutbox(a)
	o.HTTP.Timeout = time.Minute
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	assignedCase(t, a, 1)
	select {
	case <-hung:
	case <-time.After(30 * time.Second):
		t.Fatal("the stuck webhook was never called")
	}
	deadline := time.After(30 * time.Second)
	for len(d.requests("/robot")) == 0 {
		select {
		case <-deadline:
			t.Fatal("the robot got nothing while the webhook hung")
		case <-time.After(20 * time.Millisecond):
		}
	}
	// The robot has its request; the worker records it as sent just after,
	// while the webhook still hangs (stopping first could cut that write).
	for len(outboxOf(t, a, messages.Sent)) < 1 {
		select {
		case <-deadline:
			t.Fatal("the robot's message was never recorded as sent while the webhook hung")
		case <-time.After(20 * time.Millisecond):
		}
	}
	close(release)
	cancel()
	<-done
}

// TestCommitWakesDelivery: a commit that writes outbox messages signals the
// worker at once; one that writes none does not.
func TestCommitWakesDelivery(t *testing.T) {
	a := testutil.NewApp(t, "sqlite")
	drain := func() bool {
		select {
		case <-a.OutboxWake:
			return true
		default:
			return false
		}
	}
	drain()
	assignedCase(t, a, 1)
	if drain() {
		t.Fatal("woken with no channel to send to")
	}
	addChannel(t, a, messages.Channel{Kind: messages.WeCom, Name: "社区群", URL: "http://127.0.0.1:1/robot", Region: demo.CommunityCode(0),
		Events: []messages.Event{messages.CaseAssigned}})
	drain()
	assignedCase(t, a, 2)
	if !drain() {
		t.Fatal("a commit with outbox messages did not wake the worker")
	}
	if n := len(outboxOf(t, a, messages.Pending)); n != 1 {
		t.Fatalf("%d pending, want 1", n)
	}
}

// TestCompose is the table of what each kind of outbox message says.
func TestCompose(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	base := "https://lantian.example.gov.cn"
	tests := []struct {
		name  string
		it    store.OutboxItem
		lang  string
		title string
		lines []string
		url   string
	}{
		{"PatrolMissed", store.OutboxItem{Event: messages.PatrolMissed, Kind: "patrol_missed", RecordKind: "patrol_alert", RecordRef: "忠武巷社区第1网格 2026-12-01 08:00-12:00",
			Facts: `{"grid":"620502004001001","date":"2026-12-01","window":"08:00-12:00"}`}, "zh-CN",
			"【巡查缺失】忠武巷社区第1网格 2026-12-01 08:00-12:00", []string{"日期：2026-12-01，时段：08:00-12:00"},
			base + "/patrols/day?date=2026-12-01&region=620502004001001"},
		{"Notice", store.OutboxItem{Event: messages.NoticeOut, Kind: "notice", RecordKind: "notice", RecordID: 12, RecordRef: "关于月末整治的通知",
			Facts: `{"notice":12,"sender":"宋桂","due":"2026-12-05","excerpt":"各社区：请于周五前完成。"}`}, "zh-CN",
			"【通知】关于月末整治的通知", []string{"发布人：宋桂", "请于 2026-12-05 前确认回执", "各社区：请于周五前完成。"}, base + "/notices/12"},
		{"Digest", store.OutboxItem{Event: messages.Digest, Kind: "digest", RecordKind: "region", Region: "620502004000000", RecordRef: "西关街道",
			Facts: `{"name":"西关街道","date":"2026-12-01","reported":5,"closed":3,"overdue":1,"patrols_done":50,"patrols_required":60,
				"parts":[{"name":"忠武巷社区","reported":1,"closed":1,"overdue":0,"patrols_done":10,"patrols_required":10}]}`}, "zh-CN",
			"【今日动态】西关街道 2026-12-01", []string{"上报 5 件，办结 3 件，超期 1 件；巡查 50/60 次", "忠武巷社区：上报 1，办结 1，超期 0，巡查 10/10"},
			base + "/cases?region=620502004000000"},
		{"LettersUnsigned", store.OutboxItem{Event: messages.LettersUnsigned, Kind: "letters_unsigned", RecordKind: "region", Region: "620502004001000",
			Facts: `{"name":"忠武巷社区","year":2026,"total":3,"units":["庆华庭居","老马牛肉面"]}`}, "zh-CN",
			"【责任书未签】忠武巷社区：2026 年尚有 3 家单位未签订", []string{"庆华庭居", "老马牛肉面"}, base + "/letters?region=620502004001000#unsigned"},
		{"PersonalInEnglish", store.OutboxItem{Event: messages.Personal, Kind: "overdue", RecordKind: "case", RecordRef: "XG-20261201-0001",
			Facts: `{"category_zh":"暴露垃圾","category_en":"Exposed rubbish","grid_name":"忠武巷社区第1网格","address":"忠武巷","description":"垃圾"}`}, "en",
			"", []string{"Where: 忠武巷社区第1网格 忠武巷", "Problem: 垃圾"}, base + "/cases/XG-20261201-0001"},
		{"Test", store.OutboxItem{Event: messages.Test, Kind: "channel_test", RecordKind: "channel", RecordRef: "社区群", Facts: `{"channel":"社区群","by":"宋桂"}`}, "zh-CN",
			"【测试消息】社区群", []string{"这是蓝天平台发出的测试消息（宋桂 发起）。收到即表示配置正确。"}, ""},
		{"OtherAreasEvent", store.OutboxItem{Event: messages.Event("future_event"), Kind: "future_event", RecordKind: "inspection", RecordID: 4,
			Facts: `{"title":"【督查】第48周督查评分","lines":["忠武巷社区 92 分"],"path":"/inspections/4"}`}, "zh-CN",
			"【督查】第48周督查评分", []string{"忠武巷社区 92 分"}, base + "/inspections/4"},
		{"Inspection", store.OutboxItem{Event: messages.Inspection, Kind: "inspection_closed", RecordKind: "inspection", RecordID: 4, RecordRef: "2026-12-04",
			Facts: `{"inspection":4,"name":"忠武巷社区","score":92.5,"max":100,"findings":2,"path":"/inspections/4"}`}, "zh-CN",
			"【每周督查】忠武巷社区 2026-12-04", []string{"得分 92.5 / 100，发现问题 2 个"}, base + "/inspections/4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := worker.Compose(tt.it, tt.lang, base, loc)
			if tt.title != "" && m.Title != tt.title {
				t.Errorf("title %q, want %q", m.Title, tt.title)
			}
			if fmt.Sprint(m.Lines) != fmt.Sprint(tt.lines) {
				t.Errorf("lines %q, want %q", m.Lines, tt.lines)
			}
			if m.URL != tt.url {
				t.Errorf("url %q, want %q", m.URL, tt.url)
			}
		})
	}
	if m := worker.Compose(store.OutboxItem{Event: messages.LettersUnsigned, Facts: `{"name":"x","year":2026,"total":3,"units":["a","b"]}`}, "zh-CN", "", loc); m.Hidden != 1 || m.URL != "" {
		t.Errorf("letters list hides %d, url %q", m.Hidden, m.URL)
	}
}
