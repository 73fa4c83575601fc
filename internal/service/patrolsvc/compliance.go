package patrolsvc

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Compliance pages count grid-days; a month of a street's thirty grids fits one page.
const (
	// CompliancePage is the default page size of compliance items.
	CompliancePage = 1000
	// CompliancePageMax is the largest page a request may ask for.
	CompliancePageMax = 5000
	// MaxComplianceDays bounds the dates of one compliance request.
	MaxComplianceDays = 366
)

// ComplianceQuery asks for the compliance of the grids under Region (all
// the caller's when empty) over local dates From..To (YYYY-MM-DD; To
// defaults to today, From to six days before To). Items are grid by date;
// Page and Size page them, or All returns every item (a page's calendar).
type ComplianceQuery struct {
	Region     string
	From, To   string
	Page, Size int
	All        bool
}

// Compliance is the answer: the grids covered, one page of their days judged
// against their plans, how many days in all, and the dates used.
type Compliance struct {
	Grids    []store.GridRef
	Items    []patrol.Compliance
	Total    int
	From, To string
}

// Compliance judges each grid's days against its plan on the working-day
// calendar: 403 with no patrol scope, 404 for a region outside it, 422 for
// dates that do not read or span more than MaxComplianceDays.
func (s *Service) Compliance(ctx context.Context, p *auth.Principal, q ComplianceQuery) (Compliance, error) {
	var out Compliance
	grids, err := s.Grids(ctx, p, q.Region)
	if err != nil {
		return out, err
	}
	today := patrol.Day(s.Now(), s.Loc)
	out.To, out.From = today, ""
	date := func(field, v string) (string, error) {
		if v == "" {
			return "", nil
		}
		if _, err := time.Parse(patrol.DateLayout, v); err != nil {
			return "", apperr.Field(field, "err.format")
		}
		return v, nil
	}
	if v, err := date("to", q.To); err != nil {
		return out, err
	} else if v != "" {
		out.To = v
	}
	if out.From, err = date("from", q.From); err != nil {
		return out, err
	}
	toDay, _ := time.ParseInLocation(patrol.DateLayout, out.To, s.Loc)
	if out.From == "" {
		out.From = toDay.AddDate(0, 0, -6).Format(patrol.DateLayout)
	}
	fromDay, _ := time.ParseInLocation(patrol.DateLayout, out.From, s.Loc)
	switch {
	case toDay.Before(fromDay):
		return out, apperr.Field("to", "err.patrol.range")
	case fromDay.AddDate(0, 0, MaxComplianceDays).Before(toDay.AddDate(0, 0, 1)):
		return out, apperr.Field("to", "err.patrol.range_too_long", MaxComplianceDays)
	}
	cal, err := s.Cal.Get(ctx)
	if err != nil {
		return out, err
	}
	codes := make([]string, len(grids))
	for i, g := range grids {
		codes[i] = g.Code
	}
	page, size := min(max(q.Page, 1), store.MaxPage), q.Size
	if size <= 0 {
		size = CompliancePage
	}
	size = min(size, CompliancePageMax)
	offset := (page - 1) * size
	if q.All {
		offset, size = 0, len(codes)*(MaxComplianceDays+1)
	}
	out.Grids = grids
	out.Items, out.Total, err = s.days(ctx, cal, codes, out.From, out.To, today, offset, size)
	return out, err
}

// days judges grids (in code order) over local dates from..to, grid by
// date, from item offset on, at most limit items; it returns them and the
// total (grids × days). Days after today are pending rather than missed.
// GridDays judges each of grids' days from from to to (YYYY-MM-DD) against
// their plans, for other services that already checked who may see them
// (an inspection's agenda).
func (s *Service) GridDays(ctx context.Context, grids []string, from, to string) ([]patrol.Compliance, error) {
	cal, err := s.Cal.Get(ctx)
	if err != nil {
		return nil, err
	}
	days, _, err := s.days(ctx, cal, grids, from, to, patrol.Day(s.Now(), s.Loc), 0, len(grids)*(MaxComplianceDays+1))
	return days, err
}

func (s *Service) days(ctx context.Context, cal *calendar.Calendar, grids []string, from, to, today string, offset, limit int) ([]patrol.Compliance, int, error) {
	loc := cal.Location()
	f, err1 := time.ParseInLocation(patrol.DateLayout, from, loc)
	t, err2 := time.ParseInLocation(patrol.DateLayout, to, loc)
	if err1 != nil || err2 != nil || t.Before(f) {
		return []patrol.Compliance{}, 0, nil
	}
	var dates []string
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		dates = append(dates, d.Format(patrol.DateLayout))
	}
	total := len(grids) * len(dates)
	out := []patrol.Compliance{}
	if limit <= 0 || offset >= total {
		return out, total, nil
	}
	end := min(offset+limit, total)
	first, last := offset/len(dates), (end-1)/len(dates)
	lo, hi := grids[first], grids[last]
	tallies, err := s.DB.Tallies(ctx, lo, hi, dates[0], dates[len(dates)-1])
	if err != nil {
		return nil, 0, err
	}
	plans, err := s.DB.StoredPatrolPlans(ctx, lo, hi)
	if err != nil {
		return nil, 0, err
	}
	sites, err := s.DB.KeySiteCounts(ctx, lo, hi)
	if err != nil {
		return nil, 0, err
	}
	for i := offset; i < end; i++ {
		g, d := grids[i/len(dates)], dates[i%len(dates)]
		plan, ok := plans[g]
		if !ok {
			plan = patrol.DefaultPlan(g)
		}
		tl := tallies[[2]string{g, d}]
		tl.Grid, tl.Date = g, d
		out = append(out, patrol.Comply(plan, cal, d, tl, sites[g]+len(plan.Points), today))
	}
	return out, total, nil
}

