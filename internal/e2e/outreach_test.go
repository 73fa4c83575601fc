package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// The browser journeys of issue 12: a lecture's QR sign-in on a phone, and a
// prize quiz taken by three residents on phones while the projector's
// leaderboard updates itself.

// outreachSite serves a fresh demo street (with the outreach demo) per
// backend, with its services at hand so that a journey can move the
// server's clock.
func eachOutreachSite(t *testing.T, fn func(t *testing.T, s *site, a *app.App)) {
	browser(t) // skip or fail early, before a database is built
	for _, b := range storetest.Backends(t) {
		t.Run(b, func(t *testing.T) {
			srv := testutil.Start(t, b)
			if _, err := demo.SeedOutreach(context.Background(), srv.App.DB, srv.App.Loc, time.Now().AddDate(0, 0, -1)); err != nil {
				t.Fatal(err)
			}
			fn(t, &site{URL: srv.URL, DB: srv.App.DB, Backend: b}, srv.App)
		})
	}
}

// recorder is a reverse proxy in front of the site that keeps every
// response it passes on: what reached one phone.
type recorder struct {
	URL  string
	mu   sync.Mutex
	seen []recorded
}

type recorded struct {
	path  string
	body  []byte
	bytes int // body and headers, as on the wire (no compression)
}

func newRecorder(t *testing.T, target string) *recorder {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		var head bytes.Buffer
		resp.Header.Write(&head)
		rec.mu.Lock()
		rec.seen = append(rec.seen, recorded{path: resp.Request.URL.Path, body: b, bytes: len(b) + head.Len() + len(resp.Status) + 12})
		rec.mu.Unlock()
		return err
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

// total returns the bytes passed on so far and the paths.
func (r *recorder) total() (int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	var paths []string
	for _, s := range r.seen {
		n += s.bytes
		paths = append(paths, s.path)
	}
	return n, paths
}

// search returns the first recorded response containing any of needles, and which needle.
func (r *recorder) search(needles ...string) (string, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.seen {
		for _, n := range needles {
			if n != "" && bytes.Contains(s.body, []byte(n)) {
				return s.path, n
			}
		}
	}
	return "", ""
}

// pathOf returns the path and query of a URL.
func pathOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		t.Fatalf("not a URL: %q", raw)
	}
	return u.RequestURI()
}

