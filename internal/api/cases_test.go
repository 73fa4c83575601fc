package api_test

import (
	"encoding/json"
	"fmt"
	"image/color"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/testutil"
)

type caseOut struct {
	Number   string
	Status   string
	Level    int
	Version  int
	Rework   int
	Source   string
	Class    string
	Held     string
	Deadline *string
	Timer    *struct{ Colour string }
	Timeline []struct{ Action, Actor, Note string }
	Photos   []struct{ ID, Step string }
	Actions  []string
}

func decodeCase(t *testing.T, body string) caseOut {
	t.Helper()
	var c caseOut
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatalf("decode %s: %v", trunc(body), err)
	}
	return c
}

// pngBytes is a small valid photo.
func pngBytes(t *testing.T) []byte { return testutil.PNG(t, 40, 30, color.RGBA{200, 30, 30, 255}) }

// upload posts a photo to a case at step as user.
func upload(c *testutil.API, user, number, step, filename string, content []byte) (int, string) {
	return c.Post(user, "/api/v1/cases/"+number+"/photos", url.Values{"step": {step}}, testutil.File{Field: "photo", Name: filename, Content: content})
}

// uploadTo posts a photo as multipart field "photo" to path as user.
func uploadTo(c *testutil.API, user, path, filename string, content []byte) (int, string) {
	return c.Post(user, path, nil, testutil.File{Field: "photo", Name: filename, Content: content})
}

