package outreachsvc

import (
	"context"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/store"
)

// calendarLimit bounds the lectures or quizzes one calendar query returns.
const calendarLimit = 500

// span turns a calendar query's local days into the times the lists filter on.
func (s *Service) span(q agenda.Query) (time.Time, time.Time, bool) {
	from, err1 := time.ParseInLocation(time.DateOnly, q.From, s.Loc)
	to, err2 := time.ParseInLocation(time.DateOnly, q.To, s.Loc)
	return from, to.AddDate(0, 0, 1), err1 == nil && err2 == nil
}

// LectureItems gives the calendar the lectures p may see in q (cancelled ones left out).
func (s *Service) LectureItems(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	from, to, ok := s.span(q)
	if !ok || !p.CanSomewhere(auth.OutreachRead) {
		return nil, nil
	}
	list, _, err := s.Lectures(ctx, p, LectureFilter{From: from, To: to, Page: store.Page{Size: calendarLimit}})
	if err != nil {
		return nil, err
	}
	var out []agenda.Item
	for _, l := range list {
		if !l.CancelledAt.IsZero() || !q.Touches(l.Region) {
			continue
		}
		id := strconv.FormatInt(l.ID, 10)
		out = append(out, agenda.Item{Kind: agenda.Lecture, ID: id, Title: l.Title, Date: l.StartsAt.In(s.Loc).Format(time.DateOnly),
			Start: l.StartsAt, End: l.EndsAt, Region: l.Region, Place: l.VenueName, Path: "/lectures/" + id, Updated: l.UpdatedAt})
	}
	return out, nil
}

// QuizItems gives the calendar the quizzes p may see in q, on the day they open (cancelled ones left out).
func (s *Service) QuizItems(ctx context.Context, p *auth.Principal, q agenda.Query) ([]agenda.Item, error) {
	from, to, ok := s.span(q)
	if !ok || !p.CanSomewhere(auth.OutreachRead) {
		return nil, nil
	}
	list, _, err := s.Quizzes(ctx, p, QuizFilter{From: from, To: to, Page: store.Page{Size: calendarLimit}})
	if err != nil {
		return nil, err
	}
	var out []agenda.Item
	for _, z := range list {
		if !z.CancelledAt.IsZero() || !q.Touches(z.Region) {
			continue
		}
		id := strconv.FormatInt(z.ID, 10)
		out = append(out, agenda.Item{Kind: agenda.Quiz, ID: id, Title: z.Title, Date: z.OpensAt.In(s.Loc).Format(time.DateOnly),
			Start: z.OpensAt, End: z.ClosesAt, Region: z.Region, Path: "/quizzes/" + id, Updated: z.UpdatedAt})
	}
	return out, nil
}
