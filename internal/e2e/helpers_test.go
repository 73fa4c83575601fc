package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/server"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// journeyTimeout bounds one journey on one backend; the machine is slow.
const journeyTimeout = 90 * time.Second

// outDir is where failure screenshots and HTML go: testout/e2e at the repo
// root (the tests run in internal/e2e).
const outDir = "../../testout/e2e"

// The one browser of the package, started on first use and stopped by TestMain.
var shared struct {
	once    sync.Once
	ctx     context.Context // a chromedp context whose browser is running
	err     error
	stop    []func()
	dataDir string
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(shared.stop) - 1; i >= 0; i-- {
		shared.stop[i]()
	}
	if shared.dataDir != "" {
		os.RemoveAll(shared.dataDir)
	}
	os.Exit(code)
}

// chromiumPath finds the browser, or returns "".
func chromiumPath() string {
	if p := os.Getenv("LANTIAN_E2E_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// browser returns the running shared browser. A missing chromium skips the
// test, or fails it when storetest.Required().
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if storetest.Required() {
			t.Fatal("chromium not found (PATH, /usr/bin/chromium or LANTIAN_E2E_CHROMIUM) and LANTIAN_TEST_REQUIRE=1; install Debian's chromium")
		}
		t.Skip("chromium not found; install Debian's chromium to run the browser journeys")
	}
	shared.once.Do(func() { shared.err = startBrowser(path) })
	if shared.err != nil {
		t.Fatalf("start %s: %v", path, shared.err)
	}
	return shared.ctx
}

func startBrowser(path string) error {
	dir, err := os.MkdirTemp("", "lantian-e2e-chromium-")
	if err != nil {
		return err
	}
	shared.dataDir = dir
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	shared.stop = append(shared.stop, cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	shared.stop = append(shared.stop, cancel)
	// The first Run starts the browser and binds it to ctx, so it gets no
	// timeout of its own; a watchdog stops a start that hangs.
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			cancel()
		}
	}()
	err = chromedp.Do(ctx)
	close(done)
	if err != nil {
		return err
	}
	shared.ctx = ctx
	return nil
}

// site is the application served over one fresh demo database.
type site struct {
	URL     string
	DB      *store.DB
	Backend string
	App     *app.App // its services, for journeys that run a worker alongside
}

// eachBackend runs fn as a subtest per database backend, each with a fresh
// demo database and its own in-process server.
func eachBackend(t *testing.T, fn func(t *testing.T, s *site)) {
	browser(t) // skip or fail early, before a database is built
	for _, b := range storetest.Backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, newSite(t, b)) })
	}
}

func newSite(t *testing.T, backend string) *site {
	t.Helper()
	db := storetest.Open(t, backend)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if seeded, err := demo.Seed(ctx, db); err != nil || !seeded {
		t.Fatalf("demo.Seed = %v, %v", seeded, err)
	}
	cfg := config.Default()
	cfg.DB = backend
	cfg.Data = t.TempDir()
	loc, err := cfg.Validate()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, loc, db, log)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	h, err := server.Handler(a)
	if err != nil {
		t.Fatalf("server.Handler: %v", err)
	}
	srv := httptest.NewServer(h) // listens on 127.0.0.1, port 0
	t.Cleanup(srv.Close)
	t.Cleanup(a.Live.Close) // live streams end before the server closes

	return &site{URL: srv.URL, DB: db, Backend: backend, App: a}
}

