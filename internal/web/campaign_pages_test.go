package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/campaignsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// areaKey finds this area's message keys that leaked into a page untranslated.
var areaKey = regexp.MustCompile(`>[^<]*\b(?:campaign|agenda|err|field)\.[a-z_.]+[^<]*<`)

// principalOf loads a demo account as the services see it.
func principalOf(t *testing.T, srv *testutil.Server, username string) (*auth.Principal, store.Actor) {
	t.Helper()
	p, _, err := srv.App.DB.Credentials(context.Background(), username)
	if err != nil {
		t.Fatalf("%s: %v", username, err)
	}
	return &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}, store.Actor{ID: p.ID, Name: p.Username}
}

// campaignFixture plans a campaign for today, a material, an event and a handout through the service.
type campaignFixture struct {
	campaign, task, material, event, handout int64
}

func newCampaignFixture(t *testing.T, srv *testutil.Server) campaignFixture {
	t.Helper()
	ctx := context.Background()
	p, who := principalOf(t, srv, "street")
	svc := srv.App.Campaigns
	today := time.Now().In(srv.App.Loc).Format(time.DateOnly)
	c, err := svc.Create(ctx, who, p, campaignsvc.Input{Title: "月末综合整治", Date: today, Regions: []string{demo.CommunityCode(0)},
		Tasks: []campaignsvc.TaskInput{{Kind: "ads", Title: "忠武巷小广告", Region: demo.GridCode(0, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.CreateMaterial(ctx, who, p, campaignsvc.MaterialInput{Name: "环保购物袋", Kind: "bag", Unit: "个", Low: 10, Stock: 100})
	if err != nil {
		t.Fatal(err)
	}
	lat, lon := 34.5725, 105.7025
	ev, err := svc.CreatePublicity(ctx, who, p, campaignsvc.PublicityInput{Date: today, Venue: "忠武巷口", Lat: &lat, Lon: &lon, Kind: "desk", Reach: 80})
	if err != nil {
		t.Fatal(err)
	}
	h, err := svc.CreateHandout(ctx, who, p, campaignsvc.HandoutInput{Kind: "reminder", Title: "温馨提示", Body: "{street}提醒您：禁止焚烧树叶。\n{date}"})
	if err != nil {
		t.Fatal(err)
	}
	return campaignFixture{campaign: c.ID, task: c.Tasks[0].ID, material: m.ID, event: ev.ID, handout: h.ID}
}

// TestCampaignPagesRender opens every page of the area as each kind of user, in both languages.
func TestCampaignPagesRender(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	fx := newCampaignFixture(t, srv)
	all := []string{"/campaigns", fmt.Sprintf("/campaigns/%d", fx.campaign), "/publicity", fmt.Sprintf("/publicity/%d", fx.event),
		"/handouts", fmt.Sprintf("/handouts/%d", fx.handout), fmt.Sprintf("/handouts/%d/print", fx.handout), "/calendar", "/calendar?view=week"}
	leaders := append([]string{"/campaigns/new", fmt.Sprintf("/campaigns/%d/edit", fx.campaign), fmt.Sprintf("/campaigns/%d/report", fx.campaign),
		"/materials", fmt.Sprintf("/materials/%d", fx.material)}, all...)
	for _, tc := range []struct {
		user  string
		pages []string
	}{
		{"street", leaders},
		{"admin", leaders},
		{"inspector", append([]string{"/materials", fmt.Sprintf("/campaigns/%d/report", fx.campaign)}, all...)},
		{"community1", append([]string{"/campaigns/new", "/materials"}, all...)},
		{"patrol01", all},
		{"volunteer01", all},
		{"unit01", []string{"/campaigns", "/calendar"}},
	} {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(tc.user+"/"+lang, func(t *testing.T) {
				b := newBrowserAs(t, srv.URL, tc.user)
				for _, p := range tc.pages {
					sep := "?"
					if strings.Contains(p, "?") {
						sep = "&"
					}
					status, body := b.get(p + sep + "lang=" + lang)
					if status != 200 {
						t.Errorf("%s: status %d", p, status)
						continue
					}
					for _, re := range []*regexp.Regexp{rawKey, areaKey} {
						if m := re.FindString(body); m != "" {
							t.Errorf("%s: untranslated key in %q", p, m)
						}
					}
					if lang == "en" && p == "/campaigns" && strings.Contains(body, "月末综合整治</h1>") {
						t.Errorf("%s: Chinese heading on an English page", p)
					}
				}
			})
		}
	}
	// Out of scope is not found; no role is forbidden.
	b := newBrowserAs(t, srv.URL, "patrol25")
	if status, _ := b.get(fmt.Sprintf("/campaigns/%d", fx.campaign)); status != 404 {
		t.Errorf("a patroller of another community opens the campaign: %d", status)
	}
	if status, _ := b.get("/materials"); status != 403 {
		t.Errorf("a patroller opens the store: %d", status)
	}
	if status, _ := newBrowserAs(t, srv.URL, "unit01").get(fmt.Sprintf("/campaigns/%d", fx.campaign)); status != 404 {
		t.Errorf("a unit contact with no task opens the campaign: %d", status)
	}
}

// TestCampaignForms posts the area's forms as a person would, with good and bad input.
func TestCampaignForms(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	fx := newCampaignFixture(t, srv)
	street := newBrowserAs(t, srv.URL, "street")
	cpath := fmt.Sprintf("/campaigns/%d", fx.campaign)

	// A result with a negative count comes back with the field named, nothing saved.
	status, body, _ := street.post(cpath+"/results", url.Values{"task": {fmt.Sprint(fx.task)}, "ads": {"-3"}})
	if status != 422 || !strings.Contains(body, "成果数量：") {
		t.Errorf("negative count: %d, field error shown: %v", status, strings.Contains(body, "成果数量："))
	}
	status, _, loc := street.post(cpath+"/results", url.Values{"task": {fmt.Sprint(fx.task)}, "ads": {"12"}, "bags": {"40"}, "done": {"1"}})
	if status != 303 || !strings.HasSuffix(loc, fmt.Sprintf("#task-%d", fx.task)) {
		t.Fatalf("result: %d %s", status, loc)
	}
	_, body = street.get(cpath)
	if !strings.Contains(body, `<b class="count-ads">12</b>`) {
		t.Error("the campaign page does not show 12 small ads")
	}
	_, body = street.get(cpath + "/report")
	if !strings.Contains(body, `id="tot-bags">40<`) || !strings.Contains(body, `id="tot-tasks">1 / 1<`) {
		t.Errorf("the report lacks the totals")
	}
	resp, err := street.c.Get(srv.URL + cpath + "/report.xlsx")
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("report.xlsx: %v %v", err, resp)
	}
	resp.Body.Close()

	// A publicity event asking for more bags than there are: 409 naming them, no event.
	form := url.Values{"date": {time.Now().In(srv.App.Loc).Format(time.DateOnly)}, "place": {"伏羲广场"}, "lat": {"34.5805"}, "lon": {"105.7305"},
		"kind": {"boards"}, "reach": {"200"}, "material0": {fmt.Sprint(fx.material)}, "quantity0": {"150"}}
	status, body, _ = street.post("/publicity", form)
	if status != 409 || !strings.Contains(body, "环保购物袋") || !strings.Contains(body, "仅剩 100 个") {
		t.Errorf("over-stock event: %d, message shown: %v", status, strings.Contains(body, "仅剩 100 个"))
	}
	form.Set("quantity0", "50")
	if status, _, loc = street.post("/publicity", form); status != 303 || !strings.HasPrefix(loc, "/publicity/") {
		t.Fatalf("event with 50 bags: %d %s", status, loc)
	}
	_, body = street.get(fmt.Sprintf("/materials/%d", fx.material))
	if !strings.Contains(body, `id="material-stock">50<`) {
		t.Error("the store does not show 50 bags left")
	}

	// Distributions: over the households is refused, a good one raises coverage.
	hpath := fmt.Sprintf("/handouts/%d", fx.handout)
	status, body, _ = street.post(hpath+"/distributions", url.Values{"region": {demo.GridCode(0, 0)}, "households": {"99999"}})
	if status != 422 || !strings.Contains(body, "超过该区域的总户数") {
		t.Errorf("too many households: %d", status)
	}
	if status, _, _ = street.post(hpath+"/distributions", url.Values{"region": {demo.GridCode(0, 0)}, "households": {"100"}}); status != 303 {
		t.Fatalf("distribution: %d", status)
	}
	_, body = street.get(hpath + "/coverage.json")
	var fc struct {
		Features []struct{ Properties map[string]any }
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil || len(fc.Features) != 6 {
		t.Fatalf("coverage map: %v %d features", err, len(fc.Features))
	}
	for _, f := range fc.Features {
		rate := f.Properties["rate"].(float64)
		if code := f.Properties["code"]; (code == demo.CommunityCode(0)) != (rate > 0) {
			t.Errorf("%v has rate %v", code, rate)
		}
	}

	// The calendar feed: made on the page, shown once, readable, and reset.
	status, body, _ = street.post("/calendar/feed", url.Values{})
	m := regexp.MustCompile(`id="feed-url">([^<]+)<`).FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("feed reset page: %d, url shown: %v", status, m != nil)
	}
	feed := m[1]
	resp, err = http.Get(feed)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", feed, err, resp)
	}
	buf := new(strings.Builder)
	fmt.Fprint(buf, readAll(resp))
	cal, err := agenda.ParseICS(buf.String())
	if err != nil || len(cal.Events) < 2 {
		t.Fatalf("feed: %v, %d events", err, len(cal.Events))
	}
	if _, body = street.get("/calendar"); strings.Contains(body, feed) {
		t.Error("the feed URL is shown again after it was made")
	}
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b := new(strings.Builder)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
