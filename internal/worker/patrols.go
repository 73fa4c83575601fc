package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/lantian-org/lantian/internal/app"
)

// missedPatrols runs MissedPatrols for Once and logs what it did.
func missedPatrols(ctx context.Context, log *slog.Logger, a *app.App) {
	if n, err := MissedPatrols(ctx, a, a.Patrols.Now()); err != nil && ctx.Err() == nil {
		log.Warn("missed-patrol job failed", "err", err)
	} else if n > 0 {
		log.Info("missed patrols notified", "count", n)
	}
}

// MissedPatrols tells grids' leaders of the plan windows that passed without
// a patrol by now, once each (see patrolsvc.Service.AlertMissed); it returns
// how many alerts it sent.
func MissedPatrols(ctx context.Context, a *app.App, now time.Time) (int, error) {
	return a.Patrols.AlertMissed(ctx, now)
}
