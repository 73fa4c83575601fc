package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/store"
)

// Helpers of the inspection journeys.

// apiToken signs username in through the API.
func apiToken(t *testing.T, s *site, username string) string {
	t.Helper()
	st, body := apiCall(t, s.URL, "", "POST", "/api/v1/tokens", map[string]any{"username": username, "password": demo.Password})
	if st != 201 {
		t.Fatalf("token for %s: %d %s", username, st, body)
	}
	var tok struct{ Token string }
	json.Unmarshal([]byte(body), &tok)
	return tok.Token
}

// thisWeeksInspection schedules this week's inspections (as the street's
// leader) and returns community's one; a week with no working day before
// the inspection day gets an extra inspection today instead.
func thisWeeksInspection(t *testing.T, s *site, street, community string) (int64, string) {
	t.Helper()
	loc := time.FixedZone("CST", 8*3600)
	mon := inspect.Monday(time.Now().In(loc))
	st, body := apiCall(t, s.URL, street, "POST", "/api/v1/inspections/schedule",
		map[string]string{"from": mon.Format("2006-01-02"), "to": mon.AddDate(0, 0, 6).Format("2006-01-02")})
	if st != 200 {
		t.Fatalf("schedule this week: %d %s", st, body)
	}
	var out struct {
		Items []struct {
			ID     int64
			Region string
			Date   string
		}
	}
	json.Unmarshal([]byte(body), &out)
	for _, in := range out.Items {
		if in.Region == community {
			return in.ID, in.Date
		}
	}
	today := time.Now().In(loc).Format("2006-01-02")
	st, body = apiCall(t, s.URL, street, "POST", "/api/v1/inspections", map[string]string{"region": community, "date": today})
	if st != 201 {
		t.Fatalf("extra inspection: %d %s", st, body)
	}
	var in struct{ ID int64 }
	json.Unmarshal([]byte(body), &in)
	return in.ID, today
}

// reportCase reports a case through the API and returns its number.
func reportCase(t *testing.T, s *site, token, clientID, category string, lat, lon float64) string {
	t.Helper()
	st, body := apiCall(t, s.URL, token, "POST", "/api/v1/cases", map[string]any{"client_id": clientID, "category": category,
		"description": "油烟直排，居民反映强烈", "lat": lat, "lon": lon, "class": "escalated"})
	if st != 201 {
		t.Fatalf("report a case at %f, %f: %d %s", lat, lon, st, body)
	}
	var c struct{ Number string }
	json.Unmarshal([]byte(body), &c)
	return c.Number
}