// alertHorizon is how far back the missed-patrol alerts look for windows that
// ended: a server down over a window's end still alerts when it returns, but
// a fresh start does not flood leaders with history.
const alertHorizon = 24 * time.Hour

// AlertMissed tells a community's leaders (the street's when the community
// has none), in one message per community, date and plan window, which of
// its grids let a window pass that ended at or before now, within the last
// day, on a day the plan requires patrols, without a patrol started in it —
// once per grid, date and window. When a plan asks for fewer patrols than it
// has windows, a window counts as missed only once the later windows can no
// longer make up for it. It returns how many grid windows it recorded as missed.
func (s *Service) AlertMissed(ctx context.Context, now time.Time) (int, error) {
	cal, err := s.Cal.Get(ctx)
	if err != nil {
		return 0, err
	}
	grids, err := s.DB.GridsUnder(ctx, true, nil)
	if err != nil {
		return 0, err
	}
	plans, err := s.DB.StoredPatrolPlans(ctx, "", "")
	if err != nil {
		return 0, err
	}
	sent := 0
	local := now.In(s.Loc)
	for _, day := range []time.Time{local.AddDate(0, 0, -1), local} {
		date := patrol.Day(day, s.Loc)
		y, m, d := day.Date()
		started, err := s.DB.WindowsStarted(ctx, time.Date(y, m, d, 0, 0, 0, 0, s.Loc), time.Date(y, m, d+1, 0, 0, 0, 0, s.Loc))
		if err != nil {
			return sent, err
		}
		// Missed grid windows, grouped by community and window, in grid order.
		var groups []*missedGroup
		byKey := map[string]*missedGroup{}
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
				_, end := w.Bounds(day, s.Loc)
				if hit || end.After(now) || now.Sub(end) > alertHorizon {
					continue
				}
				if covered+len(plan.Windows)-1-i >= need {
					continue // later windows can still make up for it
				}
				community := region.AncestorAt(g.Code, region.Community)
				key := community + "/" + w.String()
				grp := byKey[key]
				if grp == nil {
					grp = &missedGroup{community: community, window: w}
					byKey[key] = grp
					groups = append(groups, grp)
				}
				grp.grids = append(grp.grids, missedGrid{GridRef: g, win: i + 1})
			}
		}
		for _, grp := range groups {
			n, err := s.alert(ctx, grp, date)
			if err != nil {
				return sent, err
			}
			sent += n
		}
	}
	return sent, nil
}

// missedGroup is the grids of one community that missed one plan window of a date.
type missedGroup struct {
	community string
	window    patrol.Window
	grids     []missedGrid
}

type missedGrid struct {
	store.GridRef
	win int // the window's 1-based number in the grid's plan
}

// alert records each grid's window of the group as missed, once, and tells
// the community's leaders of those newly recorded in one message; it
// returns how many it recorded.
func (s *Service) alert(ctx context.Context, grp *missedGroup, date string) (int, error) {
	recorded := 0
	err := s.DB.Write(ctx, store.System, func(tx *store.Tx) error {
		recorded = 0
		var codes, names []string
		for _, g := range grp.grids {
			ok, err := tx.InsertPatrolAlert(ctx, store.Missed{Grid: g.Code, Day: date, Window: g.win})
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			recorded++
			codes, names = append(codes, g.Code), append(names, g.Name)
			if err := tx.Audit(ctx, "patrol_alert", g.Code+"/"+date+"/"+strconv.Itoa(g.win), "missed", nil, map[string]any{"window": grp.window.String()}); err != nil {
				return err
			}
		}
		if recorded == 0 {
			return nil
		}
		communityName, err := tx.RegionNameOf(ctx, grp.community)
		if err != nil {
			return err
		}
		short := make([]string, len(names))
		for i, n := range names {
			short[i] = strings.TrimPrefix(n, communityName)
		}
		// The inbox shows the number column beside the kind: name the community, day, window and grids there.
		_, err = tx.Notify(ctx, notify.Event{Kind: notify.PatrolMissed, Subject: notify.Subject{Region: grp.community},
			Record: notify.Record{Kind: "patrol_alert", Ref: strings.TrimSpace(communityName + " " + date + " " + grp.window.String() + " " + strings.Join(short, "、"))},
			Args:   map[string]any{"grid": strings.Join(codes, ","), "grids": strings.Join(names, "、"), "date": date, "window": grp.window.String()}})
		return err
	})
	return recorded, err
}
