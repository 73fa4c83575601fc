package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// with returns b bound to t, a subtest, keeping its cookies: a failure in
// one step of a journey then ends that step only.
func (b *browser) with(t *testing.T) *browser {
	c := *b
	c.t = t
	return &c
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// getIn opens path in language lang.
func (b *browser) getIn(path, lang string) (int, string) {
	b.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return b.get(path + sep + "lang=" + lang)
}

// pageIn opens path in language lang and checks that it answers 200 with no
// message key of raw left untranslated; ok is false for another status.
func (b *browser) pageIn(path, lang string, raw *regexp.Regexp) (body string, ok bool) {
	b.t.Helper()
	status, body := b.getIn(path, lang)
	if status != 200 {
		b.t.Errorf("%s: status %d, want 200", path, status)
		return body, false
	}
	if m := raw.FindString(body); m != "" {
		b.t.Errorf("%s: untranslated key in %q", path, m)
	}
	return body, true
}

// post posts an urlencoded page form; it returns the status, the page and
// where a redirect leads.
func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	return b.send(path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// postMultipart posts fields and one file (none when field is empty) as a page form.
func (b *browser) postMultipart(path string, fields url.Values, field, name string, content []byte) (int, string, string) {
	b.t.Helper()
	var files []testutil.File
	if field != "" {
		files = append(files, testutil.File{Field: field, Name: name, Content: content})
	}
	body, contentType := testutil.Multipart(fields, files...)
	return b.send(path, contentType, body)
}

// postPhotos sends a form with files under "photos", as a phone's report form does.
func (b *browser) postPhotos(path string, form url.Values, photos ...[]byte) (int, string, string) {
	b.t.Helper()
	var files []testutil.File
	for i, p := range photos {
		files = append(files, testutil.File{Field: "photos", Name: "photo" + strconv.Itoa(i) + ".png", Content: p})
	}
	body, contentType := testutil.Multipart(form, files...)
	return b.send(path, contentType, body)
}

// send posts body of contentType to path; it returns what post returns.
func (b *browser) send(path, contentType string, body io.Reader) (int, string, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, body)
	req.Header.Set("Content-Type", contentType)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out), resp.Header.Get("Location")
}

func (b *browser) login(user string) {
	b.t.Helper()
	status, body, loc := b.post("/login", url.Values{"username": {user}, "password": {demo.Password}})
	if status != http.StatusSeeOther || loc != "/" {
		b.t.Fatalf("login %s: status %d → %q, want 303 to /\n%s", user, status, loc, body)
	}
}

// rawKey finds message keys that leaked into a page untranslated.
var rawKey = regexp.MustCompile(`>[^<]*\b(?:err|field|unit|role|audit|region|nav|common|home|person|people|pager|import|profile|case|cases|report|inbox|public|export|calendar|categories)\.[a-z_]+[^<]*<`)

// TestPagesRender opens every page as each kind of user in both languages.
func TestPagesRender(t *testing.T) { testutil.Each(t, testPagesRender) }

func testPagesRender(t *testing.T, srv *testutil.Server) {
	pages := []string{"/", "/cases", "/report", "/inbox", "/regions", "/regions/" + demo.CommunityCode(0), "/regions/" + demo.GridCode(0, 0), "/units", "/units?q=中学&kind=school",
		"/units/1", "/profile"}
	admin := []string{"/units/new", "/units/1/edit", "/people", "/people/1", "/people/new", "/audit", "/units/import", "/admin/calendar", "/admin/categories"}
	for _, tc := range []struct {
		user  string
		extra []string
	}{
		{"admin", admin},
		{"street", []string{"/people", "/units/new"}},
		{"community1", []string{"/people"}},
		{"patrol01", nil},
		{"volunteer01", nil},
	} {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(tc.user+"/"+lang, func(t *testing.T) {
				b := newBrowser(t, srv.URL)
				b.login(tc.user)
				for _, p := range append(append([]string{}, pages...), tc.extra...) {
					if p == "/units/1" && tc.user != "admin" && tc.user != "street" {
						continue // unit 1 lies in another community
					}
					if p == "/regions/"+demo.CommunityCode(0) && tc.user == "patrol01" {
						continue // a patroller sees their grid only
					}
					body, ok := b.pageIn(p, lang, rawKey)
					if !ok {
						continue
					}
					if lang == "en" && strings.Contains(body, "新增单位") {
						t.Errorf("%s: Chinese text on an English page, want none", p)
					}
					if !strings.Contains(body, `<html lang="`+lang+`">`) {
						t.Errorf("%s: page language is not %s, want <html lang=%q>", p, lang, lang)
					}
				}
			})
		}
	}
}

