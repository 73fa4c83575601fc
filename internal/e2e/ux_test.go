package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// The journeys of issue 16: what a street office trips over.

// as returns the principal and actor of a demo user.
func as(t *testing.T, s *site, username string) (*auth.Principal, store.Actor) {
	t.Helper()
	return testutil.As(t, s.App, username)
}

// reportAs records an escalated case at the demo point as username.
func reportAs(t *testing.T, s *site, username, clientID, description, address string) cases.Case {
	t.Helper()
	p, who := as(t, s, username)
	c, _, err := s.App.Cases.Report(context.Background(), who, p, casesvc.Report{Input: cases.Input{ClientID: clientID, Category: "06010",
		Description: description, Address: address, Lat: reportLat, Lon: reportLon, Class: cases.ClassEscalated}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptrTo[T any](v T) *T { return &v }

// TestUXFieldTasks: on a phone with no location, a patroller handles a case
// assigned to the grid from the task list offline, then online; then records
// a finding by tapping the grid map and sees its case number.
func TestUXFieldTasks(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		c := reportAs(t, s, "volunteer01", "a1000000-0000-4000-8000-000000000001", "巷子里堆着建筑垃圾", "忠武巷8号")
		leader, lwho := as(t, s, "community1")
		c, err := s.App.Cases.Act(ctx, lwho, leader, c.Number, casesvc.Action{Action: cases.ActionAssign, Version: ptrTo(1),
			Assignee: &casesvc.Assignee{Region: demo.GridCode(0, 0)}})
		if err != nil {
			t.Fatal(err)
		}
		line := newCutLine(t, s.URL)
		ps := &site{URL: line.URL, DB: s.DB, Backend: s.Backend, App: s.App}
		tb := ps.newTab(t)
		tb.phone()
		if st := tb.open("/m/"); st != 200 {
			t.Fatalf("GET /m/ = %d", st)
		}
		tb.waitField("the sign-in form", `!!document.querySelector("#signin")`, 10*time.Second)
		tb.setField("#signin", "username", "patrol02")
		tb.setField("#signin", "password", demo.Password)
		tb.tapField("sign in", `#signin button[type=submit]`)
		task := fmt.Sprintf(`.task[data-case=%q] button.task-handle`, c.Number)
		tb.waitField("the case assigned to the grid in my tasks", visibleJS(task), 20*time.Second)
		tb.fitsPhone("the field app's home with tasks")

		tb.network(line, lineOff)
		tb.waitField("offline", `!navigator.onLine`, 5*time.Second)
		tb.tapField("handle the case", task)
		tb.waitField("the handling form", `!!document.querySelector("#actionform")`, 5*time.Second)
		tb.setField("#actionform", "note", "已清运建筑垃圾")
		tb.uploadField("the after photo", `#actionform input[name=photo]`, []string{writePNG(t, "after.png")})
		tb.tapField("save", `#actionform button[type=submit]`)
		tb.waitField("the handling queued", `window.fieldApp.pending().then(n => n >= 1)`, 10*time.Second)
		if bar := tb.text("#syncbar"); !strings.Contains(bar, "离线") || strings.Contains(bar, "全部已上传") {
			t.Errorf("offline sync bar = %q", bar)
		}
		tb.network(line, lineOn)
		evalAsync[bool](tb, `window.fieldApp.flush().then(() => true)`)
		tb.waitField("the handling sent", `window.fieldApp.pending().then(n => n === 0)`, 20*time.Second)
		tb.waitField("the after photo sent", `window.fieldApp.photos().then(p => p.length === 0)`, 20*time.Second)
		got := dbCase(t, s, c.Number)
		if got.Status != cases.StatusHandled || len(got.Photos) != 1 || got.Photos[0].Step != "after" {
			t.Fatalf("after handling from the phone: status %s, photos %+v", got.Status, got.Photos)
		}

		// A finding with no location: the point is tapped on the grid's map.
		start := fmt.Sprintf(`.grid[data-grid=%q] button.start`, demo.GridCode(0, 0))
		tb.waitField("the start button", visibleJS(start), 15*time.Second)
		tb.tapField("start the patrol", start)
		tb.tapField("open the finding form", `#finding`)
		tb.waitField("the finding form", `!!document.querySelector("#caseform")`, 5*time.Second)
		tb.tapField("choose 上报件", `#caseform input[value=escalated] + span`)
		tb.pickCategory()
		tb.setField("#caseform", "description", "路口烧树叶")
		tb.tapField("save without a place", `#caseform button[type=submit]`)
		if msg := tb.text("#caseform .error"); !strings.Contains(msg, "位置") {
			t.Errorf("saving without a place says %q, want it to ask for the place", msg)
		}
		tb.waitField("the grid map", visibleJS(`#wherepick svg.gridmap polygon`), 10*time.Second)
		xy := eval[[]float64](tb, `(() => { const r = document.querySelector("#wherepick svg.gridmap polygon").getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
		tb.do("tap the map", chromedp.TapXY(xy[0], xy[1]))
		if w := tb.text("#where"); !strings.Contains(w, "手动选定") {
			t.Errorf("after tapping the map the place reads %q", w)
		}
		tb.tapField("save the finding", `#caseform button[type=submit]`)
		tb.waitField("the finding sent with its number", `window.fieldApp.sent().then(l => l.length > 0 && l[0].number.startsWith("XG-"))`, 20*time.Second)
		number := evalAsync[string](tb, `window.fieldApp.sent().then(l => l[0].number)`)
		flags, err := s.DB.CaseFlags(ctx, dbCase(t, s, number).ID)
		if err != nil || len(flags) != 1 || flags[0] != store.FlagManualPosition {
			t.Errorf("case %s flags %v %v, want position set by hand", number, flags, err)
		}
		tb.fitsPhone("the patrol screen")
	})
}

// TestUXLeaderAndResident: a leader's home lists the case waiting for
// assignment; the leader assigns it to a unit picked by name; the street
// leader finds it by part of its address; a resident follows a report to
// its handling and says it is not solved, which puts it back before the leader.
func TestUXLeaderAndResident(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		c := reportAs(t, s, "patrol01", "a2000000-0000-4000-8000-000000000001", "工地围挡倒了", "槐荫路工地北门")
		leader, lwho := as(t, s, "community1")
		c, err := s.App.Cases.Act(ctx, lwho, leader, c.Number, casesvc.Action{Action: cases.ActionFile, Version: ptrTo(1)})
		if err != nil {
			t.Fatal(err)
		}
		units, _, err := s.DB.Units(ctx, store.UnitFilter{Roots: leader.Scopes(auth.UnitRead), Status: "active", Sort: "name", Page: store.Page{Page: 1, Size: 1}})
		if err != nil || len(units) == 0 {
			t.Fatalf("a unit of community 1: %v", err)
		}
		un := units[0]

		desk := s.newTab(t)
		desk.do("desktop window", chromedp.EmulateViewport(1280, 800))
		desk.signIn("community1", demo.Password)
		desk.open("/")
		if n := desk.text("#todo .todo-to_assign .todo-count"); n != "1" {
			t.Fatalf("the home's to-assign count = %q, want 1", n)
		}
		desk.do("open the cases to assign", chromedp.Click(chromedp.CSS("#todo .todo-to_assign"), chromedp.NodeVisible))
		desk.waitFor("the filtered ledger", `location.pathname === "/cases"`, 10*time.Second)
		if got := desk.texts("#case-table tbody a[href^='/cases/XG-']"); len(got) != 1 || got[0] != c.Number {
			t.Fatalf("the to-assign list = %v, want exactly %s", got, c.Number)
		}
		desk.open("/cases/" + c.Number)
		desk.do("open the assign form", chromedp.Click(chromedp.CSS("#act-assign summary"), chromedp.NodeVisible))
		part := string([]rune(un.Name)[:2])
		desk.pick("assign-unit-search", part, fmt.Sprint(un.ID))
		if st := desk.submit("#assign-form"); st != 200 {
			t.Fatalf("assign: %d %s", st, desk.errorText())
		}
		if got := dbCase(t, s, c.Number); got.Status != cases.StatusAssigned || got.Assignee != cases.AssigneeRef("unit", un.ID) {
			t.Fatalf("after assigning: %s %s, want assigned to unit %d", got.Status, got.Assignee, un.ID)
		}

		street := s.newTab(t)
		street.do("desktop window", chromedp.EmulateViewport(1280, 800))
		street.signIn("street", demo.Password)
		street.open("/cases")
		street.do("type part of the address", chromedp.SendKeys(chromedp.ID("f-q"), "槐荫路工地\n"))
		street.waitFor("the case found by its address", fmt.Sprintf(`document.querySelector("#case-results").innerText.includes(%q)`, c.Number), 15*time.Second)

		// A resident reports on a phone and keeps the tracking link.
		res := s.newTab(t)
		res.phone()
		res.open("/public/report")
		res.fill("category", "06010")
		res.do("describe", chromedp.SendKeys(chromedp.ID("description"), "楼下垃圾没人清"))
		res.tapMapInGrid(demo.GridCode(0, 0))
		if st := res.tapSubmit("#report-submit"); st != 200 {
			t.Fatalf("public report: %d %s", st, res.errorText())
		}
		link := eval[string](res, `document.getElementById("track-link").getAttribute("href")`)
		number := strings.TrimPrefix(strings.SplitN(link, "?", 2)[0], "/public/cases/")
		if !strings.Contains(link, "?t=") {
			t.Fatalf("tracking link %q", link)
		}
		// Staff handle it with a note and an after photo, and close it.
		n := dbCase(t, s, number)
		sl, swho := as(t, s, "community1")
		n, err = s.App.Cases.Act(ctx, swho, sl, number, casesvc.Action{Action: cases.ActionAssign, Version: ptrTo(n.Version), Assignee: &casesvc.Assignee{Region: demo.GridCode(0, 0)}})
		if err != nil {
			t.Fatal(err)
		}
		pp, pwho := as(t, s, "patrol02")
		png, _ := os.ReadFile(writePNG(t, "fixed.png"))
		if _, err := s.App.Cases.AddPhoto(ctx, pwho, pp, s.App.Photos, number, "after", bytes.NewReader(png)); err != nil {
			t.Fatal(err)
		}
		if n, err = s.App.Cases.Act(ctx, pwho, pp, number, casesvc.Action{Action: cases.ActionHandle, Version: ptrTo(n.Version), Note: "垃圾已清运，地面已冲洗"}); err != nil {
			t.Fatal(err)
		}
		if _, err = s.App.Cases.Act(ctx, swho, sl, number, casesvc.Action{Action: cases.ActionVerify, Version: ptrTo(n.Version), Passed: ptrTo(true)}); err != nil {
			t.Fatal(err)
		}
		res.open(link)
		if tl := res.text("#track-timeline"); !strings.Contains(tl, "垃圾已清运，地面已冲洗") || !strings.Contains(tl, "已办结") {
			t.Errorf("the tracking timeline = %q", tl)
		}
		res.waitFor("the after photo", `(() => { const i = document.querySelector("#track-photos img"); return !!i && i.complete && i.naturalWidth > 0; })()`, 10*time.Second)
		res.fitsPhone("the tracking page")
		res.do("not solved", chromedp.Click(chromedp.ID("fb-unsolved"), chromedp.NodeVisible))
		res.do("comment", chromedp.SendKeys(chromedp.ID("fb-comment"), "第二天又堆满了"))
		if st := res.submit("#feedback-form"); st != 200 {
			t.Fatalf("feedback: %d", st)
		}
		if res.text("#track-thanks") == "" {
			t.Error("no thanks after the feedback")
		}
		back := dbCase(t, s, number)
		last := back.Timeline[len(back.Timeline)-1]
		if back.Status != cases.StatusFiled || last.Action != cases.ActionReview || last.Note != "第二天又堆满了" {
			t.Fatalf("after not solved: %s, last step %s %q", back.Status, last.Action, last.Note)
		}
		desk.open("/")
		if n := desk.text("#todo .todo-to_assign .todo-count"); n != "1" {
			t.Errorf("the leader's to-assign count after the resident's answer = %q, want 1 (the case is back)", n)
		}
	})
}

