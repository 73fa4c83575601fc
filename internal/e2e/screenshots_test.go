package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/demo"
)

// TestScreenshots writes the README's pictures when LANTIAN_SCREENSHOTS names
// a folder (go test ./internal/e2e -run Screenshots with
// LANTIAN_SCREENSHOTS=$PWD/docs/img); otherwise it is skipped.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("LANTIAN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set LANTIAN_SCREENSHOTS to a folder to write the README's screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, "sqlite")
	shot := func(tb *tab, name string) {
		png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	desk := s.newTab(t)
	desk.do("desktop window", chromedp.EmulateViewport(1200, 760))
	desk.signIn("admin", demo.Password)
	desk.open("/regions")
	desk.waitFor("the map", `Number(document.getElementById("map").dataset.ready || 0) > 0`, 30*time.Second)
	shot(desk, "regions.png")
	desk.open("/units")
	shot(desk, "units.png")
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if _, err := demo.SeedCases(context.Background(), s.DB, nil, loc, time.Now()); err != nil {
		t.Fatal(err)
	}
	desk.open("/cases")
	shot(desk, "cases.png")
	number := eval[string](desk, `document.querySelector("#case-results a[href^='/cases/XG-']").getAttribute("href")`)
	desk.open(number)
	shot(desk, "case.png")
	desk.open("/dashboard")
	shot(desk, "dashboard.png")

	phone := s.newTab(t)
	phone.do("phone window", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
	phone.signIn("community1", demo.Password)
	phone.open("/")
	shot(phone, "home-phone.png")
	phone.open("/report")
	shot(phone, "report-phone.png")
}
