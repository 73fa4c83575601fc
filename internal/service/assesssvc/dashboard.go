package assesssvc

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/store"
)

// DashboardDays is how many days the dashboard's chart covers.
const DashboardDays = 90

// Dashboard is the state of a leader's area at a glance.
type Dashboard struct {
	Root  string // the area's region (the first of the leader's when several; "" for all)
	Today string
	// Open counts open cases by level (2 street, 3 community, 4 grid) and timer colour.
	Open []store.LevelTimer
	// Days are the last DashboardDays local dates with cases reported and closed on each.
	Days []DayFlow
	// Week is patrols done against required this week (Monday to today).
	Week     assess.Value
	WeekFrom string
	// Overdue counts open cases past their deadline by community.
	Overdue []Count
	// Air90 and AirMonth are the good-air days over the chart's days and this month, when figures were imported.
	Air90, AirMonth AirSummary
	// Ranking is the month so far on the area's community rubric of the year (nil without one).
	Ranking *Sheet
}

// DayFlow is one day of the chart.
type DayFlow struct {
	Day              string
	Reported, Closed int
}

// Count is a number for a named subject.
type Count struct {
	Subject assess.Subject
	N       int
}

// Dashboard gathers a leader's dashboard: 403 for anyone without an area
// (unit contacts and patrollers have their own pages).
func (s *Service) Dashboard(ctx context.Context, p *auth.Principal) (Dashboard, error) {
	v := viewerOf(p)
	if !v.All && len(v.Roots) == 0 {
		return Dashboard{}, apperr.ErrForbidden
	}
	now := s.Now().In(s.Loc)
	out := Dashboard{Today: now.Format(assess.DateLayout)}
	if !v.All {
		out.Root = v.Roots[0]
	}
	today, _ := time.ParseInLocation(assess.DateLayout, out.Today, s.Loc)
	from := today.AddDate(0, 0, -(DashboardDays - 1))
	per := assess.Period{From: from.Format(assess.DateLayout), To: out.Today}
	q := s.query(assess.Community, v.All, v.Roots, per)
	// One pass over the open cases gives both the timers by level and the
	// overdue (red) cases by community.
	open, err := s.DB.OpenByCommunity(ctx, q, now.UnixMilli())
	if err != nil {
		return out, err
	}
	over := map[string]int{}
	byLevel := map[store.LevelTimer]int{}
	for _, o := range open {
		over[o.Community] += o.Red
		for _, c := range []store.LevelTimer{{Timer: "green", N: o.Green}, {Timer: "yellow", N: o.Yellow}, {Timer: "red", N: o.Red}, {Timer: "none", N: o.None}} {
			if c.N > 0 {
				byLevel[store.LevelTimer{Level: o.Level, Timer: c.Timer}] += c.N
			}
		}
	}
	for k, n := range byLevel {
		k.N = n
		out.Open = append(out.Open, k)
	}
	slices.SortFunc(out.Open, func(a, b store.LevelTimer) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), cmp.Compare(a.Timer, b.Timer))
	})
	reported, err := s.DB.ReportedPerDay(ctx, q)
	if err != nil {
		return out, err
	}
	_, off := now.Zone()
	offMS := int64(off) * 1000
	closed, err := s.DB.ClosedPerDay(ctx, q, offMS)
	if err != nil {
		return out, err
	}
	rep := map[string]int{}
	for _, d := range reported {
		rep[d.Day] = d.N
	}
	for d := from; !d.After(today); d = d.AddDate(0, 0, 1) {
		day := d.Format(assess.DateLayout)
		num := (d.UnixMilli() + offMS) / 86400000
		out.Days = append(out.Days, DayFlow{Day: day, Reported: rep[day], Closed: closed[num]})
	}
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	out.WeekFrom = monday.Format(assess.DateLayout)
	wq := s.query(assess.Street, v.All, v.Roots, assess.Period{From: out.WeekFrom, To: out.Today})
	weekFigs, _, err := s.patrols(ctx, wq)
	if err != nil {
		return out, err
	}
	out.Week.HasDen = true
	for _, f := range weekFigs {
		out.Week.Num += f.Num
		out.Week.Den += f.Den
	}
	comms, err := s.DB.AssessSubjects(ctx, q, nil, nil)
	if err != nil {
		return out, err
	}
	for _, c := range comms {
		out.Overdue = append(out.Overdue, Count{Subject: c, N: over[c.ID]})
	}
	if out.Air90, err = s.airSummary(ctx, v, per.From, per.To); err != nil {
		return out, err
	}
	if out.AirMonth, err = s.airSummary(ctx, v, assess.MonthOf(now).From, out.Today); err != nil {
		return out, err
	}
	rubrics, err := s.Rubrics(ctx, p, now.Year())
	if err != nil {
		return out, err
	}
	for _, r := range rubrics {
		if r.Kind == assess.Community {
			sh, err := s.Scores(ctx, p, r.ID, assess.MonthOf(now).Key)
			if err != nil {
				return out, err
			}
			out.Ranking = &sh
			break
		}
	}
	return out, nil
}
