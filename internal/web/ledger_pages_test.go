package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/color"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// ledgerRawKey finds ledger message keys that leaked into a page untranslated.
var ledgerRawKey = regexp.MustCompile(`>[^<]*\b(?:case|cases|export|field|err|region|common|pager)\.[a-z_]+[^<]*<|="(?:case|cases|export|field)\.[a-z_.]+"`)

// ledgerReport files a case as user (a patroller of grid 1 of community 1 in the demo) through the ledger service.
func ledgerReport(t *testing.T, srv *testutil.Server, user, clientID string) cases.Case {
	t.Helper()
	ctx := context.Background()
	p, _, err := srv.App.DB.Credentials(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	who := &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}
	c, created, err := srv.App.Cases.Report(ctx, store.Actor{ID: p.ID, Name: p.Username}, who, casesvc.Report{Input: cases.Input{
		ClientID: clientID, Category: "06010", Description: "巷口暴露垃圾，有焚烧痕迹", Lat: 34.5725, Lon: 105.7025,
		Address: "忠武巷口", Class: cases.ClassEscalated, Severity: cases.SeverityMinor}})
	if err != nil || !created {
		t.Fatalf("report: %v (created %v)", err, created)
	}
	return c
}

// ledgerPNG is a small valid photo.
func ledgerPNG(t *testing.T) []byte { return testutil.PNG(t, 40, 30, color.RGBA{30, 120, 30, 255}) }

// getResp fetches path with optional headers and returns the whole response and body.
func (b *browser) getResp(path string, header map[string]string) (*http.Response, []byte) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestLedgerPages takes a case through the ledger pages: list, filters,
// detail, an assignment, a stale and a forbidden action, handling with a
// photo, the photo itself, the map data, the print and the Excel export.
func TestLedgerPages(t *testing.T) { testutil.Each(t, testLedgerPages) }

func testLedgerPages(t *testing.T, srv *testutil.Server) {
	c := ledgerReport(t, srv, "patrol01", "5d0c8f0e-7c39-4c0b-9a53-0f4a5b1f6b01")
	j := &ledgerJourney{srv: srv, n: c.Number, today: time.Now().In(srv.App.Loc).Format("2006-01-02"),
		leader: newBrowserAs(t, srv.URL, "community1"), other: newBrowserAs(t, srv.URL, "community2"), patrol: newBrowserAs(t, srv.URL, "patrol01")}
	t.Run("list and filters", j.listAndFilters)
	// Each of these takes the case on from where the one before left it.
	for _, step := range []struct {
		name string
		run  func(*testing.T)
	}{{"assign", j.assign}, {"handle with a photo", j.handle}, {"verify", j.verify}} {
		if !t.Run(step.name, step.run) {
			return
		}
	}
	t.Run("map, print and export", j.mapPrintExport)
}

// ledgerJourney is the case and the signed-in browsers the steps of
// TestLedgerPages share: community1 leads the case's community, community2
// another one, and patrol01 reported the case and patrols its grid.
type ledgerJourney struct {
	srv                   *testutil.Server
	n, today              string // the case's number, and the day it was reported
	leader, other, patrol *browser
}

