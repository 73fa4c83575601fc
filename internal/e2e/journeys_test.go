package e2e

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// dbUnits counts (and lists the first page of) the units under root, read
// straight from the database to compare with what the pages show.
func dbUnits(t *testing.T, s *site, root, q string) ([]unit.Unit, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	us, total, err := s.DB.Units(ctx, store.UnitFilter{Roots: []string{root}, Q: q, Page: store.Page{Size: 100}})
	if err != nil {
		t.Fatalf("count units under %s: %v", root, err)
	}
	return us, total
}

var unitPathRE = regexp.MustCompile(`^/units/(\d+)$`)

// An admin adds a unit with a wrong credit code, reads the field error in
// Chinese, fixes the code, and then finds the unit in the list and the audit log.
func TestAdminAddsUnit(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		const name = "蓝天测试环保科技有限公司"
		valid := unit.CompleteCreditCode("91620502MA71XG0E2")
		if unit.CheckCreditCode(valid) != nil {
			t.Fatalf("test set-up: %s is not a valid credit code", valid)
		}
		wrongCheck := byte('0')
		if valid[17] == '0' {
			wrongCheck = '1'
		}
		wrong := valid[:17] + string(wrongCheck)
		grid := demo.GridCode(0, 2) // 忠武巷社区第3网格

		tb := s.newTab(t)
		tb.signIn("admin", demo.Password)

		if st := tb.open("/units"); st != 200 {
			t.Fatalf("GET /units: status %d", st)
		}
		if st := tb.submit("#unit-new"); st != 200 {
			t.Fatalf("click 新增单位: status %d", st)
		}
		if p := tb.path(); p != "/units/new" {
			t.Fatalf("新增单位 led to %s, want /units/new", p)
		}
		if h := tb.text("h1"); h != "新增单位" {
			t.Errorf("h1 of /units/new = %q, want 新增单位", h)
		}

		tb.fill("name", name, "kind", "enterprise", "credit_code", wrong, "region", grid,
			"contact_name", "张立新", "contact_phone", "13893801234")
		if st := tb.submit("#unit-save"); st != 422 {
			t.Errorf("saving with credit code %s: status %d, want 422", wrong, st)
		}
		errs := tb.texts("#unit-form .field-error")
		if len(errs) != 1 {
			t.Fatalf("field errors %q, want exactly one (for the credit code)", errs)
		}
		if !strings.Contains(errs[0], "统一社会信用代码") || !strings.Contains(errs[0], "校验位") {
			t.Errorf("field error %q: want it in Chinese, naming 统一社会信用代码 and 校验位", errs[0])
		}
		// The error sits with the credit code field, which is marked invalid.
		if !eval[bool](tb, `(() => { const i = document.getElementById("credit_code"); let n = i.nextElementSibling;
			return i.classList.contains("invalid") && n !== null && n.classList.contains("field-error"); })()`) {
			t.Errorf("#credit_code is not marked invalid with its field error next to it")
		}
		if fe := tb.errorText(); fe == "" {
			t.Errorf("no #form-error message above the form")
		}
		// The form keeps what was typed, and nothing was written.
		if v := eval[string](tb, `document.getElementById("name").value`); v != name {
			t.Errorf("#name after the failed save = %q, want %q", v, name)
		}
		if v := eval[string](tb, `document.getElementById("region").value`); v != grid {
			t.Errorf("#region after the failed save = %q, want %q", v, grid)
		}
		if _, n := dbUnits(t, s, demo.DistrictCode, name); n != 0 {
			t.Fatalf("%d units named %s after a refused save, want 0", n, name)
		}

		tb.fill("credit_code", valid)
		if st := tb.submit("#unit-save"); st != 200 {
			t.Fatalf("saving with credit code %s: status %d; errors %q %q", valid, st, tb.errorText(), tb.texts(".field-error"))
		}
		m := unitPathRE.FindStringSubmatch(tb.path())
		if m == nil {
			t.Fatalf("after saving landed on %s, want /units/{id}; errors %q", tb.path(), tb.texts(".field-error"))
		}
		id := m[1]
		if h := tb.text("h1"); !strings.Contains(h, name) {
			t.Errorf("unit page h1 = %q, want %q", h, name)
		}
		if body := tb.text("main"); !strings.Contains(body, valid) || !strings.Contains(body, "忠武巷社区第3网格") {
			t.Errorf("unit page does not show credit code %s and grid 忠武巷社区第3网格:\n%s", valid, body)
		}
		if us, n := dbUnits(t, s, demo.DistrictCode, name); n != 1 || strconv.FormatInt(us[0].ID, 10) != id || us[0].Region != grid {
			t.Fatalf("database holds %d units named %s (%+v), want one with id %s in grid %s", n, name, us, id, grid)
		}

		// The list, searched as the user types (htmx swaps the results).
		if st := tb.open("/units"); st != 200 {
			t.Fatalf("GET /units: status %d", st)
		}
		before := tb.listTotal()
		if before < 2 {
			t.Fatalf("units list shows %d units before searching; want the demo street's 60+", before)
		}
		tb.do("type the name into #q", chromedp.SendKeys(chromedp.ID("q"), name))
		tb.waitFor("the search results", fmt.Sprintf(`(() => {
			const rows = document.querySelectorAll("#unit-table tbody tr");
			return rows.length === 1 && rows[0].innerText.includes(%q); })()`, name), 20*time.Second)
		if got := tb.listTotal(); got != 1 {
			t.Errorf("pager after the search says %d units, want 1", got)
		}
		if href := eval[string](tb, `document.querySelector("#unit-table tbody a").getAttribute("href")`); href != "/units/"+id {
			t.Errorf("search result links to %s, want /units/%s", href, id)
		}
		// The same search as a plain GET, as without JavaScript.
		if st := tb.open("/units?q=" + url.QueryEscape(name)); st != 200 {
			t.Fatalf("GET /units?q=: status %d", st)
		}
		rows := tb.texts("#unit-table tbody tr")
		if len(rows) != 1 || !strings.Contains(rows[0], name) || !strings.Contains(rows[0], "企业") || !strings.Contains(rows[0], valid) {
			t.Errorf("GET /units?q=%s rows %q, want one row with the name, 企业 and %s", name, rows, valid)
		}

		// The audit log names the admin as the one who created it.
		if st := tb.open("/audit?entity=unit"); st != 200 {
			t.Fatalf("GET /audit?entity=unit: status %d", st)
		}
		// Who by name and role, what in words, the record named and linked, the changes (issue 16).
		type auditRow struct{ Actor, Entity, Link, Action, After string }
		got := eval[[]auditRow](tb, `Array.from(document.querySelectorAll("#audit-table tbody tr"), tr => {
			const c = tr.querySelectorAll("td");
			if (c.length < 5) return {};
			const a = c[3].querySelector("a");
			return {Actor: c[1].innerText.trim(), Action: c[2].innerText.trim(), Entity: c[3].innerText.trim(), Link: a ? a.getAttribute("href") : "", After: c[4].innerText};
		})`)
		var found *auditRow
		for i := range got {
			if got[i].Link == "/units/"+id {
				if found != nil {
					t.Errorf("two audit rows for unit #%s: %+v and %+v", id, *found, got[i])
				}
				found = &got[i]
			}
		}
		if found == nil {
			t.Fatalf("no audit row for unit #%s among %d rows", id, len(got))
		}
		if !strings.HasPrefix(found.Actor, "街道管理员") || !strings.Contains(found.Actor, "管理员") || found.Entity != "单位 "+name || found.Action != "新增" || !strings.Contains(found.After, name) {
			t.Errorf("audit row %+v: want the admin by name and role, 单位 %s linked, 新增, and the name among the changes", *found, name)
		}
	})
}

