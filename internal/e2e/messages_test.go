package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/worker"
)

// TestNoticeReceiptsLive: the street's leader sends a notice requiring a
// receipt to the six community leaders; two of them acknowledge it in their
// own browser windows; the sender's receipts page, never reloaded, comes to
// show four still outstanding; the sender reminds them.
func TestNoticeReceiptsLive(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		const title = "关于开展十二月月末综合整治的通知"
		sender := s.newTab(t)
		sender.signIn("street", demo.Password)
		if st := sender.open("/notices/new"); st != 200 {
			t.Fatalf("GET /notices/new: %d", st)
		}
		sender.fill("n-title", title)
		sender.do("type the text", chromedp.SendKeys(chromedp.ID("n-body"), "各社区：\n\n1. 本周五清理卫生死角\n2. 清除小广告"))
		sender.do("choose people by name", chromedp.Click(chromedp.ID("by-name"), chromedp.NodeVisible))
		sender.do("select all community leaders", chromedp.Click(chromedp.CSS(`button.select-all[data-group="leader-3"]`), chromedp.NodeVisible))
		if n := eval[int](sender, `document.querySelectorAll('fieldset[data-group="leader-3"] input:checked').length`); n != 6 {
			t.Fatalf("%d community leaders ticked, want 6", n)
		}
		if !eval[bool](sender, `document.getElementById("n-receipt").checked`) {
			sender.do("ask for receipts", chromedp.Click(chromedp.ID("n-receipt")))
		}
		if st := sender.submit("#compose-submit"); st != 200 {
			t.Fatalf("send: status %d; error %q %q", st, sender.errorText(), sender.texts(".field-error"))
		}
		if p := sender.path(); !strings.HasSuffix(p, "/receipts") {
			t.Fatalf("after sending the page is %s, want the receipts", p)
		}
		if got := sender.text("#rc-outstanding"); got != "6" {
			t.Fatalf("outstanding after sending = %q, want 6", got)
		}
		notice := strings.TrimSuffix(sender.path(), "/receipts")
		// Marks the page: a reload would lose it.
		eval[bool](sender, `window.notReloaded = true`)

		for _, who := range []string{"community2", "community5"} {
			leader := s.newTab(t)
			leader.signIn(who, demo.Password)
			leader.waitFor(who+"'s unread badge", `Number((document.getElementById("unread-count") || {innerText: "0"}).innerText) >= 1`, 20*time.Second)
			if st := leader.open("/notices"); st != 200 {
				t.Fatalf("%s: GET /notices %d", who, st)
			}
			if !strings.Contains(leader.text("#notice-list"), title) {
				t.Fatalf("%s's notices lack %q: %s", who, title, leader.text("#notice-list"))
			}
			if st := leader.open(notice); st != 200 {
				t.Fatalf("%s opens the notice: %d", who, st)
			}
			if items := leader.texts(".notice-body li"); len(items) != 2 || items[0] != "本周五清理卫生死角" {
				t.Errorf("%s sees the list as %q", who, items)
			}
			if st := leader.submit("#ack"); st != 200 {
				t.Fatalf("%s acknowledges: %d", who, st)
			}
			if leader.text("#acked") == "" {
				t.Fatalf("%s's page does not show the receipt", who)
			}
		}

		sender.waitFor("four outstanding on the live receipts page", `document.getElementById("rc-outstanding").innerText === "4"`, 20*time.Second)
		if !eval[bool](sender, `window.notReloaded === true`) {
			t.Fatal("the receipts page was reloaded")
		}
		if got := sender.text("#rc-acked"); got != "2" {
			t.Errorf("acknowledged = %q, want 2", got)
		}
		if got := sender.text("#rc-read"); got != "2" {
			t.Errorf("read = %q, want 2", got)
		}
		rows := sender.texts("#receipts-table tr.outstanding")
		if len(rows) != 4 {
			t.Errorf("%d outstanding rows, want 4: %q", len(rows), rows)
		}

		if st := sender.submit("#remind"); st != 200 {
			t.Fatalf("remind: %d", st)
		}
		if f := sender.flash(); !strings.Contains(f, "已提醒") {
			t.Errorf("flash after reminding = %q", f)
		}
		if sender.text("#remind-wait") == "" {
			t.Error("the page offers another reminder at once")
		}
		// The four outstanding have the reminder in their inbox; those who acknowledged do not.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for who, want := range map[string]bool{"community1": true, "community3": true, "community4": true, "community6": true, "community2": false, "community5": false} {
			p, _, err := s.DB.Credentials(ctx, who)
			if err != nil {
				t.Fatal(err)
			}
			items, _, err := s.DB.Inbox(ctx, p.ID, true, store.Page{Size: 20})
			if err != nil {
				t.Fatal(err)
			}
			got := false
			for _, it := range items {
				got = got || it.Kind == string(notify.NoticeReminder)
			}
			if got != want {
				t.Errorf("%s has a reminder: %v, want %v", who, got, want)
			}
		}
	})
}

