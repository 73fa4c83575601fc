package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
	"github.com/lantian-org/lantian/internal/unit"
)

// TestScenarios states each contract of the foundation API as method, URL,
// role, status, and text expected or forbidden in the answer.
func TestScenarios(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		otherUnit := unitIn(t, c, demo.CommunityCode(3))
		ownUnit := unitIn(t, c, demo.CommunityCode(0))
		code := unit.CompleteCreditCode("91620502MA7APXX01")
		for _, sc := range []struct {
			name, user, method, path, body string
			status                         int
			want, not                      []string
			hdr                            []string
		}{
			{name: "NoToken", method: "GET", path: "/api/v1/me", status: 401, want: []string{`"code":"unauthorized"`, "请先登录"}},
			{name: "BadToken", method: "GET", path: "/api/v1/me", status: 401, hdr: []string{"Authorization", "Bearer nope"}},
			{name: "WrongPassword", method: "POST", path: "/api/v1/tokens", body: `{"username":"admin","password":"x"}`, status: 401, want: []string{"用户名或密码不正确"}},
			{name: "EnglishError", method: "POST", path: "/api/v1/tokens", body: `{"username":"admin","password":"x"}`, status: 401, want: []string{"Wrong username or password"}, hdr: []string{"Accept-Language", "en"}},
			{name: "MalformedJSON", method: "POST", path: "/api/v1/tokens", body: `{"username":`, status: 400, want: []string{`"code":"invalid"`}},
			{name: "Me", user: "community1", method: "GET", path: "/api/v1/me", status: 200, want: []string{`"username":"community1"`, `"role":"leader"`, `"region":"620502004001000"`}},
			{name: "RegionsScoped", user: "community1", method: "GET", path: "/api/v1/regions", status: 200, want: []string{demo.GridCode(0, 4)}, not: []string{demo.CommunityCode(1), `"code":"` + demo.StreetCode}},
			{name: "RegionsAll", user: "admin", method: "GET", path: "/api/v1/regions", status: 200, want: []string{demo.DistrictCode, demo.GridCode(5, 4), `"level":4`, `"parent":null`}},
			{name: "RegionGeometry", user: "street", method: "GET", path: "/api/v1/regions/" + demo.GridCode(1, 1), status: 200, want: []string{`"geometry":{"type":"Polygon"`}},
			{name: "RegionOutsideScope404", user: "community1", method: "GET", path: "/api/v1/regions/" + demo.GridCode(1, 1), status: 404, want: []string{`"code":"not_found"`}},
			{name: "LookupInside", user: "patrol01", method: "GET", path: "/api/v1/regions/lookup?lat=34.572&lon=105.702", status: 200, want: []string{`"code":"` + demo.GridCode(0, 0) + `"`, `"level":4`}},
			{name: "LookupOutside422", user: "patrol01", method: "GET", path: "/api/v1/regions/lookup?lat=34.7&lon=105.72", status: 422, want: []string{`"code":"invalid"`, "不在任何网格内"}},
			{name: "LookupBadCoords", user: "patrol01", method: "GET", path: "/api/v1/regions/lookup?lat=x&lon=105.72", status: 422, want: []string{`"lat"`}},
			{name: "UnitsScopedTotal", user: "community1", method: "GET", path: "/api/v1/units?page_size=100", status: 200, want: []string{`"total":`}, not: []string{demo.CommunityCode(3)[:12]}},
			{name: "UnitsPageSizeClamped", user: "admin", method: "GET", path: "/api/v1/units?page_size=1000", status: 200, want: []string{`"total":`}},
			{name: "UnitOutsideScope404", user: "community1", method: "GET", path: fmt.Sprintf("/api/v1/units/%d", otherUnit), status: 404},
			{name: "UnitContactOwnUnit", user: "unit01", method: "GET", path: "/api/v1/units?page_size=100", status: 200, want: []string{`"total":1`, "市三中"}},
			{name: "CreateBadCredit422", user: "admin", method: "POST", path: "/api/v1/units", body: `{"name":"坏代码","kind":"shop","credit_code":"91620502MA7APIX0X","region":"` + demo.GridCode(0, 0) + `"}`,
				status: 422, want: []string{`"fields":{"credit_code":"统一社会信用代码：`}},
			{name: "CreateOutsideStreet422", user: "admin", method: "POST", path: "/api/v1/units", body: `{"name":"远方","kind":"shop","credit_code":"` + code + `","lat":34.9,"lon":105.9}`,
				status: 422, want: []string{"不在任何网格内"}},
			{name: "CreateUnknownGrid422", user: "admin", method: "POST", path: "/api/v1/units", body: `{"name":"错网格","kind":"shop","credit_code":"` + code + `","region":"620502004009009"}`,
				status: 422, want: []string{`"region"`}},
			// A grid outside one's scope answers as a grid that does not exist (security issue #8, finding 4).
			{name: "CreateOutOfScope422", user: "community1", method: "POST", path: "/api/v1/units", body: `{"name":"越界","kind":"shop","credit_code":"` + code + `","region":"` + demo.GridCode(3, 0) + `"}`, status: 422, want: []string{`"region"`}},
			{name: "PatrollerCannotCreate403", user: "patrol01", method: "POST", path: "/api/v1/units", body: `{"name":"巡查","kind":"shop","credit_code":"` + code + `","region":"` + demo.GridCode(0, 0) + `"}`, status: 403},
			{name: "CreateFromPoint201", user: "community1", method: "POST", path: "/api/v1/units", body: `{"name":"新开餐馆","kind":"restaurant","credit_code":"` + code + `","lat":34.572,"lon":105.702,"tags":["fumes"],"contacts":[{"name":"王五","phone":"13800000002"}]}`,
				status: 201, want: []string{`"region":"` + demo.GridCode(0, 0) + `"`, `"status":"active"`}},
			{name: "DuplicateCredit409", user: "admin", method: "POST", path: "/api/v1/units", body: `{"name":"重复","kind":"shop","credit_code":"` + code + `","region":"` + demo.GridCode(0, 1) + `"}`, status: 409, want: []string{`"code":"conflict"`, `"credit_code"`}},
			{name: "PatchOwnUnit", user: "community1", method: "PATCH", path: fmt.Sprintf("/api/v1/units/%d", ownUnit), body: `{"address":"天水市秦州区忠武巷1号"}`, status: 200, want: []string{"忠武巷1号"}},
			{name: "PatchOtherUnit404", user: "community1", method: "PATCH", path: fmt.Sprintf("/api/v1/units/%d", otherUnit), body: `{"address":"x"}`, status: 404},
			{name: "InspectorPatch403", user: "inspector", method: "PATCH", path: fmt.Sprintf("/api/v1/units/%d", ownUnit), body: `{"address":"x"}`, status: 403},
			{name: "DeleteCloses", user: "admin", method: "DELETE", path: fmt.Sprintf("/api/v1/units/%d", otherUnit), status: 200, want: []string{`"status":"closed"`}},
			{name: "ClosedStillReadable", user: "admin", method: "GET", path: fmt.Sprintf("/api/v1/units/%d", otherUnit), status: 200, want: []string{`"status":"closed"`}},
			{name: "BodyTooLarge413", user: "admin", method: "POST", path: "/api/v1/units", body: `{"name":"` + strings.Repeat("大", 400000) + `"}`, status: 413},
			{name: "PeopleWholeToLeaderInScope", user: "community1", method: "GET", path: "/api/v1/people?role=patroller", status: 200, not: []string{"****"}},
			{name: "PeopleAdminFull", user: "admin", method: "GET", path: "/api/v1/people?q=patrol01", status: 200, want: []string{`"username":"patrol01"`}, not: []string{"****"}},
			{name: "PatrollerPeople403", user: "patrol01", method: "GET", path: "/api/v1/people", status: 403},
			{name: "CreatePersonBad422", user: "community1", method: "POST", path: "/api/v1/people", body: `{"username":"X","name":"","mobile":"12345","password":"short","roles":[{"role":"patroller","region":"` + demo.GridCode(0, 0) + `"}]}`,
				status: 422, want: []string{`"username"`, `"name"`, `"mobile"`, `"password"`, "手机号：应为11位手机号"}},
			{name: "CreatePersonOutOfScope403", user: "community1", method: "POST", path: "/api/v1/people", body: `{"username":"p_out","name":"外人","password":"long-enough","roles":[{"role":"patroller","region":"` + demo.GridCode(2, 0) + `"}]}`, status: 403},
			{name: "LeaderCannotMakeAdmin403", user: "street", method: "POST", path: "/api/v1/people", body: `{"username":"p_adm","name":"管理","password":"long-enough","roles":[{"role":"admin","region":"` + demo.StreetCode + `"}]}`, status: 403},
			{name: "CreatePerson201", user: "community1", method: "POST", path: "/api/v1/people", body: `{"username":"p_new","name":"新巡查员","mobile":"13700001111","password":"long-enough","roles":[{"role":"patroller","region":"` + demo.GridCode(0, 2) + `"}]}`,
				status: 201, want: []string{`"username":"p_new"`, `"role":"patroller"`}},
			{name: "DuplicateUsername409", user: "admin", method: "POST", path: "/api/v1/people", body: `{"username":"p_new","name":"重名","password":"long-enough","roles":[{"role":"patroller","region":"` + demo.GridCode(0, 2) + `"}]}`, status: 409, want: []string{`"username"`}},
			{name: "OtherCommunityPerson404", user: "community2", method: "GET", path: "/api/v1/people?q=p_new", status: 200, want: []string{`"total":0`}},
		} {
			t.Run(sc.name, func(t *testing.T) {
				c := c.With(t)
				status, body := c.Do(sc.user, sc.method, sc.path, sc.body, sc.hdr...)
				if status != sc.status {
					t.Fatalf("%s %s as %q: status %d, want %d\n%s", sc.method, sc.path, sc.user, status, sc.status, trunc(body))
				}
				for _, w := range sc.want {
					if !strings.Contains(body, w) {
						t.Errorf("answer lacks %q:\n%s", w, trunc(body))
					}
				}
				for _, n := range sc.not {
					if strings.Contains(body, n) {
						t.Errorf("answer has %q:\n%s", n, trunc(body))
					}
				}
				if status >= 400 && !strings.Contains(body, `"error":{"code":`) {
					t.Errorf("error body has the wrong shape: %s", trunc(body))
				}
			})
		}
		// Revoking a token ends it.
		tok := c.Token("volunteer01")
		if s, _ := c.Do("volunteer01", "DELETE", "/api/v1/tokens/current", ""); s != 204 {
			t.Fatalf("revoke: %d", s)
		}
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 401 {
			t.Fatalf("revoked token still works: %v %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		// Health checks.
		for _, p := range []string{"/healthz", "/readyz"} {
			resp, err := http.Get(srv.URL + p)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: %v", p, err)
			}
			resp.Body.Close()
		}
		// Page size is clamped to 100, not refused.
		_, body := c.Do("admin", "GET", "/api/v1/people?page_size=500", "")
		var list struct{ Items []json.RawMessage }
		json.Unmarshal([]byte(body), &list)
		if len(list.Items) != 100 {
			t.Fatalf("page_size=500 gave %d items, want 100", len(list.Items))
		}
	})
}

// unitIn returns the id of a unit inside region, as the admin sees it.
func unitIn(t *testing.T, c *testutil.API, region string) int64 {
	_, body := c.Do("admin", "GET", "/api/v1/units?page_size=1&region="+region, "")
	var out struct {
		Items []struct{ ID int64 }
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Items) == 0 {
		t.Fatalf("no unit in %s: %s", region, body)
	}
	return out.Items[0].ID
}

func trunc(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
