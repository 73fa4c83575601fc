package web_test

import (
	"context"
	"image/color"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// A point inside grid 1 of community 1 (620502004001001), and one outside the street.
const (
	repLat, repLon       = "34.5725", "105.7025"
	repOutLat, repOutLon = "34.7000", "105.7025"
)

// reportPNG is a small valid photo; photos of different shades differ.
func reportPNG(t *testing.T, shade uint8) []byte {
	return testutil.PNG(t, 48, 32, color.RGBA{shade, 40, 40, 255})
}

var reportClientIDRe = regexp.MustCompile(`name="client_id" value="([0-9a-f-]{36})"`)

// reportFormID opens a report form and returns its client id.
func (b *browser) reportFormID(path string) string {
	b.t.Helper()
	status, body := b.get(path)
	if status != http.StatusOK {
		b.t.Fatalf("GET %s: status %d, want 200", path, status)
	}
	m := reportClientIDRe.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("GET %s: no client id in the form, want a hidden client_id holding a UUID", path)
	}
	return m[1]
}

func reportCount(t *testing.T, srv *testutil.Server) int {
	t.Helper()
	_, n, err := srv.App.DB.Cases(context.Background(), store.CaseFilter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func reportNumber(t *testing.T, status int, loc, body string) string {
	t.Helper()
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/XG-") {
		t.Fatalf("report: status %d → %q, want 303 to /cases/XG-…\n%s", status, loc, body)
	}
	return strings.TrimPrefix(loc, "/cases/")
}

// TestReportForm sends the report form as patrollers, volunteers and
// leaders: each kind of case, and the forms that are refused.
func TestReportForm(t *testing.T) { testutil.Each(t, testReportForm) }

func testReportForm(t *testing.T, srv *testutil.Server) {
	t.Run("with a photo", func(t *testing.T) { reportWithPhoto(t, srv) })
	t.Run("refused", func(t *testing.T) { reportRefused(t, srv) })
	t.Run("on the spot", func(t *testing.T) { reportOnSpot(t, srv) })
	t.Run("committed", func(t *testing.T) { reportCommitted(t, srv) })
	t.Run("volunteer", func(t *testing.T) { reportVolunteer(t, srv) })
	t.Run("hotline transfer", func(t *testing.T) { reportHotline(t, srv) })
	t.Run("English", func(t *testing.T) { reportEnglish(t, srv) })
}

// reportWithPhoto: the form offers a patroller's choices; a report with a
// photo makes a case with it; the same form sent again makes nothing new.
func reportWithPhoto(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	p := newBrowser(t, srv.URL)
	p.login("patrol01")

	// The form offers what a patroller may choose, and no source.
	_, page := p.get("/report")
	for _, want := range []string{`value="onspot"`, `value="committed"`, `accept="image/*" capture="environment"`, `id="report-regions"`, "问题类别"} {
		if !strings.Contains(page, want) {
			t.Errorf("patrol01's form lacks %s", want)
		}
	}
	if strings.Contains(page, `name="source"`) {
		t.Error("a patroller is offered the source, want it kept for leaders (hotline transfers)")
	}

	// A report with a photo: redirected to the new case, which has the photo.
	id := p.reportFormID("/report")
	form := url.Values{"client_id": {id}, "category": {"06010"}, "description": {"巷口暴露垃圾"}, "lat": {repLat}, "lon": {repLon},
		"address": {"忠武巷口"}, "class": {"escalated"}}
	status, body, loc := p.postPhotos("/report", form, reportPNG(t, 200))
	number := reportNumber(t, status, loc, body)
	c, err := srv.App.DB.CaseByNumber(ctx, number)
	if err != nil {
		t.Fatalf("the reported case %s: %v", number, err)
	}
	if c.Source != cases.SourcePatrol || c.Class != cases.ClassEscalated || c.Region != demo.GridCode(0, 0) || c.Description != "巷口暴露垃圾" || c.Address != "忠武巷口" {
		t.Errorf("case source %s, class %s, grid %s, %q at %q; want patrol, escalated, %s, 巷口暴露垃圾 at 忠武巷口",
			c.Source, c.Class, c.Region, c.Description, c.Address, demo.GridCode(0, 0))
	}
	if len(c.Photos) != 1 || c.Photos[0].Step != cases.StepBefore {
		t.Errorf("photos %+v, want one before photo", c.Photos)
	}

	// The same form again (a double tap): the same case, nothing new.
	n := reportCount(t, srv)
	status, body, loc = p.postPhotos("/report", form, reportPNG(t, 200))
	if again := reportNumber(t, status, loc, body); again != number {
		t.Errorf("the same client id made %s after %s, want %s again", again, number, number)
	}
	if got := reportCount(t, srv); got != n {
		t.Errorf("%d cases after a repeated form, want still %d", got, n)
	}
}

// reportRefused: bad forms answer with field messages and keep the input;
// nothing is written.
func reportRefused(t *testing.T, srv *testutil.Server) {
	p := newBrowser(t, srv.URL)
	p.login("patrol01")
	n := reportCount(t, srv)

	// A bad form: no category, a point outside the street. Field messages, input kept, nothing written.
	bad := url.Values{"client_id": {p.reportFormID("/report")}, "description": {"说明保留"}, "lat": {repOutLat}, "lon": {repOutLon}, "class": {"escalated"}}
	status, body, _ := p.postPhotos("/report", bad)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: status %d, want 422", status)
	}
	for _, want := range []string{"问题类别：必填", "位置：该位置不在任何网格内", ">说明保留</textarea>", bad.Get("client_id")} {
		if !strings.Contains(body, want) {
			t.Errorf("bad form: no %q", want)
		}
	}
	if strings.Contains(body, "严重程度") {
		t.Error("bad form: a severity error that only follows from the missing category, want none")
	}
	// A file that is not an image is refused before anything is written, with the form's other mistakes.
	notImage := url.Values{"client_id": {p.reportFormID("/report")}, "category": {"06010"}, "lat": {repLat}, "lon": {repLon}, "class": {"escalated"}}
	status, body, _ = p.postPhotos("/report", notImage, []byte("this is not a picture"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "照片：只能上传") || !strings.Contains(body, "问题描述：必填") {
		t.Errorf("text as a photo: status %d, want 422 naming the photo and the missing description", status)
	}
	// Ten photos are one too many.
	many := make([][]byte, 10)
	for i := range many {
		many[i] = reportPNG(t, uint8(i))
	}
	notImage.Set("description", "十张照片")
	if status, body, _ = p.postPhotos("/report", notImage, many...); status != http.StatusUnprocessableEntity || !strings.Contains(body, "照片：每一步最多 9 张照片") {
		t.Errorf("ten photos: status %d, want 422 with 照片：每一步最多 9 张照片", status)
	}
	if got := reportCount(t, srv); got != n {
		t.Fatalf("%d cases after refused forms, want still %d", got, n)
	}
}

// reportOnSpot: closed at once, the photo is the "after" one; a note is required.
func reportOnSpot(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	p := newBrowser(t, srv.URL)
	p.login("patrol01")
	onspot := url.Values{"client_id": {p.reportFormID("/report")}, "category": {"06029"}, "description": {"露天烧烤"}, "lat": {repLat}, "lon": {repLon}, "class": {"onspot"}}
	if status, body, _ := p.postPhotos("/report", onspot); status != http.StatusUnprocessableEntity || !strings.Contains(body, "说明：必填") {
		t.Errorf("on the spot without a note: status %d, want 422 with 说明：必填", status)
	}
	onspot.Set("note", "已劝导停止")
	status, body, loc := p.postPhotos("/report", onspot, reportPNG(t, 90))
	c, err := srv.App.DB.CaseByNumber(ctx, reportNumber(t, status, loc, body))
	if err != nil {
		t.Fatalf("the on-the-spot case: %v", err)
	}
	if c.Status != cases.StatusClosed || len(c.Photos) != 1 || c.Photos[0].Step != cases.StepAfter {
		t.Errorf("on the spot: %s, photos %+v; want closed with one after photo", c.Status, c.Photos)
	}
}

// reportCommitted: needs the unit, the commitment and the due date; then it is assigned to the unit.
func reportCommitted(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	p := newBrowser(t, srv.URL)
	p.login("patrol01")
	units, _, err := srv.App.DB.Units(ctx, store.UnitFilter{Roots: []string{demo.GridCode(0, 0)}, Status: "active", Page: store.Page{Size: 1}})
	if err != nil || len(units) == 0 {
		t.Fatalf("units of grid 1: %d, %v; want one", len(units), err)
	}
	committed := url.Values{"client_id": {p.reportFormID("/report")}, "category": {"06027"}, "description": {"油烟直排"}, "lat": {repLat}, "lon": {repLon}, "class": {"committed"}}
	status, body, _ := p.post("/report", committed)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "单位：必填") || !strings.Contains(body, "承诺内容：必填") || !strings.Contains(body, "承诺完成日期：必填") {
		t.Errorf("committed without its fields: status %d, want 422 naming the unit, the commitment and the due date", status)
	}
	committed.Set("unit_id", strconv.FormatInt(units[0].ID, 10))
	committed.Set("commitment", "三日内安装油烟净化器")
	committed.Set("due", time.Now().AddDate(0, 0, 3).Format("2006-01-02"))
	status, body, loc := p.post("/report", committed)
	c, err := srv.App.DB.CaseByNumber(ctx, reportNumber(t, status, loc, body))
	if err != nil {
		t.Fatalf("the committed case: %v", err)
	}
	if want := cases.AssigneeRef("unit", units[0].ID); c.Status != cases.StatusAssigned || c.Assignee != want || c.Commitment != "三日内安装油烟净化器" {
		t.Errorf("committed: %s to %s, %q; want assigned to %s, 三日内安装油烟净化器", c.Status, c.Assignee, c.Commitment, want)
	}
}

