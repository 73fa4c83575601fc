package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// Monday 2026-11-23 in Tianshui, a working day; the server's clock stands at 10:00.
var (
	cst      = time.FixedZone("CST", 8*3600)
	patrolT0 = time.Date(2026, 11, 23, 8, 30, 0, 0, cst)
	nowT     = time.Date(2026, 11, 23, 10, 0, 0, 0, cst)
)

func uuid(n int) string { return fmt.Sprintf("3d7e9a10-0000-4000-8000-%012d", n) }

// points returns fixes first to first+n-1 of a walk inside grid (0, 0): one
// every 15 s from patrolT0, each 1.8 m east of the one before.
func points(first, n int) []map[string]any {
	var out []map[string]any
	for i := first; i < first+n; i++ {
		out = append(out, map[string]any{"t": patrolT0.Add(time.Duration(i) * 15 * time.Second).Format(time.RFC3339),
			"lat": 34.5715, "lon": 105.7015 + float64(i)*0.00002, "acc": 6})
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type trackOut struct {
	Accepted, Stored int
	Rejected         []struct {
		Index int
		Error string
	}
}

type patrolOut struct {
	ID, Grid, State, Date string
	Window                int
	Flags                 []string
	DurationS             int64 `json:"duration_s"`
	LengthM               int64 `json:"length_m"`
	Counts                struct{ Points, Visits, Findings, Records int }
	Track                 *struct {
		Type        string
		Coordinates [][2]float64
	}
	Visits   []struct{ ID string }
	Findings []struct{ Case string }
	Records  []struct{ ID, Kind string }
}

// TestPatrolContract walks one patrol through the API: the contract of the
// issue, its bad input, idempotency and scope.
func TestPatrolContract(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		srv.App.Cases.Now = func() time.Time { return nowT }
		c := srv.API(t)
		expect := c.Expect
		grid := demo.GridCode(0, 0)
		id := uuid(1)
		start := mustJSON(map[string]string{"id": id, "grid": grid, "started_at": patrolT0.Format(time.RFC3339)})
		expect("patrol01", "POST", "/api/v1/patrols", start, 201, `"state":"open"`, `"window":1`, `"date":"2026-11-23"`)
		expect("patrol01", "POST", "/api/v1/patrols", start, 200, `"id":"`+id+`"`)
		if _, out := c.Do("admin", "GET", "/api/v1/patrols?grid="+grid, ""); !strings.Contains(out, `"total":1`) {
			t.Fatalf("the same id twice made two patrols: %s", trunc(out))
		}
		// Bad starts.
		expect("patrol01", "POST", "/api/v1/patrols", mustJSON(map[string]string{"id": uuid(2), "grid": demo.GridCode(1, 0), "started_at": patrolT0.Format(time.RFC3339)}), 403, `"code":"forbidden"`)
		expect("patrol01", "POST", "/api/v1/patrols", mustJSON(map[string]string{"id": uuid(2), "grid": grid, "started_at": nowT.Add(10 * time.Minute).Format(time.RFC3339)}), 422, `"started_at"`)
		expect("patrol01", "POST", "/api/v1/patrols", mustJSON(map[string]string{"id": uuid(2), "grid": grid, "started_at": nowT.Add(time.Minute).Format(time.RFC3339)}), 201)
		expect("patrol01", "POST", "/api/v1/patrols", mustJSON(map[string]string{"id": "nope", "grid": "620502004009009", "started_at": "yesterday"}), 422, `"started_at"`)
		expect("patrol01", "POST", "/api/v1/patrols", mustJSON(map[string]string{"id": "nope", "grid": "620502004009009", "started_at": patrolT0.Format(time.RFC3339)}), 422, `"id"`, `"grid"`)
		expect("inspector", "POST", "/api/v1/patrols", mustJSON(map[string]string{"id": uuid(3), "grid": grid, "started_at": patrolT0.Format(time.RFC3339)}), 403)
		expect("patrol02", "POST", "/api/v1/patrols", start, 422, `"id"`)

		// Track: a partly bad batch keeps the good points and names the bad ones by index.
		path := "/api/v1/patrols/" + id
		batch := points(0, 100)
		batch[3]["lat"] = 95.0
		batch[7]["t"] = nowT.Add(time.Hour).Format(time.RFC3339)
		batch[9]["t"] = patrolT0.Add(-time.Minute).Format(time.RFC3339)
		batch[11]["t"] = "a while ago"
		delete(batch[13], "lon")
		var tr trackOut
		json.Unmarshal([]byte(expect("patrol01", "POST", path+"/track", mustJSON(map[string]any{"points": batch}), 200)), &tr)
		if tr.Accepted != 95 || tr.Stored != 95 || len(tr.Rejected) != 5 {
			t.Fatalf("partial batch: %+v", tr)
		}
		for i, want := range []int{3, 7, 9, 11, 13} {
			if tr.Rejected[i].Index != want || tr.Rejected[i].Error == "" {
				t.Fatalf("rejected %+v, want index %d", tr.Rejected[i], want)
			}
		}
		// English messages on request; sent again, the good points count as accepted and are not stored twice.
		_, out := c.Do("patrol01", "POST", path+"/track", mustJSON(map[string]any{"points": batch}), "Accept-Language", "en")
		json.Unmarshal([]byte(out), &tr)
		if tr.Accepted != 95 || tr.Stored != 0 || len(tr.Rejected) != 5 {
			t.Fatalf("batch sent again: %+v", tr)
		}
		expect("patrol01", "POST", path+"/track", mustJSON(map[string]any{"points": points(100, 80)}), 200, `"accepted":80`, `"stored":80`)
		expect("patrol01", "POST", path+"/track", mustJSON(map[string]any{"points": points(0, 1001)}), 413, `"code":"invalid"`)
		expect("patrol01", "POST", path+"/track", `{"points":[`, 400)
		expect("patrol02", "POST", path+"/track", mustJSON(map[string]any{"points": points(0, 1)}), 403)
		expect("community2", "POST", path+"/track", mustJSON(map[string]any{"points": points(0, 1)}), 404)
		expect("patrol01", "POST", "/api/v1/patrols/"+uuid(99)+"/track", mustJSON(map[string]any{"points": points(0, 1)}), 404)

		// A site visit, a record and a finding: each idempotent on its id.
		unit := unitIn(t, c, grid)
		visit := mustJSON(map[string]any{"id": uuid(10), "site": map[string]any{"unit_id": unit}, "t": patrolT0.Add(12 * time.Minute).Format(time.RFC3339),
			"lat": 34.5716, "lon": 105.7020, "note": "油烟净化器运行正常"})
		expect("patrol01", "POST", path+"/visits", visit, 201, `"unit_id":`)
		expect("patrol01", "POST", path+"/visits", visit, 200)
		// The check-in's photo: checked by content, only from the patroller, seen by those who see the patrol.
		photoPath := path + "/visits/" + uuid(10) + "/photo"
		if st, out := uploadTo(c, "patrol01", photoPath, "site.png", pngBytes(t)); st != 201 {
			t.Fatalf("visit photo: %d %s", st, out)
		}
		if st, _ := uploadTo(c, "patrol01", photoPath, "site.jpg", []byte("not a picture")); st != 422 {
			t.Fatalf("visit photo that is text: %d", st)
		}
		if st, _ := uploadTo(c, "patrol02", photoPath, "site.png", pngBytes(t)); st != 403 {
			t.Fatalf("visit photo from another patroller: %d", st)
		}
		expect("community1", "GET", photoPath+"?thumb=1", "", 200)
		expect("community2", "GET", photoPath, "", 404)
		expect("patrol01", "POST", path+"/visits", mustJSON(map[string]any{"id": uuid(11), "site": map[string]any{"point": 3},
			"t": patrolT0.Add(12 * time.Minute).Format(time.RFC3339), "lat": 34.5716, "lon": 105.7020}), 422, `"site"`)
		other := unitIn(t, c, demo.GridCode(3, 0))
		expect("patrol01", "POST", path+"/visits", mustJSON(map[string]any{"id": uuid(11), "site": map[string]any{"unit_id": other},
			"t": patrolT0.Add(12 * time.Minute).Format(time.RFC3339), "lat": 34.5716, "lon": 105.7020}), 422, `"site"`)
		record := mustJSON(map[string]any{"id": uuid(12), "kind": "dispute", "t": patrolT0.Add(20 * time.Minute).Format(time.RFC3339),
			"parties": "烧烤摊主与楼上住户", "summary": "油烟扰民引发争执", "outcome": "摊主同意移至远离住户处"})
		expect("patrol01", "POST", path+"/records", record, 201, `"kind":"dispute"`)
		expect("patrol01", "POST", path+"/records", record, 200)
		expect("patrol01", "POST", path+"/records", mustJSON(map[string]any{"id": uuid(13), "kind": "promotion", "t": patrolT0.Add(21 * time.Minute).Format(time.RFC3339),
			"households": 15, "note": "发放清洁取暖宣传页"}), 201)
		expect("patrol01", "POST", path+"/records", mustJSON(map[string]any{"id": uuid(14), "kind": "promotion", "t": patrolT0.Add(21 * time.Minute).Format(time.RFC3339)}), 422, `"households"`)
		report := `{"client_id":"` + uuid(20) + `","category":"06010","description":"巷口暴露垃圾","lat":34.5716,"lon":105.7021,"class":"escalated"}`
		cs := decodeCase(t, expect("patrol01", "POST", "/api/v1/cases", report, 201))
		expect("patrol01", "POST", path+"/findings", `{"case":"`+cs.Number+`"}`, 201)
		expect("patrol01", "POST", path+"/findings", `{"client_id":"`+uuid(20)+`"}`, 200)
		expect("patrol01", "POST", path+"/findings", `{"case":"XG-20000101-0001"}`, 422, `"case"`)

		// End: measured and flagged now; ending twice is a conflict.
		end := mustJSON(map[string]string{"ended_at": patrolT0.Add(45 * time.Minute).Format(time.RFC3339), "summary": "巡查忠武巷一带，发现暴露垃圾一处"})
		expect("patrol01", "POST", path+"/end", mustJSON(map[string]string{"ended_at": patrolT0.Add(-time.Minute).Format(time.RFC3339)}), 422, `"ended_at"`)
		expect("patrol01", "POST", path+"/end", end, 200, `"state":"ended"`, `"flags":[]`)
		expect("patrol01", "POST", path+"/end", end, 409, `"code":"conflict"`)
		// A point after the end is refused by index.
		late := points(200, 1)
		expect("patrol01", "POST", path+"/track", mustJSON(map[string]any{"points": late}), 200, `"accepted":0`, `"index":0`)

		// Reading: the track as a LineString with the visits, findings and records; scope decides who sees it.
		var p patrolOut
		json.Unmarshal([]byte(expect("community1", "GET", path, "", 200)), &p)
		if p.Track == nil || p.Track.Type != "LineString" || len(p.Track.Coordinates) != 175 || p.Counts.Points != 175 ||
			len(p.Visits) != 1 || len(p.Findings) != 1 || p.Findings[0].Case != cs.Number || len(p.Records) != 2 || p.DurationS != 2700 || p.LengthM < 300 {
			t.Fatalf("patrol as read: %+v", p)
		}
		if c0 := p.Track.Coordinates[0]; c0[0] != 105.7015 || c0[1] != 34.5715 {
			t.Fatalf("first coordinate %v is not [lon, lat]", c0)
		}
		// The second patrol is open with nothing recorded: empty lists, and flags computed as it stands.
		expect("patrol01", "GET", "/api/v1/patrols/"+uuid(2), "", 200, `"state":"open"`, `"ended_at":null`,
			`"track":{"type":"LineString","coordinates":[]}`, `"visits":[]`, `"findings":[]`, `"records":[]`, `"flags":["no_movement"]`)
		expect("patrol02", "GET", path, "", 200)
		expect("grid01", "GET", path, "", 200)
		expect("street", "GET", path, "", 200)
		expect("inspector", "GET", path, "", 200)
		expect("community2", "GET", path, "", 404, `"code":"not_found"`)
		expect("grid02", "GET", path, "", 404)
		expect("patrol03", "GET", path, "", 404)
		expect("volunteer01", "GET", path, "", 404)
		// Lists: scoped and paginated.
		expect("community1", "GET", "/api/v1/patrols?from=2026-11-23&to=2026-11-23", "", 200, `"total":2`)
		expect("community2", "GET", "/api/v1/patrols", "", 200, `"total":0`)
		expect("patrol01", "GET", "/api/v1/patrols?mine=1&state=ended&page_size=1", "", 200, `"total":1`, `"id":"`+id+`"`)
		expect("volunteer01", "GET", "/api/v1/patrols", "", 403)
		expect("admin", "GET", "/api/v1/patrols?from=23-11-2026", "", 422, `"from"`)

		// Compliance: the ended patrol counts; the one still open does not.
		items := func(user, query string, status int) []map[string]any {
			t.Helper()
			var out struct {
				Items []map[string]any
				Total int
			}
			json.Unmarshal([]byte(expect(user, "GET", "/api/v1/compliance?"+query, "", status)), &out)
			return out.Items
		}
		got := items("community1", "region="+grid+"&from=2026-11-23&to=2026-11-23", 200)
		if len(got) != 1 || got[0]["done"] != 1.0 || got[0]["required"] != 2.0 || got[0]["in_window"] != 1.0 || got[0]["status"] != "pending" ||
			got[0]["sites_visited"] != 1.0 || got[0]["duration_min"] != 45.0 {
			t.Fatalf("compliance %v", got)
		}
		if got := items("patrol01", "region="+demo.CommunityCode(0)+"&from=2026-11-16&to=2026-11-22", 200); len(got) != 7 || got[0]["grid"] != grid || got[0]["status"] != "missed" || got[5]["status"] != "rest" {
			t.Fatalf("a patroller's week: %v", got)
		}
		if got := items("street", "from=2026-11-23&to=2026-11-23&page_size=10&page=3", 200); len(got) != 10 {
			t.Fatalf("street page: %d items", len(got))
		}
		items("community2", "region="+demo.CommunityCode(0), 404)
		items("volunteer01", "", 403)
		items("admin", "from=2025-01-01&to=2026-11-23", 422)
		items("admin", "from=2026-11-23&to=2026-11-01", 422)
	})
}

