package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/store"
)

// The field app journey: a patroller on a phone signs in at /m/, starts a
// patrol on the grid, walks (the emulated GPS moves), checks in at a key
// site, fixes a problem on the spot, loses the network, logs a committed
// case and a mediated dispute, gets the network back — and every record
// reaches the database exactly once, even when the phone sends it all again.
func TestFieldJourney(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		grid := demo.GridCode(0, 0)
		// Two key sites to check in at, as a leader would set in the grid's plan.
		plan, err := s.DB.PatrolPlan(ctx, grid)
		if err != nil {
			t.Fatal(err)
		}
		plan.Points = []patrol.FreePoint{{Name: "巷口垃圾点", Lat: 34.5727, Lon: 105.7026}, {Name: "菜市场北门", Lat: 34.5731, Lon: 105.7029}}
		if err := s.DB.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.SavePatrolPlan(ctx, &plan); return err }); err != nil {
			t.Fatal(err)
		}
		// The phone reaches the site through a line the test can cut.
		line := newCutLine(t, s.URL)
		ps := &site{URL: line.URL, DB: s.DB, Backend: s.Backend}
		tb := ps.newTab(t)
		tb.phone()
		lat, lon := reportLat, reportLon
		tb.emulateGPS(lat, lon)
		if st := tb.open("/m/"); st != 200 {
			t.Fatalf("GET /m/ = %d", st)
		}
		tb.waitField("the sign-in form", `!!document.querySelector("#signin")`, 10*time.Second)
		tb.setField("#signin", "username", "patrol01")
		tb.setField("#signin", "password", demo.Password)
		tb.tapField("sign in", `#signin button[type=submit]`)

		startBtn := fmt.Sprintf(`.grid[data-grid="%s"] button.start`, grid)
		tb.waitField("the grid with its start button", fmt.Sprintf(`!!document.querySelector(%q)`, startBtn), 15*time.Second)
		if got := tb.text(startBtn); got != "开始巡查" {
			t.Errorf("start button says %q", got)
		}
		tb.fitsPhone("the field app's home")
		tb.tapField("start the patrol", startBtn)
		tb.waitField("the first track point", `window.fieldApp.stats.points >= 1`, 15*time.Second)
		uid := eval[string](tb, `window.fieldApp.current.id`)

		// Walk north about 33 m at a time: each step is a new point.
		for i := 1; i <= 3; i++ {
			n := eval[int](tb, `window.fieldApp.stats.points`)
			lat += 0.0003
			tb.emulateGPS(lat, lon)
			tb.waitField(fmt.Sprintf("track point after step %d", i), fmt.Sprintf(`window.fieldApp.stats.points > %d`, n), 15*time.Second)
		}

		// Check in at two key sites, the first with a photo. The line holds
		// the photo's upload, and the second check-in is saved meanwhile:
		// once the photo is through, the second check-in must follow at once,
		// not wait for the 20-second timer (issue #9, item 7).
		sites := eval[int](tb, `document.querySelectorAll(".site button.checkin").length`)
		if sites < 2 {
			t.Fatalf("%d key sites to check in at, want at least the plan's 2", sites)
		}
		tb.uploadField("photo of the first site", `.site input[name=photo]`, []string{writePNG(t, "site.png")})
		checkIn := func(i int) {
			sel := fmt.Sprintf(`(document.querySelectorAll(".site button.checkin")[%d])`, i)
			eval[bool](tb, `(() => { `+sel+`.click(); return true; })()`)
			tb.waitField(fmt.Sprintf("check-in %d to show", i+1), sel+`.disabled`, 5*time.Second)
		}
		line.holdPhotos()
		checkIn(0)
		tb.waitLine("the first check-in's photo to reach the line, after its check-in", func() bool { return line.held.Load() >= 1 }, 15*time.Second)
		checkIn(1)
		tb.waitField("the second check-in to be queued", `window.fieldApp.pending().then(n => n >= 1)`, 5*time.Second)
		line.releasePhotos()
		tb.waitField("the check-in photo to upload", `window.fieldApp.photos().then(ps => ps.length === 0)`, 15*time.Second)
		tb.waitField("the sender to rest", `!window.fieldApp.busy`, 15*time.Second)
		tb.expectField("no check-in left for the timer once the sender rests", `window.fieldApp.queued().then(ts => !ts.includes("visit"))`)
		sites = 2

		// A problem fixed on the spot (即办件, the default class).
		tb.tapField("open the finding form", `#finding`)
		tb.waitField("the finding form", `!!document.querySelector("#caseform")`, 5*time.Second)
		tb.pickCategory()
		tb.setField("#caseform", "description", "路边垃圾堆放")
		tb.setField("#caseform", "note", "已现场清理")
		tb.uploadField("photo after the clean-up", `#caseform input[name=photo]`, []string{writePNG(t, "cleaned.png")})
		tb.tapField("save the on-the-spot case", `#caseform button[type=submit]`)
		tb.waitField("the patrol screen", `!!document.querySelector("#finding")`, 5*time.Second)
		tb.waitField("the outbox to empty while online, the sender at rest", `window.fieldApp.pending().then(n => n === 0 && !window.fieldApp.busy)`, 20*time.Second)
		// The photo followed its case in the same run of the sender.
		tb.expectField("the on-the-spot photo uploaded with its case", `window.fieldApp.photos().then(ps => ps.length === 0)`)

		// The service worker keeps the shell, so the app opens without a network.
		tb.waitField("the service worker to cache the shell", `navigator.serviceWorker.ready.then(() => caches.match("/m/")).then(r => !!r)`, 15*time.Second)

		// Cut the network.
		tb.network(line, lineOff)
		tb.waitField("the app to see it is offline", `!navigator.onLine`, 5*time.Second)
		if got := evalAsync[string](tb, `fetch("/m/manifest.webmanifest").then(() => "fetched", () => "failed")`); got != "failed" {
			t.Fatalf("an uncached file was %s with the network cut", got)
		}
		// The app opens again from the service worker's cache, on the patrol.
		if st := tb.open("/m/"); st != 200 {
			t.Fatalf("reopen /m/ offline = %d", st)
		}
		tb.waitField("the patrol screen offline", `!!document.querySelector("#finding")`, 10*time.Second)
		tb.waitField("the app to see it is offline", `!navigator.onLine`, 5*time.Second)

		tb.tapField("open the finding form", `#finding`)
		tb.waitField("the finding form", `!!document.querySelector("#caseform")`, 5*time.Second)
		tb.tapField("choose 承诺件", `#caseform input[value=committed] + span`)
		tb.pickCategory()
		tb.setField("#caseform", "description", "店外占道经营")
		tb.setField("#caseform", "commitment", "三日内清理门前货物")
		tb.setField("#caseform", "due", time.Now().AddDate(0, 0, 3).Format("2006-01-02"))
		tb.uploadField("attach a photo", `#caseform input[name=photo]`, []string{writePNG(t, "shop.png")})
		tb.tapField("save the committed case", `#caseform button[type=submit]`)
		tb.waitField("the patrol screen", `!!document.querySelector("#dispute")`, 5*time.Second)

		tb.tapField("open the dispute form", `#dispute`)
		tb.waitField("the dispute form", `!!document.querySelector("#disputeform")`, 5*time.Second)
		tb.setField("#disputeform", "parties", "张某、李某")
		tb.setField("#disputeform", "summary", "邻里因停车位发生争执")
		tb.setField("#disputeform", "outcome", "双方达成一致")
		tb.tapField("save the dispute", `#disputeform button[type=submit]`)
		tb.waitField("the patrol screen", `!!document.querySelector("#end")`, 5*time.Second)

		n := eval[int](tb, `window.fieldApp.stats.points`)
		lat += 0.0003
		tb.emulateGPS(lat, lon)
		tb.waitField("an offline track point", fmt.Sprintf(`window.fieldApp.stats.points > %d`, n), 15*time.Second)
		evalAsync[bool](tb, `window.fieldApp.flush().then(() => true)`) // a try while offline keeps everything
		pending := evalAsync[int](tb, `window.fieldApp.pending()`)
		if pending < 3 {
			t.Fatalf("offline outbox holds %d items, want at least the case, the dispute and a point", pending)
		}
		if bar := tb.text("#syncbar"); !containsAll(bar, "离线", fmt.Sprintf("待上传 %d 条", pending)) {
			t.Errorf("sync bar offline = %q", bar)
		}
		p, err := s.DB.PatrolByUID(ctx, uid)
		if err != nil {
			t.Fatalf("the patrol is not stored: %v", err)
		}
		if recs, _ := s.DB.Records(ctx, p.ID); len(recs) != 0 {
			t.Fatalf("a record arrived while offline: %+v", recs)
		}

		// Restore the network, but lose the first answer to a sync: the
		// server stores the batch, the phone hears nothing and sends it again.
		tb.network(line, lineLossy)
		tb.waitLine("a sync to reach the server over the lossy line (its answer lost)", func() bool {
			evalAsync[bool](tb, `window.fieldApp.flush().then(() => true)`)
			return line.lost.Load() > 0
		}, 30*time.Second)
		tb.expectField("the outbox to keep what was sent though the answer was lost", `window.fieldApp.pending().then(n => n > 0)`)
		tb.network(line, lineOn)
		tb.waitField("the outbox to empty after reconnecting", `window.fieldApp.pending().then(n => n === 0)`, 30*time.Second)
		tb.expectField("no item rejected", `window.fieldApp.failed().then(r => r.length === 0)`)
		tb.waitField("the sync bar to say all is sent", `document.querySelector("#syncbar").textContent === "全部已上传"`, 10*time.Second)
		tb.waitField("the photo to upload", `window.fieldApp.photos().then(p => p.length === 0)`, 30*time.Second)
		// The phone sends everything again (it did not hear the answers): all seen before.
		again := evalAsync[[]map[string]any](tb, `window.fieldApp.resend().then(d => d.results.map(r => ({type: r.type, status: r.status, error: r.error || ""})))`)
		for _, r := range again {
			if r["status"].(float64) != 200 {
				t.Errorf("resent %v answered %v (%v), want 200", r["type"], r["status"], r["error"])
			}
		}

		// End the patrol.
		tb.tapField("open the end form", `#end`)
		tb.waitField("the end form", `!!document.querySelector("#endform")`, 5*time.Second)
		tb.setField("#endform", "summary", "巡查正常")
		tb.tapField("end", `#endform button[type=submit]`)
		tb.waitField("the home screen", fmt.Sprintf(`!!document.querySelector(%q)`, startBtn), 10*time.Second)
		tb.waitField("the outbox to empty", `window.fieldApp.pending().then(n => n === 0)`, 20*time.Second)

		// A record for the ended patrol is refused: it stays, shown, with its error.
		evalAsync[bool](tb, fmt.Sprintf(`window.fieldApp.enqueue({type: "record", patrol: %q, id: crypto.randomUUID(), kind: "promotion", t: new Date().toISOString(), households: 3, note: ""}).then(() => true)`, uid))
		tb.waitField("the refused record to show", `!!document.querySelector("#rejected:not([hidden]) .rej")`, 15*time.Second)
		if got := tb.text("#rejected"); !containsAll(got, "服务器未接受的记录", "记录", "重试", "放弃") {
			t.Errorf("refused records = %q", got)
		}
		if f := evalAsync[int](tb, `window.fieldApp.failed().then(r => r.length)`); f != 1 {
			t.Errorf("%d refused items kept, want 1", f)
		}
		points := eval[int](tb, `window.fieldApp.lastEnded.points`)
		p, err = s.DB.PatrolByUID(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		if p.EndedAt.IsZero() || p.Summary != "巡查正常" || p.Grid != grid {
			t.Errorf("patrol = %+v, want ended on %s with its summary", p, grid)
		}
		track, err := s.DB.Track(ctx, p.ID)
		if err != nil || len(track) != points {
			t.Errorf("track has %d points (%v), want exactly the %d the phone recorded", len(track), err, points)
		}
		visits, err := s.DB.Visits(ctx, p.ID)
		if err != nil || len(visits) != 2 {
			t.Errorf("visits = %d (%v), want 2", len(visits), err)
		}
		withPhoto := 0
		for _, v := range visits {
			if v.Photo != "" {
				withPhoto++
			}
		}
		if withPhoto != 1 {
			t.Errorf("%d check-ins have a photo, want 1", withPhoto)
		}
		recs, err := s.DB.Records(ctx, p.ID)
		if err != nil || len(recs) != 1 || recs[0].Parties != "张某、李某" {
			t.Errorf("records = %+v (%v), want the one dispute", recs, err)
		}
		finds, err := s.DB.Findings(ctx, p.ID)
		if err != nil || len(finds) != 2 {
			t.Fatalf("findings = %+v (%v), want the two cases", finds, err)
		}
		if finds[0].Class != "onspot" || finds[1].Class != "committed" {
			t.Errorf("findings = %+v, want onspot then committed", finds)
		}
		if c := dbCase(t, s, finds[0].Number); len(c.Photos) != 1 || c.Photos[0].Step != "after" || c.Status != "closed" {
			t.Errorf("the on-the-spot case: status %s, photos %+v; want closed with one after photo", c.Status, c.Photos)
		}
		if c := dbCase(t, s, finds[1].Number); len(c.Photos) != 1 {
			t.Errorf("the committed case has %d photos, want the one taken offline", len(c.Photos))
		}
		t.Logf("patrol %s: %d points, %d visits, %d records, %d findings", uid, len(track), len(visits), len(recs), len(finds))
	})
}

