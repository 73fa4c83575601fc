package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestPatrolDoorsAgree sends the same requests through the pages and the
// API: both ask the patrol service, so both give the same status, and the
// page shows the message the API answers with.
func TestPatrolDoorsAgree(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	api := srv.API(t)
	grid := demo.GridCode(0, 0)
	plan := func(windows, patrollers string) (string, url.Values) {
		body := `{"per_day":2,"windows":[` + windows + `]`
		form := url.Values{"grid": {grid}, "per_day": {"2"}, "windows": {strings.ReplaceAll(strings.ReplaceAll(windows, `"`, ""), ",", ", ")}}
		if patrollers != "" {
			body += `,"patrollers":[` + patrollers + `]`
			form["patrollers"] = []string{patrollers}
		}
		return body + "}", form
	}
	good, goodForm := plan(`"08:00-12:00","14:00-18:00"`, "")
	overlapping, overlappingForm := plan(`"08:00-12:00","11:00-13:00"`, "")
	stranger, strangerForm := plan(`"08:00-12:00"`, "1")
	for _, tc := range []struct {
		name     string
		user     string
		method   string
		api      string
		body     string
		page     string
		form     url.Values // POST the page when set
		status   int
		fields   []string // the API's field errors, whose messages the page shows too
		noDetail bool     // 404: the page says only "not found"
	}{
		{"a grid's plan outside my scope", "community2", "GET", "/api/v1/patrol-plans/" + grid, "", "/patrols/plan?grid=" + grid, nil, 404, nil, true},
		{"compliance of a community outside my scope", "community2", "GET", "/api/v1/compliance?region=" + demo.CommunityCode(0), "",
			"/patrols?region=" + demo.CommunityCode(0), nil, 404, nil, true},
		{"a day's patrols outside my scope", "community2", "GET", "/api/v1/patrols?grid=" + grid, "", "/patrols/day?region=" + grid, nil, 404, nil, true},
		{"compliance with no patrol scope", "volunteer01", "GET", "/api/v1/compliance", "", "/patrols", nil, 403, nil, false},
		{"a plan set outside my scope", "community2", "PUT", "/api/v1/patrol-plans/" + grid, good, "/patrols/plan", goodForm, 404, nil, true},
		{"a plan set by a patroller", "patrol01", "PUT", "/api/v1/patrol-plans/" + grid, good, "/patrols/plan", goodForm, 403, nil, false},
		{"a plan with overlapping windows", "community1", "PUT", "/api/v1/patrol-plans/" + grid, overlapping, "/patrols/plan", overlappingForm, 422, []string{"windows"}, false},
		{"a plan naming someone not the grid's patroller", "community1", "PUT", "/api/v1/patrol-plans/" + grid, stranger, "/patrols/plan", strangerForm, 422, []string{"patrollers"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := api.With(t).Do(tc.user, tc.method, tc.api, tc.body)
			e := testutil.ErrorOf(body)
			msg, fields := e.Message, e.Fields
			if status != tc.status {
				t.Fatalf("API: %d, want %d (%s %v)", status, tc.status, msg, fields)
			}
			b := newBrowserAs(t, srv.URL, tc.user)
			var pageStatus int
			var page string
			if tc.form != nil {
				pageStatus, page, _ = b.post(tc.page, tc.form)
			} else {
				pageStatus, page = b.get(tc.page)
			}
			if pageStatus != status {
				t.Fatalf("page: %d, API: %d", pageStatus, status)
			}
			if !tc.noDetail && !strings.Contains(page, html.EscapeString(msg)) && len(tc.fields) == 0 {
				t.Errorf("the page does not say the API's %q", msg)
			}
			for _, f := range tc.fields {
				if fields[f] == "" || !strings.Contains(page, html.EscapeString(fields[f])) {
					t.Errorf("field %s: the API says %q, the page does not", f, fields[f])
				}
			}
		})
	}
	// The same good plan through either door is stored alike.
	if status, body := api.Do("community1", "PUT", "/api/v1/patrol-plans/"+grid, good); status != 200 {
		t.Fatalf("API saves the plan: %d %s", status, body)
	}
	if status, _, loc := newBrowserAs(t, srv.URL, "community1").post("/patrols/plan", goodForm); status != http.StatusSeeOther || !strings.Contains(loc, grid) {
		t.Fatalf("page saves the plan: %d", status)
	}
}
