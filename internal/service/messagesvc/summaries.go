package messagesvc

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// The scheduled summaries: each is made once per region and day (the
// summaries table), whatever restarts, and goes out through tx.Notify to
// the channels of exactly that region that subscribe to it.
const (
	// DigestHour is when the daily digest is made, local time.
	DigestHour = 18
	// LettersWeekday and LettersHour are when the weekly list of unsigned letters is made.
	LettersWeekday = time.Monday
	LettersHour    = 9
	// LettersListed is how many unit names a weekly list carries at most.
	LettersListed = 50
)

// Figures are one region's digest figures.
type Figures struct {
	Name            string `json:"name"`
	Reported        int    `json:"reported"`
	Closed          int    `json:"closed"`
	Overdue         int    `json:"overdue"`
	PatrolsDone     int    `json:"patrols_done"`
	PatrolsRequired int    `json:"patrols_required"`
}

// Digests makes the day's digest of every street and community once it is
// DigestHour (local) or later: cases reported and closed today, pending
// cases past their deadline, patrols done of those required (a street's
// digest lists its communities). It returns how many it made.
func (s *Service) Digests(ctx context.Context, now time.Time) (int, error) {
	local := now.In(s.Loc)
	if local.Hour() < DigestHour {
		return 0, nil
	}
	day := local.Format("2006-01-02")
	made, err := s.DB.SummariesMade(ctx, string(notify.Digest), day)
	if err != nil {
		return 0, err
	}
	regions, err := s.DB.SummaryRegions(ctx)
	if err != nil {
		return 0, err
	}
	todo := 0
	for _, r := range regions {
		if !made[r.Code] {
			todo++
		}
	}
	if todo == 0 {
		return 0, nil
	}
	y, m, d := local.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, s.Loc)
	figures := map[string]Figures{}
	for _, r := range regions {
		f, err := s.DB.DigestFigures(ctx, r.Code, from, now)
		if err != nil {
			return 0, err
		}
		grids, err := s.DB.GridsUnder(ctx, false, []string{r.Code})
		if err != nil {
			return 0, err
		}
		fig := Figures{Name: r.Name, Reported: f.Reported, Closed: f.Closed, Overdue: f.Overdue}
		if len(grids) > 0 {
			codes := make([]string, len(grids))
			for i, g := range grids {
				codes[i] = g.Code
			}
			items, err := s.Patrols.GridDays(ctx, codes, day, day)
			if err != nil {
				return 0, err
			}
			for _, c := range items {
				fig.PatrolsRequired += c.Required
				fig.PatrolsDone += min(c.Done, c.Required)
			}
		}
		figures[r.Code] = fig
	}
	n := 0
	for _, r := range regions {
		if made[r.Code] {
			continue
		}
		fig := figures[r.Code]
		args := map[string]any{"date": day, "name": fig.Name, "reported": fig.Reported, "closed": fig.Closed, "overdue": fig.Overdue,
			"patrols_done": fig.PatrolsDone, "patrols_required": fig.PatrolsRequired}
		if region.Level(r.Level) == region.Street {
			var parts []Figures
			for _, c := range regions {
				if region.Level(c.Level) == region.Community && region.ParentOf(c.Code) == r.Code {
					parts = append(parts, figures[c.Code])
				}
			}
			args["parts"] = parts
		}
		ok, err := s.summary(ctx, notify.Event{Kind: notify.Digest, Record: notify.Record{Kind: "region", Ref: r.Name, Region: r.Code},
			Subject: notify.Subject{Region: r.Code}, Args: args}, day, true)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// summary writes a summary event once for its region and day (with send
// false it only records that the day's summary needs no message).
func (s *Service) summary(ctx context.Context, ev notify.Event, day string, send bool) (bool, error) {
	made := false
	err := s.DB.Write(ctx, store.System, func(tx *store.Tx) error {
		ok, err := tx.MarkSummary(ctx, string(ev.Kind), ev.Record.Region, day)
		if err != nil || !ok {
			return err
		}
		made = true
		if !send {
			return nil
		}
		if _, err := tx.Notify(ctx, ev); err != nil {
			return err
		}
		return tx.Audit(ctx, "summary", ev.Record.Region, string(ev.Kind), nil, map[string]any{"day": day})
	})
	return made, err
}

// UnsignedLetters makes, from LettersHour on LettersWeekday (local), the
// week's list of units that have not signed the year's letter, for every
// street and community with any; it returns how many it made.
func (s *Service) UnsignedLetters(ctx context.Context, now time.Time) (int, error) {
	local := now.In(s.Loc)
	if local.Weekday() != LettersWeekday || local.Hour() < LettersHour {
		return 0, nil
	}
	day := local.Format("2006-01-02")
	made, err := s.DB.SummariesMade(ctx, string(notify.LettersUnsigned), day)
	if err != nil {
		return 0, err
	}
	regions, err := s.DB.SummaryRegions(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range regions {
		if made[r.Code] {
			continue
		}
		units, total, err := s.DB.UnsignedLetterUnits(ctx, store.CoverageFilter{Year: local.Year(), All: true, Region: r.Code,
			Page: store.Page{Size: LettersListed}})
		if err != nil {
			return n, err
		}
		names := make([]string, len(units))
		for i, u := range units {
			names[i] = u.Name
		}
		ev := notify.Event{Kind: notify.LettersUnsigned, Record: notify.Record{Kind: "region", Ref: r.Name, Region: r.Code},
			Subject: notify.Subject{Region: r.Code}, Args: map[string]any{"name": r.Name, "year": local.Year(), "total": total, "units": names}}
		// With nothing to report the week is remembered all the same.
		ok, err := s.summary(ctx, ev, day, total > 0)
		if err != nil {
			return n, err
		}
		if ok && total > 0 {
			n++
		}
	}
	return n, nil
}