// TestLectureSignInJourney: a community's leader organises a lecture and
// prints its poster; a resident's phone opens the sign-in page from the
// poster's QR code (decoded here) and signs in, and the organiser's page
// counts it without a reload; a second phone with the same mobile is
// refused, and so is the first phone with another number.
func TestLectureSignInJourney(t *testing.T) {
	eachOutreachSite(t, func(t *testing.T, s *site, a *app.App) {
		org := s.newTab(t)
		org.signIn("community1", demo.Password)
		if st := org.open("/lectures/new"); st != 200 {
			t.Fatalf("GET /lectures/new: status %d", st)
		}
		start := time.Now().In(a.Loc).Add(10 * time.Minute)
		org.fill("title", "冬季清洁取暖知识讲座", "speaker", "王建国", "venue_name", "忠武巷社区活动室",
			"starts_at", start.Format("2006-01-02T15:04"), "ends_at", start.Add(90*time.Minute).Format("2006-01-02T15:04"), "expected", "40")
		if !eval[bool](org, fmt.Sprintf(`(() => { const c = document.querySelector('input[name=regions][value="%s"]'); if (!c) return false; c.checked = true; return true; })()`, demo.CommunityCode(0))) {
			t.Fatal("no audience checkbox for 忠武巷社区")
		}
		if st := org.submit("#lecture-save"); st != 200 {
			t.Fatalf("save the lecture: status %d; %q %q", st, org.errorText(), org.texts(".field-error"))
		}
		lecturePath := org.path()
		if !strings.HasPrefix(lecturePath, "/lectures/") || org.text("#lecture-state") != "签到中" {
			t.Fatalf("after saving: %s, state %q", lecturePath, org.text("#lecture-state"))
		}
		if n := org.text("#att-total"); n != "0" {
			t.Fatalf("attendance before anyone came: %s", n)
		}

		// The printed poster's QR code leads to the sign-in page.
		poster := s.newTab(t)
		poster.signIn("community1", demo.Password)
		if st := poster.open(lecturePath + "/poster"); st != 200 {
			t.Fatalf("poster: status %d", st)
		}
		signinURL := poster.qrText("#poster-qr")
		if !strings.HasPrefix(signinURL, s.URL+"/l/") || len(signinURL)-len(s.URL+"/l/") < 16 {
			t.Fatalf("the poster's QR code reads %q, want %s/l/<code>", signinURL, s.URL)
		}

		// A resident signs in on a phone.
		phone := s.newTab(t)
		phone.phone()
		if st := phone.open(pathOf(t, signinURL)); st != 200 {
			t.Fatalf("open the sign-in page: status %d", st)
		}
		if h := phone.text("#lecture-title"); h != "冬季清洁取暖知识讲座" {
			t.Errorf("the sign-in page's title reads %q", h)
		}
		phone.fill("name", "张三明", "region", demo.CommunityCode(1), "mobile", "13800001111")
		if st := phone.submit("#signin-submit"); st != 200 {
			t.Fatalf("sign in: status %d, %q %q", st, phone.errorText(), phone.texts(".field-error"))
		}
		if done := phone.text("#signin-done"); !strings.Contains(done, "签到成功") || !strings.Contains(done, "砚房背后社区") {
			t.Fatalf("after signing in the phone shows %q", done)
		}
		// The organiser's page counts the sign-in by itself.
		org.waitFor("the attendance to reach 1 without a reload", `document.getElementById("att-total").innerText.trim() === "1" &&
			document.querySelector('#att-by-region tr[data-region="`+demo.CommunityCode(1)+`"] .n').innerText.trim() === "1"`, 20*time.Second)

		// Another phone with the same mobile is refused.
		other := s.newTab(t)
		other.phone()
		other.open(pathOf(t, signinURL))
		other.fill("name", "张三", "region", demo.CommunityCode(0), "mobile", "13800001111")
		if st := other.submit("#signin-submit"); st != http.StatusConflict {
			t.Fatalf("the same mobile again: status %d, want 409", st)
		}
		if e := other.errorText(); !strings.Contains(e, "这个手机号已经签到过了") {
			t.Errorf("the refusal reads %q", e)
		}
		// The first phone, with another number, is refused too.
		phone.open(pathOf(t, signinURL))
		phone.fill("name", "李四", "region", demo.CommunityCode(0), "mobile", "13800002222")
		if st := phone.submit("#signin-submit"); st != http.StatusConflict {
			t.Fatalf("the same phone again: status %d, want 409", st)
		}
		if e := phone.errorText(); !strings.Contains(e, "这部手机已经签到过了") {
			t.Errorf("the refusal reads %q", e)
		}
		// The organiser sees the mobile whole; the inspector masked.
		org.open(lecturePath)
		if m := org.text("#signin-table tbody td.mobile"); m != "13800001111" {
			t.Errorf("the organiser sees mobile %q", m)
		}
		insp := s.newTab(t)
		insp.signIn("inspector", demo.Password)
		insp.open(lecturePath)
		if m := insp.text("#signin-table tbody td.mobile"); m != "138****1111" {
			t.Errorf("the inspector sees mobile %q", m)
		}
	})
}

// quizPhone is one resident's phone on the quiz, behind its own recorder.
type quizPhone struct {
	*tab
	rec *recorder
}

