package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
	"github.com/lantian-org/lantian/internal/worker"
)

// step is one request of a scenario and what its answer must (not) hold.
type step struct {
	name, user, method, path, body string
	status                         int
	want, not                      []string
}

func run(c *testutil.API, t *testing.T, steps ...step) {
	t.Helper()
	for _, sc := range steps {
		c := c.With(t)
		status, body := c.Do(sc.user, sc.method, sc.path, sc.body)
		if status != sc.status {
			t.Fatalf("%s: %s %s as %q: status %d, want %d\n%s", sc.name, sc.method, sc.path, sc.user, status, sc.status, trunc(body))
		}
		for _, w := range sc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: answer lacks %q:\n%s", sc.name, w, trunc(body))
			}
		}
		for _, n := range sc.not {
			if strings.Contains(body, n) {
				t.Errorf("%s: answer has %q:\n%s", sc.name, n, trunc(body))
			}
		}
		if status >= 400 && !strings.Contains(body, `"error":{"code":`) {
			t.Errorf("%s: error body has the wrong shape: %s", sc.name, trunc(body))
		}
	}
}

// idOf reads "id" from a JSON answer.
func idOf(t *testing.T, body string) string {
	t.Helper()
	var out struct{ ID json.RawMessage }
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.ID) == 0 {
		t.Fatalf("no id in %s", body)
	}
	return strings.Trim(string(out.ID), `"`)
}

