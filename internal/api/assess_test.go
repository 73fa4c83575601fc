package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

const rubricBody = `{"year":2026,"kind":"community","region":"` + demo.StreetCode + `","title":"社区考核","items":[
	{"key":"closing","name":"办结率","max":40,"method":"rate","indicator":"closing_rate"},
	{"key":"overdue","name":"超期","max":30,"method":"deduct","indicator":"overdue_cases","per":2},
	{"key":"conduct","name":"作风","max":30,"method":"manual"}]}`

// TestAssessContract walks the API contract: indicators, records,
// rubrics, scores, manual entries and bulletins, with their refusals.
func TestAssessContract(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		body := c.Expect("admin", "GET", "/api/v1/indicators?subject=community&period=2026-11", "", 200, `"closing_rate":{"num":0,"den":0,"rate":null}`, `"volunteer_reports":{"num":0}`)
		var ind struct {
			Items []struct {
				Subject struct{ Kind, ID, Name string }
			}
		}
		json.Unmarshal([]byte(body), &ind)
		if len(ind.Items) != len(demo.Communities) || ind.Items[0].Subject.Kind != "community" {
			t.Fatalf("indicators: %s", body)
		}
		c.Expect("admin", "GET", "/api/v1/indicators?period=2026-13", "", 422, `"period"`)
		c.Expect("admin", "GET", "/api/v1/indicators?subject=planet", "", 422, `"subject"`)
		c.Expect("community1", "GET", "/api/v1/indicators?region="+demo.CommunityCode(2), "", 404)
		c.Expect("admin", "GET", "/api/v1/indicators/closing_rate/records?subject=community&id="+demo.CommunityCode(0)+"&period=2026-11", "", 200, `"kind":"case"`, `"num":[]`)
		c.Expect("admin", "GET", "/api/v1/indicators/nonsense/records?subject=community&id="+demo.CommunityCode(0), "", 404)
		c.Expect("community1", "GET", "/api/v1/indicators/closing_rate/records?subject=community&id="+demo.CommunityCode(1), "", 404)

		c.Expect("admin", "POST", "/api/v1/rubrics", `{"year":2026,"kind":"community","title":"x","items":[{"key":"a","name":"A","max":90,"method":"manual"}]}`, 422, `"items"`)
		c.Expect("admin", "POST", "/api/v1/rubrics", `{"year":2026,"kind":"street","title":"x","items":[{"key":"a","name":"A","max":100,"method":"manual"}]}`, 422, `"kind"`)
		c.Expect("street", "POST", "/api/v1/rubrics", rubricBody, 403)
		var rb struct{ ID int64 }
		json.Unmarshal([]byte(c.Expect("admin", "POST", "/api/v1/rubrics", rubricBody, 201, `"total":100`)), &rb)
		rid := fmt.Sprint(rb.ID)
		c.Expect("street", "GET", "/api/v1/rubrics?year=2026", "", 200, `"id":`+rid)

		scores := c.Expect("street", "GET", "/api/v1/scores?rubric="+rid+"&period=2026-11", "", 200, `"grade":"A"`, `"rank":1`, `"basis"`)
		var sl struct{ Items []struct{ Total float64 } }
		json.Unmarshal([]byte(scores), &sl)
		if len(sl.Items) != len(demo.Communities) || sl.Items[0].Total != 100 {
			t.Fatalf("scores: %s", scores)
		}
		c.Expect("community1", "GET", "/api/v1/scores?rubric="+rid+"&period=2026-11", "", 200)
		c.Expect("admin", "GET", "/api/v1/scores?rubric="+rid+"&period=nope", "", 422, `"period"`)

		manual := func(points, reason string) string {
			return `{"rubric":` + rid + `,"period":"2026-11","subject":"` + demo.CommunityCode(1) + `","item":"conduct","points":` + points + `,"reason":"` + reason + `"}`
		}
		c.Expect("admin", "POST", "/api/v1/scores/manual", manual("20", ""), 422, `"reason"`)
		c.Expect("admin", "POST", "/api/v1/scores/manual", manual("31", "迟报"), 422, `"points"`)
		c.Expect("admin", "POST", "/api/v1/scores/manual", manual("-1", "迟报"), 422, `"points"`)
		c.Expect("street", "POST", "/api/v1/scores/manual", manual("20", "迟报"), 403)
		c.Expect("admin", "POST", "/api/v1/scores/manual", manual("20", "两次迟报周报"), 200, `"total":90`, `"reason":"两次迟报周报"`)
		c.Expect("admin", "GET", "/api/v1/scores?rubric="+rid+"&period=2026-11", "", 200, `"total":90`, `"rank":6`)

		c.Expect("admin", "POST", "/api/v1/bulletins", `{"rubric":`+rid+`,"period":"2026-1","title":"x"}`, 422, `"period"`)
		var bl struct {
			ID     int64
			SHA256 string
		}
		json.Unmarshal([]byte(c.Expect("admin", "POST", "/api/v1/bulletins", `{"rubric":`+rid+`,"period":"2026-11","title":"11月通报","public":false}`, 201, `"sha256"`)), &bl)
		bid := fmt.Sprint(bl.ID)
		first := c.Expect("street", "GET", "/api/v1/bulletins/"+bid, "", 200, `"scores"`, `"records"`)
		sum := sha256.Sum256([]byte(first))
		if hex.EncodeToString(sum[:]) != bl.SHA256 {
			t.Fatalf("snapshot's SHA-256 %x, bulletin says %s", sum, bl.SHA256)
		}
		c.Expect("admin", "POST", "/api/v1/scores/manual", manual("10", "周报缺报"), 200, `"total":80`)
		if again := c.Expect("unit01", "GET", "/api/v1/bulletins/"+bid, "", 200); again != first {
			t.Fatal("the bulletin's bytes changed after a manual entry")
		}
		c.Expect("admin", "GET", "/api/v1/bulletins/"+bid+"/changes", "", 200, `"changed":true`, `"then":90`, `"now":80`)
		c.Expect("admin", "PUT", "/api/v1/rubrics/"+rid, rubricBody, 409)
		c.Expect("admin", "POST", "/api/v1/bulletins", `{"rubric":`+rid+`,"period":"2026-11","title":"11月通报（更正）"}`, 409)
		c.Expect("admin", "POST", "/api/v1/bulletins", `{"rubric":`+rid+`,"period":"2026-11","title":"11月通报（更正）","supersedes":`+bid+`}`, 201)
		c.Expect("admin", "GET", "/api/v1/bulletins", "", 200, `"superseded_by":`)
		c.Expect("admin", "GET", "/api/v1/bulletins/"+bid+"/bulletin.xlsx", "", 200)
		c.Expect("volunteer01", "GET", "/api/v1/bulletins/"+bid, "", 404)
		c.Expect("volunteer01", "GET", "/api/v1/bulletins", "", 403)
		c.Expect("admin", "GET", "/api/v1/bulletins/999999", "", 404)
		c.Expect("admin", "POST", "/api/v1/rubrics", `{"copy_of":`+rid+`,"title":"社区考核（修订）"}`, 201, `"copied_from":`+rid, `"published":false`)
	})
}