// TestPatrolSync sends a phone's offline day three times: every record arrives once.
func TestPatrolSync(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		srv.App.Cases.Now = func() time.Time { return nowT }
		c := srv.API(t)
		grid := demo.GridCode(0, 0)
		id := uuid(100)
		unit := unitIn(t, c, grid)
		at := func(m int) string { return patrolT0.Add(time.Duration(m) * time.Minute).Format(time.RFC3339) }
		items := []map[string]any{
			{"type": "patrol_start", "id": id, "grid": grid, "started_at": at(0)},
			{"type": "track", "patrol": id, "points": points(0, 60)},
			{"type": "visit", "patrol": id, "id": uuid(101), "site": map[string]any{"unit_id": unit}, "t": at(5), "lat": 34.5716, "lon": 105.702},
			{"type": "case", "patrol": id, "client_id": uuid(102), "category": "06020", "description": "院内焚烧树叶", "lat": 34.5716, "lon": 105.7021,
				"class": "onspot", "note": "已劝导熄灭"},
			{"type": "record", "patrol": id, "id": uuid(103), "kind": "promotion", "t": at(12), "households": 8},
			{"type": "track", "patrol": id, "points": points(60, 80)},
			{"type": "visit", "patrol": id, "id": uuid(104), "site": map[string]any{"point": 9}, "t": at(20), "lat": 34.5716, "lon": 105.702},
			{"type": "teleport", "patrol": id},
			{"type": "end", "patrol": id, "ended_at": at(40), "summary": "离线巡查"},
		}
		body := mustJSON(map[string]any{"items": items})
		type result struct {
			Index, Status int
			Type, Error   string
			Fields        map[string]string
		}
		for round := 1; round <= 3; round++ {
			status, out := c.Do("patrol01", "POST", "/api/v1/sync", body)
			var res struct{ Results []result }
			if status != 200 || json.Unmarshal([]byte(out), &res) != nil || len(res.Results) != len(items) {
				t.Fatalf("round %d: %d %s", round, status, trunc(out))
			}
			want := []int{201, 200, 201, 201, 201, 200, 422, 422, 200}
			if round > 1 {
				want = []int{200, 200, 200, 200, 200, 200, 422, 422, 200}
			}
			for i, r := range res.Results {
				if r.Index != i || r.Status != want[i] {
					t.Fatalf("round %d item %d (%s): status %d, want %d: %s %v", round, i, r.Type, r.Status, want[i], r.Error, r.Fields)
				}
			}
			if res.Results[6].Fields["site"] == "" || res.Results[7].Fields["type"] == "" {
				t.Fatalf("bad items do not name their field: %+v", res.Results[6:8])
			}
		}
		var p patrolOut
		_, out := c.Do("patrol01", "GET", "/api/v1/patrols/"+id, "")
		json.Unmarshal([]byte(out), &p)
		if p.State != "ended" || p.Counts.Points != 140 || p.Counts.Visits != 1 || p.Counts.Findings != 1 || p.Counts.Records != 1 || len(p.Findings) != 1 {
			t.Fatalf("after three syncs: %+v", p)
		}
		if _, out := c.Do("admin", "GET", "/api/v1/cases?page_size=1", ""); !strings.Contains(out, `"total":1`) {
			t.Fatalf("the case was stored more than once: %s", trunc(out))
		}
		// A different end for an ended patrol is still a conflict; a batch over the limit is refused whole.
		status, out := c.Do("patrol01", "POST", "/api/v1/sync", mustJSON(map[string]any{"items": []map[string]any{{"type": "end", "patrol": id, "ended_at": at(41)}}}))
		if status != 200 || !strings.Contains(out, `"status":409`) {
			t.Fatalf("second end: %d %s", status, trunc(out))
		}
		many := make([]map[string]any, 501)
		for i := range many {
			many[i] = map[string]any{"type": "end", "patrol": id}
		}
		if status, _ := c.Do("patrol01", "POST", "/api/v1/sync", mustJSON(map[string]any{"items": many})); status != 413 {
			t.Fatalf("501 items: %d", status)
		}
	})
}

