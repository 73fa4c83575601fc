package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/demo"
)

// The browser journeys of issue 11: a community leader records a clean-up
// task on a phone, and the report prints and exports; a publicity event
// takes 50 bags from the store and one that asks for too many is refused; a
// distribution raises a community's coverage on the map; the calendar shows
// this month's campaign and event, and the private feed holds them.

// apiAs calls the JSON API as a demo account (for the journeys' setting up)
// and decodes a 2xx answer into out; it fails the test on any other status.
func apiAs(t *testing.T, s *site, user, method, path, body string, out any) {
	t.Helper()
	tok := func() string {
		resp, err := http.Post(s.URL+"/api/v1/tokens", "application/json", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, demo.Password)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v struct{ Token string }
		json.NewDecoder(resp.Body).Decode(&v)
		if v.Token == "" {
			t.Fatalf("no API token for %s: status %d", user, resp.StatusCode)
		}
		return v.Token
	}()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s as %s: status %d: %s", method, path, user, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// today is the street's local date.
func today() string {
	return time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
}

// planCampaign has the street leader plan today's clean-up in 忠武巷社区 with
// one task in grid 1 and one for a unit; it returns the campaign and task ids.
func planCampaign(t *testing.T, s *site) (id, task int64) {
	t.Helper()
	var c struct {
		ID    int64
		Tasks []struct{ ID int64 }
	}
	apiAs(t, s, "street", "POST", "/api/v1/campaigns", fmt.Sprintf(`{"title":"月末综合整治（测试）","date":%q,"regions":[%q],
		"tasks":[{"kind":"ads","title":"忠武巷电线杆小广告","region":%q,"lat":34.5725,"lon":105.7025}]}`, today(), demo.CommunityCode(0), demo.GridCode(0, 0)), &c)
	return c.ID, c.Tasks[0].ID
}

// TestCampaignOnPhone: 忠武巷社区's leader, on a 360 px phone, photographs a
// task before and after and records its counts; the street leader prints the
// report to PDF with the totals and exports it to Excel, which the test opens.
func TestCampaignOnPhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		id, task := planCampaign(t, s)
		cpath := "/campaigns/" + strconv.FormatInt(id, 10)
		taskSel := fmt.Sprintf("#task-%d", task)

		ph := s.newTab(t)
		ph.phone()
		ph.signIn("community1", demo.Password)
		if st := ph.open("/campaigns"); st != 200 {
			t.Fatalf("GET /campaigns: %d", st)
		}
		if st := ph.submit(fmt.Sprintf(`#campaign-table tr[data-campaign="%d"] a`, id)); st != 200 || ph.path() != cpath {
			t.Fatalf("open the campaign from the list: status %d, at %s", st, ph.path())
		}
		ph.fitsPhone("the campaign page")
		for _, step := range []string{"before", "after"} {
			ph.do("open the photo form", chromedp.Click(chromedp.CSS(fmt.Sprintf("#photo-%d summary", task)), chromedp.NodeVisible))
			ph.do("choose "+step, chromedp.Click(chromedp.ID(fmt.Sprintf("step-%s-%d", step, task)), chromedp.NodeVisible),
				chromedp.SetUploadFiles(chromedp.ID(fmt.Sprintf("file-%d", task)), []string{writePNG(t, step+".png")}))
			if st := ph.tapSubmit(fmt.Sprintf("#upload-%d", task)); st != 200 {
				t.Fatalf("upload the %s photo: status %d; errors %q", step, st, ph.texts(".field-error"))
			}
			if f := ph.flash(); f != "照片已上传" {
				t.Errorf("after the %s photo the flash reads %q", step, f)
			}
		}
		ph.thumbsLoaded(taskSel+" .thumbs.before img", 1)
		ph.thumbsLoaded(taskSel+" .thumbs.after img", 1)
		ph.do("open the result form", chromedp.Click(chromedp.CSS(fmt.Sprintf("#result-%d summary", task)), chromedp.NodeVisible))
		ph.fill(fmt.Sprintf("c%d-ads", task), "12", fmt.Sprintf("c%d-corners", task), "3", fmt.Sprintf("c%d-bags", task), "40", fmt.Sprintf("c%d-people", task), "25")
		ph.do("tick done", chromedp.Click(chromedp.ID(fmt.Sprintf("done-%d", task)), chromedp.NodeVisible))
		if st := ph.tapSubmit(fmt.Sprintf("#save-result-%d", task)); st != 200 {
			t.Fatalf("save the result: %d; errors %q", st, ph.texts(".field-error"))
		}
		if got := ph.text(taskSel + " .count-ads"); got != "12" {
			t.Errorf("small ads shown: %q, want 12", got)
		}
		if got := ph.text(taskSel + " h3 .tag.done"); got != "已完成" {
			t.Errorf("the task reads %q, want 已完成", got)
		}
		ph.fitsPhone("the campaign page after recording")

		desk := s.newTab(t)
		desk.signIn("street", demo.Password)
		if st := desk.open(cpath + "/report"); st != 200 {
			t.Fatalf("the report: %d", st)
		}
		for sel, want := range map[string]string{"#tot-ads": "12", "#tot-bags": "40", "#tot-people": "25", "#tot-tasks": "1 / 1"} {
			if got := desk.text(sel); got != want {
				t.Errorf("report %s = %q, want %q", sel, got, want)
			}
		}
		pdf, err := chromedp.Run(desk.ctx, chromedp.PrintToPDF())
		if err != nil || len(pdf) < 1000 || string(pdf[:5]) != "%PDF-" {
			t.Fatalf("print the report to PDF: %v, %d bytes", err, len(pdf))
		}
		// On paper: A4, the buttons and menus left off, the totals kept.
		media := func(m string) {
			if _, err := chromedp.Call(desk.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
				t.Fatalf("emulate media %q: %v", m, err)
			}
		}
		media("print")
		if shown := eval[string](desk, `getComputedStyle(document.querySelector(".actions.no-print")).display`); shown != "none" {
			t.Errorf("the buttons print (display %q)", shown)
		}
		if shown := eval[string](desk, `getComputedStyle(document.getElementById("report-totals")).display`); shown == "none" {
			t.Error("the totals do not print")
		}
		media("")
		path, name := desk.download("#report-xlsx")
		if !strings.HasSuffix(name, ".xlsx") {
			t.Errorf("the export is named %q", name)
		}
		x, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("open the export: %v", err)
		}
		defer x.Close()
		summary, err := x.GetRows("汇总")
		if err != nil {
			t.Fatalf("the summary sheet: %v (sheets %v)", err, x.GetSheetList())
		}
		vals := map[string]string{}
		for _, r := range summary {
			if len(r) >= 2 {
				vals[r[0]] = r[1]
			}
		}
		if vals["小广告（处）"] != "12" || vals["垃圾（袋）"] != "40" || vals["完成任务"] != "1 / 1" {
			t.Errorf("the summary sheet reads %v", vals)
		}
		tasks, err := x.GetRows("任务")
		if err != nil || len(tasks) != 2 || tasks[1][2] != "忠武巷电线杆小广告" || tasks[1][len(tasks[1])-1] != "1" {
			t.Errorf("the task sheet reads %q (%v)", tasks, err)
		}
	})
}