// reportVolunteer: a volunteer reports as a volunteer, and cannot close a case on the spot.
func reportVolunteer(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	v := newBrowser(t, srv.URL)
	v.login("volunteer01")
	_, vpage := v.get("/report")
	if strings.Contains(vpage, `value="onspot"`) {
		t.Error("a volunteer is offered on-the-spot closing, want it not offered")
	}
	status, body, loc := v.post("/report", url.Values{"client_id": {v.reportFormID("/report")}, "category": {"06014"}, "description": {"道路遗撒"},
		"lat": {repLat}, "lon": {repLon}, "class": {"escalated"}, "source": {"hotline12345"}})
	c, err := srv.App.DB.CaseByNumber(ctx, reportNumber(t, status, loc, body))
	if err != nil {
		t.Fatalf("the volunteer's case: %v", err)
	}
	if c.Source != cases.SourceVolunteer {
		t.Errorf("volunteer's case has source %s, want %s", c.Source, cases.SourceVolunteer)
	}
}

// reportHotline: a leader records a hotline transfer with its reference.
func reportHotline(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	l := newBrowser(t, srv.URL)
	l.login("community1")
	if _, lpage := l.get("/report"); !strings.Contains(lpage, `name="source"`) {
		t.Error("a leader is not offered the source, want it offered")
	}
	status, body, loc := l.post("/report", url.Values{"client_id": {l.reportFormID("/report")}, "category": {"06012"}, "description": {"12345转办：道路不洁"},
		"lat": {repLat}, "lon": {repLon}, "class": {"escalated"}, "source": {"hotline12345"}, "hotline_ref": {"GD2026-001"}})
	c, err := srv.App.DB.CaseByNumber(ctx, reportNumber(t, status, loc, body))
	if err != nil {
		t.Fatalf("the transferred case: %v", err)
	}
	if c.Source != cases.SourceHotline12345 || c.HotlineRef != "GD2026-001" {
		t.Errorf("hotline transfer: %s %q, want %s GD2026-001", c.Source, c.HotlineRef, cases.SourceHotline12345)
	}
}

