package inspectsvc

import (
	"context"
	"strconv"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/store"
)

// calendarLimit bounds the inspections one calendar query returns.
const calendarLimit = 1000

// CalendarItems gives the calendar the inspections p may see in q (cancelled ones left out).
func (s *Service) CalendarItems(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	if !p.CanSomewhere(auth.InspectRead) {
		return nil, nil
	}
	list, _, err := s.List(ctx, p, Query{From: q.From, To: q.To, Page: store.Page{Size: calendarLimit}})
	if err != nil {
		return nil, err
	}
	names, err := s.DB.RegionNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []agenda.Item
	for _, in := range list {
		if in.Status == inspect.StatusCancelled || !q.Touches(in.Region) {
			continue
		}
		id := strconv.FormatInt(in.ID, 10)
		out = append(out, agenda.Item{Kind: agenda.Inspection, ID: id, Key: "calendar.item.inspection", Args: []any{names[in.Region]},
			Date: in.Date, Region: in.Region, Path: "/inspections/" + id, Status: string(in.Status), Updated: in.UpdatedAt})
	}
	return out, nil
}
