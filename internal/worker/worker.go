// Package worker runs Lantian's background jobs on a schedule: moving
// overdue and major cases up to the street, telling people of overdue cases,
// and clearing expired sessions. Each job is idempotent, so a crash or a
// second server running the same job does no harm.
package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/lantian-org/lantian/internal/app"
)

// Every is how often the jobs run.
const Every = time.Minute

// Run runs the jobs every interval until ctx ends; the work group's
// outbox is delivered alongside, as soon as messages are written.
func Run(ctx context.Context, a *app.App, interval time.Duration) {
	go NewOutbox(a).Run(ctx)
	lastSweep := time.Time{}
	// Of several servers on one database, only the one holding the job lock runs these (leader.go).
	lead(ctx, a, interval, func() {
		Once(ctx, a.Log, a)
		if time.Since(lastSweep) > time.Hour {
			if n, err := a.DB.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("session sweep failed", "err", err)
			} else if n > 0 {
				a.Log.Info("expired sessions removed", "count", n)
			}
			if _, err := a.DB.SweepSignInFailures(ctx, time.Now().Add(-a.Auth.Throttle.Window)); err != nil && ctx.Err() == nil {
				a.Log.Warn("sign-in failure sweep failed", "err", err)
			}
			lastSweep = time.Now()
		}
	})
}

// Once runs each case job one time and logs what it did.
func Once(ctx context.Context, log *slog.Logger, a *app.App) {
	if n, err := ArchiveLetters(ctx, a, time.Now()); err != nil && ctx.Err() == nil {
		log.Warn("letter archiving failed", "err", err)
	} else if n > 0 {
		log.Info("last year's signed letters archived", "count", n)
	}
	if n, err := a.Cases.EscalateDue(ctx); err != nil && ctx.Err() == nil {
		log.Warn("escalation job failed", "err", err)
	} else if n > 0 {
		log.Info("cases escalated to the street", "count", n)
	}
	if n, err := a.Cases.NoticeOverdue(ctx); err != nil && ctx.Err() == nil {
		log.Warn("overdue notice job failed", "err", err)
	} else if n > 0 {
		log.Info("overdue cases notified", "count", n)
	}
	missedPatrols(ctx, log, a)
	scheduleInspections(ctx, log, a)
	if n, err := ProposeCampaigns(ctx, a); err != nil && ctx.Err() == nil {
		log.Warn("month-end clean-up proposals failed", "err", err)
	} else if n > 0 {
		log.Info("month-end clean-ups proposed", "count", n)
	}
	summaries(ctx, log, a)
}
