package e2e

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
)

// Helpers of the case journeys (cases_test.go).

// phone turns the tab into a 360 × 740 touch phone.
func (tb *tab) phone() {
	tb.t.Helper()
	tb.do("emulate a 360 × 740 phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
}

// sibling opens a second tab in tb's browser context: the same cookies, so
// the same signed-in session, as a person with two tabs open.
func (tb *tab) sibling() *tab {
	tb.t.Helper()
	t := tb.t
	base, cancel := chromedp.NewContext(tb.base)
	t.Cleanup(cancel)
	if err := chromedp.Do(base); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	ctx, cancelT := context.WithTimeout(base, journeyTimeout)
	t.Cleanup(cancelT)
	sb := &tab{t: t, site: tb.site, base: base, ctx: ctx}
	t.Cleanup(func() {
		if t.Failed() {
			sb.saveFailure()
		}
	})
	return sb
}

// emulateGPS grants the site the geolocation permission in the tab's browser
// context and makes the device report the point (WGS-84).
func (tb *tab) emulateGPS(lat, lon float64) {
	tb.t.Helper()
	c := chromedp.FromContext(tb.base)
	if _, err := chromedp.CallBrowser(tb.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted,
		Origin: tb.site.URL, BrowserContextID: c.BrowserContextID}); err != nil {
		tb.t.Fatalf("grant the geolocation permission: %v", err)
	}
	if _, err := chromedp.Call(tb.ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
		Latitude: new(lat), Longitude: new(lon), Accuracy: new(8.0)}); err != nil {
		tb.t.Fatalf("emulate the position %f, %f: %v", lat, lon, err)
	}
}

// tapSubmit taps sel (a touch tap, as on a phone), waits for the page it
// leads to and returns its status.
func (tb *tab) tapSubmit(sel string) int {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Tap(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("tap %s and wait for the next page: %v", sel, err)
	}
	if resp == nil {
		tb.t.Fatalf("tap %s: no document response", sel)
	}
	return int(resp.Status)
}

// openAction opens the case page's form of action a (the <details id="act-a">)
// by clicking its button, and waits until it is open.
func (tb *tab) openAction(a string) {
	tb.t.Helper()
	// Actions less likely next sit behind "more actions", as a person sees them.
	if eval[bool](tb, fmt.Sprintf(`(() => { const d = document.getElementById(%q); const m = document.getElementById("more-actions"); return !!d && !!m && !m.checked && d.offsetParent === null; })()`, "act-"+a)) {
		tb.do("show more actions", chromedp.Click(chromedp.CSS("label.more-label"), chromedp.NodeVisible))
	}
	tb.do("open the "+a+" form", chromedp.Click(chromedp.CSS("#act-"+a+" > summary"), chromedp.NodeVisible))
	tb.waitFor("the "+a+" form to open", fmt.Sprintf(`document.getElementById(%q).open === true`, "act-"+a), 10*time.Second)
}

// actionForms lists the ids of the action forms the case page offers.
func (tb *tab) actionForms() []string {
	tb.t.Helper()
	return eval[[]string](tb, `Array.from(document.querySelectorAll("#case-actions details.act"), d => d.id)`)
}

// timelineRow is one row of the case page's timeline.
type timelineRow struct{ At, Actor, Action, Status, Note string }

// timeline reads the case page's timeline, oldest first.
func (tb *tab) timeline() []timelineRow {
	tb.t.Helper()
	return eval[[]timelineRow](tb, `Array.from(document.querySelectorAll("#case-timeline tbody tr"), tr => {
		const c = tr.querySelectorAll("td");
		return c.length < 5 ? {} : {At: c[0].innerText.trim(), Actor: c[1].innerText.trim(), Action: c[2].innerText.trim(), Status: c[3].innerText.trim(), Note: c[4].innerText.trim()};
	})`)
}

// caseProp returns the case page's property named label ("来源", "所在网格"…).
func (tb *tab) caseProp(label string) string {
	tb.t.Helper()
	v := eval[string](tb, fmt.Sprintf(`(() => {
		for (const dt of document.querySelectorAll("#case-props dt")) {
			if (dt.innerText.trim() === %q) return dt.nextElementSibling.innerText.trim();
		}
		return "<no such property>";
	})()`, label))
	if v == "<no such property>" {
		tb.t.Fatalf("the case page shows no property %s; it shows %q", label, tb.texts("#case-props dt"))
	}
	return v
}