// TestNoticeScenarios: a notice with receipts from the street to the six
// community leaders, acknowledged, counted, reminded; audiences that select
// nobody or reach outside the sender's regions; attachments checked by content.
func TestNoticeScenarios(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			c := srv.API(t)
			var leaders []string
			for i := 1; i <= 6; i++ {
				leaders = append(leaders, fmt.Sprint(personID(t, c, fmt.Sprintf("community%d", i))))
			}
			people := `{"people":[` + strings.Join(leaders, ",") + `]}`
			due := time.Now().AddDate(0, 0, 7).Format("2006-01-02")

			// Attachments: by content, not by name.
			pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
			if s, b := uploadFile(c, "street", "/api/v1/notice-files", "file", "方案.pdf", []byte("not a pdf at all")); s != 422 || !strings.Contains(b, "文件内容与文件名不符") {
				t.Fatalf("a text file named .pdf: %d %s", s, b)
			}
			if s, b := uploadFile(c, "street", "/api/v1/notice-files", "file", "方案.exe", pdf); s != 422 || !strings.Contains(b, `"file"`) {
				t.Fatalf("an .exe: %d %s", s, b)
			}
			if s, b := uploadFile(c, "street", "/api/v1/notice-files", "file", "大文件.pdf", append(pdf, make([]byte, 21<<20)...)); s != 413 {
				t.Fatalf("21 MB: %d %s", s, trunc(b))
			}
			if s, _ := uploadFile(c, "patrol01", "/api/v1/notice-files", "file", "方案.pdf", pdf); s != 403 {
				t.Fatalf("a patroller uploads: %d", s)
			}
			s, b := uploadFile(c, "street", "/api/v1/notice-files", "file", "蓝天行动实施方案.pdf", pdf)
			if s != 201 {
				t.Fatalf("a PDF: %d %s", s, b)
			}
			file := idOf(t, b)

			c = c.With(t)
			status, body := c.Do("street", "POST", "/api/v1/notices", `{"title":"关于开展月末综合整治的通知","body":"各社区：\n\n- 清理卫生死角\n- 清除小广告","audience":`+
				people+`,"receipt":true,"due":"`+due+`","files":["`+file+`"]}`)
			if status != 201 || !strings.Contains(body, `"recipients":6`) {
				t.Fatalf("publish: %d %s", status, body)
			}
			id := idOf(t, body)
			n := "/api/v1/notices/" + id
			run(c, t,
				step{name: "AudienceBoth422", user: "street", method: "POST", path: "/api/v1/notices", body: `{"title":"x","body":"y","audience":{"roles":["leader"],"regions":["` + demo.StreetCode + `"],"people":[1]}}`,
					status: 422, want: []string{`"audience"`}},
				step{name: "AudienceNobody422", user: "street", method: "POST", path: "/api/v1/notices", body: `{"title":"x","body":"y","audience":{"roles":["inspector"],"regions":["` + demo.GridCode(0, 0) + `"]}}`,
					status: 422, want: []string{`"audience"`, "没有任何接收人"}},
				step{name: "RegionOutside422", user: "community1", method: "POST", path: "/api/v1/notices", body: `{"title":"x","body":"y","audience":{"roles":["patroller"],"regions":["` + demo.CommunityCode(1) + `"]}}`,
					status: 422, want: []string{`"regions"`}},
				step{name: "PeopleOutside422", user: "community1", method: "POST", path: "/api/v1/notices", body: `{"title":"x","body":"y","audience":{"people":[` + leaders[1] + `]}}`,
					status: 422, want: []string{`"people"`}},
				step{name: "DuePast422", user: "street", method: "POST", path: "/api/v1/notices", body: `{"title":"x","body":"y","audience":` + people + `,"receipt":true,"due":"2020-01-01"}`,
					status: 422, want: []string{`"due"`}},
				step{name: "OthersFile422", user: "community1", method: "POST", path: "/api/v1/notices", body: `{"title":"x","body":"y","audience":{"roles":["patroller"],"regions":["` + demo.CommunityCode(0) + `"]},"files":["` + file + `"]}`,
					status: 422, want: []string{`"files"`}},
				step{name: "PatrollerSends403", user: "patrol01", method: "POST", path: "/api/v1/notices", body: `{"title":"x","body":"y","audience":{"people":[1]}}`, status: 403},
				step{name: "RolesWithinRegion", user: "community1", method: "POST", path: "/api/v1/notices", body: `{"title":"巡查要求","body":"每日两巡","audience":{"roles":["patroller"],"regions":["` + demo.CommunityCode(0) + `"]}}`,
					status: 201, want: []string{`"recipients":10`}},
				step{name: "InInbox", user: "community2", method: "GET", path: "/api/v1/inbox?unread=1", status: 200, want: []string{`"kind":"notice"`}},
				step{name: "MineUnread", user: "community2", method: "GET", path: "/api/v1/notices", status: 200, want: []string{"关于开展月末综合整治的通知", `"read":false`, `"acknowledged":false`}},
				step{name: "OpenRecordsRead", user: "community2", method: "GET", path: n, status: 200, want: []string{`"read":true`, `"acknowledged":false`, "蓝天行动实施方案.pdf", `"ack"`}, not: []string{`"counts"`}},
				step{name: "FileForRecipient", user: "community2", method: "GET", path: n + "/files/1", status: 200},
				step{name: "FileNotForOthers404", user: "patrol01", method: "GET", path: n + "/files/1", status: 404},
				step{name: "NotRecipient404", user: "patrol01", method: "GET", path: n, status: 404},
				step{name: "AckNotReceived404", user: "grid01", method: "POST", path: n + "/ack", status: 404},
				step{name: "Ack", user: "community2", method: "POST", path: n + "/ack", status: 200, want: []string{`"acknowledged":true`}},
				step{name: "Ack2", user: "community3", method: "POST", path: n + "/ack", status: 200, want: []string{`"acknowledged":true`}},
				step{name: "RecipientNoReceipts403", user: "community2", method: "GET", path: n + "/receipts", status: 403},
				step{name: "Receipts", user: "street", method: "GET", path: n + "/receipts", status: 200,
					want: []string{`"read":2`, `"acknowledged":2`, `"total":6`, `"acknowledged_at":null`}},
				step{name: "AdminOversees", user: "admin", method: "GET", path: n + "/receipts", status: 200, want: []string{`"total":6`}},
				step{name: "ReceiptsXLSX", user: "street", method: "GET", path: n + "/receipts.xlsx", status: 200},
				step{name: "Remind", user: "street", method: "POST", path: n + "/remind", status: 200, want: []string{`"reminded":4`}},
				step{name: "RemindAgain429", user: "street", method: "POST", path: n + "/remind", status: 429, want: []string{"每小时只能提醒一次"}},
				step{name: "RecipientRemind403", user: "community4", method: "POST", path: n + "/remind", status: 403},
				step{name: "ReminderInInbox", user: "community4", method: "GET", path: "/api/v1/inbox?unread=1", status: 200, want: []string{`"kind":"notice_reminder"`}},
				step{name: "Sent", user: "street", method: "GET", path: "/api/v1/notices/sent", status: 200, want: []string{`"acknowledged":2`, `"total":6`}},
			)
			// Acknowledging again keeps the first time.
			_, first := c.Do("community2", "GET", n, "")
			_, again := c.Do("community2", "POST", n+"/ack", "")
			var a1, a2 struct {
				AckAt string `json:"acknowledged_at"`
			}
			json.Unmarshal([]byte(first), &a1)
			json.Unmarshal([]byte(again), &a2)
			if a1.AckAt == "" || a1.AckAt != a2.AckAt {
				t.Fatalf("acknowledged_at changed: %q then %q", a1.AckAt, a2.AckAt)
			}
		})
	}
}

