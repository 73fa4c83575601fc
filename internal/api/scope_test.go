package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestReferenceScope checks that every unit and photo named in a case request
// is one the caller may see, answering exactly as for one that does not exist;
// that on-the-spot cases stay inside the caller's own area; and that reserved
// sources are kept to their roles (security issue #8, findings 4 and 6).
func TestReferenceScope(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		other := unitAt(t, c, demo.CommunityCode(3))
		own := unitAt(t, c, demo.CommunityCode(0))
		seq := 0
		report := func(user, extra string, lat, lon float64) (int, string) {
			t.Helper()
			seq++
			body := fmt.Sprintf(`{"client_id":"7a1e0c52-0000-4000-8000-%012d","category":"06010","description":"暴露垃圾","lat":%v,"lon":%v%s}`, seq, lat, lon, extra)
			return c.Do(user, "POST", "/api/v1/cases", body)
		}
		mustField := func(what string, status int, body, field string) {
			t.Helper()
			if status != 422 || !strings.Contains(body, `"`+field+`":`) {
				t.Errorf("%s: %d %s, want 422 naming %s", what, status, trunc(body), field)
			}
		}
		const lat, lon = 34.5725, 105.7025 // grid 1 of community 1, patrol01's
		t.Run("UnitOutsideScope", func(t *testing.T) {
			s, b := report("volunteer01", fmt.Sprintf(`,"class":"escalated","unit_id":%d`, other.ID), lat, lon)
			mustField("volunteer names another community's unit", s, b, "unit_id")
			s2, b2 := report("volunteer01", `,"class":"escalated","unit_id":999999`, lat, lon)
			mustField("volunteer names no unit at all", s2, b2, "unit_id")
			if strings.ReplaceAll(b, fmt.Sprint(other.ID), "") != strings.ReplaceAll(b2, "999999", "") {
				t.Errorf("answers differ, revealing the unit exists:\n%s\n%s", b, b2)
			}
			s, b = report("volunteer01", fmt.Sprintf(`,"class":"committed","unit_id":%d,"commitment":"三日内清理","due":"2099-01-01T00:00:00+08:00"`, other.ID), lat, lon)
			mustField("committed case assigned straight to another community's unit", s, b, "unit_id")
			if s, b := report("volunteer01", fmt.Sprintf(`,"class":"escalated","unit_id":%d`, own.ID), lat, lon); s != 201 {
				t.Errorf("own community's unit: %d %s", s, trunc(b))
			}
		})
		t.Run("OnSpotOnlyInOwnArea", func(t *testing.T) {
			s, b := report("patrol01", `,"class":"onspot","note":"已清理"`, other.Lat, other.Lon)
			mustField("patroller closes a case on the spot in another community", s, b, "class")
			if !strings.Contains(b, "上报") {
				t.Errorf("the error does not say to report it instead: %s", trunc(b))
			}
			if s, b := report("patrol01", `,"class":"onspot","note":"已清理"`, lat, lon); s != 201 {
				t.Errorf("on the spot in one's own grid: %d %s", s, trunc(b))
			}
		})
		t.Run("ReservedSources", func(t *testing.T) {
			for _, tc := range []struct {
				user, source string
				ok           bool
			}{
				{"volunteer01", "inspection", false}, {"patrol01", "inspection", false}, {"unit01", "inspection", false},
				{"patrol01", "campaign", false}, {"volunteer01", "hotline12369", false},
				{"inspector", "inspection", true}, {"community1", "campaign", true}, {"community1", "hotline12345", true},
			} {
				extra := fmt.Sprintf(`,"class":"escalated","source":%q`, tc.source)
				if strings.HasPrefix(tc.source, "hotline") {
					extra += `,"hotline_ref":"A-1"`
				}
				s, b := report(tc.user, extra, lat, lon)
				if tc.ok && s != 201 {
					t.Errorf("%s with source %s: %d %s, want 201", tc.user, tc.source, s, trunc(b))
				}
				if !tc.ok {
					mustField(tc.user+" with source "+tc.source, s, b, "source")
				}
			}
		})
		t.Run("AssignToUnitOutsideScope", func(t *testing.T) {
			s, b := report("patrol01", `,"class":"escalated"`, lat, lon)
			if s != 201 {
				t.Fatalf("report: %d %s", s, trunc(b))
			}
			cs := decodeCase(t, b)
			s, b = c.Do("community1", "POST", "/api/v1/cases/"+cs.Number+"/actions", fmt.Sprintf(`{"action":"assign","version":%d,"assignee":{"unit":%d}}`, cs.Version, other.ID))
			mustField("community leader assigns to another community's unit", s, b, "assignee")
			s, b = c.Do("community1", "POST", "/api/v1/cases/"+cs.Number+"/actions", fmt.Sprintf(`{"action":"assign","version":%d,"assignee":{"unit":%d}}`, cs.Version, own.ID))
			if s != 200 {
				t.Errorf("assign to own community's unit: %d %s", s, trunc(b))
			}
		})
		t.Run("PhotoByHash", func(t *testing.T) {
			// A photo on a case of community 4, out of community 1's sight.
			s, b := report("community4", `,"class":"escalated"`, other.Lat, other.Lon)
			if s != 201 {
				t.Fatalf("community 4 reports: %d %s", s, trunc(b))
			}
			theirs := decodeCase(t, b)
			s, b = upload(c, "community4", theirs.Number, "before", "p.png", pngBytes(t))
			if s != 201 {
				t.Fatalf("upload: %d %s", s, trunc(b))
			}
			var ref struct{ ID string }
			json.Unmarshal([]byte(b), &ref)
			if s, _ := c.Do("patrol01", "GET", "/api/v1/photos/"+ref.ID, ""); s != 404 {
				t.Fatalf("patrol01 reads community 4's photo: %d, want 404", s)
			}
			// patrol01 handles a case of its own grid naming that photo.
			s, b = report("patrol01", `,"class":"escalated"`, lat, lon)
			mine := decodeCase(t, b)
			s, b = c.Do("community1", "POST", "/api/v1/cases/"+mine.Number+"/actions", fmt.Sprintf(`{"action":"assign","version":%d,"assignee":{"region":%q}}`, mine.Version, demo.GridCode(0, 0)))
			if s != 200 {
				t.Fatalf("assign to the grid: %d %s", s, trunc(b))
			}
			mine = decodeCase(t, b)
			handle := func(photo string) (int, string) {
				return c.Do("patrol01", "POST", "/api/v1/cases/"+mine.Number+"/actions", fmt.Sprintf(`{"action":"handle","version":%d,"note":"已清理","photos":[%q]}`, mine.Version, photo))
			}
			s, b = handle(ref.ID)
			mustField("handling with another community's photo hash", s, b, "photos")
			s2, b2 := handle(strings.Repeat("0", 64))
			if s2 != s || b2 != b {
				t.Errorf("an unknown hash answers differently (%d %s) from an unseen one (%d %s): the answer tells whether the image exists", s2, trunc(b2), s, trunc(b))
			}
			if s, _ := c.Do("patrol01", "GET", "/api/v1/photos/"+ref.ID, ""); s != 404 {
				t.Errorf("after the refused attempt patrol01 reads the photo: %d, want 404", s)
			}
			// A photo patrol01 uploaded to its own case may go with the handling.
			s, b = upload(c, "patrol01", mine.Number, "after", "q.png", pngBytes(t))
			if s != 201 {
				t.Fatalf("own upload: %d %s", s, trunc(b))
			}
			var own struct{ ID string }
			json.Unmarshal([]byte(b), &own)
			if s, b := handle(own.ID); s != 200 {
				t.Errorf("handling with one's own photo: %d %s", s, trunc(b))
			}
		})
	})
}

type unitRef struct {
	ID       int64
	Lat, Lon float64
}

// unitAt returns a unit inside region with its point, as the admin sees it.
func unitAt(t *testing.T, c *testutil.API, region string) unitRef {
	t.Helper()
	_, body := c.Do("admin", "GET", "/api/v1/units?page_size=1&region="+region, "")
	var out struct{ Items []unitRef }
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Items) == 0 {
		t.Fatalf("no unit in %s: %s", region, body)
	}
	return out.Items[0]
}