// materialStock reads a material's stock from its page.
func (tb *tab) materialStock(id int64) int {
	tb.t.Helper()
	if st := tb.open(fmt.Sprintf("/materials/%d", id)); st != 200 {
		tb.t.Fatalf("the material page: %d", st)
	}
	n, err := strconv.Atoi(tb.text("#material-stock"))
	if err != nil {
		tb.t.Fatalf("stock %q: %v", tb.text("#material-stock"), err)
	}
	return n
}

// TestPublicityTakesFromStore: an event at 伏羲广场 uses 50 shopping bags and
// the store shows 50 fewer; one asking for more than the stock is refused
// with a message naming the bags, and the stock stays.
func TestPublicityTakesFromStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		var m struct{ ID int64 }
		apiAs(t, s, "street", "POST", "/api/v1/materials", `{"name":"环保购物袋","kind":"bag","unit":"个","low":20,"stock":200}`, &m)
		tb := s.newTab(t)
		tb.signIn("street", demo.Password)
		before := tb.materialStock(m.ID)
		event := func(qty string) int {
			if st := tb.open("/publicity"); st != 200 {
				t.Fatalf("/publicity: %d", st)
			}
			tb.fill("p-date", today(), "p-place", "伏羲广场", "p-lat", "34.5805", "p-lon", "105.7305", "p-kind", "boards", "p-reach", "300",
				"p-mat0", strconv.FormatInt(m.ID, 10), "p-qty0", qty)
			return tb.submit("#publicity-save")
		}
		if st := event("50"); st != 200 || !strings.HasPrefix(tb.path(), "/publicity/") {
			t.Fatalf("record the event: status %d at %s; error %q %q", st, tb.path(), tb.errorText(), tb.texts(".field-error"))
		}
		if got := tb.text("#event-materials"); !strings.Contains(got, "环保购物袋 50 个") {
			t.Errorf("the event lists %q", got)
		}
		if after := tb.materialStock(m.ID); after != before-50 {
			t.Fatalf("the store shows %d after the event, want %d", after, before-50)
		}
		if st := event("500"); st != 409 {
			t.Fatalf("an event asking for 500 bags: status %d, want 409", st)
		}
		msg := tb.errorText() + " " + strings.Join(tb.texts(".field-error"), " ")
		if !strings.Contains(msg, "环保购物袋") || !strings.Contains(msg, "库存不足") || !strings.Contains(msg, "仅剩 150 个") {
			t.Errorf("the refusal reads %q; want it to name the bags and the 150 left", msg)
		}
		if got := eval[string](tb, `document.getElementById("p-qty0").value`); got != "500" {
			t.Errorf("the form lost what was typed: quantity %q", got)
		}
		if after := tb.materialStock(m.ID); after != before-50 {
			t.Errorf("the refused event changed the stock to %d", after)
		}
		if st := tb.open("/publicity"); st != 200 || tb.text("#tot-events") != "1" {
			t.Errorf("events this month: %q, want 1", tb.text("#tot-events"))
		}
	})
}

