package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestMobileMasking is the one masking rule, endpoint by endpoint: every API
// answer and page that shows a person, a unit or a case shows its mobiles
// whole (W) to admins and to leaders whose scope holds the record, masked (M)
// to everyone else who may see the record, and not at all (-) to those who
// may not. The records all lie in grid 1 of community 1.
func TestMobileMasking(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		grid := demo.GridCode(0, 0)
		const strong = "mask-test-pass-1"
		api := srv.API(t)

		// The records: a patroller of the grid, a unit in it with its contact, the grid's leader, a public report in it.
		var ps struct {
			Items []struct {
				ID     int64
				Mobile string
			}
		}
		_, body := api.Do("admin", "GET", "/api/v1/people?q=patrol01", "")
		json.Unmarshal([]byte(body), &ps)
		if len(ps.Items) != 1 || !people.ValidMobile(ps.Items[0].Mobile) {
			t.Fatalf("patrol01 as the admin sees them: %s", body)
		}
		person, personMobile := ps.Items[0].ID, ps.Items[0].Mobile
		_, body = api.Do("admin", "GET", "/api/v1/people?q=grid01", "")
		json.Unmarshal([]byte(body), &ps)
		leaderMobile := ps.Items[0].Mobile
		var us struct {
			Items []struct {
				ID       int64
				Lat, Lon float64
				Contacts []struct{ Phone string }
			}
		}
		_, body = api.Do("admin", "GET", "/api/v1/units?page_size=1&region="+grid, "")
		json.Unmarshal([]byte(body), &us)
		if len(us.Items) != 1 || len(us.Items[0].Contacts) == 0 || !people.ValidMobile(us.Items[0].Contacts[0].Phone) {
			t.Fatalf("a unit of the grid with a mobile contact: %s", body)
		}
		un, unitPhone := us.Items[0].ID, us.Items[0].Contacts[0].Phone
		if st, body := api.Do("admin", "POST", "/api/v1/people", fmt.Sprintf(`{"username":"uc_mask","name":"联络员","password":%q,"roles":[{"role":"unit_contact","unit_id":%d}]}`, strong, un)); st != 201 {
			t.Fatalf("unit contact: %d %s", st, body)
		}
		anon := newBrowser(t, srv.URL)
		const reporterMobile = "13600001234"
		form := url.Values{"client_id": {anon.reportFormID("/public/report")}, "category": {"06012"}, "description": {"路面尘土很多"},
			"lat": {strconv.FormatFloat(us.Items[0].Lat, 'f', -1, 64)}, "lon": {strconv.FormatFloat(us.Items[0].Lon, 'f', -1, 64)}, "name": {"李女士"}, "mobile": {reporterMobile}}
		_, page, _ := anon.post("/public/report", form)
		m := regexp.MustCompile(`id="case-number">(XG-[0-9-]+)<`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the public report was not recorded")
		}
		number := m[1]
		lat, lon := form.Get("lat"), form.Get("lon")

		viewers := []string{"admin", "street", "community1", "grid01", "community2", "inspector", "patrol02", "volunteer01", "uc_mask"}
		// Expected per viewer, in the order above.
		const (
			personRule = "W W W W - - - - -"
			unitRule   = "W W W W - M M M M"
			editRule   = "W W W W - - - - -"
			caseRule   = "W W W W - M M M -"
			leaderRule = "W W W W - M M M M"
		)
		type endpoint struct {
			name, method, path, body string
			page                     bool // a page (signed in by cookie) rather than the API
			mobile, rule             string
		}
		pid, uid := strconv.FormatInt(person, 10), strconv.FormatInt(un, 10)
		endpoints := []endpoint{
			{name: "API people list", method: "GET", path: "/api/v1/people?q=patrol01", mobile: personMobile, rule: personRule},
			{name: "API person", method: "GET", path: "/api/v1/people/" + pid, mobile: personMobile, rule: personRule},
			{name: "API person patch", method: "PATCH", path: "/api/v1/people/" + pid, body: `{"active":true}`, mobile: personMobile, rule: personRule},
			{name: "API units list", method: "GET", path: "/api/v1/units?page_size=100&region=" + grid, mobile: unitPhone, rule: unitRule},
			{name: "API unit", method: "GET", path: "/api/v1/units/" + uid, mobile: unitPhone, rule: unitRule},
			{name: "API unit patch", method: "PATCH", path: "/api/v1/units/" + uid, body: `{}`, mobile: unitPhone, rule: editRule},
			{name: "API cases list", method: "GET", path: "/api/v1/cases?page_size=100&source=public", mobile: reporterMobile, rule: caseRule},
			{name: "API case", method: "GET", path: "/api/v1/cases/" + number, mobile: reporterMobile, rule: caseRule},
			{name: "API duplicates", method: "GET", path: "/api/v1/cases/duplicates?category=06012&lat=" + lat + "&lon=" + lon, mobile: reporterMobile, rule: caseRule},
			{name: "people page", method: "GET", path: "/people?q=patrol01", page: true, mobile: personMobile, rule: personRule},
			{name: "person page", method: "GET", path: "/people/" + pid, page: true, mobile: personMobile, rule: personRule},
			{name: "unit page", method: "GET", path: "/units/" + uid, page: true, mobile: unitPhone, rule: unitRule},
			{name: "unit edit page", method: "GET", path: "/units/" + uid + "/edit", page: true, mobile: unitPhone, rule: editRule},
			{name: "grid page (its leader)", method: "GET", path: "/regions/" + grid, page: true, mobile: leaderMobile, rule: leaderRule},
			{name: "case page", method: "GET", path: "/cases/" + number, page: true, mobile: reporterMobile, rule: caseRule},
		}
		for i, v := range viewers {
			web := newBrowser(t, srv.URL)
			if v == "uc_mask" {
				api.SignIn(v, strong)
				if st, _, _ := web.post("/login", url.Values{"username": {v}, "password": {strong}}); st != http.StatusSeeOther {
					t.Fatalf("sign-in %s: %d", v, st)
				}
			} else {
				web.login(v)
			}
			for _, ep := range endpoints {
				want := strings.Fields(ep.rule)[i]
				var status int
				var body string
				if ep.page {
					web.t = t
					status, body = web.get(ep.path)
				} else {
					status, body = api.Do(v, ep.method, ep.path, ep.body)
				}
				got := "-"
				switch {
				case status >= 300:
				case strings.Contains(body, ep.mobile):
					got = "W"
				case strings.Contains(body, people.MaskMobile(ep.mobile)):
					got = "M"
				}
				if got != want {
					t.Errorf("%s × %s: %s (status %d), want %s", v, ep.name, got, status, want)
				}
			}
		}
	})
}
