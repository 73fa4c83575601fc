package inspectsvc

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// View is an inspection as p sees it: what p may do with it, and for one
// not begun a preview of its agenda (built from the records now, not kept).
type View struct {
	inspect.Inspection
	Caps    inspect.Cap
	Allowed []inspect.Action
	Preview bool // Agenda is a preview, not the one kept at opening
	// CorrectedBy is the newest record correcting this one, 0 when none.
	CorrectedBy int64
}

// Can reports whether the view allows action a.
func (v View) Can(a inspect.Action) bool { return slices.Contains(v.Allowed, a) }

// Get returns an inspection p may read, with its agenda.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (View, error) {
	if !p.CanSomewhere(auth.InspectRead) {
		return View{}, apperr.ErrForbidden
	}
	in, err := s.load(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	v := View{Inspection: in, Caps: caps(p, in.Region)}
	v.Allowed = inspect.Allowed(v.Caps, in.Status)
	if in.Status == inspect.StatusPlanned {
		if v.Agenda, err = s.Agenda(ctx, in.Region); err != nil {
			return v, err
		}
		v.Preview = true
	}
	if in.Status == inspect.StatusClosed {
		list, _, err := s.DB.Inspections(ctx, store.InspectionFilter{All: true, Region: in.Region, From: in.Date, To: in.Date, Page: store.Page{Size: 100}})
		if err != nil {
			return v, err
		}
		for _, o := range list {
			if o.Corrects == in.ID && o.ID > v.CorrectedBy {
				v.CorrectedBy = o.ID
			}
		}
	}
	return v, nil
}

// act loads an inspection p may read and asks the rules whether p may take a.
func (s *Service) act(ctx context.Context, p *auth.Principal, id int64, a inspect.Action) (inspect.Inspection, inspect.Status, error) {
	if !p.CanSomewhere(auth.InspectRead) {
		return inspect.Inspection{}, "", apperr.ErrForbidden
	}
	in, err := s.load(ctx, p, id)
	if err != nil {
		return in, "", err
	}
	to, err := inspect.Decide(caps(p, in.Region), in.Status, a)
	return in, to, err
}

// opened returns in moved to status to, with the agenda built when it opens.
func (s *Service) opened(ctx context.Context, in inspect.Inspection, to inspect.Status) (inspect.Inspection, error) {
	out := in
	out.Items = slices.Clone(in.Items)
	if in.Status == inspect.StatusPlanned && to == inspect.StatusOpen {
		ag, err := s.Agenda(ctx, in.Region)
		if err != nil {
			return out, err
		}
		out.Agenda, out.AgendaAt, out.OpenedAt = ag, s.Now(), s.Now()
	}
	out.Status = to
	return out, nil
}

// Open begins an inspection: its agenda is built from the records and kept.
func (s *Service) Open(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (inspect.Inspection, error) {
	in, to, err := s.act(ctx, p, id, inspect.ActionOpen)
	if err != nil {
		return in, err
	}
	after, err := s.opened(ctx, in, to)
	if err != nil {
		return in, err
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateInspection(ctx, in, &after, "open") })
	return s.reload(ctx, after, err)
}

// Refresh builds the agenda of a live inspection again from the records.
func (s *Service) Refresh(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (inspect.Inspection, error) {
	in, _, err := s.act(ctx, p, id, inspect.ActionRefresh)
	if err != nil {
		return in, err
	}
	after := in
	if after.Agenda, err = s.Agenda(ctx, in.Region); err != nil {
		return in, err
	}
	after.AgendaAt = s.Now()
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateInspection(ctx, in, &after, "agenda") })
	return s.reload(ctx, after, err)
}

// reload returns the stored inspection after a write (with its findings and photos).
func (s *Service) reload(ctx context.Context, in inspect.Inspection, err error) (inspect.Inspection, error) {
	if err != nil {
		return in, err
	}
	return s.DB.Inspection(ctx, in.ID)
}

