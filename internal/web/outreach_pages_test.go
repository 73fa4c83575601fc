package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// outreachKey finds outreach message keys that leaked into a page untranslated.
var outreachKey = regexp.MustCompile(`>[^<]*\b(?:outreach|err|field|nav)\.[a-z_]+[^<]*<`)

// TestOutreachPages opens the outreach pages as organisers, readers and
// others, in both languages, and checks scope (404), roles (403) and that no
// key is left untranslated.
func TestOutreachPages(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	ctx := context.Background()
	if _, err := demo.SeedOutreach(ctx, srv.App.DB, srv.App.Loc, time.Now()); err != nil {
		t.Fatal(err)
	}
	all := store.OutreachScope{All: true}
	lectures, _, _ := srv.App.DB.Lectures(ctx, store.LectureFilter{Scope: all})
	quizzes, _, _ := srv.App.DB.Quizzes(ctx, store.QuizFilter{Scope: all})
	if len(lectures) == 0 || len(quizzes) == 0 {
		t.Fatal("no demo outreach")
	}
	l, z := lectures[0], quizzes[0]
	pages := []string{"/lectures", fmt.Sprintf("/lectures/%d", l.ID), fmt.Sprintf("/lectures/%d/poster", l.ID), fmt.Sprintf("/lectures/%d/screen", l.ID),
		fmt.Sprintf("/lectures/%d/sheet", l.ID), "/quizzes", fmt.Sprintf("/quizzes/%d", z.ID), fmt.Sprintf("/quizzes/%d/screen", z.ID),
		fmt.Sprintf("/quizzes/%d/poster", z.ID), "/questions", "/questions?kind=multiple&tag=扬尘"}
	organiser := []string{"/lectures/new", "/quizzes/new", "/questions/new", "/questions/1"}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, tc := range []struct {
			user  string
			pages []string
		}{{"street", append(pages, organiser...)}, {"admin", pages}, {"inspector", pages}} {
			b := newBrowser(t, srv.URL)
			b.login(tc.user)
			for _, p := range tc.pages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				status, body := b.get(p + sep + "lang=" + lang)
				if status != 200 {
					t.Errorf("%s %s as %s: %d", lang, p, tc.user, status)
					continue
				}
				if m := outreachKey.FindString(body); m != "" {
					t.Errorf("%s %s as %s: untranslated %q", lang, p, tc.user, m)
				}
				if strings.Contains(body, "<script>") || regexp.MustCompile(`\son[a-z]+="`).MatchString(body) {
					t.Errorf("%s %s: an inline script or handler", lang, p)
				}
			}
		}
	}
	// Roles and scope: the inspector reads but may not organise; a
	// community's leader does not see the street's quizzes; a patroller sees nothing.
	insp := newBrowser(t, srv.URL)
	insp.login("inspector")
	for _, p := range []string{"/lectures/new", "/quizzes/new", "/questions/new"} {
		if st, _ := insp.get(p); st != http.StatusForbidden {
			t.Errorf("inspector GET %s: %d, want 403", p, st)
		}
	}
	if st, _ := insp.get(fmt.Sprintf("/quizzes/%d/winners.xlsx", z.ID)); st != http.StatusForbidden {
		t.Errorf("inspector exports winners: %d", st)
	}
	comm := newBrowser(t, srv.URL)
	comm.login("community1")
	if st, _ := comm.get(fmt.Sprintf("/quizzes/%d", z.ID)); st != http.StatusNotFound {
		t.Errorf("community1 reads a street quiz: %d, want 404", st)
	}
	if st, _ := comm.get("/questions/new"); st != http.StatusForbidden {
		t.Errorf("community1 edits the street's bank: %d, want 403", st)
	}
	patrol := newBrowser(t, srv.URL)
	patrol.login("patrol01")
	if st, _ := patrol.get("/lectures"); st != http.StatusForbidden {
		t.Errorf("patroller GET /lectures: %d, want 403", st)
	}
	if _, body := patrol.get("/"); strings.Contains(body, `href="/lectures"`) {
		t.Error("the patroller's menu links to the lectures")
	}
	// The organiser sees mobiles whole on the sheet, the inspector masked.
	street := newBrowser(t, srv.URL)
	street.login("street")
	_, sheet := street.get(fmt.Sprintf("/lectures/%d/sheet", l.ID))
	_, masked := insp.get(fmt.Sprintf("/lectures/%d/sheet", l.ID))
	whole := regexp.MustCompile(`<td>1[3-9][0-9]{9}</td>`)
	if !whole.MatchString(sheet) || whole.MatchString(masked) || !strings.Contains(masked, "****") {
		t.Error("the sign-in sheet's mobiles: whole for the organiser, masked for the inspector expected")
	}
}

