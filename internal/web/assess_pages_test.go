package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// assessKey finds this area's message keys left untranslated in a page.
var assessKey = regexp.MustCompile(`>[^<]*\b(?:assess|err|field)\.[a-z_.]+[^<]*<`)

// TestAssessPages walks the assessment pages in both languages: defaults
// made, ranking, a subject with its manual form, records, a bulletin
// published, printed and verified, the public page refused while private.
func TestAssessPages(t *testing.T) { testutil.Each(t, testAssessPages) }

func testAssessPages(t *testing.T, srv *testutil.Server) {
	admin := newBrowserAs(t, srv.URL, "admin")
	year := strconv.Itoa(srv.App.Assess.Now().In(srv.App.Loc).Year())
	if s, body, loc := admin.post("/assess/rubrics/defaults", url.Values{"year": {year}}); s != 303 || !strings.HasPrefix(loc, "/assess/rubrics") {
		t.Fatalf("defaults: %d %s", s, body)
	}
	rubrics, err := srv.App.DB.Rubrics(context.Background(), 0, true, nil)
	if err != nil || len(rubrics) != 2 {
		t.Fatalf("rubrics: %v %d", err, len(rubrics))
	}
	rid := strconv.FormatInt(rubrics[0].ID, 10)
	period := srv.App.Assess.Now().In(srv.App.Loc).Format("2006-01")
	subject := "/assess/subject?" + url.Values{"rubric": {rid}, "period": {period}, "id": {demo.CommunityCode(0)}}.Encode()
	for _, lang := range []string{"zh-CN", "en"} {
		for _, path := range []string{"/dashboard", "/assess", "/assess/indicators", "/assess/indicators?subject=unit", "/assess/rubrics", "/assess/rubrics/" + rid, "/assess/bulletins", subject,
			"/assess/records?key=closing_rate&subject=community&id=" + demo.CommunityCode(0) + "&period=" + period} {
			admin.pageIn(path, lang, assessKey)
		}
	}
	if s, _ := admin.get("/assess/records?key=closing_rate&subject=community&id=" + demo.CommunityCode(0) + "&period=2026-13"); s != 422 {
		t.Fatalf("bad period: %d", s)
	}
	// A manual entry without a reason is refused beside the field; with one it is saved.
	form := url.Values{"rubric": {rid}, "period": {period}, "id": {demo.CommunityCode(0)}, "item": {"conduct"}, "points": {"3"}}
	if s, body, _ := admin.post("/assess/manual", form); s != 422 || !strings.Contains(body, "field-error") {
		t.Fatalf("manual without reason: %d", s)
	}
	form.Set("reason", "周报两次迟报")
	if s, _, loc := admin.post("/assess/manual", form); s != 303 || !strings.HasPrefix(loc, "/assess/subject") {
		t.Fatalf("manual: %d %s", s, loc)
	}
	if _, body := admin.get(subject); !strings.Contains(body, "周报两次迟报") {
		t.Fatal("the reason is not shown")
	}
	leader := newBrowserAs(t, srv.URL, "street")
	if s, _, _ := leader.post("/assess/manual", form); s != 403 {
		t.Fatalf("leader's manual entry: %d", s)
	}
	leader.pageIn("/dashboard", "zh-CN", assessKey)
	// Publish, then look at it every way.
	s, body, loc := admin.post("/assess/bulletins", url.Values{"rubric": {rid}, "period": {period}, "title": {"月度通报"}})
	if s != 303 || !strings.HasPrefix(loc, "/assess/bulletins/") {
		t.Fatalf("publish: %d %s", s, body)
	}
	for _, p := range []string{loc, loc + "/print"} {
		body, _ := admin.pageIn(p, "zh-CN", assessKey)
		if !strings.Contains(body, "SHA-256") {
			t.Fatalf("%s lacks the SHA-256", p)
		}
	}
	if s, _, _ := admin.post("/assess/bulletins", url.Values{"rubric": {rid}, "period": {period}, "title": {"再发"}}); s != 409 {
		t.Fatalf("second bulletin of the period: %d", s)
	}
	id := strings.TrimPrefix(loc, "/assess/bulletins/")
	anon := newBrowser(t, srv.URL)
	if s, _ := anon.get("/bulletins/" + id); s != 404 {
		t.Fatalf("private bulletin without a session: %d", s)
	}
	if s, body := anon.get("/bulletins/" + id + "/verify"); s != 200 || !strings.Contains(body, "verify-ok") {
		t.Fatalf("verify: %d", s)
	}
	if s, _ := admin.get(loc + "/bulletin.xlsx"); s != 200 {
		t.Fatalf("xlsx: %d", s)
	}
	volunteer := newBrowserAs(t, srv.URL, "volunteer01")
	if s, _ := volunteer.get("/assess"); s != 403 {
		t.Fatalf("volunteer: %d", s)
	}
}

// TestAirImport: an admin imports a station's CSV and the dashboard shows
// the good days; a bad line is refused naming it, and a leader may not import.
func TestAirImport(t *testing.T) { testutil.Each(t, testAirImport) }

func testAirImport(t *testing.T, srv *testutil.Server) {
	admin := newBrowserAs(t, srv.URL, "admin")
	today := srv.App.Assess.Now().In(srv.App.Loc)
	csv := "日期,AQI,PM2.5,PM10\n" + today.AddDate(0, 0, -1).Format("2006-01-02") + ",65,30,80\n" + today.Format("2006/1/2") + ",140,95,160\n"
	if s, body, loc := admin.postMultipart("/dashboard/air", nil, "file", "air.csv", []byte(csv)); s != 303 || loc != "/dashboard" {
		t.Fatalf("import: %d %s", s, body)
	}
	if _, body := admin.get("/dashboard"); !strings.Contains(body, `id="air-90">1 / 2`) {
		t.Fatal("the dashboard does not show 1 good day of 2")
	}
	if s, body, _ := admin.postMultipart("/dashboard/air", nil, "file", "air.csv", []byte("日期,AQI\n2026-11-01,abc\n")); s != 422 || !strings.Contains(body, "2") {
		t.Fatalf("bad line: %d", s)
	}
	leader := newBrowserAs(t, srv.URL, "street")
	if s, _, _ := leader.postMultipart("/dashboard/air", nil, "file", "air.csv", []byte(csv)); s != 403 {
		t.Fatalf("leader's import: %d", s)
	}
}
