package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/store"
)

// staleCaches drops or rebuilds the in-memory caches a commit made stale,
// whether this server committed it or another one did (heard through
// store.DB.Listen). It runs on the committing goroutine, so the rebuild of
// the point-to-grid index happens on a goroutine of its own.
func (a *App) staleCaches(c store.Change) {
	if len(c.Caches) == 0 {
		return
	}
	if slices.Contains(c.Caches, store.TopicCalendar) {
		a.Calendar.Reload()
	}
	if slices.Contains(c.Caches, store.TopicSettings) && a.Streets != nil {
		a.Streets.Reload()
	}
	if slices.Contains(c.Caches, store.TopicRegions) {
		a.indexReload.kick(a)
	}
}

// indexReloader rebuilds the point-to-grid index once per burst of polygon
// changes: a change heard while a rebuild runs causes one more afterwards.
type indexReloader struct {
	mu      sync.Mutex
	running bool
	again   bool
}

func (r *indexReloader) kick(a *App) {
	r.mu.Lock()
	if r.running {
		r.again = true
		r.mu.Unlock()
		return
	}
	r.running = true
	r.mu.Unlock()
	go func() {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := a.ReloadIndex(ctx); err != nil {
				a.Log.Warn("point-to-grid index not rebuilt", "err", err)
			}
			cancel()
			r.mu.Lock()
			if !r.again {
				r.running = false
				r.mu.Unlock()
				return
			}
			r.again = false
			r.mu.Unlock()
		}
	}()
}
