package web_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/testutil"
)

// TestNavGroups: on a desk the admin's menu bar holds a few entries, the
// links grouped into menus, and every link of the phones' flat row is in
// it once; the group of the page one is on is marked.
func TestNavGroups(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	b := newBrowser(t, srv.URL)
	b.login("admin")
	_, page := b.get("/units")
	block := func(class string) string {
		m := regexp.MustCompile(`(?s)<nav class="main ` + class + `"[^>]*>(.*?)</nav>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no nav.%s in\n%s", class, page)
		}
		return m[1]
	}
	hrefs := func(s string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<a href="([^"]+)"`).FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		return out
	}
	desk, phone := block("desk"), block("phone")
	flat := hrefs(phone)
	grouped := hrefs(desk)
	if len(flat) < 15 || !slices.Equal(sortedCopy(flat), sortedCopy(grouped)) {
		t.Fatalf("desk links %v, phone links %v: want the same, all of them", grouped, flat)
	}
	top := regexp.MustCompile(`(?s)<details.*?</details>`).ReplaceAllString(desk, "<menu/>")
	entries := strings.Count(top, "<menu/>") + strings.Count(top, "<a ")
	if entries > 8 {
		t.Errorf("the desk bar has %d entries, want at most 8:\n%s", entries, top)
	}
	if !regexp.MustCompile(`<details class="navgroup active"><summary>基础管理</summary>[^<]*<div class="navmenu">.*?<a href="/units" class="active"`).MatchString(desk) {
		t.Errorf("on /units the admin group is not marked:\n%s", desk)
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