// mapRates waits for the coverage map and returns the rate it shows per region.
func (tb *tab) mapRates() map[string]float64 {
	tb.t.Helper()
	tb.waitFor("the coverage map", `document.getElementById("coverage-map").dataset.ready > 0`, 30*time.Second)
	var out map[string]float64
	if err := json.Unmarshal([]byte(eval[string](tb, `document.getElementById("coverage-map").dataset.rates`)), &out); err != nil {
		tb.t.Fatal(err)
	}
	return out
}

// TestDistributionRaisesCoverage: a volunteer of 忠武巷社区 records a round of
// the reminder in grid 1; the street's map then colours 忠武巷社区 above 0 %.
func TestDistributionRaisesCoverage(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		var h struct{ ID int64 }
		apiAs(t, s, "street", "POST", "/api/v1/handouts", `{"title":"冬季清洁取暖温馨提示","kind":"reminder","body":"尊敬的居民朋友：\n请使用清洁能源取暖。\n{street}办事处\n{date}"}`, &h)
		hpath := "/handouts/" + strconv.FormatInt(h.ID, 10)
		street := s.newTab(t)
		street.watchCSP()
		street.signIn("street", demo.Password)
		if st := street.open(hpath); st != 200 {
			t.Fatalf("the handout: %d", st)
		}
		if r := street.mapRates(); len(r) != 6 || r[demo.CommunityCode(0)] != 0 {
			t.Fatalf("before: the map shows %v, want six communities, 忠武巷社区 at 0", r)
		}

		vol := s.newTab(t)
		vol.phone()
		vol.signIn("volunteer01", demo.Password)
		if st := vol.open(hpath); st != 200 {
			t.Fatalf("the volunteer opens the handout: %d", st)
		}
		vol.fill("d-region", demo.GridCode(0, 0), "d-building", "3号楼", "d-households", "120")
		if st := vol.tapSubmit("#distribute-save"); st != 200 {
			t.Fatalf("record the round: %d; errors %q", st, vol.texts(".field-error"))
		}
		if r := vol.mapRates(); r[demo.GridCode(0, 0)] <= 0 {
			t.Errorf("the community's map after the round: %v, want grid 1 above 0", r)
		}
		vol.fitsPhone("the handout page")

		if st := street.open(hpath); st != 200 {
			t.Fatalf("the handout again: %d", st)
		}
		r := street.mapRates()
		if r[demo.CommunityCode(0)] <= 0 || r[demo.CommunityCode(1)] != 0 {
			t.Errorf("after: the map shows %v, want 忠武巷社区 above 0 and the others at 0", r)
		}
		if first := street.text("#coverage-table tbody tr:last-child td"); !strings.Contains(first, "忠武巷社区") {
			t.Errorf("the reached community is not listed after the unreached ones: last row %q", first)
		}
		if v := eval[[]string](street, `window.__csp || []`); len(v) > 0 {
			t.Errorf("Content-Security-Policy violations on the handout page: %q", v)
		}
	})
}

