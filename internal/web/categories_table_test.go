package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/testutil"
)

// TestCategoriesOneTable: the settings table saves every category with one
// button, refuses a bad row naming it with nothing written, and warns of a
// missing base URL.
func TestCategoriesOneTable(t *testing.T) { testutil.Each(t, testCategoriesOneTable) }

func testCategoriesOneTable(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	b := newBrowser(t, srv.URL)
	b.login("admin")
	_, page := b.get("/admin/categories")
	if strings.Count(page, `<form method="post" action="/admin/categories"`) != 1 || strings.Count(page, `type="submit"`) < 1 {
		t.Fatal("not one form")
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`name="([a-z_]+\.[0-9A-Z]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	for _, m := range regexp.MustCompile(`<select name="([a-z_]+\.[0-9A-Z]+)"[^>]*>(?:<option[^>]*>[^<]*</option>)*?<option value="([^"]+)" selected>`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	for _, m := range regexp.MustCompile(`name="(active\.[0-9A-Z]+)" value="1"[^>]* checked`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], "1")
	}
	if form.Get("name_zh.06010") == "" || form.Get("handle_unit.06010") == "" {
		t.Fatalf("form not read: %v", form)
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("name_zh.06010", "")
	bad.Set("handle_n.06012", "0")
	status, body, _ := b.post("/admin/categories", bad)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "06010 中文名称") || !strings.Contains(body, "06012") {
		t.Fatalf("bad rows: %d", status)
	}
	if c, _ := srv.App.DB.Category(ctx, "06012"); c.Handle.N == 0 {
		t.Fatal("a refused table was written")
	}
	form.Set("name_zh.06010", "暴露垃圾（改）")
	form.Set("handle_n.06012", "2")
	form.Set("handle_unit.06012", "days")
	if status, _, loc := b.post("/admin/categories", form); status != http.StatusSeeOther || loc != "/admin/categories" {
		t.Fatalf("save all: %d %s", status, loc)
	}
	c1, _ := srv.App.DB.Category(ctx, "06010")
	c2, _ := srv.App.DB.Category(ctx, "06012")
	if c1.NameZh != "暴露垃圾（改）" || c2.Handle.N != 2 || c2.Handle.Unit != "days" {
		t.Fatalf("saved %+v %+v", c1, c2)
	}
	// The test server listens on a loopback address: no warning there.
	if strings.Contains(page, `id="baseurl-warning"`) {
		t.Error("warned while listening on loopback")
	}
}
