package api_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/testutil"
)

// numbers returns the case numbers of a list answer.
func numbers(t *testing.T, body string) []string {
	t.Helper()
	var out struct{ Items []struct{ Number string } }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("decode %s: %v", trunc(body), err)
	}
	var ns []string
	for _, it := range out.Items {
		ns = append(ns, it.Number)
	}
	return ns
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestCaseSearchAndMine: ?q= finds a case by number, description and address
// words; ?mine=1 lists what was assigned to my grid, as the inbox tells.
func TestCaseSearchAndMine(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		report := `{"client_id":"5d1c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01","category":"06010","description":"槐树巷尽头暴露垃圾堆积",
			"lat":34.5725,"lon":105.7025,"class":"escalated","address":"槐荫路77号后门"}`
		created := decodeCase(t, c.Expect("volunteer01", "POST", "/api/v1/cases", report, 201))
		n := created.Number
		get := func(user, query string) []string {
			t.Helper()
			return numbers(t, c.Expect(user, "GET", "/api/v1/cases?"+query, "", 200))
		}
		for _, q := range []string{"槐荫路", "槐树巷 垃圾", n, strings.ToLower(n[len(n)-6:])} {
			if got := get("street", "q="+url.QueryEscape(q)); !has(got, n) {
				t.Errorf("q=%s: %v lacks %s", q, got, n)
			}
		}
		if got := get("street", "q="+url.QueryEscape("槐荫路 不存在的词")); has(got, n) {
			t.Errorf("every word must match: %v", got)
		}
		if got := get("street", "q="+url.QueryEscape("槐荫路")+"&status=closed"); has(got, n) {
			t.Errorf("search ignores the other filters: %v", got)
		}
		// Outside the viewer's scope a search finds nothing.
		if got := get("community2", "q="+url.QueryEscape("槐荫路")); has(got, n) {
			t.Errorf("another community found it: %v", got)
		}
		// %, _ are literal.
		if got := get("street", "q=%25"); has(got, n) {
			t.Errorf("q=%% matched everything")
		}
		c.Expect("street", "GET", "/api/v1/cases?q="+strings.Repeat("长", 101), "", 422, `"q"`)

		// Not assigned yet: nobody's.
		if has(get("patrol02", "mine=1"), n) {
			t.Fatal("mine before assignment")
		}
		c.Expect("community1", "POST", "/api/v1/cases/"+n+"/actions", `{"action":"assign","version":1,"assignee":{"region":"620502004001001"}}`, 200)
		for user, want := range map[string]bool{"patrol02": true, "patrol01": true, "grid01": true, "patrol03": false, "community1": false, "volunteer01": false} {
			if got := has(get(user, "mine=1"), n); got != want {
				t.Errorf("%s mine=1: %v, want %v", user, got, want)
			}
		}
		if !has(get("patrol02", "mine=1&q="+url.QueryEscape("槐荫路")), n) {
			t.Error("mine and q together")
		}
	})
}

// TestManualPosition: a case whose point was set by hand says so.
func TestManualPosition(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	c := srv.API(t)
	body := c.Expect("patrol01", "POST", "/api/v1/cases", `{"client_id":"6d1c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01","category":"06010","description":"手点位置",
		"lat":34.5725,"lon":105.7025,"class":"escalated","position":"manual"}`, 201)
	n := decodeCase(t, body).Number
	if got := c.Expect("patrol01", "GET", "/api/v1/cases/"+n, "", 200); !strings.Contains(got, `"position_manual":true`) {
		t.Fatalf("flag lost: %s", got)
	}
	c.Expect("patrol01", "POST", "/api/v1/cases", `{"client_id":"6d1c8f0e-7c39-4c0b-9a53-0f4a5b1f6a02","category":"06010","description":"x",
		"lat":34.5725,"lon":105.7025,"class":"escalated","position":"guess"}`, 422, `"position"`)
}