// setField sets the named field of the form sel.
func (tb *tab) setField(form, name, v string) {
	tb.t.Helper()
	ok := eval[bool](tb, fmt.Sprintf(`(() => {
		const e = document.querySelector(%q).elements[%q];
		if (!e) return false;
		e.value = %q;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		return e.value === %q;
	})()`, form, name, v, v))
	if !ok {
		tb.t.Fatalf("cannot set %s %s to %q", form, name, v)
	}
}

// pickCategory chooses the first category of the case form.
func (tb *tab) pickCategory() {
	tb.t.Helper()
	if !eval[bool](tb, `(() => { const s = document.querySelector("#caseform select[name=category]"); const o = s.querySelector("option[value]:not([value=''])"); if (!o) return false; s.value = o.value; return true; })()`) {
		tb.t.Fatal("the case form offers no category")
	}
}

// The states of a cutLine.
const (
	lineOn    int32 = iota
	lineOff         // every connection is dropped
	lineLossy       // syncs reach the server but their answers are dropped
)

// cutLine is a proxy in front of the site that can drop connections, as a
// phone losing its signal, and hold photo uploads, as a slow upload.
type cutLine struct {
	URL   string
	state atomic.Int32
	lost  atomic.Int32 // sync answers dropped
	held  atomic.Int32 // photo uploads held so far

	mu   sync.Mutex
	gate chan struct{} // while set, photo uploads wait until it is closed
}