// flash returns the page's flash message, or "".
func (tb *tab) flash() string {
	tb.t.Helper()
	return eval[string](tb, `(document.querySelector("main .flash") || {innerText: ""}).innerText.trim()`)
}

// openFromInbox opens the inbox, checks that a message labelled label about
// case number is there, and follows it to the case.
func (tb *tab) openFromInbox(number, label string) {
	tb.t.Helper()
	if st := tb.open("/inbox"); st != 200 {
		tb.t.Fatalf("GET /inbox: status %d", st)
	}
	item := fmt.Sprintf(`Array.from(document.querySelectorAll("#inbox-list li")).find(li => {
		const n = li.querySelector(".num"), b = li.querySelector("b");
		return n && b && n.innerText.trim() === %q && b.innerText.trim() === %q;
	})`, number, label)
	if !eval[bool](tb, "!!"+item) {
		tb.t.Fatalf("the inbox has no message %q about %s; it lists %q", label, number, tb.texts("#inbox-list li"))
	}
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.JSPath(item+`.querySelector("button")`), chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("follow the inbox message about %s: %v", number, err)
	}
	if resp.Status != 200 {
		tb.t.Fatalf("following the inbox message about %s: status %d", number, resp.Status)
	}
	if p := tb.path(); p != "/cases/"+number {
		tb.t.Fatalf("the inbox message about %s led to %s", number, p)
	}
}

// fitsPhone fails the test when the page scrolls sideways at 360 px.
func (tb *tab) fitsPhone(what string) {
	tb.t.Helper()
	if w := eval[int](tb, `window.innerWidth`); w != 360 {
		tb.t.Fatalf("%s: viewport is %d px wide, want 360", what, w)
	}
	if sw := eval[int](tb, `document.documentElement.scrollWidth`); sw > 361 {
		wide := eval[[]string](tb, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 361).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : ""))`)
		tb.t.Errorf("%s at 360 px: scrollWidth %d > 361; too wide: %q", what, sw, wide)
	}
}

// thumbsLoaded waits until every thumbnail in sel has loaded from the server
// (lazy images are scrolled into view first) and returns their sources.
func (tb *tab) thumbsLoaded(sel string, want int) []string {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf("%d thumbnails in %s", want, sel), fmt.Sprintf(`(() => {
		const imgs = Array.from(document.querySelectorAll(%q));
		if (imgs.length !== %d) return false;
		imgs.forEach(i => { if (!i.complete || i.naturalWidth === 0) i.scrollIntoView({block: "center"}); });
		return imgs.every(i => i.complete && i.naturalWidth > 0);
	})()`, sel, want), 30*time.Second)
	return eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), i => i.getAttribute("src"))`, sel))
}

var casePathRE = regexp.MustCompile(`^/cases/(XG-\d{8}-\d{4,})$`)

// caseNumber returns the number of the case page the tab shows.
func (tb *tab) caseNumber() string {
	tb.t.Helper()
	m := casePathRE.FindStringSubmatch(tb.path())
	if m == nil {
		tb.t.Fatalf("the page is %s, want a case page /cases/XG-…; errors %q %q %q", tb.path(), tb.errorText(), tb.texts(".field-error"), tb.texts("#other-errors li"))
	}
	return m[1]
}

// dbCase reads a case straight from the database.
func dbCase(t *testing.T, s *site, number string) cases.Case {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := s.DB.CaseByNumber(ctx, number)
	if err != nil {
		t.Fatalf("read case %s: %v", number, err)
	}
	return c
}

// personName returns the display name of the demo account username.
func personName(t *testing.T, s *site, username string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, _, err := s.DB.Credentials(ctx, username)
	if err != nil || p.Name == "" {
		t.Fatalf("read person %s: %q, %v", username, p.Name, err)
	}
	return p.Name
}