// testWriter sends the server's warnings and errors to the test log.
type testWriter struct {
	mu sync.Mutex
	t  *testing.T
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t.Logf("server: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// tab is one browser window with its own cookies, on one site.
type tab struct {
	t    *testing.T
	site *site
	base context.Context // the tab's chromedp context, with no deadline
	ctx  context.Context // base with the journey's deadline
	n    int             // the tab's number within its test, for failure files
}

// tabCount numbers the tabs of each test.
var tabCount sync.Map // test name → *atomic.Int64

// newTab opens a window in a fresh browser context (no cookies). On failure
// of the test it saves a screenshot and the page's HTML before closing.
func (s *site) newTab(t *testing.T) *tab {
	t.Helper()
	b := browser(t)
	base, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// Open the tab with no deadline: the first Run binds the tab to its context.
	if err := chromedp.Do(base); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancelT := context.WithTimeout(base, journeyTimeout)
	t.Cleanup(cancelT)
	cnt, _ := tabCount.LoadOrStore(t.Name(), new(atomic.Int64))
	tb := &tab{t: t, site: s, base: base, ctx: ctx, n: int(cnt.(*atomic.Int64).Add(1))}
	t.Cleanup(func() {
		if t.Failed() {
			tb.saveFailure()
		}
	})
	return tb
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// saveFailure writes testout/e2e/<test>.png and .html.
func (tb *tab) saveFailure() {
	ctx, cancel := context.WithTimeout(tb.base, 30*time.Second)
	defer cancel()
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		tb.t.Logf("save failure: %v", err)
		return
	}
	name := filepath.Join(outDir, fmt.Sprintf("%s-tab%d", unsafeName.ReplaceAllString(tb.t.Name(), "_"), tb.n))
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		tb.t.Logf("page at failure: %s", loc)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		tb.t.Logf("screenshot: %v", err)
	} else if err := os.WriteFile(name+".png", png, 0o644); err != nil {
		tb.t.Logf("screenshot: %v", err)
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement ? document.documentElement.outerHTML : ""`)); err != nil {
		tb.t.Logf("page HTML: %v", err)
	} else if err := os.WriteFile(name+".html", []byte(html), 0o644); err != nil {
		tb.t.Logf("page HTML: %v", err)
	}
	abs, _ := filepath.Abs(name)
	tb.t.Logf("saved %s.png and %s.html", abs, abs)
}

// do runs actions, failing the test with what was being done.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to path on the site and returns the HTTP status of the document.
func (tb *tab) open(path string) int {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(tb.site.URL+path))
	if err != nil {
		tb.t.Fatalf("open %s: %v", path, err)
	}
	return int(resp.Status)
}

// submit clicks sel, waits for the page it leads to and returns its status.
func (tb *tab) submit(sel string) int {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("click %s and wait for the next page: %v", sel, err)
	}
	if resp == nil {
		tb.t.Fatalf("click %s: no document response", sel)
	}
	return int(resp.Status)
}

// text returns the visible text of the first element matching the CSS selector sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const e = document.querySelector(%q); return e ? e.innerText : "<no element>"; })()`, sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	if s == "<no element>" {
		tb.t.Fatalf("no element %s on %s", sel, tb.path())
	}
	return strings.TrimSpace(s)
}

// texts returns the visible text of every element matching sel.
func (tb *tab) texts(sel string) []string {
	tb.t.Helper()
	out, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q), e => e.innerText.trim())`, sel)))
	if err != nil {
		tb.t.Fatalf("texts of %s: %v", sel, err)
	}
	return out
}

// eval evaluates a JavaScript expression into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript expression until it is truthy, for at most d.
func (tb *tab) waitFor(what, expr string, d time.Duration) {
	tb.t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(d)))
	if err != nil {
		tb.t.Fatalf("wait for %s (%s): %v", what, expr, err)
	}
}

// path returns the current URL's path and query.
func (tb *tab) path() string {
	tb.t.Helper()
	return eval[string](tb, `location.pathname + location.search`)
}

// fill sets form fields by id; values for <select> are option values.
func (tb *tab) fill(fields ...string) {
	tb.t.Helper()
	if len(fields)%2 != 0 {
		panic("fill takes id, value pairs")
	}
	for i := 0; i < len(fields); i += 2 {
		id, v := fields[i], fields[i+1]
		ok := eval[bool](tb, fmt.Sprintf(`(() => {
			const e = document.getElementById(%q);
			if (!e) return false;
			e.value = %q;
			e.dispatchEvent(new Event("input", {bubbles: true}));
			e.dispatchEvent(new Event("change", {bubbles: true}));
			return e.value === %q;
		})()`, id, v, v))
		if !ok {
			tb.t.Fatalf("cannot set #%s to %q on %s (missing field or option)", id, v, tb.path())
		}
	}
}

// signIn signs in through the form and checks that it lands on the home page.
func (tb *tab) signIn(username, password string) {
	tb.t.Helper()
	if st := tb.open("/login"); st != 200 {
		tb.t.Fatalf("GET /login: status %d", st)
	}
	tb.do("type the credentials",
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password))
	if st := tb.submit("#login-submit"); st != 200 {
		tb.t.Fatalf("sign in as %s: status %d, error %q", username, st, tb.errorText())
	}
	if p := tb.path(); p != "/" {
		tb.t.Fatalf("sign in as %s: landed on %s, want /; error %q", username, p, tb.errorText())
	}
}

// errorText returns the page's #form-error text, or "".
func (tb *tab) errorText() string {
	tb.t.Helper()
	return eval[string](tb, `(document.getElementById("form-error") || {innerText: ""}).innerText.trim()`)
}

var totalRE = regexp.MustCompile(`(?:共\s*(\d+)\s*条|(\d+)\s+in all)`)

// listTotal reads the total from the pager ("第 1 / 4 页，共 66 条").
func (tb *tab) listTotal() int {
	tb.t.Helper()
	s := tb.text(".pager")
	m := totalRE.FindStringSubmatch(s)
	if m == nil {
		tb.t.Fatalf("no total in pager text %q", s)
	}
	n, _ := strconv.Atoi(m[1] + m[2])
	return n
}
