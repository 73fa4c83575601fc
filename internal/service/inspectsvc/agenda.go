package inspectsvc

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Agenda builds a community's agenda from the records as they stand now:
// its overdue cases; cases escalated to the street in the last 7 days;
// committed cases due in the next 7; grid-days of the last 7 days with
// missed or doubtful patrols; its hotspots of the last 8 weeks; its tracked
// problems not yet closed; units without a signed letter this year; and the
// volunteers' reports of the last 7 days. It reads each area's records
// through the store's read methods and writes nothing.
func (s *Service) Agenda(ctx context.Context, community string) (inspect.Agenda, error) {
	now := s.Now()
	today := s.today()
	ag := inspect.Agenda{Overdue: []string{}, Escalated: []string{}, CommitmentsDue: []string{}, PatrolGaps: []inspect.GridDay{},
		Hotspots: []string{}, Problems: []int64{}, UnsignedUnits: []int64{}, VolunteerReports: []string{}}
	numbers := func(list []cases.Case) []string {
		out := make([]string, 0, len(list))
		for _, c := range list {
			out = append(out, c.Number)
		}
		return out
	}
	page := store.Page{Size: inspect.AgendaLimit}

	var err error
	if ag.Overdue, ag.Totals.Overdue, err = s.DB.OverdueOf(ctx, community, now, inspect.AgendaLimit); err != nil {
		return ag, err
	}
	if ag.Escalated, ag.Totals.Escalated, err = s.DB.EscalatedSince(ctx, community, now.Add(-7*24*time.Hour), inspect.AgendaLimit); err != nil {
		return ag, err
	}
	if ag.CommitmentsDue, ag.Totals.CommitmentsDue, err = s.DB.CommunityCommitmentsDue(ctx, community, now, now.Add(7*24*time.Hour), inspect.AgendaLimit); err != nil {
		return ag, err
	}

	// Patrols of the seven days before today (today's are not over yet).
	grids, err := s.DB.GridsUnder(ctx, false, []string{community})
	if err != nil {
		return ag, err
	}
	if len(grids) > 0 {
		codes := make([]string, len(grids))
		for i, g := range grids {
			codes[i] = g.Code
		}
		from, to := today.AddDate(0, 0, -7).Format(inspect.DateLayout), today.AddDate(0, 0, -1).Format(inspect.DateLayout)
		days, err := s.Patrols.GridDays(ctx, codes, from, to)
		if err != nil {
			return ag, err
		}
		for _, d := range days {
			if d.Status == patrol.StatusMissed || d.Status == patrol.StatusPartial || d.Doubtful > 0 {
				ag.Totals.PatrolGaps++
				if len(ag.PatrolGaps) < inspect.AgendaLimit {
					ag.PatrolGaps = append(ag.PatrolGaps, inspect.GridDay{Grid: d.Grid, Date: d.Date, Status: string(d.Status), Doubtful: d.Doubtful})
				}
			}
		}
	}

	hs, err := s.hotspots(ctx, community, inspect.DefaultWeeks)
	if err != nil {
		return ag, err
	}
	for _, h := range hs {
		if h.Community != community {
			continue
		}
		ag.Totals.Hotspots++
		if len(ag.Hotspots) < inspect.AgendaLimit {
			ag.Hotspots = append(ag.Hotspots, h.ID)
		}
	}

	probs, n, err := s.DB.Problems(ctx, store.ProblemFilter{All: true, Region: community, Status: "live", Page: page})
	if err != nil {
		return ag, err
	}
	for _, pr := range probs {
		ag.Problems = append(ag.Problems, pr.ID)
	}
	ag.Totals.Problems = n

	units, n, err := s.DB.UnsignedLetterUnits(ctx, store.CoverageFilter{Year: today.Year(), All: true, Region: community, Page: page})
	if err != nil {
		return ag, err
	}
	for _, u := range units {
		ag.UnsignedUnits = append(ag.UnsignedUnits, u.UnitID)
	}
	ag.Totals.UnsignedUnits = n

	vol, n, err := s.DB.Cases(ctx, store.CaseFilter{All: true, Region: community, Source: string(cases.SourceVolunteer),
		From: today.AddDate(0, 0, -6).Format(inspect.DateLayout), To: today.Format(inspect.DateLayout), Page: page})
	if err != nil {
		return ag, err
	}
	ag.VolunteerReports, ag.Totals.VolunteerReports = numbers(vol), n
	return ag, nil
}

