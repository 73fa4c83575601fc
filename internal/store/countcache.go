package store

import (
	"context"
	"strings"
	"sync"
	"time"
)

// countCache remembers ledger totals. Counting a filter over a million cases
// costs tens of milliseconds, while lists are read far more often than cases
// change: a total is kept until any write commits through this DB, or for
// at most countTTL (which bounds staleness when several servers share one
// PostgreSQL database and write behind each other's backs).
type countCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]countEntry
}

type countEntry struct {
	n   int
	gen uint64
	at  time.Time
}

const (
	countTTL     = 5 * time.Second
	countEntries = 2000
)

// invalidate forgets every total; Write calls it after each commit.
func (c *countCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

func countKey(query string, args []any) string {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		b.WriteByte(0)
		b.WriteString(strings.TrimSpace(strings.ReplaceAll(fmtArg(a), "\x00", "")))
	}
	return b.String()
}

// countCases runs a counting query (one number), from the cache when its answer is current.
func (db *DB) countCases(ctx context.Context, query string, args []any) (int, error) {
	key := countKey(query, args)
	c := &db.counts
	c.mu.Lock()
	gen := c.gen
	if e, ok := c.m[key]; ok && e.gen == gen && time.Since(e.at) < countTTL {
		c.mu.Unlock()
		return e.n, nil
	}
	c.mu.Unlock()
	var n int
	if err := db.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= countEntries {
		c.m = map[string]countEntry{}
	}
	c.m[key] = countEntry{n: n, gen: gen, at: time.Now()}
	c.mu.Unlock()
	return n, nil
}