// Score sets the scores and notes of items, opening a planned inspection.
// An unknown key or a score out of range is a field error and nothing is written.
func (s *Service) Score(ctx context.Context, who store.Actor, p *auth.Principal, id int64, scores []inspect.Score) (inspect.Inspection, error) {
	in, to, err := s.act(ctx, p, id, inspect.ActionScore)
	if err != nil {
		return in, err
	}
	items, err := inspect.ApplyScores(in.Items, scores)
	if err != nil {
		return in, err
	}
	after, err := s.opened(ctx, in, to)
	if err != nil {
		return in, err
	}
	after.Items, after.Score = items, inspect.Total(items)
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateInspection(ctx, in, &after, "score") })
	return s.reload(ctx, after, err)
}

// touch opens a planned inspection (its agenda built) inside tx, for the
// first finding or photo; an open one is left as it is.
func (s *Service) touch(ctx context.Context, tx *store.Tx, in inspect.Inspection, to inspect.Status, action string) error {
	if in.Status == to {
		return nil
	}
	after, err := s.opened(ctx, in, to)
	if err != nil {
		return err
	}
	return tx.UpdateInspection(ctx, in, &after, action)
}

// AddFinding records a problem found during the inspection as a case with
// source "inspection", through the case service (its rules, numbering,
// deadlines and notices), and links it to the inspection, opening it if
// planned. The point must lie in the inspected community. A client id seen
// before returns that case and links it again (created false), so that a
// repeated request after a failed link completes it.
func (s *Service) AddFinding(ctx context.Context, who store.Actor, p *auth.Principal, id int64, rep casesvc.Report) (cases.Case, bool, error) {
	in, to, err := s.act(ctx, p, id, inspect.ActionFinding)
	if err != nil {
		return cases.Case{}, false, err
	}
	rep.Source = cases.SourceInspection
	if region.ValidPoint(rep.Lat, rep.Lon) && s.Cases.Index != nil {
		if grid, err := s.Cases.Index.Lookup(rep.Lat, rep.Lon); err == nil && !region.Contains(in.Region, grid) {
			return cases.Case{}, false, apperr.Field("lat", "err.inspect.finding_outside")
		}
	}
	c, created, err := s.Cases.Report(ctx, who, p, rep)
	if err != nil {
		return c, created, err
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := s.touch(ctx, tx, in, to, "open"); err != nil {
			return err
		}
		return tx.AddInspectionFinding(ctx, in.ID, c.ID, c.Number)
	})
	return c, created, err
}

// LinkFinding links a case that already exists (a problem found again, the
// reporter chose to add to it) to the inspection as one of its findings.
func (s *Service) LinkFinding(ctx context.Context, who store.Actor, p *auth.Principal, id int64, number string) (cases.Case, error) {
	in, to, err := s.act(ctx, p, id, inspect.ActionFinding)
	if err != nil {
		return cases.Case{}, err
	}
	c, err := s.Cases.Get(ctx, p, number)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !region.Contains(in.Region, c.Region)) {
		return c, apperr.Field("case", "err.inspect.case_unknown")
	}
	if err != nil {
		return c, err
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := s.touch(ctx, tx, in, to, "open"); err != nil {
			return err
		}
		return tx.AddInspectionFinding(ctx, in.ID, c.ID, c.Number)
	})
	return c, err
}

// MaxItemPhotos bounds the photos of one item.
const MaxItemPhotos = 6

// AddPhoto checks an image by its content, keeps it by content hash and
// attaches it to an item of the inspection; it returns the photo id.
func (s *Service) AddPhoto(ctx context.Context, who store.Actor, p *auth.Principal, id int64, item string, r io.Reader) (string, error) {
	in, to, err := s.act(ctx, p, id, inspect.ActionPhoto)
	if err != nil {
		return "", err
	}
	it, ok := in.Item(item)
	if !ok {
		return "", apperr.Field("item", "err.inspect.item_unknown", item)
	}
	if len(it.Photos) >= MaxItemPhotos {
		return "", apperr.Field("photo", "err.photo_too_many", MaxItemPhotos)
	}
	proc, err := photo.Process(r, photo.Limits{Location: s.Loc})
	if err != nil {
		var pe *photo.Error
		if errors.As(err, &pe) {
			e := pe.AppErr()
			e.Fields = map[string]apperr.Msg{"photo": e.Msg}
			if pe.Key == photo.KeyTooLarge {
				e.Code = apperr.TooLarge
			}
			return "", e
		}
		return "", err
	}
	pid, err := s.Photos.Put(proc)
	if err != nil {
		return "", err
	}
	rec := store.PhotoRecord{ID: pid, Width: proc.Width, Height: proc.Height, Format: proc.Format, Lat: proc.Lat, Lon: proc.Lon}
	if proc.Taken != nil {
		rec.Taken = *proc.Taken
	}
	if err := s.DB.SavePhoto(ctx, who, rec); err != nil {
		return "", err
	}
	return pid, s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := s.touch(ctx, tx, in, to, "open"); err != nil {
			return err
		}
		return tx.AddInspectionPhoto(ctx, in.ID, item, pid)
	})
}

