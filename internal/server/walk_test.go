package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// badValues are what a careless or hostile client puts where a parameter goes.
var badValues = []string{"x", "-1", "0", "NaN", "Inf", "-Inf", "1e400", "99999999999999999999999", "2026-13-45",
	"../../etc/passwd", "%00", "'; DROP TABLE cases; --", strings.Repeat("长", 3000), ""}

// queryNames are the query parameters the pages and API read somewhere.
var queryNames = []string{"page", "page_size", "region", "from", "to", "status", "class", "category", "source", "level",
	"unit", "overdue", "mine", "sort", "q", "year", "month", "date", "day", "grid", "lat", "lon", "kind", "tag", "bucket",
	"role", "thumb", "unread", "patroller", "state", "flagged", "id", "code", "lang", "weeks", "period"}

// routePattern finds the routes registered in server.go files (pages) — kept
// in source so that a new page is walked without being listed here.
var routePattern = regexp.MustCompile(`(?:in|mux\.HandleFunc|mux\.Handle)\("(GET|POST|PUT|PATCH|DELETE) (/[^"]*)"`)

// pageRoutes reads the page routes from internal/web's source.
func pageRoutes(t *testing.T) [][2]string {
	t.Helper()
	src, err := os.ReadFile("../web/server.go")
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, m := range routePattern.FindAllStringSubmatch(string(src), -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	if len(out) < 40 {
		t.Fatalf("found only %d page routes in web/server.go; is the pattern broken?", len(out))
	}
	return out
}

// apiRoutes reads the API's routes from its own OpenAPI document.
func apiRoutes(t *testing.T, base string) [][3]string {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var out [][3]string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			var qs []string
			for _, p := range op.Parameters {
				if p.In == "query" {
					qs = append(qs, p.Name)
				}
			}
			out = append(out, [3]string{strings.ToUpper(method), path, strings.Join(qs, ",")})
		}
	}
	if len(out) < 40 {
		t.Fatalf("found only %d API routes", len(out))
	}
	return out
}

var param = regexp.MustCompile(`\{[a-z_$]+\}`)

// fill puts v into every path parameter of a pattern ({$} is the end marker).
func fill(pattern, v string) string {
	pattern = strings.ReplaceAll(pattern, "{$}", "")
	return param.ReplaceAllString(pattern, url.PathEscape(v))
}

// valuesFor is the bad values to try in a route: all of them where the path
// takes parameters; for a fixed path a few, which vary only the query and body.
func valuesFor(pattern string) []string {
	if param.MatchString(strings.ReplaceAll(pattern, "{$}", "")) {
		return badValues
	}
	return []string{"x", "-1", "NaN", "1e400", "99999999999999999999999", "", strings.Repeat("长", 3000)}
}

// skipped are routes whose success would end the walker's own session, and
// the live event stream, which never ends by itself.
var skipped = []string{"/logout", "/api/v1/tokens/current", "/api/v1/tokens", "/api/v1/events"}

