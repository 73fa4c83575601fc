package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/store"
)

// alertHorizon is how far back the missed-patrol job looks for windows that
// ended: a server down over a window's end still alerts when it returns, but
// a fresh start does not flood leaders with history.
const alertHorizon = 24 * time.Hour

// missedPatrols runs MissedPatrols for Once and logs what it did.
func missedPatrols(ctx context.Context, log *slog.Logger, a *app.App) {
	if n, err := MissedPatrols(ctx, a, a.Cases.Now()); err != nil && ctx.Err() == nil {
		log.Warn("missed-patrol job failed", "err", err)
	} else if n > 0 {
		log.Info("missed patrols notified", "count", n)
	}
}

// MissedPatrols puts a patrol_missed notice in the inbox of a grid's
// community leaders (the street's when the community has none) for each plan
// window that ended at or before now, within the last day, on a day the
// plan requires patrols, without a patrol started in it — once per grid,
// date and window. When a plan asks for fewer patrols than it has windows, a
// window counts as missed only once the later windows can no longer make up
// for it. It returns how many alerts it sent.
func MissedPatrols(ctx context.Context, a *app.App, now time.Time) (int, error) {
	cal, err := a.Cases.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	grids, err := a.DB.GridsUnder(ctx, true, nil)
	if err != nil {
		return 0, err
	}
	plans, err := a.DB.StoredPatrolPlans(ctx, "", "")
	if err != nil {
		return 0, err
	}
	sent := 0
	local := now.In(a.Loc)
	for _, day := range []time.Time{local.AddDate(0, 0, -1), local} {
		date := patrol.Day(day, a.Loc)
		y, m, d := day.Date()
		started, err := a.DB.WindowsStarted(ctx, time.Date(y, m, d, 0, 0, 0, 0, a.Loc), time.Date(y, m, d+1, 0, 0, 0, 0, a.Loc))
		if err != nil {
			return sent, err
		}
		for _, g := range grids {
			plan, ok := plans[g.Code]
			if !ok {
				plan = patrol.DefaultPlan(g.Code)
			}
			need := plan.RequiredWindows(plan.Required(cal, day))
			if need == 0 {
				continue
			}
			covered := 0
			for i, w := range plan.Windows {
				hit := started[g.Code]&(1<<i) != 0
				if hit {
					covered++
				}
				_, end := w.Bounds(day, a.Loc)
				if hit || end.After(now) || now.Sub(end) > alertHorizon {
					continue
				}
				if covered+len(plan.Windows)-1-i >= need {
					continue // later windows can still make up for it
				}
				// The inbox shows the number column beside the kind: name the grid, day and window there.
				ev := notify.Event{Kind: notify.PatrolMissed, Subject: notify.Subject{Region: g.Code},
					Record: notify.Record{Kind: "patrol_alert", Ref: g.Name + " " + date + " " + w.String()},
					Args:   map[string]any{"grid": g.Code, "date": date, "window": w.String()}}
				ok, err := a.DB.AlertMissed(ctx, store.Missed{Grid: g.Code, Day: date, Window: i + 1, Span: w}, ev)
				if err != nil {
					return sent, err
				}
				if ok {
					sent++
				}
			}
		}
	}
	return sent, nil
}