// TestChannelScenarios: who manages which channels, what a bad channel is
// answered, that secrets never come back, and the outbox with its retry.
func TestChannelScenarios(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			c := srv.API(t)
			own := `"region":"` + demo.CommunityCode(0) + `"`
			run(c, t,
				step{name: "FTP422", user: "community1", method: "POST", path: "/api/v1/channels", body: `{"kind":"wecom","name":"群","url":"ftp://example.com/x",` + own + `}`,
					status: 422, want: []string{`"url"`, "http://"}},
				step{name: "UnknownEvent422", user: "community1", method: "POST", path: "/api/v1/channels", body: `{"kind":"wecom","name":"群","url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",` + own + `,"events":["case_assigned","fireworks"]}`,
					status: 422, want: []string{`"events"`, "fireworks"}},
				step{name: "WebhookNeedsSecret422", user: "community1", method: "POST", path: "/api/v1/channels", body: `{"kind":"webhook","name":"钩子","url":"https://example.com/hook",` + own + `}`,
					status: 422, want: []string{`"secret"`}},
				step{name: "SMTPNeedsFrom422", user: "community1", method: "POST", path: "/api/v1/channels", body: `{"kind":"smtp","name":"邮件","url":"smtp://mail.example.com:587",` + own + `}`,
					status: 422, want: []string{`"url"`}},
				step{name: "OtherRegion422", user: "community1", method: "POST", path: "/api/v1/channels", body: `{"kind":"wecom","name":"群","url":"https://example.com/x","region":"` + demo.CommunityCode(1) + `"}`,
					status: 422, want: []string{`"region"`}},
				step{name: "Patroller403", user: "patrol01", method: "GET", path: "/api/v1/channels", status: 403},
				step{name: "PatrollerCreate403", user: "patrol01", method: "POST", path: "/api/v1/channels", body: `{"kind":"wecom","name":"群","url":"https://example.com/x",` + own + `}`, status: 403},
				step{name: "StreetChannel", user: "street", method: "POST", path: "/api/v1/channels", body: `{"kind":"dingtalk","name":"街道钉钉群","url":"https://oapi.dingtalk.com/robot/send?access_token=TOKEN123","secret":"SECabc","region":"` + demo.StreetCode + `","events":["digest","notice"]}`,
					status: 201, want: []string{`"has_secret":true`, "access_token=****"}, not: []string{"SECabc", "TOKEN123", `"secret"`}},
				step{name: "Create", user: "community1", method: "POST", path: "/api/v1/channels", body: `{"kind":"webhook","name":"社区钩子","url":"http://127.0.0.1:1/hook","secret":"s3cret",` + own + `,"events":["case_assigned"]}`,
					status: 201, want: []string{`"kind":"webhook"`, `"enabled":true`}, not: []string{"s3cret"}},
				step{name: "LeaderSeesOwn", user: "community1", method: "GET", path: "/api/v1/channels", status: 200, want: []string{"社区钩子", `"total":1`}, not: []string{"街道钉钉群", "s3cret"}},
				step{name: "AdminSeesAll", user: "admin", method: "GET", path: "/api/v1/channels", status: 200, want: []string{"社区钩子", "街道钉钉群"}, not: []string{"s3cret", "SECabc"}},
			)
			_, body := c.Do("street", "GET", "/api/v1/channels", "")
			var list struct {
				Items []struct {
					ID   int64
					Name string
				}
			}
			json.Unmarshal([]byte(body), &list)
			ids := map[string]string{}
			for _, it := range list.Items {
				ids[it.Name] = fmt.Sprint(it.ID)
			}
			hook, street := "/api/v1/channels/"+ids["社区钩子"], "/api/v1/channels/"+ids["街道钉钉群"]
			run(c, t,
				step{name: "OthersChannel404", user: "community1", method: "GET", path: street, status: 404},
				step{name: "PatchKeepsSecret", user: "community1", method: "PATCH", path: hook, body: `{"name":"社区钩子2","secret":""}`, status: 200, want: []string{`"has_secret":true`, "社区钩子2"}},
				step{name: "Test", user: "community1", method: "POST", path: hook + "/test", status: 202},
				step{name: "OutboxPending", user: "community1", method: "GET", path: "/api/v1/outbox?status=pending", status: 200, want: []string{`"event":"test"`, `"status":"pending"`, `"total":1`}},
				step{name: "OutboxBadStatus422", user: "community1", method: "GET", path: "/api/v1/outbox?status=lost", status: 422, want: []string{`"status"`}},
				step{name: "OutboxOtherChannel422", user: "community1", method: "GET", path: "/api/v1/outbox?channel=" + ids["街道钉钉群"], status: 422, want: []string{`"channel"`}},
				step{name: "RetryPending409", user: "community1", method: "POST", path: "/api/v1/outbox/1/retry", status: 409},
				step{name: "Disable", user: "community1", method: "PATCH", path: hook, body: `{"enabled":false}`, status: 200, want: []string{`"enabled":false`}},
				step{name: "TestDisabled409", user: "community1", method: "POST", path: hook + "/test", status: 409},
				step{name: "Settings", user: "patrol01", method: "GET", path: "/api/v1/me/settings", status: 200, want: []string{`"kinds":[]`}},
				step{name: "SettingsBadEmail422", user: "patrol01", method: "PUT", path: "/api/v1/me/settings", body: `{"email":"not-an-address","kinds":["assigned"]}`, status: 422, want: []string{`"email"`}},
				step{name: "SettingsBadKind422", user: "patrol01", method: "PUT", path: "/api/v1/me/settings", body: `{"email":"p@example.com","kinds":["digest"]}`, status: 422, want: []string{`"kinds"`}},
				step{name: "SettingsQuiet422", user: "patrol01", method: "PUT", path: "/api/v1/me/settings", body: `{"email":"p@example.com","quiet_from":"25:00","quiet_to":"07:00"}`, status: 422, want: []string{`"quiet_from"`}},
				step{name: "SettingsSave", user: "patrol01", method: "PUT", path: "/api/v1/me/settings", body: `{"email":"p@example.com","kinds":["assigned","notice"],"quiet_from":"22:00","quiet_to":"07:00"}`,
					status: 200, want: []string{`"kinds":["assigned","notice"]`}},
			)
			// A message that fails for a day is dead; its channel's manager retries or discards it.
			run(c, t, step{name: "Enable", user: "community1", method: "PATCH", path: hook, body: `{"enabled":true}`, status: 200})
			o := worker.NewOutbox(srv.App)
			later := 24 * time.Hour
			kill := func() {
				// A day and more later, past the channel's rest after the last failure.
				later += time.Hour
				o.Now = func() time.Time { return time.Now().Add(later) }
				if n, err := o.DeliverDue(context.Background()); err != nil || n != 0 {
					t.Fatalf("DeliverDue to a closed port: %d, %v", n, err)
				}
			}
			kill()
			_, body = c.Do("community1", "GET", "/api/v1/outbox?status=dead", "")
			var dead struct{ Items []struct{ ID int64 } }
			if json.Unmarshal([]byte(body), &dead); len(dead.Items) != 1 {
				t.Fatalf("dead messages: %s", body)
			}
			msg := fmt.Sprintf("/api/v1/outbox/%d", dead.Items[0].ID)
			run(c, t,
				step{name: "Dead", user: "community1", method: "GET", path: "/api/v1/outbox?status=dead", status: 200, want: []string{`"status":"dead"`, `"attempts":1`, `"last_error":"`}},
				step{name: "OtherLeaderRetry404", user: "community2", method: "POST", path: msg + "/retry", status: 404},
				step{name: "PatrollerRetry403", user: "patrol01", method: "POST", path: msg + "/retry", status: 403},
				step{name: "Retry", user: "community1", method: "POST", path: msg + "/retry", status: 200, want: []string{`"status":"pending"`, `"attempts":0`}},
				step{name: "DiscardPending409", user: "community1", method: "POST", path: msg + "/discard", status: 409},
			)
			kill()
			run(c, t,
				step{name: "Discard", user: "admin", method: "POST", path: msg + "/discard", status: 200, want: []string{`"status":"discarded"`}},
				step{name: "DiscardAgain409", user: "admin", method: "POST", path: msg + "/discard", status: 409},
			)
		})
	}
}

