package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
)

// The browser journey of issue 14: the street leader opens the dashboard
// (charts drawn, numbers present), opens the month's community ranking,
// drills from a community's closing-rate points down to its cases and opens
// one; an admin enters a manual deduction with a reason; a bulletin is
// published and printed to PDF with its ranking and SHA-256; a case is then
// changed, and the bulletin's figures stay while its page shows the change.
func TestAssessJourney(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		if _, err := demo.SeedCases(ctx, s.DB, nil, s.App.Loc, time.Now()); err != nil {
			t.Fatal(err)
		}
		// The period: the month of the latest case not yet dispatched,
		// which the journey later rejects.
		var number, day, community string
		var version int
		if err := s.DB.Reader().QueryRowContext(ctx, `SELECT number, day, community, version FROM cases WHERE status IN ('reported', 'filed') AND merged_into = '' ORDER BY day DESC, id DESC LIMIT 1`).Scan(&number, &day, &community, &version); err != nil {
			t.Fatalf("a case to reject: %v", err)
		}
		period := day[:7]
		year, _ := strconv.Atoi(day[:4])
		rubrics, err := s.App.Assess.EnsureDefaults(ctx, store.Actor{Name: "test"}, year, demo.StreetCode)
		if err != nil {
			t.Fatal(err)
		}
		var rid int64
		for _, r := range rubrics {
			if r.Kind == assess.Community {
				rid = r.ID
			}
		}

		leader := s.newTab(t)
		leader.signIn("street", demo.Password)
		if st := leader.open("/dashboard"); st != 200 {
			t.Fatalf("dashboard: %d", st)
		}
		if n := eval[int](leader, `document.querySelectorAll("#flow-chart rect").length`); n != 90 {
			t.Errorf("the chart has %d day bars, want 90", n)
		}
		if open, _ := strconv.Atoi(strings.Fields(leader.text("#dash-open"))[0]); open == 0 {
			t.Error("the dashboard counts no open cases")
		}
		if n := eval[int](leader, `document.querySelectorAll("#dash-levels a").length`); n < 15 {
			t.Errorf("open cases by level: %d links", n)
		}
		// The month's ranking, then a community's closing-rate points down to its cases.
		if st := leader.open(fmt.Sprintf("/assess?rubric=%d&period=%s", rid, period)); st != 200 {
			t.Fatalf("ranking: %d", st)
		}
		if n := eval[int](leader, `document.querySelectorAll("#ranking tbody tr[data-subject]").length`); n != len(demo.Communities) {
			t.Fatalf("ranking rows: %d", n)
		}
		cell := fmt.Sprintf(`#ranking tr[data-subject="%s"] td[data-item="closing"] a`, community)
		if st := leader.submit(cell); st != 200 {
			t.Fatalf("drill down: %d", st)
		}
		if !strings.HasPrefix(leader.path(), "/assess/records?") {
			t.Fatalf("drilled to %s", leader.path())
		}
		den, _ := strconv.Atoi(leader.text("#records-den"))
		if links := eval[int](leader, `document.querySelectorAll("#records .record-link").length`); den == 0 || links != den {
			t.Fatalf("records: %d links for a denominator of %d", links, den)
		}
		if st := leader.submit("#records .record-link"); st != 200 || !strings.HasPrefix(leader.path(), "/cases/") {
			t.Fatalf("open a case: %d at %s", st, leader.path())
		}

		// An admin deducts by hand, with a reason.
		admin := s.newTab(t)
		admin.signIn("admin", demo.Password)
		subject := fmt.Sprintf("/assess/subject?rubric=%d&period=%s&id=%s", rid, period, demo.CommunityCode(1))
		if st := admin.open(subject); st != 200 {
			t.Fatalf("subject: %d", st)
		}
		before := admin.text("#subject-total")
		admin.fill("m-item", "conduct", "m-points", "2", "m-reason", "两次未按时报送巡查周报")
		if st := admin.submit("#manual-save"); st != 200 {
			t.Fatalf("manual entry: %d %s", st, admin.errorText())
		}
		if got := admin.text(`#items tr[data-item="conduct"] .reason`); !strings.Contains(got, "两次未按时报送巡查周报") {
			t.Errorf("the reason shows as %q", got)
		}
		if after := admin.text("#subject-total"); after == before {
			t.Errorf("the total stayed %s after a deduction of 3", after)
		}

		// Publish the month's bulletin and print it.
		if st := admin.open("/assess/bulletins"); st != 200 {
			t.Fatalf("bulletins: %d", st)
		}
		admin.fill("b-rubric", strconv.FormatInt(rid, 10), "b-period", period, "b-title", "西关街道月度考核通报")
		if st := admin.submit("#publish"); st != 200 || !strings.HasPrefix(admin.path(), "/assess/bulletins/") {
			t.Fatalf("publish: %d at %s: %s", st, admin.path(), admin.errorText())
		}
		id := strings.TrimPrefix(admin.path(), "/assess/bulletins/")
		sha := admin.text("#bulletin-sha")
		frozen := admin.texts("#bulletin-ranking td.total")
		if st := admin.open("/assess/bulletins/" + id + "/print"); st != 200 {
			t.Fatalf("print view: %d", st)
		}
		if got := admin.text("#print-hash"); got != sha {
			t.Errorf("printed SHA-256 %q, bulletin %q", got, sha)
		}
		if n := eval[int](admin, `document.querySelectorAll("#print-ranking tbody tr").length`); n != len(demo.Communities) {
			t.Errorf("printed ranking rows: %d", n)
		}
		if !eval[bool](admin, `document.getElementById("bulletin-qr").naturalWidth > 0`) {
			t.Error("the QR code did not load")
		}
		pdf, err := chromedp.Run(admin.ctx, chromedp.PrintToPDF())
		if err != nil || len(pdf) < 1000 || string(pdf[:5]) != "%PDF-" {
			t.Fatalf("print to PDF: %v, %d bytes", err, len(pdf))
		}
		snap := func() string {
			resp, err := http.Get(s.URL + "/bulletins/" + id + "/verify")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			b, err := s.DB.BulletinByID(ctx, mustInt(t, id))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b.Snapshot)
			return hex.EncodeToString(sum[:])
		}
		if got := snap(); got != sha {
			t.Fatalf("the snapshot hashes to %s, the bulletin shows %s", got, sha)
		}

		// A case changes: the reported case is rejected.
		apiAs(t, s, "street", "POST", "/api/v1/cases/"+number+"/actions", fmt.Sprintf(`{"action":"reject","note":"重复上报","version":%d}`, version), nil)
		if st := admin.open("/assess/bulletins/" + id); st != 200 {
			t.Fatalf("bulletin: %d", st)
		}
		if got := admin.texts("#bulletin-ranking td.total"); strings.Join(got, ",") != strings.Join(frozen, ",") {
			t.Errorf("the bulletin's totals moved: %v, were %v", got, frozen)
		}
		if got := admin.text("#bulletin-sha"); got != sha {
			t.Errorf("the bulletin's SHA-256 moved to %s", got)
		}
		if txt := admin.text("#changed-since"); !strings.Contains(txt, communityName(t, s, community)) {
			t.Errorf("the live comparison does not name %s: %q", community, txt)
		}
		if got := snap(); got != sha {
			t.Fatalf("the snapshot changed after the case did")
		}
		// The public page answers 404 without a session while the bulletin is private.
		resp, err := http.Get(s.URL + "/bulletins/" + id)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("private bulletin's public page: %d", resp.StatusCode)
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func communityName(t *testing.T, s *site, code string) string {
	t.Helper()
	r, err := s.DB.Region(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return r.Name
}