// TestQuizJourney: the street's leader makes a quiz and puts the
// projector view up; three residents take it on phones (through recorders
// that keep all that reaches each phone). Before submitting, nothing on a
// phone or in its requests carries an answer or an explanation; the page
// weighs under 100 KB. One resident submits after the time limit (the
// server's clock is moved) and is refused; the projector's leaderboard shows
// the other two in the right order without being reloaded.
func TestQuizJourney(t *testing.T) {
	eachOutreachSite(t, func(t *testing.T, s *site, a *app.App) {
		var shift atomic.Int64 // how far the server's clock is moved
		a.Outreach.Now = func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
		ctx := context.Background()

		org := s.newTab(t)
		org.signIn("street", demo.Password)
		if st := org.open("/quizzes/new"); st != 200 {
			t.Fatalf("GET /quizzes/new: status %d", st)
		}
		org.fill("title", "蓝天知识竞答（现场）", "draw_count", "3", "minutes", "5")
		if st := org.submit("#quiz-save"); st != 200 {
			t.Fatalf("save the quiz: status %d; %q %q", st, org.errorText(), org.texts(".field-error"))
		}
		quizPath := org.path()
		id, err := strconv.ParseInt(strings.TrimPrefix(quizPath, "/quizzes/"), 10, 64)
		if err != nil || org.text("#quiz-state") != "进行中" {
			t.Fatalf("after saving: %s, state %q", quizPath, org.text("#quiz-state"))
		}
		z, err := a.DB.Quiz(ctx, id)
		if err != nil || len(z.Questions) != 3 {
			t.Fatalf("the quiz made: %d questions, %v", len(z.Questions), err)
		}
		// What only the answers would tell: each question's right options and its explanation.
		right := map[int64][]string{}
		var secrets []string
		for _, q := range z.Questions {
			secrets = append(secrets, q.Explanation)
			for _, i := range q.Answer {
				if q.Kind == outreach.TrueFalse {
					right[q.ID] = append(right[q.ID], []string{"正确", "错误"}[i])
				} else {
					right[q.ID] = append(right[q.ID], q.Options[i])
				}
			}
		}

		// The projector.
		screen := s.newTab(t)
		screen.signIn("street", demo.Password)
		if st := screen.open(quizPath + "/screen"); st != 200 {
			t.Fatalf("projector view: status %d", st)
		}
		quizURL := screen.qrText("#screen-qr")
		if !strings.HasPrefix(quizURL, s.URL+"/q/"+z.Code) {
			t.Fatalf("the projector's QR code reads %q", quizURL)
		}
		screen.waitFor("the empty leaderboard", `document.getElementById("board-rows").innerText.includes("还没有人交卷")`, 20*time.Second)
		eval[bool](screen, `(window.stillTheSamePage = true)`)

		// Three residents start on their phones.
		phones := map[string]*quizPhone{}
		for _, p := range []struct{ key, name, mobile string }{{"a", "张三明", "13900001111"}, {"b", "李四", "13900002222"}, {"c", "王小五", "13900003333"}} {
			rec := newRecorder(t, s.URL)
			ph := &quizPhone{tab: s.newTab(t), rec: rec}
			ph.phone()
			if resp, err := chromedp.Run(ph.ctx, chromedp.NavigateResponse(rec.URL+pathOf(t, quizURL))); err != nil || resp.Status != 200 {
				t.Fatalf("phone %s opens the quiz: %v", p.key, err)
			}
			ph.fill("name", p.name, "region", demo.CommunityCode(2), "mobile", p.mobile)
			ph.do("start", chromedp.Click(chromedp.ID("entry-start"), chromedp.NodeVisible))
			ph.waitFor("the questions", `document.querySelectorAll("#questions > li").length === 3`, 20*time.Second)
			// Nothing on the phone or in what reached it tells an answer.
			html := eval[string](ph.tab, `document.documentElement.outerHTML`)
			for _, sec := range append(secrets, `"answer"`, `"explanation"`) {
				if sec != "" && strings.Contains(html, sec) {
					t.Fatalf("phone %s's page carries %q before submitting", p.key, sec)
				}
			}
			if path, what := rec.search(append(secrets, `"answer"`, `"explanation"`)...); path != "" {
				t.Fatalf("phone %s received %q from %s before submitting", p.key, what, path)
			}
			if n, paths := rec.total(); n > 100<<10 {
				t.Errorf("phone %s received %d bytes (%v), over 100 KB", p.key, n, paths)
			} else if n < 2000 {
				t.Errorf("phone %s received only %d bytes (%v); is the recorder in the way?", p.key, n, paths)
			}
			phones[p.key] = ph
		}

		// tick checks, on a phone, the options whose text is in choose[question id].
		tick := func(ph *quizPhone, choose map[int64][]string) {
			t.Helper()
			b, _ := json.Marshal(choose)
			n := eval[int](ph.tab, `(() => {
				const want = `+string(b)+`; let n = 0;
				document.querySelectorAll("#questions > li").forEach(li => {
					const texts = want[li.getAttribute("data-q")] || [];
					li.querySelectorAll("label.opt").forEach(l => {
						if (texts.includes(l.innerText.trim())) { l.querySelector("input").click(); n++; }
					});
				});
				return n; })()`)
			if n == 0 {
				t.Fatalf("no option ticked on the phone")
			}
		}
		// A answers two questions right and one wrong; B all right.
		wrongOne := map[int64][]string{}
		first := true
		for _, q := range z.Questions {
			if first {
				opts := q.Options
				if q.Kind == outreach.TrueFalse {
					opts = []string{"正确", "错误"}
				}
				for _, o := range opts {
					if !strings.Contains(strings.Join(right[q.ID], "\x00"), o) {
						wrongOne[q.ID] = []string{o}
						break
					}
				}
				first = false
				continue
			}
			wrongOne[q.ID] = right[q.ID]
		}
		tick(phones["a"], wrongOne)
		phones["a"].do("submit A", chromedp.Click(chromedp.ID("answers-submit"), chromedp.NodeVisible))
		phones["a"].waitFor("A's score", `(document.getElementById("result-score") || {innerText: ""}).innerText.includes("得分 2 / 3")`, 20*time.Second)
		if ex := phones["a"].text("#quiz-result"); !strings.Contains(ex, "解析：") {
			t.Errorf("A's results show no explanation: %q", ex)
		}
		tick(phones["b"], right)
		phones["b"].do("submit B", chromedp.Click(chromedp.ID("answers-submit"), chromedp.NodeVisible))
		phones["b"].waitFor("B's score", `(document.getElementById("result-score") || {innerText: ""}).innerText.includes("得分 3 / 3")`, 20*time.Second)
		if r := phones["b"].text("#result-score"); !strings.Contains(r, "第 1 名") {
			t.Errorf("B's rank reads %q", r)
		}

		// C submits after the limit and its grace, by the server's clock.
		shift.Store(int64(5*time.Minute + outreach.Grace + 5*time.Second))
		tick(phones["c"], right)
		phones["c"].do("submit C", chromedp.Click(chromedp.ID("answers-submit"), chromedp.NodeVisible))
		phones["c"].waitFor("C's refusal", `!document.getElementById("answers-error").hidden`, 20*time.Second)
		if e := phones["c"].text("#answers-error"); !strings.Contains(e, "答题时间已到") {
			t.Errorf("C's refusal reads %q", e)
		}
		if eval[bool](phones["c"].tab, `!document.getElementById("quiz-result").hidden`) {
			t.Error("C's phone shows results after a refused submission")
		}

		// The projector shows B then A, without a reload, names shortened.
		screen.waitFor("the leaderboard with two rows", `document.querySelectorAll("#board-rows tr[data-rank]").length === 2`, 20*time.Second)
		rows := screen.texts("#board-rows tr[data-rank]")
		if len(rows) != 2 || !strings.HasPrefix(rows[0], "1\t李*") || !strings.HasPrefix(rows[1], "2\t张*明") {
			t.Errorf("the leaderboard reads %q, want 李* first and 张*明 second", rows)
		}
		for _, r := range rows {
			if strings.Contains(r, "1390000") || strings.Contains(r, "李四") {
				t.Errorf("the leaderboard shows %q", r)
			}
		}
		if !eval[bool](screen, `window.stillTheSamePage === true`) {
			t.Error("the projector page was reloaded")
		}
		// The organiser's winners: B first prize, A second.
		org.open(quizPath)
		if w := org.texts("#quiz-winners tbody tr"); len(w) != 2 || !strings.Contains(w[0], "李四") || !strings.Contains(w[0], "13900002222") {
			t.Errorf("winners %q", w)
		}
	})
}

