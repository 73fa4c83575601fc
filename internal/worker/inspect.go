package worker

import (
	"context"
	"log/slog"

	"github.com/lantian-org/lantian/internal/app"
)

// scheduleInspections keeps the weekly inspections of every community made
// to the end of next week (issue 10), and logs what it did. Making them
// again makes nothing: each community has one per week.
func scheduleInspections(ctx context.Context, log *slog.Logger, a *app.App) {
	if n, err := a.Inspect.ScheduleAhead(ctx); err != nil && ctx.Err() == nil {
		log.Warn("inspection schedule job failed", "err", err)
	} else if n > 0 {
		log.Info("weekly inspections scheduled", "count", n)
	}
}
