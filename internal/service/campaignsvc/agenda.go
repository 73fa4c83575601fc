package campaignsvc

import (
	"context"
	"strconv"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/store"
)

// agendaLimit bounds the items one area gives the calendar for one query.
const agendaLimit = 1000

// CampaignItems gives the calendar the campaigns p may see in q (not the
// cancelled ones): the calendar's campaign source.
func (s *Service) CampaignItems(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	if !p.CanSomewhere(auth.CampaignRead) {
		return nil, nil
	}
	list, err := s.DB.CampaignsBetween(ctx, store.CampaignFilter{Scope: scopeOf(p, auth.CampaignRead), Region: q.Region, From: q.From, To: q.To}, agendaLimit)
	if err != nil {
		return nil, err
	}
	var out []agenda.Item
	for _, c := range list {
		if c.Status == campaign.Cancelled {
			continue
		}
		reg := c.Street
		if len(c.Regions) == 1 {
			reg = c.Regions[0]
		}
		out = append(out, agenda.Item{Kind: agenda.Campaign, ID: strconv.FormatInt(c.ID, 10), Title: c.Title, Date: c.Date, Region: reg,
			Note: c.Note, Path: "/campaigns/" + strconv.FormatInt(c.ID, 10), Status: string(c.Status), Updated: c.UpdatedAt})
	}
	return out, nil
}

// PublicityItems gives the calendar the publicity events p may see in q.
func (s *Service) PublicityItems(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	if !p.CanSomewhere(auth.PublicityRead) {
		return nil, nil
	}
	list, err := s.DB.PublicitiesBetween(ctx, store.PublicityFilter{Scope: scopeOf(p, auth.PublicityRead), From: q.From, To: q.To}, agendaLimit)
	if err != nil {
		return nil, err
	}
	var out []agenda.Item
	for _, ev := range list {
		if !q.Touches(ev.Region) {
			continue
		}
		out = append(out, agenda.Item{Kind: agenda.Publicity, ID: strconv.FormatInt(ev.ID, 10), Title: ev.Venue, Date: ev.Date, Region: ev.Region,
			Place: ev.Venue, Note: ev.Note, Path: "/publicity/" + strconv.FormatInt(ev.ID, 10), Status: string(ev.Kind), Updated: ev.CreatedAt})
	}
	return out, nil
}