// TestPatrolPlans reads and sets plans, and a plan naming its patrollers decides who may start.
func TestPatrolPlans(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	srv.App.Cases.Now = func() time.Time { return nowT }
	c := srv.API(t)
	grid := demo.GridCode(0, 0)
	expect := c.Expect
	expect("patrol01", "GET", "/api/v1/patrol-plans/"+grid, "", 200, `"per_day":2`, `"windows":["08:00-12:00","14:00-18:00"]`, `"stored":false`, `"patrollers_default":true`)
	expect("community1", "GET", "/api/v1/patrol-plans?region="+demo.CommunityCode(0), "", 200, `"total":5`)
	expect("community2", "GET", "/api/v1/patrol-plans/"+grid, "", 404)
	var me struct{ ID int64 }
	json.Unmarshal([]byte(expect("patrol01", "GET", "/api/v1/me", "", 200)), &me)
	plan := fmt.Sprintf(`{"per_day":3,"windows":["07:00-10:00","10:00-13:00","15:00-18:00"],"weekends":true,"patrollers":[%d],"points":[{"name":"忠武巷口","lat":34.5712,"lon":105.7012}]}`, me.ID)
	expect("patrol01", "PUT", "/api/v1/patrol-plans/"+grid, plan, 403)
	expect("community2", "PUT", "/api/v1/patrol-plans/"+grid, plan, 404)
	expect("community1", "PUT", "/api/v1/patrol-plans/"+grid, `{"per_day":2,"windows":["12:00-08:00"],"patrollers":[1]}`, 422, `"windows"`, `"patrollers"`)
	expect("community1", "PUT", "/api/v1/patrol-plans/"+grid, plan, 200, `"per_day":3`, `"stored":true`, `"point":1`, `"patrollers_default":false`)
	// patrol02 is a patroller of the grid, but the plan names only patrol01; the grid's leader may still walk it.
	start := func(n int) string {
		return mustJSON(map[string]string{"id": uuid(n), "grid": grid, "started_at": patrolT0.Format(time.RFC3339)})
	}
	expect("patrol02", "POST", "/api/v1/patrols", start(200), 403)
	expect("patrol01", "POST", "/api/v1/patrols", start(201), 201, `"window":1`)
	expect("grid01", "POST", "/api/v1/patrols", start(202), 201)
	// The plan's free point is a site to visit.
	expect("patrol01", "POST", "/api/v1/patrols/"+uuid(201)+"/visits", mustJSON(map[string]any{"id": uuid(203), "site": map[string]any{"point": 1},
		"t": patrolT0.Add(time.Minute).Format(time.RFC3339), "lat": 34.5712, "lon": 105.7012}), 201)
	// Saturday is now required.
	var out struct{ Items []map[string]any }
	json.Unmarshal([]byte(expect("community1", "GET", "/api/v1/compliance?region="+grid+"&from=2026-11-21&to=2026-11-21", "", 200)), &out)
	if len(out.Items) != 1 || out.Items[0]["required"] != 3.0 || out.Items[0]["status"] != "missed" {
		t.Fatalf("Saturday under the new plan: %v", out.Items)
	}
}