// TestQuestionBankJourney: the street's leader imports a question file with
// a bad row and sees every bad row named, nothing written; imports the
// corrected file; and is told, on the form, that a single-choice question
// cannot have two right answers.
func TestQuestionBankJourney(t *testing.T) {
	eachOutreachSite(t, func(t *testing.T, s *site, a *app.App) {
		dir := t.TempDir()
		write := func(name, body string) string {
			p := dir + "/" + name
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		head := "题型,题目,选项A,选项B,选项C,答案,解析,标签\n"
		bad := write("bad.csv", head+"单选,12369是什么热线？,环保举报,天气预报,交通,A,,举报渠道\n判断,落叶可以焚烧。,,,,也许,,\n多选,清洁取暖有？,热泵,燃气,,AD,,清洁取暖\n")
		good := write("good.csv", head+"单选,12369是什么热线？,环保举报,天气预报,交通,A,,举报渠道\n判断,落叶可以焚烧。,,,,错误,,\n多选,清洁取暖有？,热泵,燃气,,AB,,清洁取暖\n")
		tb := s.newTab(t)
		tb.signIn("street", demo.Password)
		tb.open("/questions")
		before := tb.text("h1")
		tb.do("choose the bad file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{bad}))
		if st := tb.submit("#import-submit"); st != http.StatusUnprocessableEntity {
			t.Fatalf("import a bad file: status %d, want 422", st)
		}
		errs := tb.texts("#import-errors li")
		if len(errs) != 2 || !strings.HasPrefix(errs[0], "第 3 行") || !strings.HasPrefix(errs[1], "第 4 行") || !strings.Contains(errs[0], "答案") {
			t.Fatalf("the bad rows listed: %q", errs)
		}
		if h := tb.text("h1"); h != before {
			t.Errorf("a bad file changed the bank: %q → %q", before, h)
		}
		tb.do("choose the good file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{good}))
		if st := tb.submit("#import-submit"); st != 200 {
			t.Fatalf("import the good file: status %d, %q", st, tb.errorText())
		}
		if d := tb.text("#import-done"); !strings.Contains(d, "3") {
			t.Errorf("after importing: %q", d)
		}
		tb.open("/questions/new")
		tb.fill("kind", "single", "text", "两个答案的单选题", "option_0", "甲", "option_1", "乙")
		eval[bool](tb, `(() => { document.querySelectorAll('input[name=answer]').forEach((c, i) => { c.checked = i < 2; }); return true; })()`)
		if st := tb.submit("#question-save"); st != http.StatusUnprocessableEntity {
			t.Fatalf("a single-choice question with two answers: status %d", st)
		}
		if e := strings.Join(tb.texts(".field-error"), " "); !strings.Contains(e, "只能有一个正确答案") {
			t.Errorf("the form's error reads %q", e)
		}
	})
}
