package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/app"
)

// healthTTL is how long one database check answers /healthz: load
// balancers poll every few seconds from several places, and each poll
// need not cost a round trip to the database.
const healthTTL = time.Second

// health answers /healthz: 200 "ok" while the database answers a ping,
// 503 while it does not. The connection pool reconnects by itself, so a
// server answers 200 again as soon as the database is back.
type health struct {
	a  *app.App
	mu sync.Mutex
	at time.Time
	ok bool
}

func newHealth(a *app.App) *health { return &health{a: a} }

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if time.Since(h.at) >= healthTTL {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		err := h.a.DB.Ping(ctx)
		cancel()
		if err != nil && h.ok {
			h.a.Log.Warn("database unavailable", "err", err)
		}
		h.ok, h.at = err == nil, time.Now()
	}
	ok := h.ok
	h.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}