// HotspotView is a hotspot with the tracked problem behind its cases, if any.
type HotspotView struct {
	inspect.Hotspot
	Problem int64 `json:"problem,omitempty"`
}

// hotspots finds the hotspots of a community's or a street's cases reported
// in the last weeks weeks. A place hotspot counts the cases of the scope
// asked: for a community its own cases, for the street those of all its
// communities (so a group across a boundary shows at the street, under the
// community most of its cases lie in).
func (s *Service) hotspots(ctx context.Context, scopeCode string, weeks int) ([]inspect.Hotspot, error) {
	from := s.today().AddDate(0, 0, -7*weeks)
	comms := []string{scopeCode}
	if region.LevelOf(scopeCode) != region.Community {
		list, err := s.DB.Communities(ctx, false, []string{scopeCode})
		if err != nil {
			return nil, err
		}
		comms = comms[:0]
		for _, c := range list {
			comms = append(comms, c.Code)
		}
	}
	pts, err := s.DB.HotspotPoints(ctx, comms, from.Format(inspect.DateLayout))
	if err != nil {
		return nil, err
	}
	return inspect.FindHotspots(pts), nil
}

// Hotspots lists the hotspots p may see: of a community (region a
// community), or of each street in scope (region a street, or none), found
// from the cases reported in the last weeks weeks, each with the tracked
// problem behind it.
func (s *Service) Hotspots(ctx context.Context, p *auth.Principal, regionCode string, weeks int) ([]HotspotView, error) {
	all, roots, err := scope(p, regionCode)
	if err != nil {
		return nil, err
	}
	if weeks == 0 {
		weeks = inspect.DefaultWeeks
	}
	if weeks < 1 || weeks > inspect.MaxWeeks {
		return nil, apperr.Field("weeks", "err.inspect.weeks", inspect.MaxWeeks)
	}
	// The scopes to search: communities stay communities; anything wider
	// becomes the streets it holds or lies in.
	var scopes []string
	switch {
	case regionCode != "" && region.LevelOf(regionCode) >= region.Community:
		scopes = []string{region.AncestorAt(regionCode, region.Community)}
		if !p.Can(auth.InspectRead, auth.Target{Region: scopes[0]}) {
			return nil, apperr.ErrNotFound
		}
	default:
		comms, err := s.DB.Communities(ctx, all, roots)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, c := range comms {
			if !p.Can(auth.InspectRead, auth.Target{Region: c.Code}) {
				continue
			}
			st := region.AncestorAt(c.Code, region.Street)
			if p.Can(auth.InspectRead, auth.Target{Region: st}) {
				if !seen[st] {
					seen[st] = true
					scopes = append(scopes, st)
				}
			} else {
				scopes = append(scopes, c.Code)
			}
		}
	}
	out := []HotspotView{}
	for _, sc := range scopes {
		hs, err := s.hotspots(ctx, sc, weeks)
		if err != nil {
			return nil, err
		}
		tracked, err := s.DB.TrackedCases(ctx, region.AncestorAt(sc, region.Street))
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			v := HotspotView{Hotspot: h}
			for _, n := range h.Cases {
				if id, ok := tracked[n]; ok {
					v.Problem = id
					break
				}
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// Hotspot returns one hotspot p may see by its id, from the last 8 weeks of
// its community's (or, failing that, street's) cases.
func (s *Service) Hotspot(ctx context.Context, p *auth.Principal, regionCode, id string) (HotspotView, error) {
	list, err := s.Hotspots(ctx, p, regionCode, inspect.DefaultWeeks)
	if err != nil {
		return HotspotView{}, err
	}
	for _, h := range list {
		if h.ID == id {
			return h, nil
		}
	}
	return HotspotView{}, apperr.ErrNotFound
}
