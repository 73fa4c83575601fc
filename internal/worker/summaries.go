package worker

import (
	"context"
	"log/slog"

	"github.com/lantian-org/lantian/internal/app"
)

// summaries makes the work group's scheduled summaries for Once: the
// day's digest from 18:00, the week's unsigned letters on Monday morning.
func summaries(ctx context.Context, log *slog.Logger, a *app.App) {
	now := a.Cases.Now()
	if n, err := a.Messages.Digests(ctx, now); err != nil && ctx.Err() == nil {
		log.Warn("digest job failed", "err", err)
	} else if n > 0 {
		log.Info("daily digests made", "count", n)
	}
	if n, err := a.Messages.UnsignedLetters(ctx, now); err != nil && ctx.Err() == nil {
		log.Warn("unsigned-letters job failed", "err", err)
	} else if n > 0 {
		log.Info("weekly unsigned-letter lists made", "count", n)
	}
}