// A community leader sees its own community's grids and units only.
func TestCommunityLeaderScope(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		own, other := demo.Communities[0], demo.Communities[1] // 忠武巷社区, 砚房背后社区

		tb := s.newTab(t)
		tb.signIn("community1", demo.Password)

		if st := tb.open("/regions"); st != 200 {
			t.Fatalf("GET /regions: status %d", st)
		}
		items := tb.texts("#region-tree > li")
		var names []string
		for _, it := range items {
			names = append(names, strings.Fields(it)[0])
		}
		want := []string{own}
		for r := 1; r <= 5; r++ {
			want = append(want, fmt.Sprintf("%s第%d网格", own, r))
		}
		if strings.Join(names, ",") != strings.Join(want, ",") {
			t.Errorf("region tree of community1 lists %q, want %q", names, want)
		}
		tree := tb.text("#region-tree")
		for _, c := range demo.Communities[1:] {
			if strings.Contains(tree, c) {
				t.Errorf("region tree of community1 shows %s", c)
			}
		}
		if strings.Contains(tree, "西关街道") {
			t.Errorf("region tree of community1 shows the street above it")
		}
		// The map draws the same regions as the tree.
		tb.waitFor("the map's polygons", `document.getElementById("map").dataset.ready !== undefined`, 30*time.Second)
		ready := eval[string](tb, `document.getElementById("map").dataset.ready`)
		if n, err := strconv.Atoi(ready); err != nil || n <= 0 || n != len(items) {
			t.Errorf("#map data-ready = %q, want %d (the regions in the tree)", ready, len(items))
		}
		if n := eval[int](tb, `document.querySelectorAll("#map path.leaflet-interactive").length`); n != len(items) {
			t.Errorf("the map draws %d polygons, want %d", n, len(items))
		}

		// Units: exactly its community's, none of another's.
		if st := tb.open("/units"); st != 200 {
			t.Fatalf("GET /units: status %d", st)
		}
		leaderTotal := tb.listTotal()
		_, ownTotal := dbUnits(t, s, demo.CommunityCode(0), "")
		if ownTotal == 0 || leaderTotal != ownTotal {
			t.Errorf("community1's units list counts %d, want %d (the units of %s)", leaderTotal, ownTotal, own)
		}
		regions := eval[[]string](tb, `Array.from(document.querySelectorAll("#unit-table tbody tr td:nth-child(3)"), td => td.innerText.trim())`)
		if len(regions) == 0 {
			t.Errorf("community1's units list has no rows")
		}
		for _, r := range regions {
			if !strings.HasPrefix(r, own) {
				t.Errorf("community1's units list has a unit in %q", r)
			}
		}

		otherUnits, otherTotal := dbUnits(t, s, demo.CommunityCode(1), "")
		if otherTotal == 0 {
			t.Fatalf("the demo street has no units in %s", other)
		}
		foreign := otherUnits[0]
		if st := tb.open(fmt.Sprintf("/units/%d", foreign.ID)); st != 404 {
			t.Errorf("community1 opening /units/%d (a unit of %s): status %d, want 404", foreign.ID, other, st)
		}
		if h := tb.text("h1"); h != "找不到该记录" {
			t.Errorf("h1 of the foreign unit's page = %q, want 找不到该记录", h)
		}
		if body := tb.text("body"); strings.Contains(body, foreign.Name) {
			t.Errorf("the 404 page shows the foreign unit's name %s", foreign.Name)
		}
		if st := tb.open("/regions/" + demo.CommunityCode(1)); st != 404 {
			t.Errorf("community1 opening /regions/%s (%s): status %d, want 404", demo.CommunityCode(1), other, st)
		}
		if st := tb.open(fmt.Sprintf("/units?q=%s", url.QueryEscape(foreign.Name))); st != 200 {
			t.Fatalf("GET /units?q=: status %d", st)
		}
		if n := tb.listTotal(); n != 0 {
			t.Errorf("community1 searching for %s (of %s) finds %d units, want 0", foreign.Name, other, n)
		}

		// The admin sees the whole street, which is more.
		admin := s.newTab(t)
		admin.signIn("admin", demo.Password)
		if st := admin.open("/units"); st != 200 {
			t.Fatalf("admin GET /units: status %d", st)
		}
		adminTotal := admin.listTotal()
		_, all := dbUnits(t, s, demo.DistrictCode, "")
		if adminTotal != all || adminTotal <= leaderTotal {
			t.Errorf("admin's units list counts %d; want all %d units, more than community1's %d", adminTotal, all, leaderTotal)
		}
	})
}