// TestPublicPages checks the residents' pages: no account needed, no htmx,
// no inline script, small; unknown codes are 404; the sign-in form refuses
// bad input with 422, a full page with 413, the same mobile with 409.
func TestPublicPages(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			ctx := context.Background()
			if _, err := demo.SeedOutreach(ctx, srv.App.DB, srv.App.Loc, time.Now()); err != nil {
				t.Fatal(err)
			}
			p, _, err := srv.App.DB.Credentials(ctx, "community1")
			if err != nil {
				t.Fatal(err)
			}
			who := store.Actor{ID: p.ID, Name: p.Username}
			pr := &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}
			start := time.Now().Add(10 * time.Minute)
			l, err := srv.App.Outreach.CreateLecture(ctx, who, pr, outreachsvc.LectureInput{Title: "讲座", VenueName: "活动室", StartsAt: start,
				EndsAt: start.Add(time.Hour), Regions: []string{demo.CommunityCode(0)}})
			if err != nil {
				t.Fatal(err)
			}
			quizzes, _, _ := srv.App.DB.Quizzes(ctx, store.QuizFilter{Scope: store.OutreachScope{All: true}})
			var open outreach.Quiz
			for _, z := range quizzes {
				if z.State(time.Now()) == outreach.Open {
					open = z
				}
			}
			b := newBrowser(t, srv.URL)
			for _, path := range []string{"/l/" + l.Code, "/q/" + open.Code} {
				status, body := b.get(path)
				if status != 200 {
					t.Fatalf("GET %s: %d", path, status)
				}
				if strings.Contains(body, "htmx") || strings.Contains(body, "leaflet") || strings.Contains(body, "<script>") || strings.Contains(body, "<script type=\"text/javascript\">") {
					t.Errorf("%s carries htmx, Leaflet or an inline script", path)
				}
				if len(body) > 20<<10 {
					t.Errorf("%s is %d bytes", path, len(body))
				}
			}
			// The quiz page holds no question.
			full, err := srv.App.DB.Quiz(ctx, open.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, qbody := b.get("/q/" + open.Code)
			for _, q := range full.Questions {
				if strings.Contains(qbody, q.Text) || (q.Explanation != "" && strings.Contains(qbody, q.Explanation)) {
					t.Fatalf("the quiz page carries question %d", q.ID)
				}
			}
			for _, path := range []string{"/l/abcdefghijklmnopqrstuvwxyz", "/q/abcdefghijklmnopqrstuvwxyz", "/l/x", "/q/%00"} {
				if st, _ := b.get(path); st != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", path, st)
				}
			}
			form := url.Values{"name": {"张三明"}, "region": {demo.CommunityCode(1)}, "mobile": {"13800001111"}}
			if st, body, _ := b.post("/l/"+l.Code, form); st != 200 || !strings.Contains(body, `id="signin-done"`) {
				t.Fatalf("sign in: %d", st)
			}
			other := newBrowser(t, srv.URL)
			other.get("/l/" + l.Code)
			if st, body, _ := other.post("/l/"+l.Code, form); st != http.StatusConflict || !strings.Contains(body, "已经签到") {
				t.Errorf("the same mobile again: %d", st)
			}
			third := newBrowser(t, srv.URL)
			if st, body, _ := third.post("/l/"+l.Code, url.Values{"name": {""}, "region": {"620502009001000"}, "mobile": {"123"}}); st != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "手机号：应为11位手机号") {
				t.Errorf("bad input: %d", st)
			}
			if st, _, _ := third.post("/l/"+l.Code, url.Values{"name": {strings.Repeat("长", 8000)}}); st != http.StatusRequestEntityTooLarge {
				t.Errorf("a 24 KB form: %d, want 413", st)
			}
		})
	}
}