// TestFeedScenarios: staff post to their regions, the feed shows posts of
// one's own regions, below and above them, and others comment.
func TestFeedScenarios(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			c := srv.API(t)
			c = c.With(t)
			status, body := c.Do("patrol01", "POST", "/api/v1/posts", `{"region":"`+demo.GridCode(0, 0)+`","body":"忠武巷卫生死角已清理完毕"}`)
			if status != 201 {
				t.Fatalf("post: %d %s", status, body)
			}
			post := "/api/v1/posts/" + idOf(t, body)
			run(c, t,
				step{name: "OtherGrid422", user: "patrol01", method: "POST", path: "/api/v1/posts", body: `{"region":"` + demo.GridCode(1, 0) + `","body":"x"}`, status: 422, want: []string{`"region"`}},
				step{name: "Empty422", user: "patrol01", method: "POST", path: "/api/v1/posts", body: `{"region":"` + demo.GridCode(0, 0) + `","body":"  "}`, status: 422, want: []string{`"body"`}},
				step{name: "TooManyPhotos422", user: "patrol01", method: "POST", path: "/api/v1/posts", body: `{"region":"` + demo.GridCode(0, 0) + `","body":"x","photos":["1","2","3","4","5","6","7","8","9","10"]}`, status: 422, want: []string{`"photos"`}},
				step{name: "OthersPhoto422", user: "patrol01", method: "POST", path: "/api/v1/posts", body: `{"region":"` + demo.GridCode(0, 0) + `","body":"x","photos":["` + strings.Repeat("a", 64) + `"]}`, status: 422, want: []string{`"photos"`}},
				step{name: "VolunteerCannotPost403", user: "volunteer01", method: "POST", path: "/api/v1/posts", body: `{"region":"` + demo.CommunityCode(0) + `","body":"x"}`, status: 403},
				step{name: "CommunityLeaderSees", user: "community1", method: "GET", path: "/api/v1/posts", status: 200, want: []string{"卫生死角已清理完毕"}},
				step{name: "StreetSees", user: "street", method: "GET", path: "/api/v1/posts", status: 200, want: []string{"卫生死角已清理完毕"}},
				step{name: "VolunteerSees", user: "volunteer01", method: "GET", path: "/api/v1/posts", status: 200, want: []string{"卫生死角已清理完毕"}},
				step{name: "OtherCommunityDoesNot", user: "community2", method: "GET", path: "/api/v1/posts", status: 200, want: []string{`"total":0`}},
				step{name: "OtherCommunity404", user: "community2", method: "GET", path: post, status: 404},
				step{name: "UnitContact403", user: "unit01", method: "GET", path: "/api/v1/posts", status: 403},
				step{name: "StreetPost", user: "street", method: "POST", path: "/api/v1/posts", body: `{"region":"` + demo.StreetCode + `","body":"本周五全街道开展月末综合整治"}`, status: 201},
				step{name: "GridSeesAbove", user: "patrol01", method: "GET", path: "/api/v1/posts", status: 200, want: []string{"月末综合整治", `"total":2`}},
				step{name: "Comment", user: "volunteer01", method: "POST", path: post + "/comments", body: `{"body":"辛苦了！"}`, status: 201, want: []string{"辛苦了"}},
				step{name: "CommentEmpty422", user: "volunteer01", method: "POST", path: post + "/comments", body: `{"body":""}`, status: 422, want: []string{`"body"`}},
				step{name: "CommentOther404", user: "community2", method: "POST", path: post + "/comments", body: `{"body":"x"}`, status: 404},
				step{name: "Comments", user: "patrol01", method: "GET", path: post + "/comments", status: 200, want: []string{"辛苦了", `"total":1`}},
				step{name: "Counted", user: "patrol01", method: "GET", path: post, status: 200, want: []string{`"comments":1`}},
				step{name: "ShareUnknown422", user: "community1", method: "POST", path: "/api/v1/posts/share", body: `{"case":"XG-20990101-0001"}`, status: 422, want: []string{`"case"`}},
			)
		})
	}
}

