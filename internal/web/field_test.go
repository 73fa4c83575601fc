package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/testutil"
)

// TestFieldApp checks the field app's shell, manifest and service worker:
// served without a session, with the right types, and small.
func TestFieldApp(t *testing.T) { testutil.Each(t, testFieldApp) }

func testFieldApp(t *testing.T, srv *testutil.Server) {
	get := func(path string) (*http.Response, string) {
		t.Helper()
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200 without signing in", path, resp.StatusCode)
		}
		return resp, string(b)
	}
	resp, shell := get("/m/")
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("shell Content-Type = %q, want text/html; charset=utf-8", ct)
	}
	for _, want := range []string{`lang="zh-CN"`, `href="/m/manifest.webmanifest"`, "开始巡查", "到达打卡", "即办件", "承诺件"} {
		if !strings.Contains(shell, want) {
			t.Errorf("shell lacks %q", want)
		}
	}
	if strings.Contains(shell, `"fieldapp.`+`start":"fieldapp.start"`) {
		t.Error("a text shows as its key, want every text translated")
	}
	m := regexp.MustCompile(`<script id="dict" type="application/json">(.*?)</script>`).FindStringSubmatch(shell)
	if m == nil {
		t.Fatal("no dictionary in the shell, want a <script id=\"dict\"> of texts")
	}
	var dict map[string]string
	if err := json.Unmarshal([]byte(m[1]), &dict); err != nil {
		t.Fatalf("dictionary: %v, want a JSON object of texts", err)
	}
	for k, v := range dict {
		if v == "" || v == k {
			t.Errorf("text %s = %q, want a translation", k, v)
		}
	}
	if _, en := get("/m/?lang=en"); !strings.Contains(en, "Start patrol") || !strings.Contains(en, `lang="en"`) {
		t.Error("the English shell is not in English, want lang=\"en\" and Start patrol")
	}

	size := len(shell)
	assets := regexp.MustCompile(`(?:href|src)="(/static/field/[^"]+)"`).FindAllStringSubmatch(shell, -1)
	if len(assets) < 3 {
		t.Fatalf("shell links %d field assets, want app.css, app.js and the icon", len(assets))
	}
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	for _, a := range assets {
		r, body := get(a[1])
		size += len(body)
		ext := regexp.MustCompile(`\.[a-z]+\?`).FindString(a[1])
		if want := types[strings.TrimSuffix(ext, "?")]; r.Header.Get("Content-Type") != want {
			t.Errorf("%s Content-Type = %q, want %q", a[1], r.Header.Get("Content-Type"), want)
		}
	}
	if size > 200<<10 {
		t.Errorf("first load is %d bytes, want at most 200 KB", size)
	}
	t.Logf("first load: %d bytes before compression", size)

	resp, man := get("/m/manifest.webmanifest")
	if ct := resp.Header.Get("Content-Type"); ct != "application/manifest+json" {
		t.Errorf("manifest Content-Type = %q, want application/manifest+json", ct)
	}
	var mf struct {
		Name, StartURL, Scope, Display string
		Icons                          []struct{ Src string }
	}
	if err := json.Unmarshal([]byte(strings.NewReplacer(`"start_url"`, `"StartURL"`).Replace(man)), &mf); err != nil {
		t.Fatalf("manifest: %v, want JSON", err)
	}
	if mf.Name != "蓝天巡查" || mf.StartURL != "/m/" || mf.Scope != "/m/" || mf.Display != "standalone" || len(mf.Icons) == 0 {
		t.Errorf("manifest = %+v, want 蓝天巡查, standalone, start and scope /m/, with icons", mf)
	}

	resp, sw := get("/m/sw.js")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("sw.js Content-Type = %q, want text/javascript", ct)
	}
	if a := resp.Header.Get("Service-Worker-Allowed"); a != "/m/" {
		t.Errorf("Service-Worker-Allowed = %q, want /m/", a)
	}
	for _, a := range assets {
		if !strings.Contains(sw, `"`+a[1]+`"`) {
			t.Errorf("the service worker does not cache %s, want every asset of the shell cached", a[1])
		}
	}
	if !strings.Contains(sw, `"/m/"`) {
		t.Error("the service worker does not cache the shell, want /m/ cached")
	}
}