// reportEnglish: English pages show English field messages.
func reportEnglish(t *testing.T, srv *testutil.Server) {
	p := newBrowser(t, srv.URL)
	p.login("patrol01")
	status, body, _ := p.post("/report?lang=en", url.Values{"client_id": {p.reportFormID("/report")}, "lat": {repLat}, "lon": {repLon}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Category: is required") {
		t.Errorf("English bad form: status %d, want 422 with \"Category: is required\"", status)
	}
}

func TestReportDuplicates(t *testing.T) { testutil.Each(t, testReportDuplicates) }

func testReportDuplicates(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	p := newBrowser(t, srv.URL)
	p.login("patrol01")
	status, body, loc := p.post("/report", url.Values{"client_id": {p.reportFormID("/report")}, "category": {"06010"}, "description": {"暴露垃圾"},
		"lat": {repLat}, "lon": {repLon}, "class": {"escalated"}})
	number := reportNumber(t, status, loc, body)

	// About 15 m away, same category: offered, with a button to add to it.
	_, near := p.get("/report/duplicates?category=06010&lat=34.5726&lon=105.7026")
	if !strings.Contains(near, number) || !strings.Contains(near, `name="join" value="`+number+`"`) {
		t.Fatalf("no duplicate candidate within 100 m, want %s offered with a join button:\n%s", number, near)
	}
	if !strings.Contains(near, "第1网格") || !strings.Contains(near, `name="unit_id"`) {
		t.Errorf("the check names no grid or lists no units, want 第1网格 and a unit choice:\n%s", near)
	}
	// Another category, or 300 m away: not offered.
	if _, other := p.get("/report/duplicates?category=06014&lat=34.5726&lon=105.7026"); strings.Contains(other, number) {
		t.Error("a case of another category is offered as a duplicate, want only the same category")
	}
	if _, far := p.get("/report/duplicates?category=06010&lat=34.5752&lon=105.7025"); strings.Contains(far, number) {
		t.Error("a case 300 m away is offered as a duplicate, want only those within 100 m")
	}
	// The form shows the same check when it comes back with errors.
	if _, again, _ := p.post("/report", url.Values{"client_id": {p.reportFormID("/report")}, "category": {"06010"}, "lat": {"34.5726"}, "lon": {"105.7026"}}); !strings.Contains(again, `value="`+number+`"`) {
		t.Errorf("the re-rendered form does not offer the duplicate, want %s offered", number)
	}
	// A volunteer sees it but may not add to a case that is not theirs.
	v := newBrowser(t, srv.URL)
	v.login("volunteer01")
	if _, vbody := v.get("/report/duplicates?category=06010&lat=34.5726&lon=105.7026"); !strings.Contains(vbody, number) || strings.Contains(vbody, `name="join"`) {
		t.Errorf("volunteer01's duplicate check: want %s shown without an add button", number)
	}

	// Adding to the case: a remark with the photo on that case, no new case.
	n := reportCount(t, srv)
	join := url.Values{"client_id": {p.reportFormID("/report")}, "category": {"06010"}, "description": {"又堆了一些"}, "lat": {"34.5726"}, "lon": {"105.7026"}, "join": {number}}
	status, _, loc = p.postPhotos("/report", join, reportPNG(t, 30))
	if status != http.StatusSeeOther || loc != "/cases/"+number {
		t.Fatalf("join: status %d → %s, want 303 to /cases/%s", status, loc, number)
	}
	// Sent twice: one remark.
	if status, _, _ = p.postPhotos("/report", join, reportPNG(t, 30)); status != http.StatusSeeOther {
		t.Fatalf("join again: status %d, want 303", status)
	}
	if got := reportCount(t, srv); got != n {
		t.Errorf("%d cases after adding to one, want still %d", got, n)
	}
	c, err := srv.App.DB.CaseByNumber(ctx, number)
	if err != nil {
		t.Fatalf("case %s: %v", number, err)
	}
	remarks := 0
	for _, e := range c.Timeline {
		if e.Action == cases.ActionComment && e.Note == "又堆了一些" {
			remarks++
		}
	}
	if remarks != 1 || len(c.Photos) != 1 {
		t.Errorf("join: %d remarks, %d photos; want 1 and 1", remarks, len(c.Photos))
	}
}

func TestInbox(t *testing.T) { testutil.Each(t, testInbox) }

func testInbox(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	p := newBrowser(t, srv.URL)
	p.login("patrol01")
	var numbers []string
	for _, cat := range []string{"06010", "06014"} {
		status, body, loc := p.post("/report", url.Values{"client_id": {p.reportFormID("/report")}, "category": {cat}, "description": {"巡查发现"},
			"lat": {repLat}, "lon": {repLon}, "class": {"escalated"}})
		numbers = append(numbers, reportNumber(t, status, loc, body))
	}
	leader, _, err := srv.App.DB.Credentials(ctx, "community1")
	if err != nil {
		t.Fatalf("community1: %v", err)
	}
	if n, _ := srv.App.DB.Unread(ctx, leader.ID); n != 2 {
		t.Fatalf("community1 has %d unread, want 2", n)
	}
	c := newBrowser(t, srv.URL)
	c.login("community1")
	status, page := c.get("/inbox")
	if status != http.StatusOK || !strings.Contains(page, numbers[0]) || !strings.Contains(page, numbers[1]) || !strings.Contains(page, `id="inbox-read-all"`) {
		t.Fatalf("inbox: status %d, want 200 listing %s and %s with a read-all button\n%s", status, numbers[0], numbers[1], page)
	}
	items, _, err := srv.App.DB.Inbox(ctx, leader.ID, false, store.Page{})
	if err != nil || len(items) != 2 || items[0].Kind != "reported" {
		t.Fatalf("inbox items %+v, %v; want two, the newest a \"reported\" one", items, err)
	}
	// Opening one marks it read and goes to its case.
	status, _, loc := c.post("/inbox/read", url.Values{"id": {strconv.FormatInt(items[0].ID, 10)}, "number": {items[0].Number}})
	if status != http.StatusSeeOther || loc != "/cases/"+items[0].Number {
		t.Fatalf("open message: status %d → %s, want 303 to /cases/%s", status, loc, items[0].Number)
	}
	if n, _ := srv.App.DB.Unread(ctx, leader.ID); n != 1 {
		t.Errorf("after opening one: %d unread, want 1", n)
	}
	// Someone else cannot mark community1's message read.
	p.post("/inbox/read", url.Values{"id": {strconv.FormatInt(items[1].ID, 10)}})
	if n, _ := srv.App.DB.Unread(ctx, leader.ID); n != 1 {
		t.Errorf("patrol01 marked community1's message read: %d unread, want 1", n)
	}
	// A bad id marks nothing; "all" marks the rest.
	c.post("/inbox/read", url.Values{"id": {"nope"}})
	if n, _ := srv.App.DB.Unread(ctx, leader.ID); n != 1 {
		t.Errorf("a bad id changed the unread count to %d, want 1", n)
	}
	if status, _, loc = c.post("/inbox/read", url.Values{"all": {"1"}}); status != http.StatusSeeOther || loc != "/inbox" {
		t.Fatalf("mark all: status %d → %s, want 303 to /inbox", status, loc)
	}
	if n, _ := srv.App.DB.Unread(ctx, leader.ID); n != 0 {
		t.Errorf("after marking all: %d unread, want 0", n)
	}
	if _, page = c.get("/inbox?unread=1"); strings.Contains(page, numbers[0]) {
		t.Errorf("the unread filter lists the read message about %s, want only unread ones", numbers[0])
	}
	// An open redirect is not possible through the number.
	if _, _, loc = c.post("/inbox/read", url.Values{"id": {strconv.FormatInt(items[0].ID, 10)}, "number": {"//evil.example"}}); loc != "/inbox" {
		t.Errorf("a message with number //evil.example redirects to %q, want /inbox", loc)
	}
}

func TestPublicReport(t *testing.T) { testutil.Each(t, testPublicReport) }

func testPublicReport(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	anon := newBrowser(t, srv.URL)
	numberRe := regexp.MustCompile(`id="case-number">(XG-[0-9-]+)<`)

	status, page := anon.get("/public/report")
	if status != http.StatusOK || strings.Contains(page, `name="class"`) || strings.Contains(page, `name="source"`) || !strings.Contains(page, `name="mobile"`) {
		t.Fatalf("public form: status %d, want 200 with a mobile field and no class or source", status)
	}
	// A bad mobile: the field message, nothing written (this attempt is not a report).
	form := url.Values{"client_id": {anon.reportFormID("/public/report")}, "category": {"06020"}, "description": {"有人焚烧树叶，联系电话13912345678"},
		"lat": {repLat}, "lon": {repLon}, "name": {"王大爷"}, "mobile": {"1380013"}}
	status, body, _ := anon.post("/public/report", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "手机号：应为11位手机号") || !strings.Contains(body, `value="王大爷"`) {
		t.Fatalf("bad mobile: status %d, want 422 with 手机号：应为11位手机号 and the name kept", status)
	}
	if got := reportCount(t, srv); got != 0 {
		t.Fatalf("%d cases after a refused public report, want 0", got)
	}
	// A good one, with a photo: the number is shown; source public, escalated, the mobile kept for staff.
	form.Set("mobile", "13800138000")
	status, body, _ = anon.postPhotos("/public/report", form, reportPNG(t, 120))
	m := numberRe.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("public report: status %d, want 200 showing the case number\n%s", status, body)
	}
	c, err := srv.App.DB.CaseByNumber(ctx, m[1])
	if err != nil {
		t.Fatalf("public case %s: %v", m[1], err)
	}
	if c.Source != cases.SourcePublic || c.Class != cases.ClassEscalated || c.ReporterID != 0 || c.ReporterMobile != "13800138000" || c.ReporterName != "王大爷" || len(c.Photos) != 1 {
		t.Errorf("public case %+v, want source public, escalated, no reporter id, 王大爷 13800138000 and one photo", c)
	}
	// The honeypot: a robot is thanked and nothing is kept.
	if status, body, _ = anon.post("/public/report", url.Values{"client_id": {anon.reportFormID("/public/report")}, "category": {"06020"}, "description": {"spam"},
		"lat": {repLat}, "lon": {repLon}, "website": {"http://spam.example"}}); status != http.StatusOK || numberRe.MatchString(body) || reportCount(t, srv) != 1 {
		t.Errorf("honeypot: status %d, %d cases; want 200 with no number and still 1 case", status, reportCount(t, srv))
	}

	// The public list shows the number, not the reporter, the mobile or the number written in the description.
	status, list := anon.get("/public/cases")
	if status != http.StatusOK || !strings.Contains(list, m[1]) || !strings.Contains(list, "焚烧") {
		t.Fatalf("public list: status %d, want 200 listing %s", status, m[1])
	}
	for _, secret := range []string{"13800138000", "王大爷", "13912345678", "/photos/"} {
		if strings.Contains(list, secret) {
			t.Errorf("the public list shows %q, want it hidden", secret)
		}
	}
	if _, one := anon.get("/public/cases?number=" + m[1]); !strings.Contains(one, m[1]) {
		t.Errorf("looking up %s finds nothing, want the case", m[1])
	}
	if _, none := anon.get("/public/cases?number=XG-19990101-0001"); strings.Contains(none, m[1]) {
		t.Errorf("looking up XG-19990101-0001 lists %s, want nothing", m[1])
	}

	// Five reports per address in ten minutes: four more pass, the sixth is refused with 429.
	for i := 0; i < 4; i++ {
		f := url.Values{"client_id": {anon.reportFormID("/public/report")}, "category": {"06012"}, "description": {"道路不洁 " + strconv.Itoa(i)}, "lat": {repLat}, "lon": {repLon}}
		if status, body, _ = anon.post("/public/report", f); status != http.StatusOK || !numberRe.MatchString(body) {
			t.Fatalf("public report %d: status %d, want 200 with a number", i+2, status)
		}
	}
	n := reportCount(t, srv)
	status, body, _ = anon.post("/public/report", url.Values{"client_id": {anon.reportFormID("/public/report")}, "category": {"06012"}, "description": {"第六次"}, "lat": {repLat}, "lon": {repLon}})
	if status != http.StatusTooManyRequests || !strings.Contains(body, "提交过于频繁") || !strings.Contains(body, "第六次") {
		t.Errorf("sixth public report: status %d, want 429 with 提交过于频繁 and the input kept", status)
	}
	if got := reportCount(t, srv); got != n {
		t.Errorf("%d cases after the refused sixth report, want still %d", got, n)
	}
}