// listAndFilters: the list finds the case, filters narrow it, a bad filter is
// a field error, and another community neither lists nor opens it.
func (j *ledgerJourney) listAndFilters(t *testing.T) {
	n, today, leader, other := j.n, j.today, j.leader.with(t), j.other.with(t)
	if status, body := leader.get("/cases"); status != 200 || !strings.Contains(body, `href="/cases/`+n+`"`) || !strings.Contains(body, `id="case-filters"`) {
		t.Fatalf("/cases as community1: status %d, case listed %v; want 200 listing %s with the filters", status, strings.Contains(body, n), n)
	}
	_, filtered := leader.get("/cases?status=reported&class=escalated&category=06&from=" + today + "&to=" + today + "&region=&page=1")
	if !strings.Contains(filtered, n) {
		t.Errorf("%s is missing under status=reported, class, category group and today's dates, want it listed", n)
	}
	// The print and export links carry the filter, without the page and empty values.
	q := "category=06&amp;class=escalated&amp;from=" + today + "&amp;status=reported&amp;to=" + today
	if !strings.Contains(filtered, `href="/cases/print?`+q+`"`) || !strings.Contains(filtered, `href="/cases?`+q+`&amp;format=xlsx"`) {
		t.Errorf("the print or export link lacks the filter, want both with %s", q)
	}
	if _, body := leader.get("/cases?status=closed"); strings.Contains(body, n) {
		t.Errorf("the reported case %s is listed under status=closed, want it left out", n)
	}
	if _, body := leader.get("/cases?region=" + demo.CommunityCode(1)); strings.Contains(body, n) {
		t.Errorf("%s is listed under another community, want it left out", n)
	}
	if status, body := leader.get("/cases?status=nonsense&from=28.11.2026"); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "状态：不是有效的选项") || !strings.Contains(body, "开始日期：格式不正确") {
		t.Errorf("bad filters: status %d, want 422 naming the status and the start date", status)
	}
	// htmx asks for the results alone.
	resp, part := leader.getResp("/cases?status=reported", map[string]string{"HX-Request": "true", "HX-Target": "case-results"})
	if resp.StatusCode != 200 || strings.Contains(string(part), "<html") || !strings.Contains(string(part), n) || !strings.Contains(string(part), `id="case-total"`) {
		t.Errorf("htmx partial: status %d %.200s; want 200, the results and total alone, listing %s", resp.StatusCode, part, n)
	}
	// Another community neither lists nor opens it.
	if _, body := other.get("/cases"); strings.Contains(body, n) {
		t.Errorf("community2 lists community1's case %s, want it hidden", n)
	}
	if status, _ := other.get("/cases/" + n); status != http.StatusNotFound {
		t.Errorf("community2 opens the case: status %d, want 404", status)
	}
}