// TestCalendarShowsTheMonth: the street leader's calendar shows this month's
// campaign and publicity event; the subscription address made on the page
// gives a feed that parses and holds both.
func TestCalendarShowsTheMonth(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		id, _ := planCampaign(t, s)
		var ev struct{ ID int64 }
		apiAs(t, s, "street", "POST", "/api/v1/publicity", fmt.Sprintf(`{"date":%q,"venue":{"name":"伏羲广场","lat":34.5805,"lon":105.7305},"kind":"desk","reach":120}`, today()), &ev)
		tb := s.newTab(t)
		tb.signIn("street", demo.Password)
		if st := tb.open("/calendar"); st != 200 {
			t.Fatalf("/calendar: %d", st)
		}
		cell := fmt.Sprintf(`#calendar-grid td[data-date="%s"]`, today())
		items := tb.texts(cell + " .cal-item")
		kinds := eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), a => a.dataset.kind)`, cell+" .cal-item"))
		if !contains(kinds, "campaign") || !contains(kinds, "publicity") {
			t.Fatalf("today's cell holds %q (%q), want the campaign and the event", items, kinds)
		}
		if href := eval[string](tb, fmt.Sprintf(`document.querySelector(%q).getAttribute("href")`, cell+` .cal-item[data-kind="campaign"]`)); href != fmt.Sprintf("/campaigns/%d", id) {
			t.Errorf("the campaign links to %q", href)
		}
		tb.fill("cal-kind", "publicity")
		if st := tb.submit("#calendar-filters button"); st != 200 {
			t.Fatalf("filter by kind: %d", st)
		}
		if kinds := eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), a => a.dataset.kind)`, cell+" .cal-item")); len(kinds) != 1 || kinds[0] != "publicity" {
			t.Errorf("filtered by publicity, today holds %q", kinds)
		}
		// The area's pages fit a 360 px phone.
		ph := s.newTab(t)
		ph.phone()
		ph.signIn("street", demo.Password)
		for _, p := range []string{"/calendar", "/calendar?view=week", "/campaigns", fmt.Sprintf("/campaigns/%d", id), fmt.Sprintf("/campaigns/%d/report", id),
			"/publicity", fmt.Sprintf("/publicity/%d", ev.ID), "/materials", "/handouts"} {
			if st := ph.open(p); st != 200 {
				t.Fatalf("GET %s on a phone: %d", p, st)
			}
			ph.fitsPhone(p)
		}
		ph.open("/calendar")
		if got := ph.texts(fmt.Sprintf(`#calendar-list li.day[data-date="%s"] .cal-item`, today())); len(got) < 2 {
			t.Errorf("on a phone, today's list holds %q, want the campaign and the event", got)
		}
		if st := tb.submit("#feed-reset"); st != 200 {
			t.Fatalf("make the subscription address: %d", st)
		}
		url := tb.text("#feed-url")
		resp, err := http.Get(url)
		if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("GET %s: %v %v", url, err, resp)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cal, err := agenda.ParseICS(string(body))
		if err != nil {
			t.Fatalf("the feed does not parse: %v", err)
		}
		found := map[string]bool{}
		for _, e := range cal.Events {
			if e.Props["DTSTART"] == strings.ReplaceAll(today(), "-", "") {
				found[strings.SplitN(e.Props["UID"], "-", 2)[0]] = true
			}
		}
		if !found["campaign"] || !found["publicity"] {
			t.Errorf("the feed holds today %v, want the campaign and the event", found)
		}
	})
}