// TestNoServerErrorFromInput walks every page and API route with bad path
// parameters, bad query values and bad bodies, as the admin (who reaches the
// deepest code) and as nobody, and fails on any 5xx (security issue #8, finding 8).
func TestNoServerErrorFromInput(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		jar, _ := cookiejar.New(nil)
		page := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := page.PostForm(srv.URL+"/login", url.Values{"username": {"admin"}, "password": {demo.Password}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("page sign-in: %v %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		tokResp, err := http.Post(srv.URL+"/api/v1/tokens", "application/json", strings.NewReader(fmt.Sprintf(`{"username":"admin","password":%q}`, demo.Password)))
		if err != nil {
			t.Fatal(err)
		}
		var tok struct{ Token string }
		json.NewDecoder(tokResp.Body).Decode(&tok)
		tokResp.Body.Close()

		failures := 0
		failed := map[string]bool{} // one report per route and status
		send := func(c *http.Client, route, method, target, ctype, body, bearer string) {
			t.Helper()
			req, err := http.NewRequest(method, srv.URL+target, strings.NewReader(body))
			if err != nil {
				return // a target the client itself refuses to send
			}
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", method, target, err)
			}
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				failures++
				if key := route + fmt.Sprint(resp.StatusCode); !failed[key] {
					failed[key] = true
					t.Errorf("%s → %d, e.g. %.160s (%s %.80q): %s", route, resp.StatusCode, target, ctype, body, b)
				}
			}
		}
		single := []string{"x", "-1", "NaN", "1e400", "99999999999999999999999", "2026-13-45"}
		badQuery := func(v string) string {
			q := url.Values{}
			for _, n := range queryNames {
				q.Set(n, v)
			}
			return q.Encode()
		}
		for _, rt := range pageRoutes(t) {
			method, pattern := rt[0], rt[1]
			if slices.Contains(skipped, pattern) || strings.HasPrefix(pattern, "/static/") {
				continue
			}
			for _, v := range valuesFor(pattern) {
				target := fill(pattern, v)
				if method == "GET" {
					send(page, method+" "+pattern, method, target+"?"+badQuery(v), "", "", "")
					send(http.DefaultClient, method+" "+pattern+" (anonymous)", method, target+"?"+badQuery(v), "", "", "")
					continue
				}
				if strings.HasPrefix(pattern, "/logout") {
					continue
				}
				send(page, method+" "+pattern, method, target, "application/x-www-form-urlencoded", badQuery(v), "")
				send(page, method+" "+pattern, method, target, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n"+v+"\r\n--x--\r\n", "")
			}
		}
		// One parameter at a time, so that an early refusal of one does not hide another.
		for _, rt := range pageRoutes(t) {
			if rt[0] != "GET" || strings.Contains(rt[1], "{") || strings.HasPrefix(rt[1], "/static/") {
				continue
			}
			for _, n := range queryNames {
				for _, v := range single {
					send(page, "GET "+rt[1]+" ?"+n, "GET", strings.ReplaceAll(rt[1], "{$}", "")+"?"+url.Values{n: {v}}.Encode(), "", "", "")
				}
			}
		}
		// A valid unit form but for its coordinates.
		for _, v := range single {
			send(page, "POST /units lat", "POST", "/units", "application/x-www-form-urlencoded", url.Values{"name": {"坐标测试"}, "kind": {"shop"},
				"credit_code": {""}, "lat": {v}, "lon": {v}}.Encode(), "")
		}
		bodies := []string{"", "{}", "null", "[]", `"x"`, "{", `{"lat":1e308,"lon":-1e308}`,
			`{"region":"x","year":-1,"page":-5,"id":"x","items":[{}],"answers":{"x":[99]},"due":"2026-13-45","date":"x","from":"x","to":"x"}`}
		for _, rt := range apiRoutes(t, srv.URL) {
			method, pattern := rt[0], rt[1]
			if slices.Contains(skipped, pattern) {
				continue
			}
			for _, v := range valuesFor(pattern) {
				target := fill(pattern, v)
				if method == "GET" {
					send(http.DefaultClient, method+" "+pattern, method, target+"?"+badQuery(v), "", "", tok.Token)
					if !strings.Contains(pattern, "{") {
						for _, n := range strings.Split(rt[2], ",") {
							if n != "" && (v == "x" || slices.Contains(single, v)) {
								send(http.DefaultClient, method+" "+pattern+" ?"+n, method, target+"?"+url.Values{n: {v}}.Encode(), "", "", tok.Token)
							}
						}
					}
					continue
				}
				for _, b := range bodies {
					send(http.DefaultClient, method+" "+pattern, method, target, "application/json", b, tok.Token)
				}
				send(http.DefaultClient, method+" "+pattern, method, target, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n\r\n"+v+"\r\n--x--\r\n", tok.Token)
			}
		}
		if failures > 0 {
			t.Errorf("%d requests answered 5xx in all", failures)
		}
	})
}
