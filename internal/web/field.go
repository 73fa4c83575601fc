package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/lantian-org/lantian/internal/locale"
)

// The field app at /m/: one HTML shell, app.js and app.css, installable
// (manifest) and opening offline (service worker). It signs in once for a
// device token and talks to /api/v1 with Bearer auth, so its pages need no
// cookie session. Everything it records goes into an IndexedDB outbox that
// is flushed, in order, to POST /api/v1/sync.

// fieldAssets are what the service worker caches besides the shell.
var fieldAssets = []string{"field/app.js", "field/app.css", "field/icon.svg"}

// fieldKeys are the catalog keys of the texts the app shows.
var fieldKeys = []string{
	"fieldapp.title",
	"fieldapp.signin",
	"fieldapp.username",
	"fieldapp.password",
	"fieldapp.signout",
	"fieldapp.signin_failed",
	"fieldapp.today",
	"fieldapp.start",
	"fieldapp.done_today",
	"fieldapp.no_grids",
	"fieldapp.patrolling",
	"fieldapp.points",
	"fieldapp.gps_waiting",
	"fieldapp.gps_denied",
	"fieldapp.sites",
	"fieldapp.no_sites",
	"fieldapp.checkin",
	"fieldapp.checked_in",
	"fieldapp.note",
	"fieldapp.finding",
	"fieldapp.class",
	"fieldapp.class_onspot",
	"fieldapp.class_escalated",
	"fieldapp.class_committed",
	"fieldapp.category",
	"fieldapp.description",
	"fieldapp.handling",
	"fieldapp.commitment",
	"fieldapp.due",
	"fieldapp.photo",
	"fieldapp.save",
	"fieldapp.cancel",
	"fieldapp.saved",
	"fieldapp.dispute",
	"fieldapp.parties",
	"fieldapp.summary",
	"fieldapp.outcome",
	"fieldapp.promotion",
	"fieldapp.households",
	"fieldapp.end",
	"fieldapp.end_summary",
	"fieldapp.waiting",
	"fieldapp.all_sent",
	"fieldapp.offline",
	"fieldapp.rejected",
	"fieldapp.retry",
	"fieldapp.discard",
	"fieldapp.assigned",
	"fieldapp.new_assignment",
	"fieldapp.discard_confirm",
	"fieldapp.photos_waiting",
	"fieldapp.required",
	"fieldapp.type_patrol_start",
	"fieldapp.type_track",
	"fieldapp.type_visit",
	"fieldapp.type_case",
	"fieldapp.type_record",
	"fieldapp.type_end",
}

// fieldDict returns the app's texts in lang as key → text.
func fieldDict(lang string) map[string]string {
	p := locale.New(lang)
	out := make(map[string]string, len(fieldKeys))
	for _, k := range fieldKeys {
		out[k] = p.T(k)
	}
	return out
}

var fieldShellTpl = template.Must(template.New("field").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#1565c0">
<title>{{.Title}}</title>
<link rel="manifest" href="/m/manifest.webmanifest">
<link rel="icon" href="{{.Icon}}">
<link rel="stylesheet" href="{{.CSS}}">
</head>
<body>
<header class="bar"><h1>{{.Title}}</h1><button id="syncbar" class="sync" type="button"></button></header>
<main id="app"></main>
<script id="dict" type="application/json">{{.Dict}}</script>
<script src="{{.JS}}" defer></script>
</body>
</html>
`))

// fieldShell serves the app's one page, for /m/ and every path under it
// that the app routes by itself.
func (s *Server) fieldShell(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	dict, err := json.Marshal(fieldDict(lang))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Language", lang)
	err = fieldShellTpl.Execute(w, map[string]any{
		"Lang": lang, "Title": fieldDict(lang)["fieldapp.title"], "Dict": template.JS(dict),
		"CSS": s.static.url("field/app.css"), "JS": s.static.url("field/app.js"), "Icon": s.static.url("field/icon.svg"),
	})
	if err != nil {
		s.app.Log.Error("field shell", "err", err)
	}
}

func (s *Server) fieldManifest(w http.ResponseWriter, r *http.Request) {
	title := fieldDict(langOf(r))["fieldapp.title"]
	m := map[string]any{
		"name": title, "short_name": title, "start_url": "/m/", "scope": "/m/", "display": "standalone",
		"background_color": "#ffffff", "theme_color": "#1565c0", "lang": langOf(r),
		"icons": []map[string]string{{"src": s.static.url("field/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}},
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	json.NewEncoder(w).Encode(m)
}

// fieldSW is the service worker: it caches the shell and its assets
// (versioned URLs, so a new build is a new cache) and serves them when the
// network is down. API calls always go to the network. Where the browser
// has Background Sync, the app registers the tag "outbox" while records
// wait; when the network returns the browser fires it and the worker asks
// the open app to send its outbox (the app also sends on open, on
// "online" and every 20 seconds).
const fieldSW = `const CACHE = %q;
const SHELL = %s;
self.addEventListener('install', e => {
  e.waitUntil(caches.open(CACHE).then(c => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', e => {
  e.waitUntil(caches.keys().then(ks => Promise.all(ks.filter(k => k.startsWith('lantian-field-') && k !== CACHE).map(k => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener('fetch', e => {
  const u = new URL(e.request.url);
  if (e.request.method !== 'GET' || u.origin !== location.origin || u.pathname.startsWith('/api/')) return;
  if (e.request.mode === 'navigate' && u.pathname.startsWith('/m/')) {
    e.respondWith(fetch(e.request).then(r => {
      if (r.ok) { const c = r.clone(); caches.open(CACHE).then(ca => ca.put('/m/', c)); }
      return r;
    }).catch(() => caches.match('/m/')));
    return;
  }
  e.respondWith(caches.match(e.request).then(r => r || fetch(e.request)));
});
self.addEventListener('sync', e => {
  if (e.tag !== 'outbox') return;
  e.waitUntil(self.clients.matchAll({ type: 'window' }).then(cs => cs.forEach(c => c.postMessage('flush'))));
});
`

func (s *Server) fieldWorker(w http.ResponseWriter, r *http.Request) {
	shell := []string{"/m/"}
	var ver strings.Builder
	for _, a := range fieldAssets {
		shell = append(shell, s.static.url(a))
		ver.WriteString(s.static.hashes[a][:4])
	}
	list, _ := json.Marshal(shell)
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Service-Worker-Allowed", "/m/")
	fmt.Fprintf(w, fieldSW, "lantian-field-"+ver.String(), list)
}