// writePNG writes a 640 × 480 photo-like PNG (a gradient with a square) to a
// temporary file and returns its path.
func writePNG(t *testing.T, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			c := color.RGBA{uint8(x * 255 / 640), uint8(y * 255 / 480), 90, 255}
			if x > 240 && x < 400 && y > 160 && y < 320 {
				c = color.RGBA{200, 40, 40, 255}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// download clicks sel, which starts a download, and returns the path of the
// downloaded file in a temporary folder with the name the browser suggested.
func (tb *tab) download(sel string) (path, suggested string) {
	tb.t.Helper()
	dir := tb.t.TempDir()
	c := chromedp.FromContext(tb.base)
	if _, err := chromedp.CallBrowser(tb.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: c.BrowserContextID,
		DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		tb.t.Fatalf("allow downloads: %v", err)
	}
	lctx, stop := context.WithCancel(tb.ctx)
	defer stop()
	begun := make(chan *cdpbrowser.EventDownloadWillBegin, 4)
	progress := make(chan *cdpbrowser.EventDownloadProgress, 256)
	if err := chromedp.ListenBrowser(lctx, func(ev any) {
		switch ev := ev.(type) {
		case *cdpbrowser.EventDownloadWillBegin:
			select {
			case begun <- ev:
			default:
			}
		case *cdpbrowser.EventDownloadProgress:
			if ev.State != cdpbrowser.DownloadProgressStateInProgress {
				select {
				case progress <- ev:
				default:
				}
			}
		}
	}); err != nil {
		tb.t.Fatalf("listen for downloads: %v", err)
	}
	tb.do("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	timeout := time.After(60 * time.Second)
	var guid string
	select {
	case ev := <-begun:
		guid, suggested = ev.GUID, ev.SuggestedFilename
	case <-timeout:
		tb.t.Fatalf("clicking %s started no download within 60 s", sel)
	}
	for {
		select {
		case ev := <-progress:
			if ev.GUID != guid {
				continue
			}
			if ev.State != cdpbrowser.DownloadProgressStateCompleted {
				tb.t.Fatalf("the download of %s ended %s", suggested, ev.State)
			}
			path = filepath.Join(dir, guid)
			if ev.FilePath != "" {
				path = ev.FilePath
			}
			if _, err := os.Stat(path); err != nil {
				entries, _ := os.ReadDir(dir)
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				tb.t.Fatalf("the download of %s completed, but %s is missing (the folder holds %s): %v", suggested, path, strings.Join(names, ", "), err)
			}
			return path, suggested
		case <-timeout:
			tb.t.Fatalf("the download of %s did not complete within 60 s", suggested)
		}
	}
}

// The point the phone journeys report at, inside 忠武巷社区第1网格 (grid (0, 0)
// of the demo street), and that grid's name.
const (
	reportLat, reportLon = 34.5725, 105.7025
	reportGridName       = "忠武巷社区第1网格"
)

// phoneReport is what a journey reports through the form on a phone.
type phoneReport struct {
	Category    string // a category code, such as 06010
	Description string
	Photo       string // a file to attach, or ""
	ByMap       bool   // set the point by a tap on the map instead of the device's GPS
}

// reportOnPhone signs username in on a 360 × 740 phone, fills in /report as
// a person would (category, description, the point by GPS or a tap on the
// map, class 上报件, the photo) and sends it. It checks that the case page
// follows with the number and the status 待立案, and returns the tab (on the
// case page) and the case number.
func reportOnPhone(t *testing.T, s *site, username string, r phoneReport) (*tab, string) {
	t.Helper()
	tb := s.newTab(t)
	tb.phone()
	tb.signIn(username, demo.Password)
	if st := tb.open("/report"); st != 200 {
		t.Fatalf("%s: GET /report: status %d", username, st)
	}
	if h := tb.text("h1"); h != "上报问题" {
		t.Errorf("h1 of /report = %q, want 上报问题", h)
	}
	tb.fitsPhone("/report")
	if id := eval[string](tb, `document.querySelector('#report-form input[name="client_id"]').value`); !uuidRE.MatchString(id) {
		t.Errorf("the report form's client_id is %q, want a UUID", id)
	}

	tb.fill("category", r.Category)
	tb.do("type the description", chromedp.SendKeys(chromedp.ID("description"), r.Description))

	// With JavaScript the typed coordinates give way to the GPS button and the map.
	if eval[bool](tb, `!document.getElementById("coords").hidden`) {
		t.Errorf("the typed coordinates are shown on a phone with JavaScript; want the map and the GPS button instead")
	}
	if r.ByMap {
		tb.tapMapInGrid(demo.GridCode(0, 0))
	} else {
		tb.emulateGPS(reportLat, reportLon)
		if b := tb.text("#use-gps"); b != "使用我的位置" {
			t.Errorf("the GPS button reads %q, want 使用我的位置", b)
		}
		tb.do("tap 使用我的位置", chromedp.Tap(chromedp.ID("use-gps"), chromedp.NodeVisible))
		tb.waitFor("the point from the device's position", `document.getElementById("lat").value !== ""`, 30*time.Second)
		lat, lon := eval[string](tb, `document.getElementById("lat").value`), eval[string](tb, `document.getElementById("lon").value`)
		if lat != "34.572500" || lon != "105.702500" {
			t.Errorf("the GPS set the point to %s, %s; want 34.572500, 105.702500 (the emulated position)", lat, lon)
		}
	}
	if st := tb.text("#point-status"); !strings.HasPrefix(st, "已选位置：") {
		t.Errorf("#point-status reads %q after setting the point, want 已选位置：…", st)
	}
	// The map marks the point, and the server names its grid.
	if n := eval[int](tb, `document.querySelectorAll('#report-map path[stroke="#c62828"]').length`); n != 1 {
		t.Errorf("the map shows %d point markers, want 1", n)
	}
	tb.waitFor("the server's check of the point", fmt.Sprintf(`(document.getElementById("point-place") || {innerText: ""}).innerText.includes(%q)`, reportGridName), 30*time.Second)

	tb.do("choose 上报件", chromedp.Tap(chromedp.CSS(`#class-box input[name="class"][value="escalated"]`), chromedp.NodeVisible))
	if c := eval[string](tb, `(() => { const c = document.querySelector('#class-box input[name="class"]:checked'); return c ? c.value + " " + c.closest("label").innerText : ""; })()`); !strings.HasPrefix(c, "escalated 上报件") {
		t.Errorf("the chosen class is %q, want escalated (上报件)", c)
	}
	if r.Photo != "" {
		tb.do("attach the photo", chromedp.SetUploadFiles(chromedp.ID("photos"), []string{r.Photo}))
		tb.waitFor("the photo in the file input", `document.getElementById("photos").files.length === 1`, 10*time.Second)
		if !eval[bool](tb, `document.getElementById("photo-msg").hidden`) {
			t.Errorf("the form objects to the photo: %q", tb.text("#photo-msg"))
		}
	}
	tb.fitsPhone("/report filled in")

	if st := tb.tapSubmit("#report-submit"); st != 200 {
		t.Fatalf("%s sends the report: status %d; errors %q %q %q", username, st, tb.errorText(), tb.texts(".field-error"), tb.texts("#other-errors li"))
	}
	number := tb.caseNumber()
	if h := tb.text("#case-number"); !strings.HasPrefix(h, number) {
		t.Errorf("the case page's h1 reads %q, want it to start with %s", h, number)
	}
	if st := tb.text("#case-status"); st != "待立案" {
		t.Errorf("a new escalated report's status reads %q, want 待立案", st)
	}
	if f := tb.flash(); f != "问题已上报" {
		t.Errorf("the flash after reporting reads %q, want 问题已上报", f)
	}
	return tb, number
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// tapMapInGrid taps the report map in the middle of the outline of grid code.
func (tb *tab) tapMapInGrid(code string) {
	tb.t.Helper()
	tb.waitFor("the report map's outlines", `document.querySelectorAll("#report-map path.leaflet-interactive").length > 0`, 30*time.Second)
	eval[bool](tb, `(document.getElementById("report-map").scrollIntoView({block: "center"}), true)`)
	// The outlines are drawn in the order report.js sorts them (by level).
	xy := eval[[]float64](tb, fmt.Sprintf(`(() => {
		const fc = JSON.parse(document.getElementById("report-regions").textContent);
		fc.features.sort((a, b) => a.properties.level - b.properties.level);
		const i = fc.features.findIndex(f => f.properties.code === %q);
		const paths = document.querySelectorAll("#report-map path.leaflet-interactive");
		if (i < 0 || paths.length !== fc.features.length) return [];
		const r = paths[i].getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`, code))
	if len(xy) != 2 {
		tb.t.Fatalf("cannot find the outline of grid %s on the report map", code)
	}
	tb.do("tap the map", chromedp.TapXY(xy[0], xy[1]))
	tb.waitFor("the point from the tap", `document.getElementById("lat").value !== ""`, 10*time.Second)
}
