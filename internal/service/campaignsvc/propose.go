package campaignsvc

import (
	"context"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// streetsOf lists the streets p may plan campaigns for: streets at or under
// p's campaign-planning scopes (a community leader has none).
func (s *Service) streetsOf(ctx context.Context, p *auth.Principal) ([]string, error) {
	var roots []string
	for _, r := range p.Scopes(auth.CampaignPlan) {
		if region.LevelOf(r) <= region.Street {
			roots = append(roots, r)
		}
	}
	if len(roots) == 0 {
		return nil, nil
	}
	rs, err := s.DB.Regions(ctx, roots, false)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		if r.Level == region.Street {
			out = append(out, r.Code)
		}
	}
	return out, nil
}

// Propose makes, for each street p plans for, one campaign per month of year
// on the month-end rule (campaign.ProposalDay on the working-day calendar),
// never a second for a month that has one. It returns the campaigns made.
func (s *Service) Propose(ctx context.Context, who store.Actor, p *auth.Principal, year int) ([]campaign.Campaign, error) {
	if !p.CanSomewhere(auth.CampaignPlan) {
		return nil, apperr.ErrForbidden
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.Field("year", "err.out_of_range")
	}
	streets, err := s.streetsOf(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(streets) == 0 {
		// Proposals are the street's: a community or grid leader plans their own on any date instead.
		return nil, apperr.ErrForbidden
	}
	var out []campaign.Campaign
	for _, st := range streets {
		made, err := s.propose(ctx, who, st, year, time.January, time.December, false)
		if err != nil {
			return out, err
		}
		out = append(out, made...)
	}
	return out, nil
}

// ProposeUpcoming is the background job's proposal: for every street, this
// month's and next month's campaigns when their day has not passed. It
// returns how many it made; running it again makes none.
func (s *Service) ProposeUpcoming(ctx context.Context) (int, error) {
	rs, err := s.DB.AllRegions(ctx)
	if err != nil {
		return 0, err
	}
	now := s.Now().In(s.Loc)
	n := 0
	for _, r := range rs {
		if r.Level != region.Street {
			continue
		}
		for i := 0; i < 2; i++ {
			m := time.Date(now.Year(), now.Month()+time.Month(i), 1, 12, 0, 0, 0, time.UTC)
			made, err := s.propose(ctx, store.System, r.Code, m.Year(), m.Month(), m.Month(), true)
			if err != nil {
				return n, err
			}
			n += len(made)
		}
	}
	return n, nil
}

// propose makes the proposals of street for months from..to of year, skipping
// months that have one and, when futureOnly, days already past.
func (s *Service) propose(ctx context.Context, who store.Actor, street string, year int, from, to time.Month, futureOnly bool) ([]campaign.Campaign, error) {
	cal, err := s.Cal.Get(ctx)
	if err != nil {
		return nil, err
	}
	have, err := s.DB.ProposedMonths(ctx, street, year)
	if err != nil {
		return nil, err
	}
	pr := s.printer()
	today := s.Today()
	var out []campaign.Campaign
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		for m := from; m <= to; m++ {
			day, ok := campaign.ProposalDay(year, m, func(t time.Time) bool {
				return cal.IsWorkday(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, s.Loc))
			})
			if !ok {
				continue
			}
			c := campaign.Campaign{Street: street, Title: pr.T("campaign.proposed_title", year, int(m)), Date: day.Format(campaign.DateLayout),
				Regions: []string{street}, Status: campaign.Proposed, Proposed: true}
			if have[c.Month()] || (futureOnly && c.Date < today) {
				continue
			}
			created, err := tx.InsertCampaign(ctx, &c)
			if err != nil {
				return err
			}
			if created {
				out = append(out, c)
			}
		}
		return nil
	})
	return out, err
}