// CanSeePhoto reports whether p may see a photo of an inspection's item.
func (s *Service) CanSeePhoto(ctx context.Context, p *auth.Principal, photoID string) (bool, error) {
	ids, err := s.DB.InspectionPhotoOf(ctx, photoID)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if _, err := s.load(ctx, p, id); err == nil {
			return true, nil
		}
	}
	return false, nil
}

// Acknowledgement is what the community's leader present gives: a name,
// and a drawn signature (a PNG) when signing on the screen.
type Acknowledgement struct {
	Name      string
	Signature []byte // nil for a name alone
}

// Ack records that the community's leader has seen the scored sheet.
func (s *Service) Ack(ctx context.Context, who store.Actor, p *auth.Principal, id int64, a Acknowledgement) (inspect.Inspection, error) {
	in, _, err := s.act(ctx, p, id, inspect.ActionAck)
	if err != nil {
		return in, err
	}
	if in.Ack.Signed() {
		return in, apperr.New(apperr.Conflict, "err.inspect.acked")
	}
	f := apperr.Fields{}
	if err := inspect.CheckAckName(a.Name); err != nil {
		f.Add("name", apperr.As(err).Fields["name"].Key, apperr.As(err).Fields["name"].Args...)
	}
	var file letters.File
	if a.Signature != nil {
		if file, err = letters.CheckSignature(a.Signature); err != nil {
			e := apperr.As(err)
			if e.Code != apperr.Invalid && e.Code != apperr.TooLarge {
				return in, err
			}
			if e.Code == apperr.TooLarge {
				return in, err
			}
			for k, m := range e.Fields {
				f.Add(k, m.Key, m.Args...)
			}
		}
	}
	if err := f.Err(); err != nil {
		return in, err
	}
	if a.Signature != nil {
		if err := s.Files.Put(file); err != nil {
			return in, err
		}
	}
	after := in
	after.Ack = inspect.Ack{Name: strings.TrimSpace(a.Name), PersonID: p.PersonID, At: s.Now(), File: file.SHA256}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if a.Signature != nil {
			if err := tx.SaveLetterFile(ctx, file.SHA256, file.Format, len(file.Data)); err != nil {
				return err
			}
		}
		return tx.UpdateInspection(ctx, in, &after, "ack")
	})
	return s.reload(ctx, after, err)
}

// Close finishes an inspection once every item is scored: it is never
// changed again. The community's leaders get the sheet in their inbox; when
// it is the last of its street's week, the street's leaders get the week.
func (s *Service) Close(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (inspect.Inspection, error) {
	in, to, err := s.act(ctx, p, id, inspect.ActionClose)
	if err != nil {
		return in, err
	}
	if !in.Scored() {
		var missing []string
		for _, it := range in.Items {
			if it.Score == nil {
				missing = append(missing, it.Title)
			}
		}
		return in, apperr.Field("items", "err.inspect.unscored", strings.Join(missing, "、"))
	}
	after := in
	after.Status, after.ClosedAt, after.ClosedBy, after.Score = to, s.Now(), p.PersonID, inspect.Total(in.Items)
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.UpdateInspection(ctx, in, &after, "close"); err != nil {
			return err
		}
		name, err := tx.RegionNameOf(ctx, in.Region)
		if err != nil {
			return err
		}
		ev := notify.Event{Kind: notify.InspectionClosed, Record: notify.Record{Kind: "inspection", ID: in.ID, Ref: in.Date, Region: in.Region},
			Subject: notify.Subject{Region: in.Region, Actor: p.PersonID},
			Args: map[string]any{"inspection": in.ID, "name": name, "score": *after.Score, "max": in.Max, "findings": len(in.Findings),
				"path": "/inspections/" + strconv.FormatInt(in.ID, 10)}}
		if _, err := tx.Notify(ctx, ev); err != nil {
			return err
		}
		return s.weekDone(ctx, tx, in)
	})
	return s.reload(ctx, after, err)
}

