package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

type publicCaseOut struct {
	Number, Status, Category, ReportedAt string `json:"-"`
	Timeline                             []struct{ At, What, Text, Note string }
	AfterPhotos                          []string `json:"after_photos"`
	FeedbackGiven                        bool     `json:"feedback_given"`
}

// TestPublicReportTrackFeedback: a resident reports through the API, follows
// the case to its handling with note and after photo, says "not solved", and
// the case is back before the leader with the comment on its timeline.
func TestPublicReportTrackFeedback(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		body := c.Expect("", "POST", "/api/v1/public/reports", `{"category":"06010","description":"小区门口垃圾堆了三天","lat":34.5725,"lon":105.7025,
			"address":"槐荫路12号","name":"王阿姨","mobile":"13912345678"}`, 201, `"tracking"`)
		var rep struct{ Number, Tracking string }
		json.Unmarshal([]byte(body), &rep)
		if rep.Number == "" || len(rep.Tracking) < 32 {
			t.Fatalf("report: %s", body)
		}
		n := rep.Number
		get := func() (publicCaseOut, string) {
			t.Helper()
			raw := c.Expect("", "GET", "/api/v1/public/cases/"+n, "", 200)
			var out publicCaseOut
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"王阿姨", "13912345678", rep.Tracking} {
				if strings.Contains(raw, secret) {
					t.Fatalf("public view shows %q: %s", secret, raw)
				}
			}
			return out, raw
		}
		if v, raw := get(); len(v.Timeline) != 1 || v.Timeline[0].What != "received" || !strings.Contains(raw, `"status":"reported"`) {
			t.Fatalf("fresh: %s", raw)
		}
		c.Expect("", "GET", "/api/v1/public/cases/XG-20000101-9999", "", 404)
		c.Expect("", "GET", "/api/v1/public/cases/nonsense", "", 404)
		// The street leader may search by the reporter's mobile; a patroller may not.
		if !has(numbers(t, c.Expect("street", "GET", "/api/v1/cases?q=13912345678", "", 200)), n) {
			t.Error("street leader: mobile search")
		}
		if has(numbers(t, c.Expect("patrol01", "GET", "/api/v1/cases?q=13912345678", "", 200)), n) {
			t.Error("patroller found a case by a mobile they may not see")
		}

		// Assigned to the grid, handled with a note, an after photo, verified.
		c.Expect("community1", "POST", "/api/v1/cases/"+n+"/actions", `{"action":"assign","version":1,"assignee":{"region":"`+demo.GridCode(0, 0)+`"}}`, 200)
		c.Expect("patrol02", "POST", "/api/v1/cases/"+n+"/actions", `{"action":"handle","version":2,"note":"已清运，联系电话13800001111"}`, 200)
		if s, out := upload(c, "patrol02", n, "after", "after.png", pngBytes(t)); s != 201 {
			t.Fatalf("after photo: %d %s", s, out)
		}
		c.Expect("community1", "POST", "/api/v1/cases/"+n+"/actions", `{"action":"verify","version":3,"passed":true}`, 200)
		v, raw := get()
		var whats []string
		note := ""
		for _, st := range v.Timeline {
			whats = append(whats, st.What)
			if st.What == "handled" {
				note = st.Note
			}
		}
		if strings.Join(whats, ",") != "received,assigned,handled,closed" || !strings.HasPrefix(note, "已清运") || strings.Contains(raw, "13800001111") {
			t.Fatalf("timeline %v note %q", whats, note)
		}
		if len(v.AfterPhotos) != 1 {
			t.Fatalf("after photos %v", v.AfterPhotos)
		}
		resp, err := http.Get(srv.URL + v.AfterPhotos[0])
		if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
			t.Fatalf("after photo: %v %v", err, resp.StatusCode)
		}
		resp.Body.Close()

		// Feedback: wrong secret 404, missing fields 422, "not solved" reopens, a second is 409.
		fb := func(body string, status int) string {
			t.Helper()
			return c.Expect("", "POST", "/api/v1/public/cases/"+n+"/feedback", body, status)
		}
		fb(`{"tracking":"00000000000000000000000000000000","solved":false}`, 404)
		fb(`{"solved":false}`, 422)
		fb(`{"tracking":"`+rep.Tracking+`"}`, 422)
		fb(`{"tracking":"`+rep.Tracking+`","solved":false,"comment":"`+strings.Repeat("长", 501)+`"}`, 422)
		fb(`{"tracking":"`+rep.Tracking+`","solved":false,"comment":"垃圾又堆起来了"}`, 200)
		fb(`{"tracking":"`+rep.Tracking+`","solved":true}`, 409)
		staff := decodeCase(t, c.Expect("community1", "GET", "/api/v1/cases/"+n, "", 200))
		last := staff.Timeline[len(staff.Timeline)-1]
		if staff.Status != "filed" || staff.Rework != 1 || last.Action != "review" || last.Note != "垃圾又堆起来了" {
			t.Fatalf("after not solved: %+v", staff)
		}
		if !has(numbers(t, c.Expect("community1", "GET", "/api/v1/cases?status=filed", "", 200)), n) {
			t.Fatal("not back before the leader")
		}
		if v, _ := get(); !v.FeedbackGiven || v.Timeline[len(v.Timeline)-1].What != "review" {
			t.Fatalf("public after feedback: %+v", v)
		}
		sat, err := srv.App.Cases.SatisfactionRate(context.Background(), demo.StreetCode, time.Time{}, time.Time{})
		if err != nil || sat.Total != 1 || sat.Solved != 0 {
			t.Fatalf("satisfaction %+v %v", sat, err)
		}

		// Rate limit: five reports per address per window, as the form.
		last429 := 0
		for i := 0; i < 5; i++ {
			s, _ := c.Do("", "POST", "/api/v1/public/reports", `{"category":"06010","description":"x","lat":34.5725,"lon":105.7025}`)
			last429 = s
		}
		if last429 != 429 {
			t.Fatalf("sixth report: %d", last429)
		}
	})
}
