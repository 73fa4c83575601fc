package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// inspectKey finds inspection message keys that leaked into a page untranslated.
var inspectKey = regexp.MustCompile(`>[^<]*\b(?:inspect|flash|field|err)\.[a-z_]+[^<]*<`)

// TestInspectionPages drives the pages through their forms as a street
// leader, an inspector and a community leader would, in both languages:
// the month, scheduling, an inspection's agenda and sheet with a bad and a
// good score, closing, the week (with its chart and Excel), hotspots and
// problems; and the 403 and 404 of those who may not see them.
func TestInspectionPages(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	now := time.Now().In(srv.App.Loc)
	street := newBrowserAs(t, srv.URL, "street")
	st, body, _ := street.post("/inspections/schedule", url.Values{"from": {now.AddDate(0, 0, -6).Format("2006-01-02")}, "to": {now.AddDate(0, 0, 7).Format("2006-01-02")}})
	if st != 303 {
		t.Fatalf("schedule: %d %s", st, body)
	}
	st, body, _ = street.post("/inspections/schedule", url.Values{"from": {"1900-01-01"}, "to": {now.Format("2006-01-02")}})
	if st != 422 || !strings.Contains(body, `id="form-error"`) || !strings.Contains(body, `id="inspect-month"`) {
		t.Errorf("a date out of range: %d; want 422 with the month page and the error", st)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, path := range []string{"/inspections", "/inspections/week", "/hotspots", "/problems", "/inspections/settings"} {
			st, body := street.get(path + "?lang=" + lang)
			if st != 200 {
				t.Errorf("%s (%s): %d", path, lang, st)
			}
			if m := inspectKey.FindString(body); m != "" {
				t.Errorf("%s (%s): untranslated %q", path, lang, m)
			}
		}
	}
	_, body = street.get("/inspections")
	m := regexp.MustCompile(`data-region="` + demo.CommunityCode(0) + `"><th>[^<]*</th>\s*(?:<td>[^\n]*?)?<a class="ins-cell st-planned" href="/inspections/([0-9]+)" data-date="([0-9-]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the month shows no planned inspection of community 1: %s", body)
	}
	id, date := m[1], m[2]

	insp := newBrowserAs(t, srv.URL, "inspector")
	st, body = insp.get("/inspections/" + id)
	if st != 200 || !strings.Contains(body, `id="open-submit"`) || !strings.Contains(body, `id="agenda"`) {
		t.Fatalf("inspection page: %d", st)
	}
	form := url.Values{"score_patrol": {"25"}}
	st, body, _ = insp.post("/inspections/"+id+"/scores", form)
	if st != 422 || !strings.Contains(body, "巡查记录完整") || !strings.Contains(body, `value="25"`) {
		t.Errorf("a score over the maximum: %d; want 422 naming the item and the form as typed", st)
	}
	form = url.Values{}
	for k, v := range map[string]string{"patrol": "18", "ledger": "23", "onspot": "15", "hotspots": "18", "publicity": "9", "site_order": "10"} {
		form.Set("score_"+k, v)
	}
	form.Set("note_patrol", "第3网格周二巡查记录缺失")
	if st, body, loc := insp.post("/inspections/"+id+"/scores", form); st != 303 || !strings.HasPrefix(loc, "/inspections/"+id) {
		t.Fatalf("scores: %d %s", st, body)
	}
	_, body = insp.get("/inspections/" + id)
	if !strings.Contains(body, "<b>93</b> / 100") || !strings.Contains(body, "第3网格周二巡查记录缺失") {
		t.Errorf("the sheet does not show 93 / 100 and the note")
	}
	comm := newBrowserAs(t, srv.URL, "community1")
	if st, _ := comm.get("/inspections/" + id); st != 200 {
		t.Errorf("community1 reads its inspection: %d", st)
	}
	if st, _, loc := comm.post("/inspections/"+id+"/ack", url.Values{"name": {"王主任"}}); st != 303 || !strings.HasSuffix(loc, "#ack") {
		t.Errorf("community1 acknowledges by name: %d %s", st, loc)
	}
	if st, _, _ := comm.post("/inspections/"+id+"/close", nil); st != 403 {
		t.Errorf("community1 closes: %d, want 403", st)
	}
	if st, body, _ := insp.post("/inspections/"+id+"/close", nil); st != 303 {
		t.Fatalf("close: %d %s", st, body)
	}
	if st, _, _ := insp.post("/inspections/"+id+"/close", nil); st != 409 {
		t.Errorf("close twice: %d, want 409", st)
	}
	_, body = street.get("/inspections/week?week=" + date)
	if !strings.Contains(body, "<svg class=\"spark\"") || !strings.Contains(body, "<b>93</b> / 100") {
		t.Errorf("the week page lacks the chart or the score")
	}
	if st, body := street.get("/inspections/week.xlsx?week=" + date); st != 200 || !strings.HasPrefix(body, "PK") {
		t.Errorf("week.xlsx: %d", st)
	}
	for _, user := range []string{"patrol01", "volunteer01"} {
		b := newBrowserAs(t, srv.URL, user)
		if st, _ := b.get("/inspections"); st != 403 {
			t.Errorf("%s opens /inspections: %d, want 403", user, st)
		}
		if st, _ := b.get("/inspections/" + id); st != 403 {
			t.Errorf("%s opens an inspection: %d, want 403", user, st)
		}
	}
	other := newBrowserAs(t, srv.URL, "community4")
	if st, _ := other.get("/inspections/" + id); st != 404 {
		t.Errorf("community4 opens community 1's inspection: %d, want 404", st)
	}
	if _, body := comm.get("/inbox"); !strings.Contains(body, `name="open" value="/inspections/`+id+`"`) {
		t.Errorf("community1's inbox does not open the sheet")
	}
}
