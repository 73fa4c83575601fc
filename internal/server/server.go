// Package server assembles the HTTP handler: pages, the JSON API, health
// checks and the middleware around them.
package server

import (
	"context"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/api"
	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/web"
)

// MaxForm is the largest urlencoded form body a page accepts.
const MaxForm = 1 << 20

// Handler returns the whole application's handler.
func Handler(a *app.App) (http.Handler, error) {
	pages, err := web.New(a)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	// /healthz is the load balancer's check: 503 while the database does not
	// answer, so that traffic goes to the other servers (health.go).
	mux.Handle("GET /healthz", newHealth(a))
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain")
		if err := a.DB.Ping(ctx); err != nil {
			a.Log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unavailable\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
	api.New(a).Routes(mux)

	pageMux := http.NewServeMux()
	pages.Routes(pageMux)
	mux.Handle("/", pages.Identify(parseForms(pageMux)))

	// Cross-origin writes are refused for every route; API clients that send
	// no Origin or Sec-Fetch-Site header (scripts, apps) are not affected.
	cop := http.NewCrossOriginProtection()
	if a.Cfg.BaseURL != "" {
		if err := cop.AddTrustedOrigin(a.Cfg.BaseURL); err != nil {
			return nil, err
		}
	}
	var h http.Handler = mux
	h = cop.Handler(h)
	h = securityHeaders(h)
	h = web.AccessLog(a.Log, h)
	h = web.Recover(a.Log, h)
	return h, nil
}

// parseForms limits and parses urlencoded page forms up front, so handlers
// can read r.PostForm; multipart uploads are left to their handlers.
func parseForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if ct == "application/x-www-form-urlencoded" || ct == "" {
				r.Body = http.MaxBytesReader(w, r.Body, MaxForm)
				if err := r.ParseForm(); err != nil {
					http.Error(w, locale.New(locale.FromRequest(r, locale.Languages[0])).T("err.body_too_large"), http.StatusRequestEntityTooLarge)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// ContentSecurityPolicy is sent with every page (everything outside /api/).
// Scripts run only from our own files: no inline script, no handler
// attribute, no eval (htmx runs with allowEval off), so markup that slips
// into a page cannot run. Styles keep 'unsafe-inline' for the style
// attributes that carry per-row values (meter widths, track colours);
// images may come from https: for configured map tiles.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
	"form-action 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; connect-src 'self'; worker-src 'self'; manifest-src 'self'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
		}
		next.ServeHTTP(w, r)
	})
}