func TestScopeAndForms(t *testing.T) { testutil.Each(t, testScopeAndForms) }

func testScopeAndForms(t *testing.T, srv *testutil.Server) {
	anon := newBrowser(t, srv.URL)
	if status, _ := anon.get("/units"); status != http.StatusSeeOther {
		t.Fatalf("anonymous /units: %d, want a redirect to sign in", status)
	}
	// A patroller cannot open the people list or the new-unit form.
	p := newBrowser(t, srv.URL)
	p.login("patrol01")
	for _, path := range []string{"/people", "/units/new", "/audit"} {
		if status, _ := p.get(path); status != http.StatusForbidden {
			t.Errorf("patrol01 %s: %d, want 403", path, status)
		}
	}
	// community1 cannot see a unit of community 4 (404, not 403).
	c := newBrowser(t, srv.URL)
	c.login("community1")
	_, list := c.get("/units?region=" + demo.CommunityCode(3))
	if strings.Contains(list, "/units/") && strings.Contains(list, `<td data-label`) {
		t.Error("community1 lists units of community 4, want none")
	}
	a := newBrowser(t, srv.URL)
	a.login("admin")
	_, other := a.get("/units?region=" + demo.CommunityCode(3))
	id := regexp.MustCompile(`href="/units/(\d+)"`).FindStringSubmatch(other)
	if id == nil {
		t.Fatal("admin sees no unit in community 4, want some")
	}
	if status, _ := c.get("/units/" + id[1]); status != http.StatusNotFound {
		t.Errorf("community1 opens another community's unit: %d, want 404", status)
	}
	if status, _, _ := c.post("/units/"+id[1], url.Values{"name": {"x"}}); status != http.StatusNotFound {
		t.Errorf("community1 edits another community's unit: %d, want 404", status)
	}
	// A bad form re-renders with the field errors in Chinese and keeps the input.
	status, body, _ := a.post("/units", url.Values{"name": {"表单测试"}, "kind": {"shop"}, "credit_code": {"91620502MA7APXX0A"}, "region": {demo.GridCode(0, 0)}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "统一社会信用代码：") || !strings.Contains(body, `value="表单测试"`) {
		t.Fatalf("bad unit form: status %d, want 422 with the credit code's error and the name kept", status)
	}
	// A cross-site form post is refused.
	req, _ := http.NewRequest("POST", srv.URL+"/units", strings.NewReader("name=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := a.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	// Password change: wrong current password is a field error; the right one works.
	status, body, _ = c.post("/profile/password", url.Values{"current": {"nope"}, "new": {"new-password-1"}, "again": {"new-password-1"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "当前密码：不正确") {
		t.Fatalf("wrong current password: status %d, want 422 with 当前密码：不正确", status)
	}
	if status, _, loc := c.post("/profile/password", url.Values{"current": {demo.Password}, "new": {"new-password-1"}, "again": {"new-password-1"}}); status != http.StatusSeeOther || loc != "/profile" {
		t.Fatalf("password change: status %d, want 303 to /profile", status)
	}
	fresh := newBrowser(t, srv.URL)
	if status, _, _ := fresh.post("/login", url.Values{"username": {"community1"}, "password": {"new-password-1"}}); status != http.StatusSeeOther {
		t.Fatalf("sign-in with the new password: status %d, want 303", status)
	}
}

// TestCaseSettings imports a holiday year and edits a category's time limit.
func TestCaseSettings(t *testing.T) { testutil.Each(t, testCaseSettings) }

func testCaseSettings(t *testing.T, srv *testutil.Server) {
	// In November 2026 the next year's holidays are due; the shipped calendar has 2026 only.
	srv.SetNow(time.Date(2026, 11, 15, 10, 0, 0, 0, srv.App.Loc))
	a := newBrowser(t, srv.URL)
	a.login("admin")
	if _, home := a.get("/"); !strings.Contains(home, "2027 年的节假日安排尚未录入") {
		t.Error("the admin is not warned that 2027 has no holiday schedule, want 2027 年的节假日安排尚未录入")
	}
	// A 2027 schedule (made up for the test) clears the warning.
	if status, _, _ := a.postMultipart("/admin/calendar", nil, "file", "2027.csv", []byte("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n")); status != http.StatusSeeOther {
		t.Fatalf("calendar import: status %d, want 303", status)
	}
	if _, home := a.get("/"); strings.Contains(home, "2027 年的节假日安排尚未录入") {
		t.Error("still warned after importing 2027")
	}
	cal, err := srv.App.Cases.Calendar(context.Background())
	if err != nil || !cal.HasYear(2027) || !cal.HasYear(2026) {
		t.Fatalf("calendar years: %v", err)
	}
	// A bad CSV is refused with the line named.
	if status, _, _ := a.postMultipart("/admin/calendar", nil, "file", "bad.csv", []byte("date,kind,name\n2027-13-01,holiday,x\n")); status != http.StatusUnprocessableEntity {
		t.Fatalf("bad calendar CSV: status %d, want 422", status)
	}
	// Category limits: a zero limit is a field error; a good one is saved and audited.
	form := url.Values{"name_zh": {"暴露垃圾"}, "name_en": {"Exposed rubbish"}, "severity": {"minor"}, "level": {"3"}, "active": {"1"},
		"file_n": {"4"}, "file_unit": {"hours"}, "handle_n": {"0"}, "handle_unit": {"days"}, "verify_n": {"1"}, "verify_unit": {"days"}}
	if status, page, _ := a.post("/admin/categories/06010", form); status != http.StatusUnprocessableEntity || !strings.Contains(page, "办理时限") {
		t.Fatalf("zero limit: status %d, want 422 naming 办理时限", status)
	}
	form.Set("handle_n", "3")
	if status, _, _ := a.post("/admin/categories/06010", form); status != http.StatusSeeOther {
		t.Fatalf("save category: status %d, want 303", status)
	}
	c, err := srv.App.DB.Category(context.Background(), "06010")
	if err != nil || c.Handle.N != 3 {
		t.Fatalf("category after save: %+v, %v; want a 3-day handling limit", c, err)
	}
	if status, _ := newBrowserAs(t, srv.URL, "community1").get("/admin/categories"); status != http.StatusForbidden {
		t.Fatalf("a leader opens the category settings: status %d, want 403", status)
	}
}

func newBrowserAs(t *testing.T, base, user string) *browser {
	b := newBrowser(t, base)
	b.login(user)
	return b
}

// TestAuditLabels: every audited action and record kind in the log has words, in both languages.
func TestAuditLabels(t *testing.T) { testutil.Each(t, testAuditLabels) }

func testAuditLabels(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	if _, err := demo.SeedCases(ctx, srv.App.DB, nil, srv.App.Loc, time.Now()); err != nil {
		t.Fatal(err)
	}
	a := newBrowserAs(t, srv.URL, "admin")
	for _, lang := range []string{"zh-CN", "en"} {
		for page := 1; page <= 3; page++ {
			_, body := a.get(fmt.Sprintf("/audit?page=%d&lang=%s", page, lang))
			if m := rawKey.FindString(body); m != "" {
				t.Errorf("%s page %d: untranslated %q, want none", lang, page, m)
			}
		}
	}
}