// TestCaseAssignedReachesWeCom: a community leader adds the community's
// WeCom group robot (a local double), then assigns a case to a grid; the
// robot receives the WeCom markdown message within seconds, and the grid's
// patroller, with the field app open on a phone, sees the new assignment
// without reloading.
func TestCaseAssignedReachesWeCom(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		var mu sync.Mutex
		var got []string
		robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, r.URL.RequestURI()+" "+string(b))
			mu.Unlock()
			io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
		}))
		defer robot.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { worker.NewOutbox(s.App).Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })

		leader := s.newTab(t)
		leader.signIn("community1", demo.Password)
		if st := leader.open("/channels"); st != 200 {
			t.Fatalf("GET /channels: %d", st)
		}
		leader.fill("c-kind", "wecom", "c-name", "忠武巷社区工作群", "c-url", robot.URL+"/cgi-bin/webhook/send?key=E2E-KEY", "c-region", demo.CommunityCode(0))
		leader.do("subscribe to assignments", chromedp.Click(chromedp.CSS(`#channel-form input[name=events][value=case_assigned]`), chromedp.NodeVisible))
		if st := leader.submit("#channel-submit"); st != 200 {
			t.Fatalf("add channel: %d; %q %q", st, leader.errorText(), leader.texts(".field-error"))
		}
		if table := leader.text("#channels-table"); !strings.Contains(table, "忠武巷社区工作群") || strings.Contains(table, "E2E-KEY") {
			t.Fatalf("channels table: %s", table)
		}

		// A case reported in grid (0, 0), then assigned to that grid on the case page.
		p, _, err := s.DB.Credentials(ctx, "patrol01")
		if err != nil {
			t.Fatal(err)
		}
		who := store.Actor{ID: p.ID, Name: p.Username}
		c, _, err := s.App.Cases.Report(ctx, who, principalOf(p), casesvc.Report{Input: cases.Input{ClientID: "7e2e0000-0000-4000-8000-000000000013",
			Category: "06010", Description: "巷口暴露垃圾", Address: "忠武巷12号院", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassEscalated}})
		if err != nil {
			t.Fatal(err)
		}
		phone := s.newTab(t)
		phone.phone()
		if st := phone.open("/m/"); st != 200 {
			t.Fatalf("GET /m/: %d", st)
		}
		phone.waitFor("the sign-in form", `!!document.querySelector("#signin")`, 10*time.Second)
		phone.setField("#signin", "username", "patrol01")
		phone.setField("#signin", "password", demo.Password)
		phone.do("sign in", chromedp.Tap(chromedp.CSS(`#signin button[type=submit]`), chromedp.NodeVisible))
		phone.waitFor("the field app's home", `!!document.querySelector("#grids .grid")`, 15*time.Second)
		eval[bool](phone, `window.notReloaded = true`)

		if st := leader.open("/cases/" + c.Number); st != 200 {
			t.Fatalf("open case: %d", st)
		}
		leader.openAction("assign")
		leader.fill("assignee", "region:"+demo.GridCode(0, 0))
		assigned := time.Now()
		if st := leader.submit("#assign-form button[type=submit]"); st != 200 {
			t.Fatalf("assign: %d; %q", st, leader.errorText())
		}
		var msg string
		for deadline := time.Now().Add(15 * time.Second); msg == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			mu.Lock()
			for _, g := range got {
				if strings.Contains(g, c.Number) {
					msg = g
				}
			}
			mu.Unlock()
		}
		if msg == "" {
			t.Fatalf("the robot received nothing about %s within 15 s (got %q)", c.Number, got)
		}
		t.Logf("the robot had the message %v after the assignment", time.Since(assigned).Round(time.Millisecond))
		uri, body, _ := strings.Cut(msg, " ")
		if uri != "/cgi-bin/webhook/send?key=E2E-KEY" {
			t.Errorf("posted to %s", uri)
		}
		var wc struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if err := json.Unmarshal([]byte(body), &wc); err != nil || wc.MsgType != "markdown" {
			t.Fatalf("not a WeCom markdown message: %s", body)
		}
		if want := fmt.Sprintf("**【案件派遣】%s 暴露垃圾**", c.Number); !strings.HasPrefix(wc.Markdown.Content, want) {
			t.Errorf("content starts %q, want %q", wc.Markdown.Content, want)
		}
		for _, want := range []string{"忠武巷12号院", "巷口暴露垃圾", "处置："} {
			if !strings.Contains(wc.Markdown.Content, want) {
				t.Errorf("content lacks %q: %s", want, wc.Markdown.Content)
			}
		}
		phone.waitFor("the new assignment on the phone", fmt.Sprintf(`!!document.querySelector('#assigned [data-case=%q]')`, c.Number), 20*time.Second)
		if !eval[bool](phone, `window.notReloaded === true`) {
			t.Error("the field app was reloaded")
		}
	})
}

// principalOf is a person as the services see them acting.
func principalOf(p people.Person) *auth.Principal {
	return &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}
}

// TestWorkGroupOnPhone opens the work group's pages on a 360 px phone, with
// the demo's notices, posts and channel: nothing is wider than the screen.
func TestWorkGroupOnPhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := demo.SeedMessages(ctx, s.DB, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"street", "community3"} {
			tb := s.newTab(t)
			tb.phone()
			tb.signIn(who, demo.Password)
			pages := []string{"/notices", "/notices/new?by=name", "/notices?tab=sent", "/feed", "/channels", "/outbox", "/profile/notifications"}
			if who == "community3" {
				pages = []string{"/notices", "/feed", "/channels", "/outbox?status=pending", "/profile/notifications"}
			}
			for _, p := range pages {
				if st := tb.open(p); st != 200 {
					t.Fatalf("%s: GET %s = %d", who, p, st)
				}
				tb.fitsPhone(who + " " + p)
			}
			// The first notice and, for its sender, its receipts.
			if st := tb.open("/notices" + map[string]string{"street": "?tab=sent", "community3": ""}[who]); st != 200 {
				t.Fatal(st)
			}
			href := eval[string](tb, `(document.querySelector("#notice-list a.notice-item") || {href: ""}).href`)
			if href == "" {
				t.Fatalf("%s has no notice to open", who)
			}
			tb.do("open the notice", chromedp.Navigate(href))
			tb.waitFor("the page", `document.readyState === "complete"`, 10*time.Second)
			tb.fitsPhone(who + " " + tb.path())
		}
	})
}