// TestPatrollerRubric: a rubric of patrollers (persons) takes person
// indicators only, and a patroller sees their own line.
func TestPatrollerRubric(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		c.Expect("admin", "POST", "/api/v1/rubrics", `{"year":2026,"kind":"patroller","region":"`+demo.StreetCode+`","title":"巡查员考核","items":[
			{"key":"a","name":"A","max":50,"method":"rate","indicator":"closing_rate"},{"key":"b","name":"B","max":50,"method":"manual"}]}`, 422, `"items"`)
		var rb struct{ ID int64 }
		json.Unmarshal([]byte(c.Expect("admin", "POST", "/api/v1/rubrics", `{"year":2026,"kind":"patroller","region":"`+demo.StreetCode+`","title":"巡查员考核","items":[
			{"key":"valid","name":"有效上报","max":50,"method":"rate","indicator":"valid_reports"},{"key":"b","name":"作风","max":50,"method":"manual"}]}`, 201, `"kind":"person"`)), &rb)
		body := c.Expect("patrol01", "GET", fmt.Sprintf("/api/v1/scores?rubric=%d&period=2026-11", rb.ID), "", 200, `"kind":"person"`)
		var sl struct{ Items []any }
		json.Unmarshal([]byte(body), &sl)
		if len(sl.Items) != 1 {
			t.Fatalf("a patroller sees %d lines", len(sl.Items))
		}
	})
}
