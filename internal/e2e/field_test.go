package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
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
		tb.waitFor("the sign-in form", `!!document.querySelector("#signin")`, 10*time.Second)
		tb.setField("#signin", "username", "patrol01")
		tb.setField("#signin", "password", demo.Password)
		tb.do("sign in", chromedp.Tap(chromedp.CSS(`#signin button[type=submit]`), chromedp.NodeVisible))

		startBtn := fmt.Sprintf(`.grid[data-grid="%s"] button.start`, grid)
		tb.waitFor("the grid with its start button", fmt.Sprintf(`!!document.querySelector(%q)`, startBtn), 15*time.Second)
		if got := tb.text(startBtn); got != "开始巡查" {
			t.Errorf("start button says %q", got)
		}
		tb.fitsPhone("the field app's home")
		tb.do("start the patrol", chromedp.Tap(chromedp.CSS(startBtn), chromedp.NodeVisible))
		tb.waitFor("the first track point", `window.fieldApp.stats.points >= 1`, 15*time.Second)
		uid := eval[string](tb, `window.fieldApp.current.id`)

		// Walk north about 33 m at a time: each step is a new point.
		for i := 1; i <= 3; i++ {
			n := eval[int](tb, `window.fieldApp.stats.points`)
			lat += 0.0003
			tb.emulateGPS(lat, lon)
			tb.waitFor(fmt.Sprintf("track point after step %d", i), fmt.Sprintf(`window.fieldApp.stats.points > %d`, n), 15*time.Second)
		}

		// Check in at two key sites, the first with a photo.
		sites := eval[int](tb, `document.querySelectorAll(".site button.checkin").length`)
		if sites < 2 {
			t.Fatalf("%d key sites to check in at, want at least the plan's 2", sites)
		}
		tb.do("photo of the first site", chromedp.SetUploadFiles(chromedp.CSS(`.site input[name=photo]`), []string{writePNG(t, "site.png")}))
		for i := 0; i < 2; i++ {
			sel := fmt.Sprintf(`(document.querySelectorAll(".site button.checkin")[%d])`, i)
			eval[bool](tb, `(() => { `+sel+`.click(); return true; })()`)
			tb.waitFor("the check-in to show", sel+`.disabled`, 5*time.Second)
		}
		sites = 2

		// A problem fixed on the spot (即办件, the default class).
		tb.do("open the finding form", chromedp.Tap(chromedp.CSS(`#finding`), chromedp.NodeVisible))
		tb.waitFor("the finding form", `!!document.querySelector("#caseform")`, 5*time.Second)
		tb.pickCategory()
		tb.setField("#caseform", "description", "路边垃圾堆放")
		tb.setField("#caseform", "note", "已现场清理")
		tb.do("photo after the clean-up", chromedp.SetUploadFiles(chromedp.CSS(`#caseform input[name=photo]`), []string{writePNG(t, "cleaned.png")}))
		tb.do("save the on-the-spot case", chromedp.Tap(chromedp.CSS(`#caseform button[type=submit]`), chromedp.NodeVisible))
		tb.waitFor("the patrol screen", `!!document.querySelector("#finding")`, 5*time.Second)
		tb.waitAsync("the outbox to empty while online", `window.fieldApp.pending().then(n => n === 0)`, 20*time.Second)
		tb.waitAsync("the on-the-spot photo to upload", `window.fieldApp.photos().then(ps => ps.length === 0)`, 20*time.Second)

		// The service worker keeps the shell, so the app opens without a network.
		tb.waitAsync("the service worker to cache the shell", `navigator.serviceWorker.ready.then(() => caches.match("/m/")).then(r => !!r)`, 15*time.Second)

		// Cut the network.
		tb.network(line, lineOff)
		tb.waitFor("the app to see it is offline", `!navigator.onLine`, 5*time.Second)
		if got := evalAsync[string](tb, `fetch("/m/manifest.webmanifest").then(() => "fetched", () => "failed")`); got != "failed" {
			t.Fatalf("an uncached file was %s with the network cut", got)
		}
		// The app opens again from the service worker's cache, on the patrol.
		if st := tb.open("/m/"); st != 200 {
			t.Fatalf("reopen /m/ offline = %d", st)
		}
		tb.waitFor("the patrol screen offline", `!!document.querySelector("#finding")`, 10*time.Second)
		tb.waitFor("the app to see it is offline", `!navigator.onLine`, 5*time.Second)

		tb.do("open the finding form", chromedp.Tap(chromedp.CSS(`#finding`), chromedp.NodeVisible))
		tb.waitFor("the finding form", `!!document.querySelector("#caseform")`, 5*time.Second)
		tb.do("choose 承诺件", chromedp.Tap(chromedp.CSS(`#caseform input[value=committed] + span`), chromedp.NodeVisible))
		tb.pickCategory()
		tb.setField("#caseform", "description", "店外占道经营")
		tb.setField("#caseform", "commitment", "三日内清理门前货物")
		tb.setField("#caseform", "due", time.Now().AddDate(0, 0, 3).Format("2006-01-02"))
		tb.do("attach a photo", chromedp.SetUploadFiles(chromedp.CSS(`#caseform input[name=photo]`), []string{writePNG(t, "shop.png")}))
		tb.do("save the committed case", chromedp.Tap(chromedp.CSS(`#caseform button[type=submit]`), chromedp.NodeVisible))
		tb.waitFor("the patrol screen", `!!document.querySelector("#dispute")`, 5*time.Second)

		tb.do("open the dispute form", chromedp.Tap(chromedp.CSS(`#dispute`), chromedp.NodeVisible))
		tb.waitFor("the dispute form", `!!document.querySelector("#disputeform")`, 5*time.Second)
		tb.setField("#disputeform", "parties", "张某、李某")
		tb.setField("#disputeform", "summary", "邻里因停车位发生争执")
		tb.setField("#disputeform", "outcome", "双方达成一致")
		tb.do("save the dispute", chromedp.Tap(chromedp.CSS(`#disputeform button[type=submit]`), chromedp.NodeVisible))
		tb.waitFor("the patrol screen", `!!document.querySelector("#end")`, 5*time.Second)

		n := eval[int](tb, `window.fieldApp.stats.points`)
		lat += 0.0003
		tb.emulateGPS(lat, lon)
		tb.waitFor("an offline track point", fmt.Sprintf(`window.fieldApp.stats.points > %d`, n), 15*time.Second)
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
		for end := time.Now().Add(30 * time.Second); line.lost.Load() == 0; time.Sleep(100 * time.Millisecond) {
			evalAsync[bool](tb, `window.fieldApp.flush().then(() => true)`)
			if time.Now().After(end) {
				t.Fatal("no sync went through the lossy line")
			}
		}
		if n := evalAsync[int](tb, `window.fieldApp.pending()`); n == 0 {
			t.Fatal("the outbox emptied though the answer was lost")
		}
		tb.network(line, lineOn)
		tb.waitAsync("the outbox to empty after reconnecting", `window.fieldApp.pending().then(n => n === 0)`, 30*time.Second)
		if f := evalAsync[int](tb, `window.fieldApp.failed().then(r => r.length)`); f != 0 {
			t.Fatalf("%d items were rejected: %v", f, evalAsync[any](tb, `window.fieldApp.failed().then(r => r.map(x => [x.item.type, x.status, x.error]))`))
		}
		tb.waitFor("the sync bar to say all is sent", `document.querySelector("#syncbar").textContent === "全部已上传"`, 10*time.Second)
		tb.waitAsync("the photo to upload", `window.fieldApp.photos().then(p => p.length === 0)`, 30*time.Second)
		// The phone sends everything again (it did not hear the answers): all seen before.
		again := evalAsync[[]map[string]any](tb, `window.fieldApp.resend().then(d => d.results.map(r => ({type: r.type, status: r.status, error: r.error || ""})))`)
		for _, r := range again {
			if r["status"].(float64) != 200 {
				t.Errorf("resent %v answered %v (%v), want 200", r["type"], r["status"], r["error"])
			}
		}

		// End the patrol.
		tb.do("open the end form", chromedp.Tap(chromedp.CSS(`#end`), chromedp.NodeVisible))
		tb.waitFor("the end form", `!!document.querySelector("#endform")`, 5*time.Second)
		tb.setField("#endform", "summary", "巡查正常")
		tb.do("end", chromedp.Tap(chromedp.CSS(`#endform button[type=submit]`), chromedp.NodeVisible))
		tb.waitFor("the home screen", fmt.Sprintf(`!!document.querySelector(%q)`, startBtn), 10*time.Second)
		tb.waitAsync("the outbox to empty", `window.fieldApp.pending().then(n => n === 0)`, 20*time.Second)

		// A record for the ended patrol is refused: it stays, shown, with its error.
		evalAsync[bool](tb, fmt.Sprintf(`window.fieldApp.enqueue({type: "record", patrol: %q, id: crypto.randomUUID(), kind: "promotion", t: new Date().toISOString(), households: 3, note: ""}).then(() => true)`, uid))
		tb.waitFor("the refused record to show", `!!document.querySelector("#rejected:not([hidden]) .rej")`, 15*time.Second)
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
// phone losing its signal.
type cutLine struct {
	URL   string
	state atomic.Int32
	lost  atomic.Int32 // sync answers dropped
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

// waitAsync polls an expression that resolves to a boolean until it is true.
func (tb *tab) waitAsync(what, expr string, d time.Duration) {
	tb.t.Helper()
	for end := time.Now().Add(d); ; time.Sleep(200 * time.Millisecond) {
		if evalAsync[bool](tb, expr) {
			return
		}
		if time.Now().After(end) {
			tb.t.Fatalf("wait for %s (%s): not within %v", what, expr, d)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