// holdPhotos makes photo uploads wait at the line until releasePhotos.
func (l *cutLine) holdPhotos() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gate == nil {
		l.gate = make(chan struct{})
	}
}

// releasePhotos lets held and later photo uploads through.
func (l *cutLine) releasePhotos() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gate != nil {
		close(l.gate)
		l.gate = nil
	}
}

func newCutLine(t *testing.T, target string) *cutLine {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	l := &cutLine{}
	drop := func(w http.ResponseWriter) {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/photo") || strings.HasSuffix(r.URL.Path, "/photos")) {
			l.mu.Lock()
			gate := l.gate
			l.mu.Unlock()
			if gate != nil {
				l.held.Add(1)
				<-gate
			}
		}
		switch l.state.Load() {
		case lineOff:
			drop(w)
			return
		case lineLossy:
			if r.URL.Path == "/api/v1/sync" {
				rp.ServeHTTP(httptest.NewRecorder(), r)
				l.lost.Add(1)
				drop(w)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(l.releasePhotos) // runs first: a held upload must not keep Close waiting
	l.URL = srv.URL
	return l
}

// network sets the line's state and tells the page whether it is online.
func (tb *tab) network(l *cutLine, state int32) {
	tb.t.Helper()
	l.state.Store(state)
	if _, err := chromedp.Call(tb.ctx, network.Enable, network.EnableParams{}); err != nil {
		tb.t.Fatalf("enable the network domain: %v", err)
	}
	if _, err := chromedp.Call(tb.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: state == lineOff, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		tb.t.Fatalf("set the network state: %v", err)
	}
}

// evalAsync evaluates a JavaScript expression, awaiting its promise, into T.
func evalAsync[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// fieldStateJS describes what the field app shows and holds, for failure
// messages: the screen, the sync bar, the outbox, the photos and the sender.
const fieldStateJS = `(async () => {
	const f = window.fieldApp, s = {page: location.pathname, online: navigator.onLine,
		screen: Array.from(document.querySelectorAll("#app > [id], #app > section h2, #app form[id]"), e => e.id || e.textContent).join(" | "),
		syncbar: (document.querySelector("#syncbar") || {}).textContent || ""};
	if (f) {
		s.queued = f.queued ? await f.queued() : await f.pending();
		s.failed = (await f.failed()).map(r => r.item.type + " " + r.status + " " + (r.error || ""));
		s.photos = await f.photos();
		s.stats = f.stats;
		s.sending = f.busy;
	}
	return JSON.stringify(s);
})()`

// visibleJS is a condition: the element sel is there and shown.
func visibleJS(sel string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length); })()`, sel)
}

// tapField waits (as waitField) for sel to show and taps it, as a finger.
func (tb *tab) tapField(what, sel string) {
	tb.t.Helper()
	tb.waitField(what+": "+sel+" shown", visibleJS(sel), 10*time.Second)
	// The app may draw a screen again between finding the node and the tap
	// (the home screen refreshes its lists after a sync); a finger would tap
	// the new button, so a tap that lost its node is tried again on the new one.
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
		err := chromedp.Do(ctx, chromedp.Tap(chromedp.CSS(sel), chromedp.NodeVisible))
		cancel()
		if err == nil {
			return
		}
		if attempt < 5 && strings.Contains(err.Error(), "Could not find node") {
			tb.waitField(what+": "+sel+" shown again", visibleJS(sel), 10*time.Second)
			continue
		}
		tb.t.Fatalf("%s: tap %s: %v; saw %s", what, sel, err, tb.fieldState())
	}
}

// uploadField waits (as waitField) for the file input sel and sets its files.
func (tb *tab) uploadField(what, sel string, files []string) {
	tb.t.Helper()
	tb.waitField(what+": "+sel+" there", fmt.Sprintf(`!!document.querySelector(%q)`, sel), 10*time.Second)
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(sel), files)); err != nil {
		tb.t.Fatalf("%s: set the files of %s: %v; saw %s", what, sel, err, tb.fieldState())
	}
}

// waitLine polls ok (a check on the test's side, such as the line's
// counters) until it holds, for at most d, and fails like waitField.
func (tb *tab) waitLine(what string, ok func() bool, d time.Duration) {
	tb.t.Helper()
	for end := time.Now().Add(d); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(end) {
			tb.t.Fatalf("wait for %s: not within %v; saw %s", what, d, tb.fieldState())
		}
	}
}

// expectField fails unless cond holds now, saying what the app showed.
func (tb *tab) expectField(what, cond string) {
	tb.t.Helper()
	ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`(async () => !!(await (`+cond+`)))()`, chromedp.EvalAwaitPromise))
	if err != nil || !ok {
		msg := tb.fieldState()
		if err != nil {
			msg += "; the condition failed with: " + err.Error()
		}
		tb.t.Fatalf("want %s (%s); saw %s", what, cond, msg)
	}
}

// fieldState returns fieldStateJS's description of the app.
func (tb *tab) fieldState() string {
	saw, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](fieldStateJS, chromedp.EvalAwaitPromise))
	if err != nil {
		return "(cannot read the app: " + err.Error() + ")"
	}
	return saw
}

// waitField polls cond (a JavaScript condition, which may be a promise of
// one) until it holds, for at most d. On time-out it fails with what it
// waited for, the condition, and what the app showed and held then.
func (tb *tab) waitField(what, cond string, d time.Duration) {
	tb.t.Helper()
	var lastErr error
	for end := time.Now().Add(d); ; time.Sleep(200 * time.Millisecond) {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`(async () => !!(await (`+cond+`)))()`, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		lastErr = err
		if time.Now().After(end) {
			break
		}
	}
	saw := tb.fieldState()
	if lastErr != nil {
		saw += "; the condition last failed with: " + lastErr.Error()
	}
	tb.t.Fatalf("wait for %s: want %s within %v; saw %s", what, cond, d, saw)
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
