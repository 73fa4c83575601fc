package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestPublicTrack: the tracking link shown after a public report leads to a
// page with the timeline, the handling note and the after photo, and a
// feedback form; "not solved" puts the case back before the leader.
func TestPublicTrack(t *testing.T) { testutil.Each(t, testPublicTrack) }

func testPublicTrack(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	anon := newBrowser(t, srv.URL)
	form := url.Values{"client_id": {anon.reportFormID("/public/report")}, "category": {"06010"}, "description": {"路边垃圾没人清"},
		"lat": {repLat}, "lon": {repLon}, "name": {"李大姐"}, "mobile": {"13800138000"}}
	status, body, _ := anon.post("/public/report", form)
	link := regexp.MustCompile(`id="track-link" href="(/public/cases/(XG-[0-9-]+)\?t=([0-9a-f]{32}))"`).FindStringSubmatch(body)
	if status != 200 || link == nil {
		t.Fatalf("done page: %d, no tracking link\n%s", status, body)
	}
	number, tracking := link[2], link[3]
	status, page := anon.get(strings.ReplaceAll(link[1], "&amp;", "&"))
	if status != 200 || !strings.Contains(page, `id="feedback-form"`) || !strings.Contains(page, "已收到") || strings.Contains(page, "李大姐") {
		t.Fatalf("tracking page: %d\n%s", status, page)
	}
	// Staff handle it with a note and an after photo and close it.
	leader, who := testutil.As(t, srv.App, "community1")
	c, err := srv.App.Cases.Act(ctx, who, leader, number, casesvc.Action{Action: "assign", Version: ptr(1), Assignee: &casesvc.Assignee{Region: demo.GridCode(0, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	patrol, pwho := testutil.As(t, srv.App, "patrol02")
	if _, err := srv.App.Cases.AddPhoto(ctx, pwho, patrol, srv.App.Photos, number, "after", bytes.NewReader(reportPNG(t, 90))); err != nil {
		t.Fatal(err)
	}
	if c, err = srv.App.Cases.Act(ctx, pwho, patrol, number, casesvc.Action{Action: "handle", Version: ptr(c.Version), Note: "已清运干净"}); err != nil {
		t.Fatal(err)
	}
	if c, err = srv.App.Cases.Act(ctx, who, leader, number, casesvc.Action{Action: "verify", Version: ptr(c.Version), Passed: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	_, page = anon.get("/public/cases/" + number + "?t=" + tracking)
	if !strings.Contains(page, "已清运干净") || !strings.Contains(page, `id="track-photos"`) || !strings.Contains(page, "已办结") {
		t.Fatalf("tracking page after handling lacks note, photo or closed\n%s", page)
	}
	// A wrong code: said beside the field, nothing recorded.
	status, page, _ = anon.post("/public/cases/"+number+"/feedback", url.Values{"tracking": {strings.Repeat("0", 32)}, "solved": {"0"}})
	if status != http.StatusNotFound || !strings.Contains(page, "查询码不对") {
		t.Fatalf("wrong code: %d\n%s", status, page)
	}
	status, _, loc := anon.post("/public/cases/"+number+"/feedback", url.Values{"tracking": {tracking}, "solved": {"0"}, "comment": {"还是很脏"}})
	if status != http.StatusSeeOther || loc != "/public/cases/"+number+"?done=1" {
		t.Fatalf("feedback: %d → %q", status, loc)
	}
	_, page = anon.get(loc)
	if !strings.Contains(page, `id="track-thanks"`) || strings.Contains(page, `id="feedback-form"`) || !strings.Contains(page, "退回重新审核") {
		t.Fatalf("after feedback\n%s", page)
	}
	back, err := srv.App.Cases.Get(ctx, leader, number)
	if err != nil || back.Status != "filed" || back.Timeline[len(back.Timeline)-1].Note != "还是很脏" {
		t.Fatalf("case after not solved: %v %+v", err, back.Snapshot)
	}
	if status, _, _ = anon.post("/public/cases/"+number+"/feedback", url.Values{"tracking": {tracking}, "solved": {"1"}}); status != http.StatusConflict {
		t.Fatalf("second feedback: %d", status)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		anon.pageIn("/public/cases/"+number, lang, rawKey)
	}
}

func ptr[T any](v T) *T { return &v }