// TestCaseLoop takes a case round the whole closed loop through the API.
func TestCaseLoop(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		expect := c.Expect
		act := func(user, number string, status int, body string) caseOut {
			t.Helper()
			return decodeCase(t, expect(user, "POST", "/api/v1/cases/"+number+"/actions", body, status))
		}
		report := `{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01","category":"06010","description":"巷口暴露垃圾，有焚烧痕迹",
			"lat":34.5725,"lon":105.7025,"class":"escalated","severity":"minor","address":"忠武巷口"}`
		created := decodeCase(t, expect("patrol01", "POST", "/api/v1/cases", report, 201))
		if created.Status != "reported" || created.Level != 3 || created.Source != "patrol" || !strings.HasPrefix(created.Number, "XG-") || created.Deadline == nil {
			t.Fatalf("created %+v", created)
		}
		again := decodeCase(t, expect("patrol01", "POST", "/api/v1/cases", report, 200))
		if again.Number != created.Number {
			t.Fatalf("same client_id made a second case %s", again.Number)
		}
		n := created.Number
		// Bad input: nothing written.
		_, before := c.Do("admin", "GET", "/api/v1/cases?page_size=1", "")
		for name, body := range map[string]string{
			"UnknownCategory": `{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a02","category":"99999","description":"x","lat":34.5725,"lon":105.7025,"class":"escalated"}`,
			"OutsideStreet":   `{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a03","category":"06010","description":"x","lat":34.70,"lon":105.7025,"class":"escalated"}`,
			"TooLong":         `{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a04","category":"06010","description":"` + strings.Repeat("长", 2001) + `","lat":34.5725,"lon":105.7025,"class":"escalated"}`,
			"OnSpotNoNote":    `{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a05","category":"06010","description":"x","lat":34.5725,"lon":105.7025,"class":"onspot"}`,
			"BadClientID":     `{"client_id":"nope","category":"06010","description":"x","lat":34.5725,"lon":105.7025,"class":"escalated"}`,
		} {
			got, out := c.Do("patrol01", "POST", "/api/v1/cases", body)
			if got != 422 || !strings.Contains(out, `"fields"`) {
				t.Errorf("%s: %d %s", name, got, trunc(out))
			}
		}
		if _, after := c.Do("admin", "GET", "/api/v1/cases?page_size=1", ""); jsonTotal(after) != jsonTotal(before) {
			t.Fatal("a refused report was written")
		}
		// Scope: another community cannot see it; the patroller cannot file it.
		expect("community2", "GET", "/api/v1/cases/"+n, "", 404)
		act("patrol01", n, 403, `{"action":"file","version":1}`)
		expect("community1", "POST", "/api/v1/cases/"+n+"/actions", `{"action":"file"}`, 400)
		// The community leader assigns it to the grid (which files it too).
		assigned := act("community1", n, 200, `{"action":"assign","version":1,"assignee":{"region":"620502004001001"},"note":"请网格处理"}`)
		if assigned.Status != "assigned" || assigned.Version != 2 {
			t.Fatalf("assign: %+v", assigned)
		}
		act("community1", n, 409, `{"action":"assign","version":1,"assignee":{"region":"620502004001001"}}`)
		act("community1", n, 422, `{"action":"assign","version":2,"assignee":{"region":"620502004002001"}}`)
		// The grid's patroller handles it; they may not verify their own handling.
		handled := act("patrol02", n, 200, `{"action":"handle","version":2,"note":"已清运并覆盖"}`)
		if handled.Status != "handled" {
			t.Fatalf("handle: %+v", handled)
		}
		got, _ := c.Do("patrol02", "POST", "/api/v1/cases/"+n+"/actions", `{"action":"verify","version":3,"passed":true}`)
		if got != 403 && got != 409 {
			t.Fatalf("handler verified own handling: %d", got)
		}
		// The leader finds it not fixed: back to the handler, one rework.
		rework := act("community1", n, 200, `{"action":"verify","version":3,"passed":false,"note":"仍有残留"}`)
		if rework.Status != "assigned" || rework.Rework != 1 {
			t.Fatalf("failed verify: %+v", rework)
		}
		act("patrol02", n, 200, `{"action":"handle","version":4,"note":"已彻底清理"}`)
		// The reporter verifies: closed.
		closed := act("patrol01", n, 200, `{"action":"verify","version":5,"passed":true,"note":"现场已干净"}`)
		if closed.Status != "closed" {
			t.Fatalf("verify: %+v", closed)
		}
		var actions []string
		for _, e := range closed.Timeline {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != "report,assign,handle,verify,handle,verify" {
			t.Fatalf("timeline %v", actions)
		}
		act("patrol01", n, 409, `{"action":"handle","version":6,"note":"again"}`)

		// An on-the-spot case is closed at once; an after photo follows.
		onspot := decodeCase(t, expect("patrol01", "POST", "/api/v1/cases", `{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a10","category":"L005",
			"description":"电线杆上小广告","lat":34.5726,"lon":105.7026,"class":"onspot","note":"已当场清除"}`, 201))
		if onspot.Status != "closed" || len(onspot.Timeline) != 3 {
			t.Fatalf("on-the-spot: %+v", onspot)
		}
		if s, out := upload(c, "patrol01", onspot.Number, "after", "after.png", pngBytes(t)); s != 201 {
			t.Fatalf("photo upload: %d %s", s, out)
		}
		if s, out := upload(c, "patrol01", onspot.Number, "after", "fake.jpg", []byte("this is not an image at all")); s != 422 || !strings.Contains(out, "JPEG") {
			t.Fatalf("text as photo: %d %s", s, out)
		}
		if s, _ := upload(c, "volunteer20", onspot.Number, "after", "x.png", pngBytes(t)); s != 404 {
			t.Fatalf("photo by someone who cannot see the case: %d", s)
		}
		withPhoto := decodeCase(t, expect("patrol01", "GET", "/api/v1/cases/"+onspot.Number, "", 200))
		if len(withPhoto.Photos) != 1 || withPhoto.Photos[0].Step != "after" {
			t.Fatalf("photos %+v", withPhoto.Photos)
		}
		if s, _ := c.Do("community1", "GET", "/api/v1/photos/"+withPhoto.Photos[0].ID+"?thumb=1", ""); s != 200 {
			t.Fatalf("thumbnail: %d", s)
		}
		if s, _ := c.Do("community3", "GET", "/api/v1/photos/"+withPhoto.Photos[0].ID, ""); s != 404 {
			t.Fatalf("photo visible outside scope: %d", s)
		}
		// A volunteer's report; a committed case promised on the spot.
		vol := decodeCase(t, expect("volunteer01", "POST", "/api/v1/cases", `{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a11","category":"06020",
			"description":"有人焚烧树叶","lat":34.5745,"lon":105.7035,"class":"escalated"}`, 201))
		if vol.Source != "volunteer" {
			t.Fatalf("volunteer source %q", vol.Source)
		}
		due := time.Now().Add(72 * time.Hour).Format("2006-01-02")
		com := decodeCase(t, expect("patrol01", "POST", "/api/v1/cases", fmt.Sprintf(`{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a12","category":"06027",
			"description":"饭店油烟直排","lat":34.5727,"lon":105.7027,"class":"committed","unit_id":%d,"commitment":"三日内安装油烟净化器","due":%q}`, unitIn(t, c, "620502004001001"), due), 201))
		if com.Status != "assigned" {
			t.Fatalf("committed on the spot: %+v", com)
		}
		// Inbox: the community leader heard of the new reports.
		inbox := expect("community1", "GET", "/api/v1/inbox", "", 200)
		if !strings.Contains(inbox, `"kind":"reported"`) || !strings.Contains(inbox, `"unread":`) {
			t.Fatalf("inbox %s", trunc(inbox))
		}
		// Lists filter and stay in scope.
		if list := expect("community1", "GET", "/api/v1/cases?status=closed&class=onspot", "", 200); jsonTotal(list) != 1 {
			t.Fatalf("closed on-the-spot cases: %s", trunc(list))
		}
		if list := expect("community2", "GET", "/api/v1/cases", "", 200); jsonTotal(list) != 0 {
			t.Fatalf("community2 sees %d cases", jsonTotal(list))
		}
		expect("community1", "GET", "/api/v1/cases?status=nonsense", "", 422)
		// The export holds one row per case, with Chinese headers.
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/cases/export.xlsx", nil)
		req.Header.Set("Authorization", "Bearer "+c.Token("community1"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("export: %v %v", err, resp.StatusCode)
		}
		x, err := excelize.OpenReader(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil || len(rows) != 1+4 || rows[0][0] != "编号" {
			t.Fatalf("export rows %d (%v): %v", len(rows), err, rows[:1])
		}
		found := false
		for _, r := range rows[1:] {
			if r[0] == n && strings.Contains(r[len(r)-1], "核查") {
				found = true
			}
		}
		if !found {
			t.Fatalf("export lacks case %s with its timeline", n)
		}
		// Categories.
		if cats := expect("patrol01", "GET", "/api/v1/categories", "", 200); !strings.Contains(cats, `"code":"08004"`) || !strings.Contains(cats, "工地扬尘") {
			t.Fatalf("categories %s", trunc(cats))
		}
	})
}

func jsonTotal(body string) int {
	var out struct{ Total int }
	json.Unmarshal([]byte(body), &out)
	return out.Total
}
