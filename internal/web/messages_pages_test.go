package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// workGroupKey finds the work group's message keys left untranslated in a page.
var workGroupKey = regexp.MustCompile(`>[^<]*\b(?:messages|outbox|field|err|inbox)\.[a-z_]+[^<]*<`)

func checkPage(t *testing.T, b *browser, path string, want ...string) string {
	t.Helper()
	for _, lang := range []string{"zh-CN", "en"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		status, body := b.get(path + sep + "lang=" + lang)
		if status != 200 {
			t.Fatalf("%s (%s): %d\n%.400s", path, lang, status, body)
		}
		if m := workGroupKey.FindString(body); m != "" {
			t.Errorf("%s (%s): untranslated %q", path, lang, m)
		}
		if lang == "zh-CN" {
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %q", path, w)
				}
			}
		}
	}
	_, body := b.get(path)
	return body
}

// TestNoticePages composes a notice with an attachment to the six community
// leaders, reads and acknowledges it as one of them, and follows the
// receipts, the reminder and the export as its sender.
func TestNoticePages(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	street := newBrowserAs(t, srv.URL, "street")
	body := checkPage(t, street, "/notices/new", `id="compose-form"`, "社区 · 网格长")
	var ids []string
	for i := 1; i <= 6; i++ {
		p, _, err := srv.App.DB.Credentials(t.Context(), fmt.Sprintf("community%d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, fmt.Sprint(p.ID))
		if !strings.Contains(body, fmt.Sprintf(`name="people" value="%d"`, p.ID)) {
			t.Errorf("the compose form does not offer community%d", i)
		}
	}
	pdf := "%PDF-1.4\n%%EOF\n"
	// An empty title and a file that is not what its name says are refused, naming the fields.
	status, page, _ := street.postMultipart("/notices", url.Values{"title": {""}, "body": {"x"}, "by": {"name"}, "people": ids}, "", "", nil)
	if status != 422 || !strings.Contains(page, "标题：") {
		t.Fatalf("empty title: %d %.300s", status, page)
	}
	status, page, _ = street.postMultipart("/notices", url.Values{"title": {"t"}, "body": {"x"}, "by": {"name"}, "people": ids},
		"files", "方案.docx", []byte(pdf))
	if status != 422 || !strings.Contains(page, "文件内容与文件名不符") {
		t.Fatalf("a PDF named .docx: %d %.300s", status, page)
	}
	status, page, loc := street.postMultipart("/notices", url.Values{"title": {"关于月末综合整治的通知"}, "body": {"各社区：\n\n1. 清理卫生死角\n2. 清除小广告"},
		"by": {"name"}, "people": ids, "receipt": {"1"}}, "files", "整治方案.pdf", []byte(pdf))
	if status != 303 || !strings.HasSuffix(loc, "/receipts") {
		t.Fatalf("send: %d %s %.300s", status, loc, page)
	}
	checkPage(t, street, loc, `id="rc-total">6<`, `id="rc-outstanding">6<`, `id="remind"`)
	notice := strings.TrimSuffix(loc, "/receipts")

	c2 := newBrowserAs(t, srv.URL, "community2")
	checkPage(t, c2, "/notices", "关于月末综合整治的通知", "待回执")
	checkPage(t, c2, "/inbox", "通知")
	checkPage(t, c2, notice, `<ol><li>清理卫生死角</li><li>清除小广告</li></ol>`, "整治方案.pdf", `id="ack"`)
	if s, _ := c2.get(notice + "/files/1"); s != 200 {
		t.Fatalf("attachment: %d", s)
	}
	if s, _, _ := c2.post(notice+"/ack", nil); s != 303 {
		t.Fatalf("ack: %d", s)
	}
	checkPage(t, c2, notice, `id="acked"`)
	if s, _ := c2.get(loc); s != 403 {
		t.Fatalf("a recipient opens the receipts: %d", s)
	}
	if s, _ := newBrowserAs(t, srv.URL, "patrol01").get(notice); s != 404 {
		t.Fatalf("someone else opens the notice: %d", s)
	}
	checkPage(t, street, loc, `id="rc-acked">1<`, `id="rc-outstanding">5<`)
	if s, _, _ := street.post(notice+"/remind", nil); s != 303 {
		t.Fatalf("remind: %d", s)
	}
	checkPage(t, street, loc, `id="remind-wait"`)
	checkPage(t, street, "/notices?tab=sent", "回执 1/6")
	req, _ := http.NewRequest("GET", srv.URL+loc+".xlsx", nil)
	resp, err := street.c.Do(req)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	c3 := newBrowserAs(t, srv.URL, "community3")
	checkPage(t, c3, "/inbox", "通知回执提醒")
}

// TestFeedAndChannelPages posts to the feed with a comment, adds a channel
// and sends its test message to the outbox, and saves one's e-mail settings.
func TestFeedAndChannelPages(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	patrol := newBrowserAs(t, srv.URL, "patrol01")
	checkPage(t, patrol, "/feed", `id="post-form"`)
	status, page, _ := patrol.postMultipart("/feed", url.Values{"body": {""}, "region": {demo.GridCode(0, 0)}}, "", "", nil)
	if status != 422 || !strings.Contains(page, "内容：") {
		t.Fatalf("empty post: %d %.300s", status, page)
	}
	if s, p, _ := patrol.postMultipart("/feed", url.Values{"body": {"忠武巷卫生死角清理完毕"}, "region": {demo.GridCode(0, 0)}}, "", "", nil); s != 303 {
		t.Fatalf("post: %d %.300s", s, p)
	}
	leader := newBrowserAs(t, srv.URL, "community1")
	body := checkPage(t, leader, "/feed", "忠武巷卫生死角清理完毕")
	m := regexp.MustCompile(`href="/feed/(\d+)#comments"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no post link")
	}
	if s, _, _ := leader.post("/feed/"+m[1]+"/comments", url.Values{"body": {"辛苦了"}}); s != 303 {
		t.Fatalf("comment: %d", s)
	}
	checkPage(t, patrol, "/feed/"+m[1], "辛苦了")
	if s, _ := newBrowserAs(t, srv.URL, "community2").get("/feed/" + m[1]); s != 404 {
		t.Fatalf("another community opens the post: %d", s)
	}

	checkPage(t, leader, "/channels", `id="channel-form"`)
	if s, _ := patrol.get("/channels"); s != 403 {
		t.Fatalf("a patroller opens the channels: %d", s)
	}
	status, page, _ = leader.post("/channels", url.Values{"kind": {"wecom"}, "name": {"社区群"}, "url": {"ftp://x"}, "region": {demo.CommunityCode(0)}})
	if status != 422 || !strings.Contains(page, "地址：") {
		t.Fatalf("bad URL: %d %.300s", status, page)
	}
	if s, p, _ := leader.post("/channels", url.Values{"kind": {"wecom"}, "name": {"忠武巷社区群"}, "url": {"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY"},
		"region": {demo.CommunityCode(0)}, "events": {"case_assigned", "digest"}, "enabled": {"1"}}); s != 303 {
		t.Fatalf("add channel: %d %.300s", s, p)
	}
	body = checkPage(t, leader, "/channels", "忠武巷社区群", "案件派遣")
	if strings.Contains(body, "SECRETKEY") {
		t.Fatal("the channels page shows the robot's key")
	}
	id := regexp.MustCompile(`href="/channels/(\d+)"`).FindStringSubmatch(body)[1]
	if body := checkPage(t, leader, "/channels/"+id, "key=****"); strings.Contains(body, "SECRETKEY") {
		t.Fatal("the edit page shows the robot's key")
	}
	if s, _, loc := leader.post("/channels/"+id+"/test", nil); s != 303 || loc != "/outbox?channel="+id {
		t.Fatalf("test: %d %s", s, loc)
	}
	checkPage(t, leader, "/outbox?channel="+id, "测试消息", "待发送")
	for _, st := range []string{"pending", "sent", "dead", "discarded"} {
		checkPage(t, leader, "/outbox?status="+st)
	}
	if s, _, _ := leader.post("/channels/"+id, url.Values{"kind": {"wecom"}, "name": {"忠武巷社区群"}, "url": {""}, "region": {demo.CommunityCode(0)}}); s != 303 {
		t.Fatalf("disable: %d", s)
	}
	c, err := srv.App.DB.Channel(t.Context(), mustAtoi(t, id))
	if err != nil || c.Enabled || c.URL != "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY" {
		t.Fatalf("after the edit: enabled %v url %q %v", c.Enabled, c.URL, err)
	}
	list, _, _ := srv.App.DB.Outbox(t.Context(), store.OutboxFilter{All: true})
	if len(list) != 1 {
		t.Fatalf("outbox %+v", list)
	}

	checkPage(t, patrol, "/profile/notifications", `id="settings-form"`, "有问题派给您办理")
	status, page, _ = patrol.post("/profile/notifications", url.Values{"email": {"bad"}, "kinds": {"assigned"}})
	if status != 422 || !strings.Contains(page, "电子邮件：") {
		t.Fatalf("bad e-mail: %d %.300s", status, page)
	}
	if s, _, _ := patrol.post("/profile/notifications", url.Values{"email": {"p01@example.com"}, "kinds": {"assigned", "overdue"}, "quiet_from": {"22:00"}, "quiet_to": {"07:00"}}); s != 303 {
		t.Fatalf("save settings: %d", s)
	}
	checkPage(t, patrol, "/profile/notifications", `value="p01@example.com"`, `value="22:00"`)
}

func mustAtoi(t *testing.T, s string) int64 {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestShareFromCasePage: a closed case's page offers sharing it to the
// feed; the post links back to the case.
func TestShareFromCasePage(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	ctx := t.Context()
	if _, err := demo.SeedCases(ctx, srv.App.DB, srv.App.Photos, srv.App.Loc, time.Now()); err != nil {
		t.Fatal(err)
	}
	list, _, err := srv.App.DB.Cases(ctx, store.CaseFilter{Roots: []string{demo.CommunityCode(0)}, Status: "closed", Page: store.Page{Size: 1}})
	if err != nil || len(list) == 0 {
		t.Fatalf("no closed case: %v", err)
	}
	n := list[0].Number
	leader := newBrowserAs(t, srv.URL, "community1")
	if _, body := leader.get("/cases/" + n); !strings.Contains(body, `id="share"`) {
		t.Fatal("a closed case's page offers no sharing")
	}
	s, _, loc := leader.post("/feed/share", url.Values{"case": {n}})
	if s != 303 || !strings.HasPrefix(loc, "/feed/") {
		t.Fatalf("share: %d %s", s, loc)
	}
	checkPage(t, leader, loc, "关联案件 "+n, `href="/cases/`+n+`"`)
	if s, _, _ := newBrowserAs(t, srv.URL, "community2").post("/feed/share", url.Values{"case": {n}}); s != 404 {
		t.Fatalf("another community shares it: %d", s)
	}
}
