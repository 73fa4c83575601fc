package web_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// rawPatrolKey finds the patrol pages' message keys shown untranslated.
var rawPatrolKey = regexp.MustCompile(`>[^<]*\b(?:patrols|recordbook)\.[a-z_]+[^<]*<`)

// TestPatrolPages seeds one patrol of patrol01 on grid (0, 0) with a track,
// a visit, a dispute and a finding, then opens the leaders' pages.
func TestPatrolPages(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	ctx := context.Background()
	db := srv.App.DB
	walker, _, err := db.Credentials(ctx, "patrol01")
	if err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{ID: walker.ID, Name: "patrol01"}
	me := &auth.Principal{PersonID: walker.ID, Username: walker.Username, Name: walker.Name, Roles: walker.Roles}
	svc := srv.App.Patrols
	loc := srv.App.Loc
	now := svc.Now().In(loc)
	start := time.Date(now.Year(), now.Month(), now.Day(), 8, 30, 0, 0, loc)
	if start.After(now.Add(-2 * time.Hour)) {
		start = start.AddDate(0, 0, -1)
	}
	grid := demo.GridCode(0, 0)
	day := patrol.Day(start, loc)
	p, _, err := svc.Start(ctx, actor, me, patrol.Start{UID: "7a2b3c4d-0000-4000-8000-000000000001", Grid: grid, StartedAt: start})
	if err != nil {
		t.Fatal(err)
	}
	var pts []patrolsvc.TrackPoint
	for i := 0; i < 40; i++ {
		pts = append(pts, patrolsvc.TrackPoint{Point: patrol.Point{T: start.Add(time.Duration(i) * 30 * time.Second), Lat: 34.5715, Lon: 105.7015 + float64(i)*0.00005, Acc: 5}})
	}
	if res, err := svc.AddTrack(ctx, actor, me, p.UID, pts); err != nil || res.Stored != 40 {
		t.Fatalf("track: %+v %v", res, err)
	}
	plan, err := svc.Plan(ctx, me, grid)
	if err != nil || len(plan.KeySites) == 0 {
		t.Fatalf("plan of grid (0, 0): %d key sites, %v", len(plan.KeySites), err)
	}
	v := patrol.Visit{UID: "7a2b3c4d-0000-4000-8000-000000000002", Site: patrol.SiteRef{UnitID: plan.KeySites[0].ID}, At: start.Add(5 * time.Minute),
		Lat: 34.5716, Lon: 105.7020, Note: "现场检查正常"}
	if _, _, err := svc.Visit(ctx, actor, me, p.UID, v); err != nil {
		t.Fatal(err)
	}
	rec := patrol.Record{UID: "7a2b3c4d-0000-4000-8000-000000000003", Kind: patrol.KindDispute, At: start.Add(9 * time.Minute),
		Parties: "两户邻居", Summary: "焚烧落叶", Outcome: "双方和解"}
	if _, _, err := svc.Record(ctx, actor, me, p.UID, rec); err != nil {
		t.Fatal(err)
	}
	found := ""
	if list, _, err := db.Cases(ctx, store.CaseFilter{All: true, Region: grid, Page: store.Page{Size: 1}}); err == nil && len(list) > 0 {
		found = list[0].Number
		if _, _, err := svc.Finding(ctx, actor, me, p.UID, patrolsvc.FindingRef{Case: found}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.End(ctx, actor, me, p.UID, patrol.End{EndedAt: start.Add(20 * time.Minute), Summary: "巡查正常"}); err != nil {
		t.Fatal(err)
	}
	month := day[:7]

	b := newBrowser(t, srv.URL)
	b.login("community1")
	status, body := b.get("/patrols?month=" + month)
	if status != 200 {
		t.Fatalf("/patrols: %d", status)
	}
	if !strings.Contains(body, `data-grid="`+grid+`"`) || !strings.Contains(body, `id="patrol-calendar"`) {
		t.Error("calendar lacks grid (0, 0)")
	}
	for _, m := range regexp.MustCompile(`data-grid="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if m[1][:12] != demo.CommunityCode(0)[:12] {
			t.Errorf("community1's calendar shows grid %s", m[1])
		}
	}
	for _, c := range []string{"pc-met", "pc-partial", "pc-missed", "pc-pending", "pc-rest"} {
		if strings.Contains(body, `<td class="`+c) {
			goto coloured
		}
	}
	t.Error("no coloured cell")
coloured:
	if !strings.Contains(body, `data-date="`+day+`"`) || !strings.Contains(body, "/patrols/day?date="+day+"&amp;region="+grid) {
		t.Error("no cell linking to the patrol's day")
	}
	if !strings.Contains(body, `href="/patrols"`) {
		t.Error("no patrol nav entry")
	}

	status, body = b.get("/patrols/" + p.UID)
	if status != 200 {
		t.Fatalf("patrol page: %d", status)
	}
	if !strings.Contains(body, "105.7015,34.5715") || !strings.Contains(body, "现场检查正常") || !strings.Contains(body, "双方和解") {
		t.Errorf("patrol page lacks its track, visit or record")
	}
	if found != "" && !strings.Contains(body, "/cases/"+found) {
		t.Errorf("patrol page lacks finding %s", found)
	}
	if !strings.Contains(body, `id="patrol-map"`) || !strings.Contains(body, `id="patrol-props"`) {
		t.Error("patrol page lacks its map or properties")
	}

	status, body = b.get("/patrols/day?date=" + day + "&region=" + grid)
	if status != 200 || !strings.Contains(body, "/patrols/"+p.UID) || !strings.Contains(body, "105.7015,34.5715") {
		t.Errorf("day page: %d, lacks the patrol or its track", status)
	}

	status, body = b.get("/patrols/book?grid=" + grid + "&month=" + month)
	if status != 200 {
		t.Fatalf("record book: %d", status)
	}
	if !strings.Contains(body, "@page") || !strings.Contains(body, `data-patrol="`+p.UID+`"`) || !strings.Contains(body, "08:30–08:50") {
		t.Error("record book lacks @page or the patrol's row")
	}
	if found != "" && !strings.Contains(body, found) {
		t.Errorf("record book lacks finding %s", found)
	}

	resp, err := b.c.Get(srv.URL + "/patrols/book?grid=" + grid + "&month=" + month + "&format=xlsx")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil || len(rows) < 3 {
		t.Fatalf("xlsx rows %d, %v", len(rows), err)
	}
	row := strings.Join(rows[2], "|")
	if !strings.Contains(row, day) || !strings.Contains(row, "08:30–08:50") || !strings.Contains(row, walker.Name) {
		t.Errorf("xlsx row %q", row)
	}

	other := newBrowser(t, srv.URL)
	other.login("community2")
	if status, _ := other.get("/patrols/" + p.UID); status != http.StatusNotFound {
		t.Errorf("community2 opens community1's patrol: %d", status)
	}
	if status, _ := other.get("/patrols/book?grid=" + grid + "&month=" + month); status != http.StatusNotFound {
		t.Errorf("community2 opens community1's record book: %d", status)
	}
	if _, body := other.get("/patrols?month=" + month); strings.Contains(body, `data-grid="`+grid+`"`) {
		t.Error("community2's calendar shows community1's grid")
	}
	merged := locale.New("en").T("patrols.title") != "patrols.title"
	for _, lang := range []string{"zh-CN", "en"} {
		for _, path := range []string{"/patrols", "/patrols/" + p.UID, "/patrols/day?date=" + day, "/patrols/book?grid=" + grid} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			status, body := b.get(path + sep + "lang=" + lang)
			if status != 200 {
				t.Errorf("%s in %s: %d", path, lang, status)
			}
			// Once the lead has merged the pages' keys into the catalog, none may show raw.
			if merged && rawPatrolKey.MatchString(body) {
				t.Errorf("%s in %s: untranslated key %q", path, lang, rawPatrolKey.FindString(body))
			}
			if m := rawKey.FindString(body); merged && m != "" {
				t.Errorf("%s in %s: untranslated key in %q", path, lang, m)
			}
		}
	}
	// A patroller sees their own patrol.
	pb := newBrowser(t, srv.URL)
	pb.login("patrol01")
	if status, _ := pb.get("/patrols/" + p.UID); status != 200 {
		t.Errorf("patrol01 opens their patrol: %d", status)
	}
}
