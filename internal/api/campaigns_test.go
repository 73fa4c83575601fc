package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestCampaignScenarios walks the contract of issue 11 on both databases:
// campaigns planned, proposed and recorded; the materials store that never
// goes below zero; publicity drawing materials in the same transaction;
// handouts and household coverage; the calendar and its private feed. Each
// step states the role, the request, the status and what the answer holds.
func TestCampaignScenarios(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			c := srv.API(t)
			today := time.Now().In(srv.App.Loc).Format(time.DateOnly)
			expect := func(what string, status int, body string, wantStatus int, want ...string) {
				t.Helper()
				if status != wantStatus {
					t.Fatalf("%s: status %d, want %d: %s", what, status, wantStatus, trunc(body))
				}
				for _, w := range want {
					if !strings.Contains(body, w) {
						t.Errorf("%s: answer lacks %q: %s", what, w, trunc(body))
					}
				}
			}
			var school struct {
				Items []struct {
					ID     int64
					Region string
				}
			}
			_, body := c.Do("admin", "GET", "/api/v1/units?q="+url.QueryEscape("市三中"), "")
			json.Unmarshal([]byte(body), &school)
			if len(school.Items) != 1 {
				t.Fatalf("市三中: %s", body)
			}
			schoolID := school.Items[0].ID

			// Planning.
			newCampaign := fmt.Sprintf(`{"title":"月末综合整治","date":%q,"regions":[%q,%q],"tasks":[
				{"kind":"ads","title":"忠武巷小广告","region":%q,"lat":34.5725,"lon":105.7025},
				{"kind":"courtyard","unit_id":%d}],"units":[{"unit_id":%d,"headcount":0}]}`,
				today, demo.CommunityCode(0), demo.CommunityCode(1), demo.GridCode(0, 0), schoolID, schoolID)
			status, body := c.Do("street", "POST", "/api/v1/campaigns", newCampaign)
			expect("street plans a campaign", status, body, 201, `"status":"planned"`, `"kind":"courtyard"`, `"region":"`+school.Items[0].Region+`"`)
			var camp struct {
				ID    int64
				Tasks []struct{ ID int64 }
			}
			json.Unmarshal([]byte(body), &camp)
			cid, adsTask, schoolTask := camp.ID, camp.Tasks[0].ID, camp.Tasks[1].ID
			cpath := fmt.Sprintf("/api/v1/campaigns/%d", cid)

			outside := fmt.Sprintf(`{"title":"越界","date":%q,"regions":[%q]}`, today, demo.CommunityCode(3))
			none := fmt.Sprintf(`{"title":"越界","date":%q,"regions":["620502004009000"]}`, today)
			s1, b1 := c.Do("community1", "POST", "/api/v1/campaigns", outside)
			s2, b2 := c.Do("community1", "POST", "/api/v1/campaigns", none)
			expect("community leader plans in another community", s1, b1, 422, `"regions":`)
			expect("community leader plans in a region that does not exist", s2, b2, 422, `"regions":`)
			if b1 != b2 {
				t.Errorf("out of scope and unknown answer differently:\n%s\n%s", b1, b2)
			}
			status, body = c.Do("patrol01", "POST", "/api/v1/campaigns", newCampaign)
			expect("a patroller does not plan", status, body, 403)

			// Seeing.
			status, body = c.Do("patrol01", "GET", "/api/v1/campaigns", "")
			expect("grid patroller sees the community's campaign", status, body, 200, `"total":1`, `"regions":["`+demo.CommunityCode(0))
			status, body = c.Do("patrol25", "GET", "/api/v1/campaigns", "")
			expect("a patroller of community 3 does not", status, body, 200, `"total":0`)
			status, body = c.Do("unit01", "GET", cpath, "")
			expect("the school's contact sees its own task only", status, body, 200, fmt.Sprintf(`"id":%d`, schoolTask))
			if strings.Contains(body, "忠武巷小广告") {
				t.Errorf("a unit contact sees another task: %s", trunc(body))
			}
			status, body = c.Do("unit02", "GET", cpath, "")
			expect("another unit's contact", status, body, 404)

			// Results.
			status, body = c.Do("patrol01", "POST", cpath+"/results", fmt.Sprintf(`{"task":%d,"counts":{"ads":12,"corners":3,"bags":40,"people":25},"note":"已清理","done":true}`, adsTask))
			expect("patroller records a result in their grid", status, body, 200, `"ads":12`, `"bags":40`, `"done":true`)
			status, body = c.Do("patrol01", "POST", cpath+"/results", fmt.Sprintf(`{"task":%d,"counts":{"ads":-1}}`, adsTask))
			expect("negative count", status, body, 422, `"counts":`)
			status, body = c.Do("patrol01", "POST", cpath+"/results", fmt.Sprintf(`{"task":%d,"counts":{"ads":1}}`, schoolTask))
			expect("patroller records in another community's grid", status, body, 403)
			status, body = c.Do("street", "POST", cpath+"/results", fmt.Sprintf(`{"task":%d,"counts":{"bags":5},"done":false}`, schoolTask))
			expect("street records the school's task", status, body, 200, `"bags":5`)

			future := time.Now().In(srv.App.Loc).AddDate(0, 0, 10).Format(time.DateOnly)
			status, body = c.Do("street", "POST", "/api/v1/campaigns", fmt.Sprintf(`{"title":"下次","date":%q,"regions":[%q],"tasks":[{"kind":"road","title":"背街小巷","region":%q}]}`,
				future, demo.StreetCode, demo.GridCode(0, 1)))
			expect("a campaign in ten days", status, body, 201)
			var later struct {
				ID    int64
				Tasks []struct{ ID int64 }
			}
			json.Unmarshal([]byte(body), &later)
			status, body = c.Do("street", "POST", cpath+"/results", fmt.Sprintf(`{"task":%d,"counts":{"ads":1}}`, later.Tasks[0].ID))
			expect("a task of another campaign", status, body, 422, `"task":`)
			status, body = c.Do("street", "POST", fmt.Sprintf("/api/v1/campaigns/%d/results", later.ID), fmt.Sprintf(`{"task":%d,"counts":{"ads":1}}`, later.Tasks[0].ID))
			expect("results before the day", status, body, 409, `"code":"conflict"`)

			// Photos and findings.
			status, body = campaignUpload(t, c, "community1", cpath+"/photos", map[string]string{"task": fmt.Sprint(adsTask), "step": "before"}, pngBytes(t))
			expect("community leader adds a before photo", status, body, 201, `"step":"before"`)
			var ph struct{ URL string }
			json.Unmarshal([]byte(body), &ph)
			status, _ = c.Do("patrol01", "GET", ph.URL, "")
			expect("the grid's patroller sees it", status, "", 200)
			status, _ = c.Do("unit01", "GET", ph.URL, "")
			expect("a unit contact does not see another task's photo", status, "", 404)
			status, body = campaignUpload(t, c, "community1", cpath+"/photos", map[string]string{"task": fmt.Sprint(adsTask), "step": "after"}, []byte("not an image"))
			expect("a file that is not an image", status, body, 422, `"photo":`)
			status, body = c.Do("community1", "POST", cpath+"/findings", fmt.Sprintf(`{"task":%d,"client_id":"4b1e0c52-0000-4000-8000-000000000001","category":"L006","description":"楼后卫生死角，需清运车","class":"escalated"}`, adsTask))
			expect("a problem found becomes a campaign case", status, body, 201, `"source":"campaign"`)
			status, body = c.Do("patrol01", "POST", cpath+"/findings", fmt.Sprintf(`{"task":%d,"client_id":"4b1e0c52-0000-4000-8000-000000000002","category":"L006","description":"x","class":"escalated"}`, adsTask))
			expect("a patroller may not give the campaign source (the case rules)", status, body, 422, `"source":`)

			// Report.
			status, body = c.Do("street", "GET", cpath+"/report", "")
			expect("report", status, body, 200, `"tasks_done":1`, `"tasks":2`, `"ads":12`, `"bags":45`, `"units_absent":[{"unit_id":`+fmt.Sprint(schoolID), `"findings":1`)
			status, body = c.Do("street", "POST", cpath+"/headcounts", fmt.Sprintf(`{"unit_id":%d,"headcount":8}`, schoolID))
			expect("the school sent eight", status, body, 200, `"headcount":8`)
			status, body = c.Do("street", "GET", cpath+"/report", "")
			expect("report after the headcount", status, body, 200, `"units_present":[{"unit_id":`+fmt.Sprint(schoolID), `"units_absent":[]`)
			status, body = c.Do("unit01", "GET", cpath+"/report", "")
			expect("a unit contact gets no report", status, body, 404)
			req, _ := http.NewRequest("GET", srv.URL+cpath+"/report.xlsx", nil)
			req.Header.Set("Authorization", "Bearer "+c.Token("street"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("report.xlsx: %v %v", err, resp)
			}
			resp.Body.Close()

			// Proposals.
			status, body = c.Do("street", "POST", "/api/v1/campaigns/propose", `{"year":2027}`)
			expect("proposals for 2027", status, body, 200, `"created":12`, `"date":"2027-01-29"`, `"status":"proposed"`)
			status, body = c.Do("street", "POST", "/api/v1/campaigns/propose", `{"year":2027}`)
			expect("never a second for a month", status, body, 200, `"created":0`)
			status, body = c.Do("community1", "POST", "/api/v1/campaigns/propose", `{"year":2027}`)
			expect("a community leader does not propose", status, body, 403)

			// Materials.
			status, body = c.Do("street", "POST", "/api/v1/materials", `{"name":"环保购物袋","kind":"bag","unit":"个","low":30,"stock":100}`)
			expect("street adds shopping bags", status, body, 201, `"stock":100`, `"region":"`+demo.StreetCode)
			var mat struct{ ID int64 }
			json.Unmarshal([]byte(body), &mat)
			mpath := fmt.Sprintf("/api/v1/materials/%d", mat.ID)
			status, body = c.Do("street", "POST", mpath+"/moves", `{"delta":-50,"reason":"发给忠武巷社区","region":"`+demo.CommunityCode(0)+`"}`)
			expect("50 given out", status, body, 200, `"stock":50`, `"kind":"give"`)
			status, body = c.Do("street", "POST", mpath+"/moves", `{"delta":-60,"reason":"活动"}`)
			expect("60 more than there is", status, body, 409, `"stock":50`, "环保购物袋", `"material":`)
			status, body = c.Do("street", "GET", mpath, "")
			expect("the ledger has the opening and one move", status, body, 200, `"total":2`, `"stock":50`)
			status, body = c.Do("inspector", "GET", "/api/v1/materials", "")
			expect("inspectors read the store", status, body, 200, "环保购物袋")
			status, body = c.Do("inspector", "POST", mpath+"/moves", `{"delta":5,"reason":"x"}`)
			expect("inspectors do not move stock", status, body, 403)
			status, body = c.Do("community1", "POST", mpath+"/moves", `{"delta":5,"reason":"x"}`)
			expect("a community leader does not move the street's stock", status, body, 403)
			status, body = c.Do("patrol01", "GET", mpath, "")
			expect("a patroller does not see the store", status, body, 404)

			// Publicity draws from the store in the same transaction.
			ev := func(qty int) string {
				return fmt.Sprintf(`{"date":%q,"venue":{"unit_id":%d},"kind":"boards","reach":300,"materials":[{"material":%d,"quantity":%d}]}`, today, schoolID, mat.ID, qty)
			}
			status, body = c.Do("street", "POST", "/api/v1/publicity", ev(25))
			expect("an event at the school uses 25 bags", status, body, 201, `"quantity":25`, `"name":"环保购物袋"`)
			status, body = c.Do("street", "GET", mpath, "")
			expect("25 left, at the threshold", status, body, 200, `"stock":25`, `"is_low":true`, `"kind":"use"`)
			status, body = c.Do("street", "GET", "/api/v1/inbox", "")
			expect("the street leader is told the bags are low", status, body, 200, `"kind":"material_low"`)
			status, body = c.Do("street", "POST", "/api/v1/publicity", ev(30))
			expect("an event asking for more than the stock", status, body, 409, "环保购物袋", `"stock":25`)
			status, body = c.Do("street", "GET", "/api/v1/publicity?month="+today[:7], "")
			expect("only the first event was written", status, body, 200, `"total":1`, `"reach":300`, `"quantity":25`)
			status, body = c.Do("street", "GET", mpath, "")
			expect("and no move for the refused one", status, body, 200, `"stock":25`, `"total":3`)
			status, body = c.Do("street", "POST", "/api/v1/publicity", fmt.Sprintf(`{"date":%q,"venue":{"name":"远处","lat":34.9,"lon":105.9},"kind":"desk"}`, today))
			expect("a place outside every grid", status, body, 422, `"venue":`)
			status, body = c.Do("community1", "POST", "/api/v1/publicity", fmt.Sprintf(`{"date":%q,"venue":{"unit_id":%d},"kind":"desk"}`, today, schoolID))
			expect("a venue outside the leader's community", status, body, 422, `"venue":`)

			// Handouts and coverage.
			status, body = c.Do("street", "POST", "/api/v1/handouts", `{"title":"清洁能源倡议书","kind":"proposal","body":"全体居民：\n{street}倡议使用清洁能源。\n{date}"}`)
			expect("street writes a proposal letter", status, body, 201, `"printed_body":["全体居民：","西关街道倡议使用清洁能源。"`)
			var h struct{ ID int64 }
			json.Unmarshal([]byte(body), &h)
			hpath := fmt.Sprintf("/api/v1/handouts/%d", h.ID)
			status, body = c.Do("volunteer01", "POST", hpath+"/distributions", fmt.Sprintf(`{"region":%q,"households":50,"date":%q}`, demo.GridCode(0, 1), today))
			expect("a volunteer hands out in their community", status, body, 201, `"households":50`)
			s1, b1 = c.Do("volunteer01", "POST", hpath+"/distributions", fmt.Sprintf(`{"region":%q,"households":5}`, demo.GridCode(3, 1)))
			s2, b2 = c.Do("volunteer01", "POST", hpath+"/distributions", `{"region":"620502004009009","households":5}`)
			expect("another community's grid", s1, b1, 422, `"region":`)
			expect("a region that does not exist", s2, b2, 422, `"region":`)
			if b1 != b2 {
				t.Errorf("out of scope and unknown answer differently:\n%s\n%s", b1, b2)
			}
			status, body = c.Do("volunteer01", "POST", hpath+"/distributions", fmt.Sprintf(`{"region":%q,"households":100000}`, demo.GridCode(0, 1)))
			expect("more households than the grid has", status, body, 422, `"households":`)
			status, body = c.Do("street", "GET", hpath+"/coverage", "")
			expect("coverage by community", status, body, 200, `"items":[`, `"region":"`+demo.CommunityCode(0)+`"`)
			var cov struct {
				Items []struct {
					Region     string
					Households int
					Reached    int
					Rate       float64
				}
			}
			json.Unmarshal([]byte(body), &cov)
			if len(cov.Items) != 6 || cov.Items[5].Region != demo.CommunityCode(0) || cov.Items[5].Reached != 50 || cov.Items[0].Reached != 0 {
				t.Errorf("coverage: want the five unreached communities first and community 1 with 50 last: %+v", cov.Items)
			}
			status, body = c.Do("patrol01", "GET", hpath+"/coverage?region="+demo.CommunityCode(0), "")
			expect("a patroller's coverage of their community", status, body, 200, `"region":"`+demo.GridCode(0, 0)+`"`)
			status, body = c.Do("patrol01", "GET", hpath+"/coverage?region="+demo.CommunityCode(3), "")
			expect("another community's coverage", status, body, 404)

			// The calendar and its feed.
			month := today[:7]
			first, _ := time.Parse("2006-01", month)
			q := fmt.Sprintf("?from=%s&to=%s", first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly))
			status, body = c.Do("street", "GET", "/api/v1/calendar"+q, "")
			expect("this month's calendar", status, body, 200, `"kind":"campaign"`, `"kind":"publicity"`, fmt.Sprintf(`"id":"%d"`, cid))
			status, body = c.Do("patrol25", "GET", "/api/v1/calendar"+q+"&kind=campaign", "")
			if status != 200 || strings.Contains(body, fmt.Sprintf(`"id":"%d"`, cid)) {
				t.Errorf("a patroller of community 4 sees community 1's campaign: %d %s", status, trunc(body))
			}
			status, body = c.Do("street", "GET", "/api/v1/calendar?from=2026-03-01&to=2026-01-01", "")
			expect("a range the wrong way round", status, body, 422, `"to":`)
			status, body = c.Do("street", "POST", "/api/v1/calendar/feed", "")
			expect("street makes a feed", status, body, 201, `"path":"/calendar/`)
			var feed struct{ Path string }
			json.Unmarshal([]byte(body), &feed)
			resp, err = http.Get(srv.URL + feed.Path)
			if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
				t.Fatalf("GET the feed: %v %v", err, resp)
			}
			ics, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			cal, err := agenda.ParseICS(string(ics))
			if err != nil {
				t.Fatalf("the feed does not parse: %v", err)
			}
			uids := map[string]bool{}
			for _, e := range cal.Events {
				uids[e.Props["UID"]] = true
			}
			host := strings.TrimPrefix(srv.URL, "http://")
			host = host[:strings.Index(host, ":")]
			if !uids[fmt.Sprintf("campaign-%d@%s", cid, host)] {
				t.Errorf("the feed lacks the campaign: %v", uids)
			}
			status, _ = c.Do("street", "POST", "/api/v1/calendar/feed", "")
			resp, _ = http.Get(srv.URL + feed.Path)
			if status != 201 || resp.StatusCode != 404 {
				t.Errorf("after a reset the old feed answers %d, want 404", resp.StatusCode)
			}
			resp.Body.Close()
		})
	}
}

// campaignUpload posts a multipart form with a photo file.
func campaignUpload(t *testing.T, c *testutil.API, user, path string, fields map[string]string, file []byte) (int, string) {
	t.Helper()
	form := map[string][]string{}
	for k, v := range fields {
		form[k] = []string{v}
	}
	return c.With(t).Post(user, path, form, testutil.File{Field: "photo", Name: "photo.png", Content: file})
}
