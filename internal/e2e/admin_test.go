package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/unit"
)

// TestAdminImportAndSettings: an admin checks a units spreadsheet with one
// bad row, imports only the valid rows, sees the missing-year warning and
// the category time limits, and adds a patroller who can then sign in.
func TestAdminImportAndSettings(t *testing.T) {
	s := newSite(t, "sqlite")
	tb := s.newTab(t)
	tb.signIn("admin", demo.Password)

	good := unit.CompleteCreditCode("91620502MA7EEXX01")
	csv := "名称,类型,统一社会信用代码,网格编码,联系人,联系电话,风险标签\n" +
		"浏览器导入餐馆,餐饮," + good + "," + demo.GridCode(0, 0) + ",李四,13800005678,油烟\n" +
		"坏代码公司,企业,91620502MA7EEXX0A," + demo.GridCode(0, 1) + ",,,\n"
	file := filepath.Join(t.TempDir(), "units.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if st := tb.open("/units/import"); st != 200 {
		t.Fatalf("/units/import: %d", st)
	}
	tb.do("choose the file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}))
	if st := tb.submit("#import-check"); st != 200 {
		t.Fatalf("check: status %d (%s)", st, tb.errorText())
	}
	problems := tb.texts("#import-problems tbody tr")
	if len(problems) != 1 || !strings.Contains(problems[0], "3") || !strings.Contains(problems[0], "统一社会信用代码") {
		t.Fatalf("problems listed: %q", problems)
	}
	if eval[bool](tb, `!!document.getElementById("import-all")`) {
		t.Error("a file with problems offers to import everything")
	}
	if st := tb.submit("#import-valid"); st != 200 {
		t.Fatalf("import valid rows: %d", st)
	}
	if d := tb.text("#import-done"); !strings.Contains(d, "已导入 1 行") {
		t.Fatalf("import result %q", d)
	}
	if _, n := dbUnits(t, s, demo.StreetCode, "浏览器导入餐馆"); n != 1 {
		t.Fatalf("imported unit in the database: %d", n)
	}
	if _, n := dbUnits(t, s, demo.StreetCode, "坏代码公司"); n != 0 {
		t.Fatal("the bad row was imported")
	}

	// Settings: the calendar warns about a missing year; the categories show their limits.
	tb.open("/admin/categories")
	if y := time.Now().Year(); !strings.Contains(tb.text("main"), "年的节假日安排尚未录入") && (time.Now().Month() >= time.October || y > 2026) {
		t.Errorf("no warning about a missing holiday year on the categories page")
	}
	if n := len(tb.texts("#categories-table tr[id^='c-']")); n < 19 {
		t.Errorf("%d categories shown, want all 19", n)
	}
	tb.open("/admin/calendar")
	if !strings.Contains(tb.text("main"), "国庆节") {
		t.Error("the calendar page does not list the 2026 National Day holiday")
	}

	// A new patroller.
	tb.open("/people/new")
	tb.fill("username", "zhangsan", "name", "张三", "mobile", "13700001234", "password", "zhangsan-pass", "role", "patroller", "region", demo.GridCode(1, 1))
	if st := tb.submit("form[action='/people'] button[type=submit]"); st != 200 || !strings.HasPrefix(tb.path(), "/people/") {
		t.Fatalf("create person: %d at %s (%s %q)", st, tb.path(), tb.errorText(), tb.texts(".field-error"))
	}
	p := s.newTab(t)
	p.signIn("zhangsan", "zhangsan-pass")
	if h := p.text("h1"); !strings.Contains(h, "张三") {
		t.Fatalf("the new patroller's home: %q", h)
	}
}

// TestPublicReport: someone without an account reports from a phone and
// finds the case in the public list, which shows no personal data.
func TestPublicReport(t *testing.T) {
	s := newSite(t, "sqlite")
	tb := s.newTab(t)
	tb.phone()
	if st := tb.open("/public/report"); st != 200 {
		t.Fatalf("/public/report: %d", st)
	}
	tb.fitsPhone("/public/report")
	tb.fill("category", "06020")
	tb.do("describe", chromedp.SendKeys(chromedp.ID("description"), "楼下有人焚烧垃圾"))
	tb.do("name and mobile", chromedp.SendKeys(chromedp.ID("name"), "王阿姨"), chromedp.SendKeys(chromedp.ID("mobile"), "13912345678"))
	tb.emulateGPS(reportLat, reportLon)
	tb.do("use my location", chromedp.Tap(chromedp.ID("use-gps"), chromedp.NodeVisible))
	tb.waitFor("the point", `document.getElementById("lat").value !== ""`, 30*time.Second)
	if st := tb.tapSubmit("#report-submit"); st != 200 {
		t.Fatalf("public report: %d (%s %q)", st, tb.errorText(), tb.texts(".field-error"))
	}
	number := strings.TrimSpace(tb.text("#case-number"))
	if !strings.HasPrefix(number, "XG-") {
		t.Fatalf("no case number shown: %q", number)
	}
	c := dbCase(t, s, number)
	if c.Source != "public" || c.ReporterMobile != "13912345678" {
		t.Fatalf("stored %s / %s", c.Source, c.ReporterMobile)
	}
	tb.open("/public/cases")
	list := tb.text("#public-cases")
	if !strings.Contains(list, number) || strings.Contains(list, "13912345678") || strings.Contains(list, "王阿姨") {
		t.Fatalf("public list: has number %v, leaks the mobile or name: %q", strings.Contains(list, number), list)
	}
}

// TestLedgerPrint: the printable ledger is an A4 landscape table with the cases.
func TestLedgerPrint(t *testing.T) {
	s := newSite(t, "sqlite")
	_, number := reportOnPhone(t, s, "patrol01", phoneReport{Category: "06010", Description: "打印测试的问题"})
	tb := s.newTab(t)
	tb.signIn("community1", demo.Password)
	if st := tb.open("/cases/print"); st != 200 {
		t.Fatalf("/cases/print: %d", st)
	}
	if !strings.Contains(tb.text("main"), number) {
		t.Fatalf("the printed ledger lacks %s", number)
	}
	css := eval[string](tb, `Array.from(document.querySelectorAll("style")).map(s => s.textContent).join(" ")`)
	if !strings.Contains(css, "A4 landscape") {
		t.Error("the print view does not ask for A4 landscape")
	}
	pdf, err := chromedp.Run(tb.ctx, chromedp.PrintToPDF())
	if err != nil || len(pdf) < 1000 || string(pdf[:5]) != "%PDF-" {
		t.Fatalf("print to PDF: %v, %d bytes", err, len(pdf))
	}
}