// assign: the detail page offers the assign form; the reporting patroller may
// not assign; a past deadline, a stale form and an empty comment are refused;
// the leader assigns the case to grid 1.
func (j *ledgerJourney) assign(t *testing.T) {
	srv, n, leader, patrol := j.srv, j.n, j.leader.with(t), j.patrol.with(t)
	ctx := context.Background()
	// The detail shows the fields, the timeline and the assign form.
	status, page := leader.get("/cases/" + n)
	if status != 200 || !strings.Contains(page, `id="assign-form"`) || !strings.Contains(page, "巷口暴露垃圾") || !strings.Contains(page, `name="version" value="1"`) ||
		!strings.Contains(page, `value="region:`+demo.GridCode(0, 0)+`"`) {
		t.Fatalf("case page: status %d, want 200 with the description, version 1 and the assign form offering grid 1", status)
	}
	if strings.Contains(page, `id="handle-form"`) {
		t.Error("the leader is offered the handle form on a reported case, want only assign")
	}
	// The patroller who reported it may not assign it: 403 with the reason.
	if status, body, _ := patrol.post("/cases/"+n+"/actions", url.Values{"action": {"assign"}, "version": {"1"}, "assignee": {"region:" + demo.GridCode(0, 0)}}); status != http.StatusForbidden ||
		!strings.Contains(body, "您无权对该问题进行此操作") {
		t.Errorf("patroller assigns: status %d, want 403 with the reason", status)
	}
	// A past deadline is a field error beside the deadline.
	if status, body, _ := leader.post("/cases/"+n+"/actions", url.Values{"action": {"assign"}, "version": {"1"}, "assignee": {"region:" + demo.GridCode(0, 0)},
		"deadline": {"2020-01-01"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "办理期限：办理期限不能早于现在") {
		t.Errorf("past deadline: status %d, want 422 with 办理期限：办理期限不能早于现在", status)
	}
	// The leader assigns it to grid 1: back to the case with the flash.
	status, _, loc := leader.post("/cases/"+n+"/actions", url.Values{"action": {"assign"}, "version": {"1"}, "assignee": {"region:" + demo.GridCode(0, 0)}, "note": {"请网格处理"}})
	if status != http.StatusSeeOther || loc != "/cases/"+n {
		t.Fatalf("assign: status %d → %q, want 303 to /cases/%s", status, loc, n)
	}
	got, err := srv.App.DB.CaseByNumber(ctx, n)
	if err != nil || got.Status != cases.StatusAssigned || got.Assignee != "region:"+demo.GridCode(0, 0) || got.Version != 2 {
		t.Fatalf("after assign: %s to %s v%d, %v; want assigned to region:%s v2", got.Status, got.Assignee, got.Version, err, demo.GridCode(0, 0))
	}
	if _, body := leader.get("/cases/" + n); !strings.Contains(body, "已保存") || !strings.Contains(body, "请网格处理") || !strings.Contains(body, "第1网格") {
		t.Error("the case page after assigning lacks the flash, the note or the assignee, want 已保存, 请网格处理 and 第1网格")
	}
	// The same form again, now stale: 409 with the message, nothing changed.
	status, body, _ := leader.post("/cases/"+n+"/actions", url.Values{"action": {"assign"}, "version": {"1"}, "assignee": {"region:" + demo.GridCode(0, 1)}})
	if status != http.StatusConflict || !strings.Contains(body, "该问题已被他人更新，请刷新后重试") || !strings.Contains(body, `name="version" value="2"`) {
		t.Errorf("stale assign: status %d, want 409 with the message and the form at version 2", status)
	}
	if again, _ := srv.App.DB.CaseByNumber(ctx, n); again.Version != 2 || again.Assignee != got.Assignee {
		t.Errorf("a stale assign changed the case: v%d %s, want v2 %s", again.Version, again.Assignee, got.Assignee)
	}
	// A comment needs a note: the field error stands beside the comment form.
	if status, body, _ := leader.post("/cases/"+n+"/actions", url.Values{"action": {"comment"}, "version": {"2"}, "note": {"  "}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "说明：请填写说明") || !regexp.MustCompile(`id="act-comment" open`).MatchString(body) {
		t.Errorf("empty comment: status %d, want 422 with 说明：请填写说明 beside the open comment form", status)
	}
}

// handle: the grid's patroller handles the case with an after photo, which
// the leader sees and another community does not; a non-image is refused.
func (j *ledgerJourney) handle(t *testing.T) {
	srv, n, leader, other, patrol := j.srv, j.n, j.leader.with(t), j.other.with(t), j.patrol.with(t)
	ctx := context.Background()
	// The patroller of the grid handles it with an after photo.
	if _, body := patrol.get("/cases/" + n); !strings.Contains(body, `id="handle-form"`) {
		t.Fatal("the grid's patroller is not offered the handle form, want it offered")
	}
	status, body, loc := patrol.postMultipart("/cases/"+n+"/actions", url.Values{"action": {"handle"}, "version": {"2"}, "note": {"已清运"}}, "photos", "after.png", ledgerPNG(t))
	if status != http.StatusSeeOther || loc != "/cases/"+n {
		t.Fatalf("handle: status %d, want 303 to /cases/%s\n%.300s", status, n, body)
	}
	got, _ := srv.App.DB.CaseByNumber(ctx, n)
	if got.Status != cases.StatusHandled || len(got.Photos) != 1 || got.Photos[0].Step != cases.StepAfter || got.Photos[0].EventID == 0 {
		t.Fatalf("after handle: %s, photos %+v; want handled with one after photo tied to the handling", got.Status, got.Photos)
	}
	photoID := got.Photos[0].ID
	if _, body := leader.get("/cases/" + n); !strings.Contains(body, `/photos/`+photoID+`?thumb=1`) || !strings.Contains(body, `id="verify-form"`) {
		t.Error("the case page lacks the photo thumbnail or the verify form, want both")
	}
	if resp, img := leader.getResp("/photos/"+photoID+"?thumb=1", nil); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" ||
		!strings.HasPrefix(resp.Header.Get("Cache-Control"), "private") || len(img) < 100 {
		t.Errorf("thumbnail: status %d, %s, %s, %d bytes; want 200, a private image/jpeg of 100 bytes or more",
			resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), len(img))
	}
	if status, _ := other.get("/photos/" + photoID); status != http.StatusNotFound {
		t.Errorf("community2 sees the photo: status %d, want 404", status)
	}
	// A file that is not an image is refused on upload with the reason.
	status, body, _ = patrol.postMultipart("/cases/"+n+"/photos", url.Values{"step": {"after"}}, "photo", "fake.jpg", []byte("this is not an image at all"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "JPEG") {
		t.Errorf("upload of a non-image: status %d, want 422 naming the formats", status)
	}
	if status, _, loc := patrol.postMultipart("/cases/"+n+"/photos", url.Values{"step": {"before"}}, "photo", "before.png", ledgerPNG(t)); status != http.StatusSeeOther || loc != "/cases/"+n {
		t.Errorf("upload: status %d → %q, want 303 to /cases/%s", status, loc, n)
	}
}

// verify: a missing verdict is a field error, a pass closes the case.
func (j *ledgerJourney) verify(t *testing.T) {
	srv, n, leader := j.srv, j.n, j.leader.with(t)
	if status, body, _ := leader.post("/cases/"+n+"/actions", url.Values{"action": {"verify"}, "version": {"3"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "核查结果：请选择核查是否通过") {
		t.Errorf("verify without a verdict: status %d, want 422 with 核查结果：请选择核查是否通过", status)
	}
	if status, _, _ := leader.post("/cases/"+n+"/actions", url.Values{"action": {"verify"}, "version": {"3"}, "passed": {"yes"}, "note": {"现场已干净"}}); status != http.StatusSeeOther {
		t.Fatalf("verify: status %d, want 303", status)
	}
	if got, _ := srv.App.DB.CaseByNumber(context.Background(), n); got.Status != cases.StatusClosed || got.ClosedAt.IsZero() {
		t.Fatalf("after verify: %s, closed at %v; want closed with a time", got.Status, got.ClosedAt)
	}
}

// mapPrintExport: the map data, the print and the Excel export carry the same filter.
func (j *ledgerJourney) mapPrintExport(t *testing.T) {
	n, today, leader, other := j.n, j.today, j.leader.with(t), j.other.with(t)
	var fc struct {
		Type     string
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties struct{ Number, Status, URL string }
		}
	}
	resp, raw := leader.getResp("/cases/map.json?status=closed", nil)
	if err := json.Unmarshal(raw, &fc); err != nil || resp.StatusCode != 200 || fc.Type != "FeatureCollection" {
		t.Fatalf("map.json: status %d, %v, %.200s; want 200 and a FeatureCollection", resp.StatusCode, err, raw)
	}
	found := false
	for _, f := range fc.Features {
		if f.Properties.Number == n {
			found = f.Properties.Status == "closed" && f.Properties.URL == "/cases/"+n && len(f.Geometry.Coordinates) == 2 && f.Geometry.Coordinates[0] == 105.7025
		}
	}
	if !found {
		t.Errorf("map.json lacks %s as a closed point at 105.7025 linking to its page: %.300s", n, raw)
	}
	if _, raw := leader.getResp("/cases/map.json?status=assigned", nil); strings.Contains(string(raw), n) {
		t.Errorf("map.json?status=assigned holds the closed case %s, want the status filter applied", n)
	}
	if status, body := leader.get("/cases/print?from=" + today); status != 200 || !strings.Contains(body, n) || !strings.Contains(body, "@page") ||
		!strings.Contains(body, "A4 landscape") || !strings.Contains(body, "西关街道") || !strings.Contains(body, "处置反馈") {
		t.Errorf("print: status %d, want 200 with %s on A4 landscape, the street's name and the feedback column", status, n)
	}
	resp, xlsx := leader.getResp("/cases?format=xlsx&from="+today, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export: status %d, %s; want 200 and an xlsx", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatalf("export does not open: %v", err)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	x.Close()
	if err != nil || len(rows) != 2 || rows[0][0] != "编号" || rows[1][0] != n {
		t.Fatalf("export rows: %v, %v; want a 编号 header and one row for %s", rows, err, n)
	}
	if _, xlsx := other.getResp("/cases?format=xlsx", nil); bytes.Contains(xlsx, []byte(n)) {
		t.Errorf("community2's export holds community1's case %s, want it left out", n)
	}
}

// TestLedgerPagesRender opens the ledger pages as each kind of user in both
// languages and checks that no message key is left untranslated.
func TestLedgerPagesRender(t *testing.T) { testutil.Each(t, testLedgerPagesRender) }

func testLedgerPagesRender(t *testing.T, srv *testutil.Server) {
	c := ledgerReport(t, srv, "patrol01", "5d0c8f0e-7c39-4c0b-9a53-0f4a5b1f6b02")
	for _, user := range []string{"admin", "street", "community1", "patrol01", "inspector"} {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(user+"/"+lang, func(t *testing.T) {
				b := newBrowser(t, srv.URL)
				b.login(user)
				for _, p := range []string{"/cases", "/cases?overdue=1&mine=1&sort=deadline&level=3", "/cases/" + c.Number, "/cases/print"} {
					if body, ok := b.pageIn(p, lang, ledgerRawKey); ok && lang == "en" && (strings.Contains(body, "问题台账") || strings.Contains(body, "派遣")) {
						t.Errorf("%s: Chinese text on an English page, want none", p)
					}
				}
			})
		}
	}
}

// TestLedgerFlags shows the overdue flag and the missing "after" photo of an
// on-the-spot case a day on, and filters on overdue.
func TestLedgerFlags(t *testing.T) { testutil.Each(t, testLedgerFlags) }

func testLedgerFlags(t *testing.T, srv *testutil.Server) {
	late := ledgerReport(t, srv, "patrol01", "5d0c8f0e-7c39-4c0b-9a53-0f4a5b1f6b03")
	ctx := context.Background()
	p, _, err := srv.App.DB.Credentials(ctx, "patrol01")
	if err != nil {
		t.Fatal(err)
	}
	who := &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}
	spot, _, err := srv.App.Cases.Report(ctx, store.Actor{ID: p.ID, Name: p.Username}, who, casesvc.Report{Input: cases.Input{
		ClientID: "5d0c8f0e-7c39-4c0b-9a53-0f4a5b1f6b04", Category: "L005", Description: "电线杆小广告", Lat: 34.5725, Lon: 105.7025,
		Class: cases.ClassOnSpot, Severity: cases.SeverityMinor, Note: "已清除"}})
	if err != nil || spot.Status != cases.StatusClosed {
		t.Fatalf("on-the-spot report: %v, status %s; want it closed at once", err, spot.Status)
	}
	// Ten days on, the reported case is overdue and the on-the-spot case still lacks its after photo.
	srv.App.Cases.Now = func() time.Time { return time.Now().Add(10 * 24 * time.Hour) }
	b := newBrowser(t, srv.URL)
	b.login("community1")
	_, body := b.get("/cases")
	rows := strings.Split(body, "<tr>")
	var lateRow, spotRow string
	for _, r := range rows {
		switch {
		case strings.Contains(r, late.Number):
			lateRow = r
		case strings.Contains(r, spot.Number):
			spotRow = r
		}
	}
	if !strings.Contains(lateRow, "flag-overdue") || !strings.Contains(lateRow, `class="chip red"`) || strings.Contains(lateRow, "flag-no-after") {
		t.Errorf("overdue row, want the overdue flag and a red chip without the no-after flag: %s", lateRow)
	}
	if !strings.Contains(spotRow, "flag-no-after") || strings.Contains(spotRow, "flag-overdue") {
		t.Errorf("on-the-spot row, want the no-after flag and no overdue flag: %s", spotRow)
	}
	if _, body := b.get("/cases?overdue=1"); !strings.Contains(body, late.Number) || strings.Contains(body, spot.Number) {
		t.Errorf("the overdue filter does not keep just the overdue case, want %s without %s", late.Number, spot.Number)
	}
	if _, body := b.get("/cases?sort=deadline&class=onspot"); !strings.Contains(body, spot.Number) || strings.Contains(body, late.Number) {
		t.Errorf("the class filter does not keep just the on-the-spot case, want %s without %s", spot.Number, late.Number)
	}
}