// TestEventStream opens the live stream with a token and with the pages'
// session cookie: the unread count comes first, a notice and a post arrive
// as they are committed, and someone else's do not.
func TestEventStream(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	c := srv.API(t)
	open := func(hdr map[string]string) (*bufio.Reader, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/events", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return bufio.NewReader(resp.Body), func() { cancel(); resp.Body.Close() }
	}
	// next reads events until one named name arrives, and returns its data.
	next := func(r *bufio.Reader, name string) string {
		t.Helper()
		done := make(chan string, 1)
		go func() {
			ev := ""
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					done <- "error: " + err.Error()
					return
				}
				line = strings.TrimRight(line, "\n")
				if v, ok := strings.CutPrefix(line, "event: "); ok {
					ev = v
				}
				if v, ok := strings.CutPrefix(line, "data: "); ok && ev == name {
					done <- v
					return
				}
			}
		}()
		select {
		case d := <-done:
			return d
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s event", name)
			return ""
		}
	}
	if s, _ := c.Do("", "GET", "/api/v1/events", ""); s != 401 {
		t.Fatalf("anonymous stream: %d", s)
	}
	r, stop := open(map[string]string{"Authorization": "Bearer " + c.Token("community2")})
	defer stop()
	if d := next(r, "inbox"); d != `{"unread":0}` {
		t.Fatalf("first inbox event %s", d)
	}
	// The pages' session works too.
	req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader("username=patrol01&password="+demo.Password))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil || resp.StatusCode != 303 {
		t.Fatalf("sign in: %v", err)
	}
	resp.Body.Close()
	var cookie string
	for _, ck := range resp.Cookies() {
		if ck.Name == "lantian_session" || strings.Contains(ck.Name, "session") {
			cookie = ck.Name + "=" + ck.Value
		}
	}
	r2, stop2 := open(map[string]string{"Cookie": cookie})
	defer stop2()
	if d := next(r2, "inbox"); !strings.Contains(d, "unread") {
		t.Fatalf("session stream: %s", d)
	}
	id := personID(t, c, "community2")
	c = c.With(t)
	if s, b := c.Do("street", "POST", "/api/v1/notices", fmt.Sprintf(`{"title":"实时通知","body":"正文","audience":{"people":[%d]}}`, id)); s != 201 {
		t.Fatalf("publish: %d %s", s, b)
	}
	// The inbox count comes first, then the notice (the order they were published in).
	if d := next(r, "inbox"); d != `{"unread":1}` {
		t.Fatalf("inbox after the notice %s", d)
	}
	if d := next(r, "notice"); !strings.Contains(d, "实时通知") || !strings.Contains(d, `"change":"new"`) {
		t.Fatalf("notice event %s", d)
	}
	// A post in grid (0, 0) reaches the patroller there, not community 2's leader.
	if s, b := c.Do("patrol01", "POST", "/api/v1/posts", `{"region":"`+demo.GridCode(0, 0)+`","body":"实时动态"}`); s != 201 {
		t.Fatalf("post: %d %s", s, b)
	}
	if d := next(r2, "post"); !strings.Contains(d, "实时动态") {
		t.Fatalf("post event %s", d)
	}
	if s, b := c.Do("community2", "POST", "/api/v1/posts", `{"region":"`+demo.CommunityCode(1)+`","body":"二社区动态"}`); s != 201 {
		t.Fatalf("post: %d %s", s, b)
	}
	if d := next(r, "post"); !strings.Contains(d, "二社区动态") {
		t.Fatalf("community 2's own post: %s (community 1's should never have come)", d)
	}
}
