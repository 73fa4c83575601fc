package server_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/server"
	"github.com/lantian-org/lantian/internal/testutil"
)

// The contract: every HTML page's Content-Security-Policy has a script-src
// without 'unsafe-inline' (nor 'unsafe-eval'), and no page carries inline
// code such a policy would block. The test walks every page reachable by
// links from the start pages, as the district admin and anonymously.

var (
	hrefRE       = regexp.MustCompile(`(?i)<a\b[^>]*\shref="([^"]*)"`)
	scriptOpenRE = regexp.MustCompile(`(?is)<script\b([^>]*)>`)
	jsonTypeRE   = regexp.MustCompile(`(?i)\btype="application/json"`)
	srcRE        = regexp.MustCompile(`(?i)\bsrc=`)
	handlerRE    = regexp.MustCompile(`(?i)<[a-z][a-z0-9-]*\s[^>]*?\s(on[a-z]+)\s*=`)
	jsURLRE      = regexp.MustCompile(`(?i)\s(?:href|src|action|formaction)="\s*javascript:`)
)

// directives parses a policy into directive → sources.
func directives(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[strings.ToLower(f[0])] = f[1:]
		}
	}
	return out
}

// checkPolicy returns what is wrong with a page's policy, or "".
func checkPolicy(policy string) string {
	if policy == "" {
		return "no Content-Security-Policy"
	}
	d := directives(policy)
	src, ok := d["script-src"]
	if !ok {
		return "no script-src in " + policy
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} {
		if slices.Contains(src, bad) {
			return "script-src allows " + bad + ": " + policy
		}
	}
	for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
		f := strings.Fields(want)
		if !slices.Equal(d[f[0]], f[1:]) {
			return "want " + want + " in " + policy
		}
	}
	return ""
}

// crawler walks same-origin pages by their links.
type crawler struct {
	t      *testing.T
	base   *url.URL
	c      *http.Client
	seen   map[string]bool
	queue  []string
	pages  int
	who    string
	maxURL int
}

func newCrawler(t *testing.T, base, who string) *crawler {
	u, _ := url.Parse(base)
	jar, _ := cookiejar.New(nil)
	return &crawler{t: t, base: u, who: who, seen: map[string]bool{}, maxURL: 600,
		c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// key makes one visit per path and set of query keys, so that a list's
// pages and filter values do not multiply the walk.
func key(u *url.URL) string {
	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return u.Path + "?" + strings.Join(keys, "&")
}

func (cr *crawler) add(ref string, from *url.URL) {
	u, err := from.Parse(ref)
	if err != nil || u.Host != cr.base.Host || u.Scheme != cr.base.Scheme {
		return
	}
	u.Fragment = ""
	switch {
	case strings.HasPrefix(u.Path, "/static/"), strings.HasPrefix(u.Path, "/api/"),
		strings.HasPrefix(u.Path, "/photos/"), strings.Contains(u.Path, "/files/"), strings.HasSuffix(u.Path, "/photo"),
		u.Query().Get("format") != "", u.Query().Get("thumb") != "":
		return // files, not pages
	}
	k := key(u)
	if cr.seen[k] || len(cr.seen) >= cr.maxURL {
		return
	}
	cr.seen[k] = true
	cr.queue = append(cr.queue, u.String())
}

func (cr *crawler) walk(start ...string) {
	for _, s := range start {
		cr.add(s, cr.base)
	}
	for len(cr.queue) > 0 {
		next := cr.queue[0]
		cr.queue = cr.queue[1:]
		cr.visit(next)
	}
}

func (cr *crawler) visit(raw string) {
	t := cr.t
	resp, err := cr.c.Get(raw)
	if err != nil {
		t.Fatalf("%s GET %s: %v", cr.who, raw, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	u, _ := url.Parse(raw)
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
		cr.add(loc, u)
		return
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		return
	}
	cr.pages++
	path := u.RequestURI()
	if msg := checkPolicy(resp.Header.Get("Content-Security-Policy")); msg != "" {
		t.Errorf("%s %s (%d): %s", cr.who, path, resp.StatusCode, msg)
	}
	html := string(body)
	for _, m := range scriptOpenRE.FindAllStringSubmatch(html, -1) {
		if !srcRE.MatchString(m[1]) && !jsonTypeRE.MatchString(m[1]) {
			t.Errorf("%s %s: an inline script <script%s>", cr.who, path, m[1])
		}
	}
	for _, m := range handlerRE.FindAllStringSubmatch(html, -1) {
		t.Errorf("%s %s: an inline handler %s= in %.80q", cr.who, path, m[1], m[0])
	}
	if m := jsURLRE.FindString(html); m != "" {
		t.Errorf("%s %s: a javascript: URL %q", cr.who, path, m)
	}
	for _, m := range hrefRE.FindAllStringSubmatch(html, -1) {
		cr.add(strings.ReplaceAll(m[1], "&amp;", "&"), u)
	}
}

// TestEveryPageForbidsInlineScript walks the site as the district admin and
// as an anonymous visitor.
func TestEveryPageForbidsInlineScript(t *testing.T) {
	if msg := checkPolicy(server.ContentSecurityPolicy); msg != "" {
		t.Fatalf("ContentSecurityPolicy: %s", msg)
	}
	for _, bad := range []string{"default-src 'self'; script-src 'self' 'unsafe-inline'", "default-src 'self'", "script-src 'self' 'unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"} {
		if checkPolicy(bad) == "" {
			t.Errorf("checkPolicy(%q) found nothing wrong", bad)
		}
	}
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		starts := []string{"/", "/login", "/public/report", "/public/cases", "/m/", "/no-such-page", "/cases/XG-20000101-0001"}

		anon := newCrawler(t, srv.URL, "anonymous")
		anon.walk(starts...)

		admin := newCrawler(t, srv.URL, "admin")
		form := url.Values{"username": {"admin"}, "password": {demo.Password}}
		resp, err := admin.c.PostForm(srv.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in as admin: status %d", resp.StatusCode)
		}
		admin.walk(starts...)

		// Enough of the site was walked to mean something.
		if anon.pages < 4 || admin.pages < 40 {
			t.Errorf("walked %d pages anonymously and %d as admin; want at least 4 and 40", anon.pages, admin.pages)
		}
		t.Logf("walked %d pages anonymously and %d as admin", anon.pages, admin.pages)
	})
}