// TestInspectorFridayJourney (issue 10): an inspector on a phone opens this
// week's inspection of a community, reads the agenda (it lists a case made
// overdue), scores every item, records a finding with a photo; the
// community's leader acknowledges with a drawn signature; the inspector
// closes it; the week's summary prints as a PDF with the community's score
// and downloads as an Excel workbook that opens with that score.
func TestInspectorFridayJourney(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		comm := demo.CommunityCode(0) // 忠武巷社区
		street := apiToken(t, s, "street")
		id, date := thisWeeksInspection(t, s, street, comm)
		path := fmt.Sprintf("/inspections/%d", id)

		// A case of the community, made overdue.
		overdue := reportCase(t, s, apiToken(t, s, "patrol01"), "5f0e0c52-0000-4000-8000-000000000001", "06010", reportLat, reportLon)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.DB.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE cases SET deadline = $1 WHERE number = $2`, time.Now().Add(-2*time.Hour).UnixMilli(), overdue)
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// 1. The inspector, on a phone, opens the inspection and begins it.
		ins := s.newTab(t)
		ins.phone()
		ins.signIn("inspector", demo.Password)
		if st := ins.open("/inspections"); st != 200 {
			t.Fatalf("GET /inspections: %d", st)
		}
		ins.fitsPhone("the month's inspections")
		cell := fmt.Sprintf(`#inspect-month tr[data-region=%q] a[href=%q]`, comm, path)
		if st := ins.tapSubmit(cell); st != 200 {
			t.Fatalf("open the inspection from the month: %d", st)
		}
		if h := ins.text("#inspection-title"); h != "忠武巷社区 · "+date {
			t.Errorf("the inspection's title reads %q", h)
		}
		if st := ins.text("#inspection-status"); st != "待督查" {
			t.Errorf("the status reads %q, want 待督查", st)
		}
		if st := ins.tapSubmit("#open-submit"); st != 200 {
			t.Fatalf("begin: %d", st)
		}
		if st := ins.text("#inspection-status"); st != "督查中" {
			t.Errorf("after beginning the status reads %q, want 督查中", st)
		}
		if got := ins.texts("#ag-overdue li"); !contains(got, overdue) {
			t.Errorf("the agenda's overdue cases are %q; want %s among them", got, overdue)
		}
		ins.fitsPhone("the inspection page")

		// 2. Every item scored.
		scores := map[string]string{"patrol": "18", "ledger": "22", "onspot": "15", "hotspots": "17.5", "publicity": "9", "site_order": "10"}
		for k, v := range scores {
			ins.fill("score-"+k, v)
		}
		ins.fill("note-ledger", "超期案件 1 件未办结")
		if st := ins.tapSubmit("#score-submit"); st != 200 {
			t.Fatalf("save the scores: %d; errors %q", st, ins.errorText())
		}
		if f := ins.flash(); f != "得分已保存" {
			t.Errorf("the flash after scoring reads %q", f)
		}
		if sc := ins.text("#inspection-score"); sc != "91.5 / 100" {
			t.Errorf("the score reads %q, want 91.5 / 100", sc)
		}

		// 3. A finding with a photo, through the report form.
		if st := ins.tapSubmit("#finding-new"); st != 200 {
			t.Fatalf("open the finding form: %d", st)
		}
		ins.fill("category", "L005")
		ins.do("type the description", chromedp.SendKeys(chromedp.ID("description"), "电线杆上张贴小广告十余处"))
		ins.emulateGPS(reportLat, reportLon)
		ins.do("tap 使用我的位置", chromedp.Tap(chromedp.ID("use-gps"), chromedp.NodeVisible))
		ins.waitFor("the point from the device's position", `document.getElementById("lat").value !== ""`, 30*time.Second)
		ins.do("choose 上报件", chromedp.Tap(chromedp.CSS(`#class-box input[name="class"][value="escalated"]`), chromedp.NodeVisible))
		ins.do("attach the photo", chromedp.SetUploadFiles(chromedp.ID("photos"), []string{writePNG(t, "finding.png")}))
		ins.fitsPhone("the finding form")
		if st := ins.tapSubmit("#report-submit"); st != 200 {
			t.Fatalf("record the finding: %d; errors %q %q", st, ins.errorText(), ins.texts(".field-error"))
		}
		if p := ins.path(); !strings.HasPrefix(p, path) {
			t.Fatalf("after the finding the page is %s, want the inspection", p)
		}
		findings := ins.texts("#finding-list li")
		if len(findings) != 1 {
			t.Fatalf("the inspection lists findings %q, want one", findings)
		}
		fc := dbCase(t, s, findings[0])
		if fc.Source != cases.SourceInspection || len(fc.Photos) != 1 {
			t.Errorf("the finding %s has source %s and %d photos; want inspection and 1", fc.Number, fc.Source, len(fc.Photos))
		}

		// 4. The community's leader acknowledges with a drawn signature.
		lead := s.newTab(t)
		lead.phone()
		lead.signIn("community1", demo.Password)
		if st := lead.open(path); st != 200 {
			t.Fatalf("the community leader opens the inspection: %d", st)
		}
		if n := eval[int](lead, `document.querySelectorAll("#score-form").length`); n != 0 {
			t.Error("the community leader is offered the score form")
		}
		lead.drawByTouch("ack")
		if lead.padEmpty("ack") {
			t.Fatal("the pad is empty after the finger's stroke")
		}
		if st := lead.tapSubmit("#ack-submit"); st != 200 {
			t.Fatalf("acknowledge: %d; errors %q %q", st, lead.errorText(), lead.texts(".field-error"))
		}
		if by := lead.text("#ack-by"); !strings.Contains(by, personName(t, s, "community1")) {
			t.Errorf("the acknowledgement reads %q", by)
		}
		lead.thumbsLoaded("#ack-signature", 1)

		// 5. The inspector closes it.
		if st := ins.open(path); st != 200 {
			t.Fatalf("reload: %d", st)
		}
		if st := ins.tapSubmit("#close-submit"); st != 200 {
			t.Fatalf("close: %d; error %q", st, ins.errorText())
		}
		if st := ins.text("#inspection-status"); st != "已结束" {
			t.Errorf("after closing the status reads %q, want 已结束", st)
		}
		if n := eval[int](ins, `document.querySelectorAll("#score-form, #close-submit").length`); n != 0 {
			t.Error("a closed inspection still offers the score form or closing")
		}

		// 6. The week's summary: on screen, printed, in Excel.
		sum := s.newTab(t)
		sum.signIn("street", demo.Password)
		if st := sum.open("/inspections/week?week=" + date); st != 200 {
			t.Fatalf("the week: %d", st)
		}
		row := fmt.Sprintf(`#week-table tr[data-region=%q]`, comm)
		if sc := sum.text(row + " td.sc"); sc != "91.5 / 100" {
			t.Errorf("the week shows community 1's score as %q", sc)
		}
		if n := eval[int](sum, `document.querySelectorAll("#week-table svg.spark").length`); n != 6 {
			t.Errorf("the week shows %d trend charts, want 6", n)
		}
		if css := evalAsync[string](sum, `fetch(document.querySelector('link[href*="inspect"]').href).then(r => r.text())`); !strings.Contains(css, "size:A4") {
			t.Error("the week page's style sheet does not ask for A4")
		}
		pdf, err := chromedp.Run(sum.ctx, chromedp.PrintToPDF())
		if err != nil || len(pdf) < 1000 || string(pdf[:5]) != "%PDF-" {
			t.Fatalf("print the week: %v, %d bytes", err, len(pdf))
		}
		file, name := sum.download("#week-xlsx")
		if !strings.HasSuffix(name, ".xlsx") {
			t.Errorf("the download is named %q", name)
		}
		x, err := excelize.OpenFile(file)
		if err != nil {
			t.Fatalf("open the workbook: %v", err)
		}
		defer x.Close()
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil || len(rows) < 8 {
			t.Fatalf("the workbook has %d rows (%v)", len(rows), err)
		}
		if rows[1][0] != "社区" || rows[1][3] != "得分" {
			t.Errorf("the workbook's headers are %q", rows[1])
		}
		found := false
		for _, r := range rows[2:] {
			if len(r) > 3 && r[0] == "忠武巷社区" && r[3] == "91.5" {
				found = true
			}
		}
		if !found {
			t.Errorf("the workbook has no row 忠武巷社区 with 91.5: %q", rows)
		}
	})
}

