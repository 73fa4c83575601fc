package worker

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/app"
)

// ArchiveLetters moves the signed letters of years that have ended to
// "archived" (signed → archived), once the new year has begun in the
// street's time zone; it returns how many. Running it again does nothing.
func ArchiveLetters(ctx context.Context, a *app.App, now time.Time) (int, error) {
	return a.LetterSvc.Archive(ctx, now)
}