// TestUXScreens opens the changed pages at 360 and 1280 px in both
// languages: no horizontal overflow, no untranslated catalog key; the
// screenshots are kept in testout/e2e/ux.
func TestUXScreens(t *testing.T) {
	s := newSite(t, "sqlite")
	browser(t)
	c := reportAs(t, s, "patrol01", "a3000000-0000-4000-8000-000000000001", "截图用的问题", "忠武巷1号")
	dir := filepath.Join("..", "..", "testout", "e2e", "ux")
	_ = os.MkdirAll(dir, 0o755)
	pages := map[string][]string{
		"admin":      {"/", "/cases", "/cases/" + c.Number, "/audit", "/admin/categories", "/inbox", "/patrols"},
		"community1": {"/", "/cases/" + c.Number},
		"":           {"/login", "/public/cases/" + c.Number},
	}
	for user, paths := range pages {
		for _, width := range []int64{360, 1280} {
			for _, lang := range []string{"zh-CN", "en"} {
				tb := s.newTab(t)
				if width == 360 {
					tb.phone()
				} else {
					tb.do("desktop", chromedp.EmulateViewport(width, 800))
				}
				if user != "" {
					tb.signIn(user, demo.Password)
				}
				for _, path := range paths {
					sep := "?"
					if strings.Contains(path, "?") {
						sep = "&"
					}
					if st := tb.open(path + sep + "lang=" + lang); st != 200 {
						t.Errorf("%s %s as %q: %d", path, lang, user, st)
						continue
					}
					what := fmt.Sprintf("%s (%s, %d px, %s)", path, lang, width, user)
					tb.noOverflow(what)
					tb.noRawKeys(what)
					png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
					if err == nil {
						name := strings.NewReplacer("/", "_", "?", "_").Replace(fmt.Sprintf("%s%s-%d-%s.png", user, path, width, lang))
						_ = os.WriteFile(filepath.Join(dir, name), png, 0o644)
					}
				}
			}
		}
	}
	_ = people.Admin
}
