package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestPickAndNext: units are found by part of their name, the nearest
// first; the case page offers the likely next actions first and people of
// the region as assignees; nobody is asked for a unit number.
func TestPickAndNext(t *testing.T) { testutil.Each(t, testPickAndNext) }

func testPickAndNext(t *testing.T, srv *testutil.Server) {
	st := newBrowser(t, srv.URL)
	st.login("street")
	b := newBrowser(t, srv.URL)
	b.login("community1")
	status, body := st.get("/pick/units?q=" + url.QueryEscape("三中"))
	var out struct {
		Items []struct {
			ID       int64
			Name     string
			Distance float64
		}
	}
	if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil || len(out.Items) == 0 || !strings.Contains(out.Items[0].Name, "三中") {
		t.Fatalf("pick 三中: %d %s", status, body)
	}
	id := out.Items[0].ID
	_, body = st.get("/pick/units?lat=34.5725&lon=105.7025")
	json.Unmarshal([]byte(body), &out)
	for i := 1; i < len(out.Items); i++ {
		if a, c := out.Items[i-1].Distance, out.Items[i].Distance; c >= 0 && (a < 0 || a > c) {
			t.Fatalf("not nearest first: %s", body)
		}
	}
	_, body = st.get("/pick/units?ids=" + jsonNum(id))
	if !strings.Contains(body, "三中") {
		t.Fatalf("names by id: %s", body)
	}
	// A unit's contact sees their own unit only.
	o := newBrowser(t, srv.URL)
	o.login("unit01")
	if _, body = o.get("/pick/units"); strings.Count(body, `"id"`) != 1 {
		t.Errorf("unit contact picks from: %s", body)
	}

	ctx := context.Background()
	p, who := testutil.As(t, srv.App, "patrol01")
	c, _, err := srv.App.Cases.Report(ctx, who, p, casesvc.Report{Input: cases.Input{ClientID: "2b1c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01",
		Category: "06010", Description: "待派遣", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassEscalated}})
	if err != nil {
		t.Fatal(err)
	}
	_, page := b.get("/cases/" + c.Number)
	for _, want := range []string{`class="act act-primary" id="act-assign"`, `class="act act-primary" id="act-file"`, `class="act act-more" id="act-reject"`,
		`id="more-actions"`, `value="person:`, `data-pick="units"`, `data-pick-lat="34.5725"`} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %s", want)
		}
	}
	for _, path := range []string{"/cases", "/cases/" + c.Number, "/letters", "/people/new"} {
		_, page = b.get(path)
		for _, in := range unitInput.FindAllString(page, -1) {
			if !strings.Contains(in, "data-pick") && !strings.Contains(in, `type="hidden"`) {
				t.Errorf("%s still asks for a unit number: %s", path, in)
			}
		}
	}
}

var unitInput = regexp.MustCompile(`<input[^>]*name="unit(?:_id|_ids)?"[^>]*>`)

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestPrintHeaderFilters: the printed ledger names every filter in its header.
func TestPrintHeaderFilters(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	b := newBrowser(t, srv.URL)
	b.login("street")
	_, page := b.get("/cases/print?status=reported&q=" + url.QueryEscape("槐荫") + "&overdue=1&mine=1&source=public&sort=deadline")
	for _, want := range []string{`id="print-filters"`, "搜索：槐荫", "状态：", "来源：", "期限最近在前"} {
		if !strings.Contains(page, want) {
			t.Errorf("printed header lacks %q", want)
		}
	}
}
