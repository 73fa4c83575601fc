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
func TestPatrolPages(t *testing.T) { testutil.Each(t, testPatrolPages) }

func testPatrolPages(t *testing.T, srv *testutil.Server) {
	j := seedPatrolPages(t, srv)
	t.Run("calendar", j.calendar)
	t.Run("patrol page", j.patrolPage)
	t.Run("day page", j.dayPage)
	t.Run("record book", j.recordBook)
	t.Run("record book as Excel", j.recordBookXLSX)
	t.Run("another community", j.otherCommunity)
	t.Run("translations", j.translations)
	t.Run("the patroller", j.patroller)
}

// patrolPages is the patrol seeded for TestPatrolPages and community1's
// browser; its steps read them.
type patrolPages struct {
	srv                     *testutil.Server
	p                       patrol.Patrol
	walker                  string // the patroller's name
	grid, day, month, found string // found: the case the patrol found
	leader                  *browser
}

// seedPatrolPages stores an ended patrol of patrol01 on grid (0, 0) this
// morning (or yesterday's when the morning is young) with a track, a visit,
// a dispute and a finding.
func seedPatrolPages(t *testing.T, srv *testutil.Server) *patrolPages {
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
	found := ledgerReport(t, srv, "patrol01", "7a2b3c4d-0000-4000-8000-000000000004").Number
	if _, _, err := svc.Finding(ctx, actor, me, p.UID, patrolsvc.FindingRef{Case: found}); err != nil {
		t.Fatalf("finding %s: %v", found, err)
	}
	if _, err := svc.End(ctx, actor, me, p.UID, patrol.End{EndedAt: start.Add(20 * time.Minute), Summary: "巡查正常"}); err != nil {
		t.Fatal(err)
	}
	month := day[:7]
	return &patrolPages{srv: srv, p: p, walker: walker.Name, grid: grid, day: day, month: month, found: found, leader: newBrowserAs(t, srv.URL, "community1")}
}

// calendar: community1's compliance calendar shows its own grids, coloured,
// linking to the patrol's day.
func (j *patrolPages) calendar(t *testing.T) {
	grid, day, month, b := j.grid, j.day, j.month, j.leader.with(t)
	status, body := b.get("/patrols?month=" + month)
	if status != 200 {
		t.Fatalf("/patrols: status %d, want 200", status)
	}
	if !strings.Contains(body, `data-grid="`+grid+`"`) || !strings.Contains(body, `id="patrol-calendar"`) {
		t.Errorf("the calendar lacks grid %s, want a row for it", grid)
	}
	for _, m := range regexp.MustCompile(`data-grid="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if m[1][:12] != demo.CommunityCode(0)[:12] {
			t.Errorf("community1's calendar shows grid %s, want only grids of %s", m[1], demo.CommunityCode(0))
		}
	}
	for _, c := range []string{"pc-met", "pc-partial", "pc-missed", "pc-pending", "pc-rest"} {
		if strings.Contains(body, `<td class="`+c) {
			goto coloured
		}
	}
	t.Error("no coloured cell, want days coloured by compliance")
coloured:
	if !strings.Contains(body, `data-date="`+day+`"`) || !strings.Contains(body, "/patrols/day?date="+day+"&amp;region="+grid) {
		t.Errorf("no cell linking to the patrol's day, want one for %s", day)
	}
	if !strings.Contains(body, `href="/patrols"`) {
		t.Error("no patrol nav entry, want /patrols in the menu")
	}
}

// patrolPage: one patrol's page shows its track, visit, record and finding.
func (j *patrolPages) patrolPage(t *testing.T) {
	p, found, b := j.p, j.found, j.leader.with(t)
	status, body := b.get("/patrols/" + p.UID)
	if status != 200 {
		t.Fatalf("patrol page: status %d, want 200", status)
	}
	if !strings.Contains(body, "105.7015,34.5715") || !strings.Contains(body, "现场检查正常") || !strings.Contains(body, "双方和解") {
		t.Errorf("patrol page lacks its track, visit or record, want all three")
	}
	if !strings.Contains(body, "/cases/"+found) {
		t.Errorf("patrol page lacks finding %s, want a link to it", found)
	}
	if !strings.Contains(body, `id="patrol-map"`) || !strings.Contains(body, `id="patrol-props"`) {
		t.Error("patrol page lacks its map or properties, want both")
	}
}

