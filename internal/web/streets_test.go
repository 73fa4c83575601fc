package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/importer"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// The second street, east of the demo street: 东关街道 with one community of two grids.
const (
	eastStreet    = "620502005000000"
	eastCommunity = "620502005001000"
	eastPassword  = "east-street-2026"
)

func eastBox(code, name string, west, east float64) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{"code":%q,"name":%q},"geometry":{"type":"Polygon","coordinates":[[[%f,34.57],[%f,34.57],[%f,34.59],[%f,34.59],[%f,34.57]]]}}`,
		code, name, west, east, east, west, west)
}

// importEastStreet brings a second street in the way an office joining a
// deployment does: its regions from GeoJSON, its people from a spreadsheet.
func importEastStreet(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	geo := `{"type":"FeatureCollection","features":[` + strings.Join([]string{
		eastBox(eastStreet, "东关街道", 105.75, 105.77),
		eastBox(eastCommunity, "东关社区", 105.75, 105.77),
		eastBox("620502005001001", "东关一网格", 105.75, 105.76),
		eastBox("620502005001002", "东关二网格", 105.76, 105.77),
	}, ",") + `]}`
	csv := "姓名,用户名,手机号,角色,区域编码,初始密码\n" +
		"东关街道网格长,east_street,13900000001,leader," + eastStreet + "," + eastPassword + "\n" +
		"东关社区网格长,east_community,13900000002,leader," + eastCommunity + "," + eastPassword + "\n"
	pr, err := importer.ParseRegions(ctx, a.DB, strings.NewReader(geo), importer.Options{})
	if err != nil || !pr.Report.OK() {
		t.Fatalf("regions: %v %+v", err, pr.Report.Problems)
	}
	if _, err := importer.Apply(ctx, a.DB, store.System, pr, false); err != nil {
		t.Fatal(err)
	}
	if err := a.ReloadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	pp, err := importer.ParsePeople(ctx, a.DB, strings.NewReader(csv), importer.Options{})
	if err != nil || !pp.Report.OK() {
		t.Fatalf("people: %v %+v", err, pp.Report.Problems)
	}
	if _, err := importer.Apply(ctx, a.DB, store.System, pp, false); err != nil {
		t.Fatal(err)
	}
}

type listOut struct {
	Items []struct {
		Number string `json:"number"`
		Region string `json:"region"`
	} `json:"items"`
	Total int `json:"total"`
}

// TestTwoStreets: with a second street imported into the demo deployment,
// each street's leaders see nothing of the other street — case pages, the
// API, the Excel export, the region and people lists, the totals — while
// the district's admin sees both; and each street numbers its cases with
// its own prefix.
func TestTwoStreets(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		importEastStreet(t, srv.App)
		api := srv.API(t)
		api.SignIn("east_street", eastPassword)
		api.SignIn("east_community", eastPassword)
		report := func(user string, lat, lon float64, n int) string {
			out := api.Expect(user, "POST", "/api/v1/cases", fmt.Sprintf(`{"client_id":"5e5e5e5e-0000-4000-8000-%012d","category":"06010","description":"两个街道","lat":%f,"lon":%f,"class":"escalated"}`, n, lat, lon), http.StatusCreated)
			var c struct{ Number string }
			json.Unmarshal([]byte(out), &c)
			return c.Number
		}
		// The east street numbers its cases DG; the demo street keeps XG.
		api.Expect("admin", "PUT", "/api/v1/regions/"+eastStreet+"/settings", `{"case_prefix":"DG"}`, http.StatusOK, `"case_prefix":"DG"`)
		east := report("east_street", 34.58, 105.755, 1)
		west := report("street", 34.5722, 105.7022, 2)
		if !strings.HasPrefix(east, "DG-") || !strings.HasPrefix(west, "XG-") {
			t.Fatalf("numbers %s and %s, want DG-… and XG-…", east, west)
		}

		// A photo of the east street's case: its people see it, the demo street's do not.
		status, body := api.Post("east_street", "/api/v1/cases/"+east+"/photos", url.Values{"step": {"before"}},
			testutil.File{Field: "photo", Name: "east.png", Content: testutil.PNG(t, 40, 30, color.RGBA{20, 90, 200, 255})})
		var ph struct{ ID string }
		if json.Unmarshal([]byte(body), &ph); status != http.StatusCreated || ph.ID == "" {
			t.Fatalf("photo upload: %d %s", status, body)
		}
		api.Expect("east_community", "GET", "/api/v1/photos/"+ph.ID, "", http.StatusOK)
		api.Expect("street", "GET", "/api/v1/photos/"+ph.ID, "", http.StatusNotFound)
		api.Expect("community1", "GET", "/api/v1/photos/"+ph.ID, "", http.StatusNotFound)

		totals := map[string]int{}
		for _, c := range []struct{ user, own, other, otherStreet string }{
			{"street", west, east, eastStreet},
			{"community1", "", east, eastStreet},
			{"east_street", east, west, demo.StreetCode},
			{"east_community", east, west, demo.StreetCode},
		} {
			t.Run(c.user, func(t *testing.T) {
				api := api.With(t)
				api.Expect(c.user, "GET", "/api/v1/cases/"+c.other, "", http.StatusNotFound)
				if c.own != "" {
					api.Expect(c.user, "GET", "/api/v1/cases/"+c.own, "", http.StatusOK)
				}
				var all listOut
				for page := 1; ; page++ {
					var l listOut
					json.Unmarshal([]byte(api.Expect(c.user, "GET", fmt.Sprintf("/api/v1/cases?page_size=100&page=%d", page), "", http.StatusOK)), &l)
					all.Items, all.Total = append(all.Items, l.Items...), l.Total
					if len(l.Items) < 100 {
						break
					}
				}
				for _, it := range all.Items {
					if strings.HasPrefix(it.Region, c.otherStreet[:9]) {
						t.Errorf("ledger lists %s of the other street", it.Number)
					}
				}
				totals[c.user] = all.Total
				api.Expect(c.user, "GET", "/api/v1/regions/"+c.otherStreet, "", http.StatusNotFound)
				if _, regions := api.Do(c.user, "GET", "/api/v1/regions", ""); strings.Contains(regions, c.otherStreet[:9]) {
					t.Error("region list shows the other street")
				}
				if _, ppl := api.Do(c.user, "GET", "/api/v1/people?page_size=100", ""); strings.Contains(ppl, "east_street") && c.otherStreet == eastStreet ||
					strings.Contains(ppl, `"street"`) && c.otherStreet == demo.StreetCode {
					t.Error("people list shows the other street's leader")
				}
				// The export holds the ledger's rows, none of the other street.
				status, xlsx := api.Do(c.user, "GET", "/api/v1/cases/export.xlsx", "")
				if status != http.StatusOK {
					t.Fatalf("export: %d", status)
				}
				f, err := excelize.OpenReader(bytes.NewReader([]byte(xlsx)))
				if err != nil {
					t.Fatal(err)
				}
				rows, _ := f.GetRows(f.GetSheetName(0))
				if len(rows)-1 != all.Total {
					t.Errorf("export has %d rows, the ledger %d", len(rows)-1, all.Total)
				}
				for _, row := range rows {
					if strings.Contains(strings.Join(row, " "), c.other) {
						t.Errorf("export holds %s of the other street", c.other)
					}
				}
				// Pages: the other street's case answers as one that does not exist, the ledger page omits it.
				b := newBrowser(t, srv.URL)
				pw := demo.Password
				if strings.HasPrefix(c.user, "east") {
					pw = eastPassword
				}
				if status, _, _ := b.post("/login", url.Values{"username": {c.user}, "password": {pw}}); status != http.StatusSeeOther {
					t.Fatalf("login %s: %d", c.user, status)
				}
				if status, _ := b.get("/cases/" + c.other); status != http.StatusNotFound {
					t.Errorf("page of the other street's case: %d, want 404", status)
				}
				if _, page := b.get("/cases"); strings.Contains(page, c.other) {
					t.Error("ledger page shows the other street's case")
				}
				if _, page := b.get("/regions"); strings.Contains(page, c.otherStreet[:9]) {
					t.Error("regions page shows the other street")
				}
			})
		}
		var admin listOut
		json.Unmarshal([]byte(api.Expect("admin", "GET", "/api/v1/cases?page_size=1", "", http.StatusOK)), &admin)
		if totals["street"]+totals["east_street"] != admin.Total {
			t.Errorf("street totals %d + %d, the district's %d: each case must count in exactly one street", totals["street"], totals["east_street"], admin.Total)
		}
		// Street settings are for admins: a street leader may not read or change them.
		api.Expect("east_street", "PUT", "/api/v1/regions/"+eastStreet+"/settings", `{"case_prefix":"ZZ"}`, http.StatusNotFound)
		api.Expect("admin", "PUT", "/api/v1/regions/"+eastStreet+"/settings", `{"case_prefix":"dg1"}`, http.StatusUnprocessableEntity, `"case_prefix"`)
	})
}

// TestStreetSettingsInherit: a district's grace applies to its streets
// unless a street sets its own; the page shows and saves the form.
func TestStreetSettingsInherit(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		api := srv.API(t)
		api.Expect("admin", "PUT", "/api/v1/regions/"+demo.DistrictCode+"/settings", `{"grace_minutes":90,"inspect_weekday":3}`, http.StatusOK)
		api.Expect("admin", "GET", "/api/v1/regions/"+demo.StreetCode+"/settings", "", http.StatusOK,
			`"grace_minutes":-1`, `"effective":{"case_prefix":"XG","grace_minutes":90,"inspect_weekday":3}`)
		api.Expect("admin", "PUT", "/api/v1/regions/"+demo.StreetCode+"/settings", `{"inspect_weekday":2}`, http.StatusUnprocessableEntity, `"inspect_weekday"`)
		b := newBrowser(t, srv.URL)
		b.login("admin")
		if status, page := b.get("/admin/streets?region=" + demo.StreetCode); status != http.StatusOK || !strings.Contains(page, `id="street-settings"`) {
			t.Fatalf("settings page: %d", status)
		}
		if status, _, loc := b.post("/admin/streets/"+demo.StreetCode, url.Values{"case_prefix": {"xq"}, "grace_minutes": {"30"}}); status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", status, loc)
		}
		api.Expect("admin", "GET", "/api/v1/regions/"+demo.StreetCode+"/settings", "", http.StatusOK, `"case_prefix":"XQ","grace_minutes":30`)
		if status, page, _ := b.post("/admin/streets/"+demo.StreetCode, url.Values{"grace_minutes": {"x"}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, `id="street-settings"`) {
			t.Errorf("bad grace: %d", status)
		}
		lb := newBrowser(t, srv.URL)
		lb.login("street")
		if status, _ := lb.get("/admin/streets"); status != http.StatusForbidden {
			t.Errorf("settings page for a street leader: %d, want 403", status)
		}
	})
}
