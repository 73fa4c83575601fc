package worker

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/app"
)

// LeaderRetry is how often a server that does not run the jobs tries to
// take them over, and how often the one that does checks that it still may.
// A server that dies releases the lock with its database session, so
// another one takes over within LeaderRetry plus one job interval.
const LeaderRetry = 5 * time.Second

// lead calls jobs every interval while this server holds the job lock
// (store.JobLock: a PostgreSQL advisory lock; always held on SQLite), so
// that of several servers on one database exactly one runs the periodic
// jobs at a time. It returns when ctx ends, releasing the lock.
func lead(ctx context.Context, a *app.App, interval time.Duration, jobs func()) {
	lock := a.DB.NewJobLock()
	defer lock.Release()
	check := min(LeaderRetry, interval)
	t := time.NewTicker(check)
	defer t.Stop()
	var last time.Time
	leading := false
	for {
		held, err := lock.Hold(ctx)
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("job lock: database unavailable", "err", err)
		}
		if held != leading && ctx.Err() == nil {
			leading = held
			if held {
				a.Log.Info("this server now runs the periodic jobs")
			} else {
				a.Log.Info("this server no longer runs the periodic jobs")
			}
		}
		if held && time.Since(last) >= interval {
			last = time.Now()
			jobs()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