func TestReportPagesRender(t *testing.T) { testutil.Each(t, testReportPagesRender) }

func testReportPagesRender(t *testing.T, srv *testutil.Server) {
	anon := newBrowser(t, srv.URL)
	if status, _ := anon.get("/report"); status != http.StatusSeeOther {
		t.Errorf("anonymous /report: %d, want a redirect to sign in", status)
	}
	if status, _ := anon.get("/inbox"); status != http.StatusSeeOther {
		t.Errorf("anonymous /inbox: %d, want a redirect to sign in", status)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, path := range []string{"/public/report", "/public/cases"} {
			status, body := anon.get(path + "?lang=" + lang)
			if status != http.StatusOK || !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s in %s: status %d, want 200 in that language", path, lang, status)
			}
			if m := rawKey.FindString(body); m != "" {
				t.Errorf("%s: untranslated key in %q", path, m)
			}
		}
	}
	for _, user := range []string{"admin", "street", "inspector", "community1", "patrol01", "volunteer01", "unit01"} {
		b := newBrowser(t, srv.URL)
		b.login(user)
		for _, path := range []string{"/report", "/report?lang=en", "/inbox", "/public/cases", "/report/duplicates?category=06010&lat=" + repLat + "&lon=" + repLon} {
			status, body := b.get(path)
			if status != http.StatusOK {
				t.Errorf("%s %s: status %d, want 200", user, path, status)
			}
			if m := rawKey.FindString(body); m != "" {
				t.Errorf("%s %s: untranslated key in %q", user, path, m)
			}
		}
	}
}