// weekDone sends the street's leaders the week's summary once no
// inspection of that week is waiting any more.
func (s *Service) weekDone(ctx context.Context, tx *store.Tx, in inspect.Inspection) error {
	d, err := time.ParseInLocation(inspect.DateLayout, in.Date, s.Loc)
	if err != nil {
		return err
	}
	mon := inspect.Monday(d)
	waiting, err := tx.InspectionsWaiting(ctx, in.Street, mon.Format(inspect.DateLayout), mon.AddDate(0, 0, 6).Format(inspect.DateLayout))
	if err != nil || waiting > 0 {
		return err
	}
	week := mon.Format(inspect.DateLayout)
	sent, err := tx.MarkWeekSent(ctx, in.Street, week)
	if err != nil || !sent {
		return err
	}
	_, err = tx.Notify(ctx, notify.Event{Kind: notify.InspectionWeek, Record: notify.Record{Kind: "inspection_week", Ref: week},
		Subject: notify.Subject{Region: in.Street}, Args: map[string]any{"week": week}})
	return err
}

// Move puts a planned inspection on another date, with a reason.
func (s *Service) Move(ctx context.Context, who store.Actor, p *auth.Principal, id int64, date, reason string) (inspect.Inspection, error) {
	in, _, err := s.act(ctx, p, id, inspect.ActionMove)
	if err != nil {
		return in, err
	}
	f := apperr.Fields{}
	d, err := inspect.ParseDate("date", date, s.today())
	if err != nil {
		m := apperr.As(err).Fields["date"]
		f.Add("date", m.Key, m.Args...)
	}
	if err := inspect.CheckReason(reason); err != nil {
		m := apperr.As(err).Fields["reason"]
		f.Add("reason", m.Key, m.Args...)
	}
	if err := f.Err(); err != nil {
		return in, err
	}
	after := in
	after.Date, after.Reason = d.Format(inspect.DateLayout), strings.TrimSpace(reason)
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateInspection(ctx, in, &after, "move") })
	return s.reload(ctx, after, err)
}

// Cancel calls off a planned or open inspection, with a reason.
func (s *Service) Cancel(ctx context.Context, who store.Actor, p *auth.Principal, id int64, reason string) (inspect.Inspection, error) {
	in, to, err := s.act(ctx, p, id, inspect.ActionCancel)
	if err != nil {
		return in, err
	}
	if err := inspect.CheckReason(reason); err != nil {
		return in, err
	}
	after := in
	after.Status, after.Reason = to, strings.TrimSpace(reason)
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.UpdateInspection(ctx, in, &after, "cancel"); err != nil {
			return err
		}
		return s.weekDone(ctx, tx, in)
	})
	return s.reload(ctx, after, err)
}

// Correct starts a correction of a closed inspection: a new, open record
// of the same community and date, with the same scores to change, that
// refers to it. The closed one stays as it was.
func (s *Service) Correct(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (inspect.Inspection, error) {
	in, _, err := s.act(ctx, p, id, inspect.ActionCorrect)
	if err != nil {
		return in, err
	}
	items := make([]inspect.Item, len(in.Items))
	for i, it := range in.Items {
		it.Photos = nil
		items[i] = it
	}
	now := s.Now()
	c := inspect.Inspection{Region: in.Region, Street: in.Street, Date: in.Date, Status: inspect.StatusOpen, Year: in.Year, Items: items,
		Score: inspect.Total(items), Max: in.Max, Agenda: in.Agenda, AgendaAt: in.AgendaAt, Corrects: in.ID, OpenedAt: now,
		Inspectors: append(slices.Clone(in.Inspectors), p.PersonID)}
	slices.Sort(c.Inspectors)
	c.Inspectors = slices.Compact(c.Inspectors)
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		_, err := tx.CreateInspection(ctx, &c)
		return err
	})
	return s.reload(ctx, c, err)
}
