package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/demo"
)

// apiCall sends a JSON request with a bearer token and returns the status and body.
func apiCall(t *testing.T, base, token, method, path string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestLeaderSeesPatrol: a patrol walked through the API shows in the
// community leader's compliance calendar and in the printed record book.
func TestLeaderSeesPatrol(t *testing.T) {
	s := newSite(t, "sqlite")
	st, body := apiCall(t, s.URL, "", "POST", "/api/v1/tokens", map[string]any{"username": "patrol01", "password": demo.Password, "device": true})
	if st != 201 {
		t.Fatalf("device token: %d %s", st, body)
	}
	var tok struct{ Token string }
	json.Unmarshal([]byte(body), &tok)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Now().In(loc).Add(-40 * time.Minute).Truncate(time.Second)
	id := "5e1f2a3b-0000-4000-8000-00000000e2e1"
	if st, body := apiCall(t, s.URL, tok.Token, "POST", "/api/v1/patrols", map[string]any{"id": id, "grid": demo.GridCode(0, 0), "started_at": start.Format(time.RFC3339)}); st != 201 {
		t.Fatalf("start: %d %s", st, body)
	}
	var pts []map[string]any
	for i := 0; i < 30; i++ {
		pts = append(pts, map[string]any{"t": start.Add(time.Duration(i) * 40 * time.Second).Format(time.RFC3339), "lat": 34.5715, "lon": 105.7012 + float64(i)*0.00006, "acc": 6})
	}
	if st, body := apiCall(t, s.URL, tok.Token, "POST", "/api/v1/patrols/"+id+"/track", map[string]any{"points": pts}); st != 200 || !strings.Contains(body, `"accepted":30`) {
		t.Fatalf("track: %d %s", st, body)
	}
	if st, body := apiCall(t, s.URL, tok.Token, "POST", "/api/v1/patrols/"+id+"/end", map[string]any{"ended_at": start.Add(25 * time.Minute).Format(time.RFC3339), "summary": "巡查正常"}); st != 200 {
		t.Fatalf("end: %d %s", st, body)
	}
	day := start.Format("2006-01-02")

	tb := s.newTab(t)
	tb.signIn("community1", demo.Password)
	if st := tb.open("/patrols?month=" + start.Format("2006-01")); st != 200 {
		t.Fatalf("/patrols: %d", st)
	}
	cell := fmt.Sprintf(`#patrol-calendar tr[data-grid=%q] td[data-date=%q]`, demo.GridCode(0, 0), day)
	if got := tb.text(cell); !strings.HasPrefix(got, "1/") {
		t.Fatalf("the calendar cell of grid 1 on %s reads %q, want 1/…", day, got)
	}
	if n := len(tb.texts(`#patrol-calendar tr[data-grid^="620502004002"]`)); n != 0 {
		t.Fatalf("community1's calendar shows %d grids of another community", n)
	}
	if st := tb.open("/patrols/book?grid=" + demo.GridCode(0, 0) + "&month=" + start.Format("2006-01")); st != 200 {
		t.Fatalf("record book: %d", st)
	}
	rows := tb.texts("#book-table tbody tr")
	found := false
	for _, r := range rows {
		if strings.Contains(r, start.Format("01-02")) || strings.Contains(r, day) {
			found = true
		}
	}
	if !found {
		t.Fatalf("the record book has no row for %s: %q", day, rows)
	}
	pdf, err := chromedp.Run(tb.ctx, chromedp.PrintToPDF())
	if err != nil || len(pdf) < 1000 || string(pdf[:5]) != "%PDF-" {
		t.Fatalf("print the record book: %v, %d bytes", err, len(pdf))
	}
}