// The language switch turns a signed-in page into English and back.
func TestLanguageSwitch(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		tb := s.newTab(t)
		tb.signIn("street", demo.Password)

		nav := func() []string { return tb.texts("nav.main a") }
		lang := func() string { return eval[string](tb, `document.documentElement.lang`) }
		if l, n := lang(), nav(); l != "zh-CN" || !contains(n, "单位") {
			t.Fatalf("before switching: lang %q, nav %q; want zh-CN with 单位", l, n)
		}
		if b := tb.text("#lang-switch"); b != "English" {
			t.Errorf("#lang-switch reads %q, want English", b)
		}
		if st := tb.submit("#lang-switch"); st != 200 {
			t.Fatalf("switch to English: status %d", st)
		}
		if p := tb.path(); p != "/" {
			t.Errorf("after switching the page is %s, want / (where it was)", p)
		}
		if l, n := lang(), nav(); l != "en" || !contains(n, "Units") || !contains(n, "Home") || contains(n, "单位") {
			t.Errorf("after switching: lang %q, nav %q; want en with Home and Units", l, n)
		}
		if st := tb.open("/units"); st != 200 {
			t.Fatalf("GET /units: status %d", st)
		}
		if h := tb.text("h1"); h != "Units" {
			t.Errorf("h1 of /units in English = %q, want Units", h)
		}
		if b := tb.text("#lang-switch"); b != "中文" {
			t.Errorf("#lang-switch reads %q in English, want 中文", b)
		}
		// The choice sticks to the person: a new session in a clean browser is in English.
		other := s.newTab(t)
		other.signIn("street", demo.Password)
		if l := eval[string](other, `document.documentElement.lang`); l != "en" {
			t.Errorf("a new session after choosing English has lang %q, want en", l)
		}

		if st := tb.submit("#lang-switch"); st != 200 {
			t.Fatalf("switch back to Chinese: status %d", st)
		}
		if p := tb.path(); p != "/units" {
			t.Errorf("after switching back the page is %s, want /units", p)
		}
		if h, l := tb.text("h1"), lang(); h != "单位" || l != "zh-CN" {
			t.Errorf("after switching back: h1 %q, lang %q; want 单位, zh-CN", h, l)
		}
		if n := nav(); !contains(n, "单位") || contains(n, "Units") {
			t.Errorf("after switching back the nav reads %q", n)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// On a phone-sized screen (360 × 740) pages fit the width: nothing scrolls
// sideways. The home page and the units list are the bar; the other pages of
// the foundation are checked too.
func TestPhoneWidth(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		tb := s.newTab(t)
		tb.do("emulate a 360 × 740 phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
		fits := func(p string) {
			t.Helper()
			sw := eval[int](tb, `document.documentElement.scrollWidth`)
			if sw > 361 {
				wide := eval[[]string](tb, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 361).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (typeof e.className === "string" && e.className ? "." + e.className.split(" ").join(".") : ""))`)
				t.Errorf("%s at 360 px: scrollWidth %d > 361; too wide: %q", p, sw, wide)
			}
		}
		if st := tb.open("/login"); st != 200 {
			t.Fatalf("GET /login: status %d", st)
		}
		if w := eval[int](tb, `window.innerWidth`); w != 360 {
			t.Fatalf("viewport is %d px wide, want 360", w)
		}
		fits("/login")
		tb.signIn("admin", demo.Password)
		us, _ := dbUnits(t, s, demo.DistrictCode, "")
		if len(us) == 0 {
			t.Fatal("the demo street has no units")
		}
		pages := []string{"/", "/units", "/units/new", fmt.Sprintf("/units/%d", us[0].ID), "/regions", "/people", "/audit", "/profile"}
		for _, p := range pages {
			if st := tb.open(p); st != 200 {
				t.Errorf("GET %s: status %d", p, st)
				continue
			}
			if p == "/units" && len(tb.texts("#unit-table tbody tr")) < 2 {
				t.Errorf("/units shows fewer than 2 units; the width check needs a full list")
			}
			if p == "/people" && len(tb.texts("#people-table tbody tr")) < 2 {
				t.Errorf("/people shows fewer than 2 people; the width check needs a full list")
			}
			if p == "/regions" {
				tb.waitFor("the map's polygons", `document.getElementById("map").dataset.ready !== undefined`, 30*time.Second)
			}
			fits(p)
		}
	})
}

// Wrong passwords get one Chinese message; the sixth try after five failures
// on one account is refused with the throttle message, even with the right password.
func TestSignInFailures(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		tb := s.newTab(t)
		try := func(username, password string) int {
			t.Helper()
			if st := tb.open("/login"); st != 200 {
				t.Fatalf("GET /login: status %d", st)
			}
			tb.do("type the credentials",
				chromedp.SendKeys(chromedp.ID("username"), username),
				chromedp.SendKeys(chromedp.ID("password"), password))
			return tb.submit("#login-submit")
		}

		if st := try("volunteer01", "not-the-password"); st != 401 {
			t.Errorf("wrong password: status %d, want 401", st)
		}
		if e := tb.errorText(); e != "用户名或密码不正确" {
			t.Errorf("wrong password message %q, want 用户名或密码不正确", e)
		}
		if p := tb.path(); p != "/login" {
			t.Errorf("after a wrong password the page is %s, want /login", p)
		}
		if v := eval[string](tb, `document.getElementById("username").value`); v != "volunteer01" {
			t.Errorf("username after a failure = %q, want it kept", v)
		}
		if v := eval[string](tb, `document.getElementById("password").value`); v != "" {
			t.Errorf("password field after a failure is not empty")
		}

		for i := 1; i <= 5; i++ {
			if st := try("volunteer02", fmt.Sprintf("wrong-%d", i)); st != 401 {
				t.Errorf("failure %d for volunteer02: status %d, want 401", i, st)
			}
			if e := tb.errorText(); e != "用户名或密码不正确" {
				t.Errorf("failure %d for volunteer02: message %q", i, e)
			}
		}
		if st := try("volunteer02", demo.Password); st != 429 {
			t.Errorf("sixth try (right password) after 5 failures: status %d, want 429", st)
		}
		if e := tb.errorText(); !strings.Contains(e, "分钟") || !strings.Contains(e, "登录失败次数过多") {
			t.Errorf("throttle message %q, want 登录失败次数过多…分钟", e)
		}
		if p := tb.path(); p != "/login" {
			t.Errorf("the throttled sign-in went to %s, want to stay on /login", p)
		}
		if st := tb.open("/units"); st != 200 || !strings.HasPrefix(tb.path(), "/login") {
			t.Errorf("after the refused sign-in /units led to %s (status %d), want the sign-in page", tb.path(), st)
		}

		// The throttle is per account: another account from the same address still signs in.
		tb.signIn("volunteer03", demo.Password)
	})
}