// TestLeaderAdoptsHotspot (issue 10): three nearby cases of one category
// make a hotspot; the street's leader adopts it as a tracked problem and
// sees it on the community's next agenda.
func TestLeaderAdoptsHotspot(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		comm := demo.CommunityCode(1) // 砚房背后社区
		street := apiToken(t, s, "street")
		// Three reports of cooking fumes within about 60 m of one another.
		var nums []string
		for i := range 3 {
			lat, lon := 34.5740+float64(i)*0.0002, 105.7100+float64(i)*0.0002
			st, body := apiCall(t, s.URL, street, "GET", fmt.Sprintf("/api/v1/regions/lookup?lat=%f&lon=%f", lat, lon), nil)
			if st != 200 || !strings.Contains(body, comm[:12]) {
				t.Fatalf("the point %f, %f is not in %s: %d %s", lat, lon, comm, st, body)
			}
			nums = append(nums, reportCase(t, s, street, fmt.Sprintf("5f0e0c52-0000-4000-8000-00000000010%d", i), "06027", lat, lon))
		}

		tb := s.newTab(t)
		tb.signIn("street", demo.Password)
		if st := tb.open("/hotspots?region=" + comm); st != 200 {
			t.Fatalf("the hotspots: %d", st)
		}
		item := fmt.Sprintf(`#hotspot-list li[data-cases=%q]`, strings.Join(nums, ","))
		if !eval[bool](tb, fmt.Sprintf(`!!document.querySelector(%q)`, item)) {
			t.Fatalf("no hotspot of %v; the list holds %q", nums, tb.texts("#hotspot-list li"))
		}
		if k := tb.text(item + " .tag"); k != "同地多发" {
			t.Errorf("the hotspot's kind reads %q", k)
		}
		if n := eval[int](tb, `document.querySelectorAll("#hotspot-map circle").length`); n == 0 {
			t.Error("the map shows no hotspot")
		}
		tb.do("open the adoption form", chromedp.Click(chromedp.CSS(item+" details.adopt > summary"), chromedp.NodeVisible))
		anchor := eval[string](tb, fmt.Sprintf(`document.querySelector(%q).id`, item))
		owner := personName(t, s, "community2")
		ownerID := eval[string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll("#owner-%s option")).find(o => o.textContent === %q).value`, anchor, owner))
		tb.fill("owner-"+anchor, ownerID)
		if st := tb.submit("#adopt-" + anchor); st != 200 {
			t.Fatalf("adopt: %d; error %q", st, tb.errorText())
		}
		if !strings.HasPrefix(tb.path(), "/problems/") {
			t.Fatalf("after adopting the page is %s", tb.path())
		}
		title := tb.text("#problem-title")
		if st := tb.text("#problem-status"); st != "跟踪中" {
			t.Errorf("the new problem's status reads %q", st)
		}
		if got := tb.texts("#problem-cases a"); strings.Join(got, ",") != strings.Join(nums, ",") {
			t.Errorf("the problem's cases are %q, want %q", got, nums)
		}

		// The community's next inspection lists it on its agenda.
		_, date := thisWeeksInspection(t, s, street, comm)
		next, _ := time.Parse("2006-01-02", date)
		st, body := apiCall(t, s.URL, street, "POST", "/api/v1/inspections", map[string]string{"region": comm, "date": next.AddDate(0, 0, 7).Format("2006-01-02")})
		if st != 201 {
			t.Fatalf("the next inspection: %d %s", st, body)
		}
		var in struct{ ID int64 }
		json.Unmarshal([]byte(body), &in)
		if st := tb.open(fmt.Sprintf("/inspections/%d", in.ID)); st != 200 {
			t.Fatalf("open the next inspection: %d", st)
		}
		if got := tb.texts("#ag-problems li"); !contains(got, title) {
			t.Errorf("the next agenda's tracked problems are %q, want %q", got, title)
		}
		if got := tb.texts("#ag-hotspots li"); len(got) == 0 {
			t.Error("the next agenda lists no hotspot")
		}
	})
}
