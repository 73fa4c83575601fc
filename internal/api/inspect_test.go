package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

type inspectionOut struct {
	ID       int64
	Region   string
	Date     string
	Status   string
	Score    *float64
	Max      int
	Findings []string
	Items    []struct {
		Key   string
		Score *float64
	}
	Agenda struct {
		Overdue  []string
		Hotspots []string
		Problems []int64
	}
}

func decodeInspection(t *testing.T, body string) inspectionOut {
	t.Helper()
	var out inspectionOut
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("not an inspection: %v: %s", err, trunc(body))
	}
	return out
}

// TestInspectionContract walks issue 10's API contract on both databases:
// the schedule made once, the scopes (inspectors and street leaders see
// every community, a community leader only theirs, patrollers and
// volunteers 403), scores checked item by item with nothing written on a
// bad one, findings as cases with source inspection, closing once, the
// agenda's overdue case, hotspots and adopted problems.
func TestInspectionContract(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			c := srv.API(t)
			ctx := context.Background()
			loc := srv.App.Loc
			now := time.Now().In(loc)
			from, to := now.AddDate(0, 0, -14).Format("2006-01-02"), now.AddDate(0, 0, 14).Format("2006-01-02")
			comm := demo.CommunityCode(0)

			// The schedule: once, never twice.
			st, body := c.Do("street", "POST", "/api/v1/inspections/schedule", fmt.Sprintf(`{"from":%q,"to":%q}`, from, to))
			var sched struct{ Created int }
			json.Unmarshal([]byte(body), &sched)
			if st != 200 || sched.Created == 0 || sched.Created%6 != 0 {
				t.Fatalf("schedule: %d %s", st, trunc(body))
			}
			if st, body := c.Do("street", "POST", "/api/v1/inspections/schedule", fmt.Sprintf(`{"from":%q,"to":%q}`, from, to)); st != 200 || !strings.Contains(body, `"created":0`) {
				t.Fatalf("schedule again: %d %s, want created 0", st, trunc(body))
			}
			for _, bad := range []string{`{"from":"1900-01-01","to":"1900-02-01"}`, `{"from":"2026-13-01","to":"2026-12-01"}`, fmt.Sprintf(`{"from":%q,"to":%q}`, to, from)} {
				if st, body := c.Do("street", "POST", "/api/v1/inspections/schedule", bad); st != 422 {
					t.Errorf("schedule %s: %d %s, want 422", bad, st, trunc(body))
				}
			}
			if st, _ := c.Do("community1", "POST", "/api/v1/inspections/schedule", fmt.Sprintf(`{"from":%q,"to":%q}`, from, to)); st != 403 {
				t.Errorf("a community leader schedules: %d, want 403", st)
			}

			// Who sees what.
			for _, u := range []string{"patrol01", "volunteer01", "unit01"} {
				if st, _ := c.Do(u, "GET", "/api/v1/inspections", ""); st != 403 {
					t.Errorf("%s lists inspections: %d, want 403", u, st)
				}
			}
			_, body = c.Do("inspector", "GET", "/api/v1/inspections?page_size=100&from="+from+"&to="+to, "")
			var list struct {
				Items []inspectionOut
				Total int
			}
			json.Unmarshal([]byte(body), &list)
			if list.Total != sched.Created {
				t.Errorf("the inspector sees %d inspections, want all %d", list.Total, sched.Created)
			}
			_, body = c.Do("community1", "GET", "/api/v1/inspections?page_size=100&from="+from+"&to="+to, "")
			var own struct {
				Items []inspectionOut
				Total int
			}
			json.Unmarshal([]byte(body), &own)
			if own.Total != sched.Created/6 {
				t.Errorf("community1 sees %d inspections, want %d", own.Total, sched.Created/6)
			}
			var mine, other inspectionOut
			for _, in := range list.Items {
				if in.Region == comm && mine.ID == 0 {
					mine = in
				}
				if in.Region == demo.CommunityCode(3) && other.ID == 0 {
					other = in
				}
			}
			if st, _ := c.Do("community1", "GET", fmt.Sprintf("/api/v1/inspections/%d", other.ID), ""); st != 404 {
				t.Errorf("community1 reads community 4's inspection: %d, want 404", st)
			}

			// An overdue case in community 1 shows on the agenda.
			st, body = c.Do("patrol01", "POST", "/api/v1/cases", `{"client_id":"9b0e0c52-0000-4000-8000-000000000001","category":"06010","description":"垃圾未清运","lat":34.5725,"lon":105.7025,"class":"escalated"}`)
			if st != 201 {
				t.Fatalf("report: %d %s", st, trunc(body))
			}
			overdue := decodeCase(t, body).Number
			if err := srv.App.DB.Write(ctx, store.System, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE cases SET deadline = $1 WHERE number = $2`, now.Add(-time.Hour).UnixMilli(), overdue)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprint(mine.ID)
			_, body = c.Do("inspector", "GET", "/api/v1/inspections/"+id, "")
			if !strings.Contains(body, `"agenda":{"overdue":["`+overdue+`"`) {
				t.Errorf("the agenda does not list the overdue case %s first: %s", overdue, trunc(body))
			}

			// Scores: a bad item writes nothing.
			for _, bad := range []struct{ body, want string }{
				{`{"items":[{"key":"patrol","score":25}]}`, "巡查记录完整"},
				{`{"items":[{"key":"patrol","score":-1}]}`, "巡查记录完整"},
				{`{"items":[{"key":"patrol","score":18},{"key":"nonsense","score":1}]}`, "nonsense"},
			} {
				st, body := c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/scores", bad.body)
				if st != 422 || !strings.Contains(body, `"items":`) || !strings.Contains(body, bad.want) {
					t.Errorf("scores %s: %d %s, want 422 naming %s", bad.body, st, trunc(body), bad.want)
				}
			}
			_, body = c.Do("inspector", "GET", "/api/v1/inspections/"+id, "")
			if got := decodeInspection(t, body); got.Status != "planned" || got.Score != nil {
				t.Errorf("after refused scores the inspection is %s with score %v, want planned and unscored", got.Status, got.Score)
			}
			if st, _ := c.Do("community1", "POST", "/api/v1/inspections/"+id+"/scores", `{"items":[{"key":"patrol","score":18}]}`); st != 403 {
				t.Errorf("the community leader scores: %d, want 403", st)
			}
			st, body = c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/scores", `{"items":[{"key":"patrol","score":18,"note":"两天记录缺失"}]}`)
			if got := decodeInspection(t, body); st != 200 || got.Status != "open" || got.Score == nil || *got.Score != 18 {
				t.Fatalf("score: %d %s", st, trunc(body))
			}

			// A finding is a case with source inspection.
			st, body = c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/findings", `{"client_id":"9b0e0c52-0000-4000-8000-000000000002","category":"L005","description":"电线杆小广告","lat":34.5726,"lon":105.7026,"class":"escalated"}`)
			if st != 201 || !strings.Contains(body, `"source":"inspection"`) {
				t.Fatalf("finding: %d %s", st, trunc(body))
			}
			finding := decodeCase(t, body).Number
			st, body = c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/findings", `{"client_id":"9b0e0c52-0000-4000-8000-000000000003","category":"L005","description":"别的社区","lat":34.58,"lon":105.735,"class":"escalated"}`)
			if st != 422 || !strings.Contains(body, `"lat"`) {
				t.Errorf("a finding outside the community: %d %s, want 422 on lat", st, trunc(body))
			}

			// Closing needs every item scored; then once only.
			if st, body := c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/close", ""); st != 422 || !strings.Contains(body, "台账") {
				t.Errorf("close with items unscored: %d %s, want 422 naming them", st, trunc(body))
			}
			st, body = c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/scores",
				`{"items":[{"key":"ledger","score":22},{"key":"onspot","score":15},{"key":"hotspots","score":17.5},{"key":"publicity","score":9},{"key":"site_order","score":10}]}`)
			if got := decodeInspection(t, body); st != 200 || got.Score == nil || *got.Score != 91.5 {
				t.Fatalf("score the rest: %d %s", st, trunc(body))
			}
			if st, body := c.Do("community1", "POST", "/api/v1/inspections/"+id+"/ack", `{"name":"社区主任"}`); st != 200 || !strings.Contains(body, `"name":"社区主任"`) {
				t.Errorf("the community leader acknowledges: %d %s", st, trunc(body))
			}
			st, body = c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/close", "")
			if got := decodeInspection(t, body); st != 200 || got.Status != "closed" || len(got.Findings) != 1 || got.Findings[0] != finding {
				t.Fatalf("close: %d %s", st, trunc(body))
			}
			if st, _ := c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/close", ""); st != 409 {
				t.Errorf("close twice: %d, want 409", st)
			}
			if st, _ := c.Do("inspector", "POST", "/api/v1/inspections/"+id+"/scores", `{"items":[{"key":"patrol","score":20}]}`); st != 409 {
				t.Errorf("score a closed inspection: %d, want 409", st)
			}
			if _, body := c.Do("community1", "GET", "/api/v1/inbox", ""); !strings.Contains(body, `"kind":"inspection_closed"`) {
				t.Errorf("the community leader's inbox lacks the sheet: %s", trunc(body))
			}

			// An extra inspection: bad community and date are field errors.
			for _, bad := range []struct{ body, field string }{
				{`{"region":"620502004009000","date":"` + to + `"}`, "region"},
				{`{"region":"` + demo.GridCode(0, 0) + `","date":"` + to + `"}`, "region"},
				{`{"region":"` + comm + `","date":"1900-01-01"}`, "date"},
			} {
				if st, body := c.Do("street", "POST", "/api/v1/inspections", bad.body); st != 422 || !strings.Contains(body, `"`+bad.field+`":`) {
					t.Errorf("extra %s: %d %s, want 422 on %s", bad.body, st, trunc(body), bad.field)
				}
			}
			if st, body := c.Do("street", "POST", "/api/v1/inspections", `{"region":"`+comm+`","date":"`+to+`"}`); st != 201 || !strings.Contains(body, `"scheduled":false`) {
				t.Errorf("extra: %d %s", st, trunc(body))
			}

			// Three nearby cases of one category make a place hotspot.
			var near []string
			for i := range 3 {
				body := fmt.Sprintf(`{"client_id":"9b0e0c52-0000-4000-8000-00000000001%d","category":"06027","description":"油烟直排","lat":%f,"lon":%f,"class":"escalated"}`,
					i, 34.5730+float64(i)*0.0003, 105.7030+float64(i)*0.0003)
				st, b := c.Do("patrol01", "POST", "/api/v1/cases", body)
				if st != 201 {
					t.Fatalf("report %d: %d %s", i, st, trunc(b))
				}
				near = append(near, decodeCase(t, b).Number)
			}
			_, body = c.Do("community1", "GET", "/api/v1/hotspots?region="+comm+"&weeks=8", "")
			var hs struct {
				Items []struct {
					ID, Kind, Category string
					Cases              []string
				}
			}
			json.Unmarshal([]byte(body), &hs)
			hot := ""
			for _, h := range hs.Items {
				if h.Kind == "place" && h.Category == "06027" && strings.Join(h.Cases, ",") == strings.Join(near, ",") {
					hot = h.ID
				}
			}
			if hot == "" {
				t.Fatalf("no place hotspot of %v: %s", near, trunc(body))
			}
			if st, _ := c.Do("patrol01", "GET", "/api/v1/hotspots", ""); st != 403 {
				t.Errorf("a patroller lists hotspots: %d, want 403", st)
			}

			// Adopting it: no cases, an owner from elsewhere; then adopted, noted, closed with a note.
			owner := personID(t, c, "community1")
			elsewhere := personID(t, c, "community4")
			casesJSON, _ := json.Marshal(near)
			for _, bad := range []struct{ body, field string }{
				{fmt.Sprintf(`{"title":"油烟扰民","owner":%d,"due":%q,"cases":[]}`, owner, to), "cases"},
				{fmt.Sprintf(`{"title":"油烟扰民","owner":%d,"due":%q,"cases":%s}`, elsewhere, to, casesJSON), "owner"},
				{fmt.Sprintf(`{"title":"油烟扰民","owner":%d,"due":"1900-01-01","cases":%s}`, owner, casesJSON), "due"},
			} {
				if st, body := c.Do("street", "POST", "/api/v1/problems", bad.body); st != 422 || !strings.Contains(body, `"`+bad.field+`":`) {
					t.Errorf("adopt %s: %d %s, want 422 on %s", bad.body, st, trunc(body), bad.field)
				}
			}
			st, body = c.Do("street", "POST", "/api/v1/problems", fmt.Sprintf(`{"title":"油烟扰民","owner":%d,"due":%q,"cases":%s,"hotspot":%q}`, owner, to, casesJSON, hot))
			if st != 201 || !strings.Contains(body, `"status":"open"`) {
				t.Fatalf("adopt: %d %s", st, trunc(body))
			}
			var prob struct{ ID int64 }
			json.Unmarshal([]byte(body), &prob)
			pid := fmt.Sprint(prob.ID)
			if _, body := c.Do("community1", "GET", "/api/v1/problems?region="+comm+"&status=open", ""); !strings.Contains(body, `"id":`+pid) {
				t.Errorf("community1's open problems lack %s: %s", pid, trunc(body))
			}
			if st, body := c.Do("community1", "POST", "/api/v1/problems/"+pid+"/notes", `{"note":"已约谈商户","status":"resolved"}`); st != 200 || !strings.Contains(body, `"status":"resolved"`) {
				t.Errorf("the owner resolves: %d %s", st, trunc(body))
			}
			if st, body := c.Do("street", "POST", "/api/v1/problems/"+pid+"/close", `{"note":""}`); st != 422 || !strings.Contains(body, `"note"`) {
				t.Errorf("close without a note: %d %s, want 422 on note", st, trunc(body))
			}
			if st, body := c.Do("street", "POST", "/api/v1/problems/"+pid+"/close", `{"note":"加装油烟净化器后复查达标"}`); st != 200 || !strings.Contains(body, `"status":"closed"`) {
				t.Errorf("close: %d %s", st, trunc(body))
			}
			if st, _ := c.Do("street", "POST", "/api/v1/problems/"+pid+"/close", `{"note":"again"}`); st != 409 {
				t.Errorf("close twice: %d, want 409", st)
			}

			// The week's summary, as JSON and Excel.
			if st, body := c.Do("street", "GET", "/api/v1/inspections/week?week="+mine.Date, ""); st != 200 || !strings.Contains(body, `"score":91.5`) {
				t.Errorf("week: %d %s", st, trunc(body))
			}
			if st, body := c.Do("street", "GET", "/api/v1/inspections/week.xlsx?week="+mine.Date, ""); st != 200 || !strings.HasPrefix(body, "PK") {
				t.Errorf("week.xlsx: %d", st)
			}
		})
	}
}

// personID returns the id of the demo account username, as the admin sees it.
func personID(t *testing.T, c *testutil.API, username string) int64 {
	t.Helper()
	_, body := c.Do("admin", "GET", "/api/v1/people?q="+username, "")
	var out struct {
		Items []struct {
			ID       int64
			Username string
		}
	}
	json.Unmarshal([]byte(body), &out)
	for _, p := range out.Items {
		if p.Username == username {
			return p.ID
		}
	}
	t.Fatalf("no person %s: %s", username, trunc(body))
	return 0
}