// dayPage: the day's map lists the patrol with its track.
func (j *patrolPages) dayPage(t *testing.T) {
	p, grid, day, b := j.p, j.grid, j.day, j.leader.with(t)
	status, body := b.get("/patrols/day?date=" + day + "&region=" + grid)
	if status != 200 || !strings.Contains(body, "/patrols/"+p.UID) || !strings.Contains(body, "105.7015,34.5715") {
		t.Errorf("day page: status %d, want 200 with the patrol %s and its track", status, p.UID)
	}
}

// recordBook: the printable record book has the patrol's row and finding.
func (j *patrolPages) recordBook(t *testing.T) {
	p, grid, month, found, b := j.p, j.grid, j.month, j.found, j.leader.with(t)
	status, body := b.get("/patrols/book?grid=" + grid + "&month=" + month)
	if status != 200 {
		t.Fatalf("record book: status %d, want 200", status)
	}
	if !strings.Contains(body, "@page") || !strings.Contains(body, `data-patrol="`+p.UID+`"`) || !strings.Contains(body, "08:30–08:50") {
		t.Error("record book lacks @page or the patrol's row, want both with 08:30–08:50")
	}
	if !strings.Contains(body, found) {
		t.Errorf("record book lacks finding %s, want it on the patrol's row", found)
	}
}

// recordBookXLSX: the record book as Excel has the patrol's row.
func (j *patrolPages) recordBookXLSX(t *testing.T) {
	srv, grid, day, month, b := j.srv, j.grid, j.day, j.month, j.leader.with(t)
	resp, err := b.c.Get(srv.URL + "/patrols/book?grid=" + grid + "&month=" + month + "&format=xlsx")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: status %d, want 200", resp.StatusCode)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil || len(rows) < 3 {
		t.Fatalf("xlsx rows %d, %v; want a title, a header and the patrol", len(rows), err)
	}
	row := strings.Join(rows[2], "|")
	if !strings.Contains(row, day) || !strings.Contains(row, "08:30–08:50") || !strings.Contains(row, j.walker) {
		t.Errorf("xlsx row %q, want %s, 08:30–08:50 and %s", row, day, j.walker)
	}
}

// otherCommunity: community2 neither opens the patrol or the record book nor sees the grid.
func (j *patrolPages) otherCommunity(t *testing.T) {
	p, grid, month := j.p, j.grid, j.month
	other := newBrowserAs(t, j.srv.URL, "community2")
	if status, _ := other.get("/patrols/" + p.UID); status != http.StatusNotFound {
		t.Errorf("community2 opens community1's patrol: status %d, want 404", status)
	}
	if status, _ := other.get("/patrols/book?grid=" + grid + "&month=" + month); status != http.StatusNotFound {
		t.Errorf("community2 opens community1's record book: status %d, want 404", status)
	}
	if _, body := other.get("/patrols?month=" + month); strings.Contains(body, `data-grid="`+grid+`"`) {
		t.Errorf("community2's calendar shows community1's grid %s, want it hidden", grid)
	}
}

// translations: the patrol pages in both languages.
func (j *patrolPages) translations(t *testing.T) {
	p, grid, day, b := j.p, j.grid, j.day, j.leader.with(t)
	merged := locale.New("en").T("patrols.title") != "patrols.title"
	for _, lang := range []string{"zh-CN", "en"} {
		for _, path := range []string{"/patrols", "/patrols/" + p.UID, "/patrols/day?date=" + day, "/patrols/book?grid=" + grid} {
			status, body := b.getIn(path, lang)
			if status != 200 {
				t.Errorf("%s in %s: status %d, want 200", path, lang, status)
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
}

// patroller: a patroller sees their own patrol.
func (j *patrolPages) patroller(t *testing.T) {
	pb := newBrowserAs(t, j.srv.URL, "patrol01")
	if status, _ := pb.get("/patrols/" + j.p.UID); status != 200 {
		t.Errorf("patrol01 opens their patrol: status %d, want 200", status)
	}
}
