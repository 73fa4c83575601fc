package campaignsvc

import (
	"context"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// ResultInput is a task's result as recorded on the day.
type ResultInput struct {
	Task   int64
	Counts map[string]float64
	Note   string
	Done   bool
}

// taskFor loads campaign id and its task inside a write and decides whether
// p may record for it now. A task of another campaign, or one p may not see,
// is a 422 on "task" as for one that does not exist.
func (s *Service) taskFor(ctx context.Context, tx *store.Tx, p *auth.Principal, id, taskID int64) (campaign.Campaign, campaign.Task, error) {
	c, err := s.loadForWrite(ctx, tx, p, id)
	if err != nil {
		return c, campaign.Task{}, err
	}
	t, err := s.recordable(p, c, taskID)
	return c, t, err
}

// checkTask reads campaign id and decides, as taskFor, before a slow step
// (processing a photo, reporting a case) that is decided again in its write.
func (s *Service) checkTask(ctx context.Context, p *auth.Principal, id, taskID int64) (campaign.Task, error) {
	c, err := s.DB.Campaign(ctx, id)
	if err != nil {
		return campaign.Task{}, err
	}
	if !canRead(p, c) {
		return campaign.Task{}, apperr.ErrNotFound
	}
	return s.recordable(p, c, taskID)
}

// recordable returns c's task taskID if p may record for it now.
func (s *Service) recordable(p *auth.Principal, c campaign.Campaign, taskID int64) (campaign.Task, error) {
	t, ok := c.Task(taskID)
	if !ok || (!seesAll(p, c) && !p.Can(auth.CampaignRecord, auth.Target{Region: t.Region})) {
		return t, apperr.Field("task", "err.campaign.task_unknown")
	}
	if _, err := campaign.Decide(actorFor(p, c, &t), c.Status, campaign.ActRecord, campaign.DayCome(c.Date, s.Today())); err != nil {
		return t, err
	}
	return t, nil
}

// RecordResult records a task's counts, note and whether it is done; the
// counts replace the tally recorded before.
func (s *Service) RecordResult(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in ResultInput) (campaign.Task, error) {
	counts, err := campaign.ParseCounts(in.Counts)
	if err != nil {
		return campaign.Task{}, err
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Note)); n > campaign.MaxNote {
		return campaign.Task{}, apperr.Field("note", "err.too_long", campaign.MaxNote)
	}
	if in.Task <= 0 {
		return campaign.Task{}, apperr.Field("task", "err.required")
	}
	var out campaign.Task
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		c, t, err := s.taskFor(ctx, tx, p, id, in.Task)
		if err != nil {
			return err
		}
		before := map[string]any{"counts": t.Counts, "done": t.Done}
		t.Counts, t.Note, t.Done = counts, strings.TrimSpace(in.Note), in.Done
		if err := tx.RecordResult(ctx, t); err != nil {
			return err
		}
		t.RecordedBy, t.RecordedAt = who.ID, s.Now()
		out = t
		return tx.Audit(ctx, "campaign", c.ID, "result", before, map[string]any{"task": t.ID, "counts": t.Counts, "done": t.Done})
	})
	return out, err
}

// SetHeadcount records how many people a unit sent (asking it to take part if it was not).
func (s *Service) SetHeadcount(ctx context.Context, who store.Actor, p *auth.Principal, id, unitID int64, headcount int) error {
	if headcount < 0 {
		return apperr.Field("headcount", "err.not_negative")
	}
	if headcount > campaign.MaxHeadcount {
		return apperr.Field("headcount", "err.out_of_range")
	}
	return s.DB.Write(ctx, who, func(tx *store.Tx) error {
		c, err := s.loadForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if _, err := campaign.Decide(actorFor(p, c, nil), c.Status, campaign.ActRecord, campaign.DayCome(c.Date, s.Today())); err != nil {
			return err
		}
		u, err := s.visibleUnit(ctx, p, unitID)
		if err != nil || !c.Covers(u.Region) {
			return notFoundAsField(orNotFound(err), "unit_id", "err.unit_unknown")
		}
		if err := tx.SetUnitHeadcount(ctx, c.ID, u.ID, headcount); err != nil {
			return err
		}
		if err := tx.TouchCampaign(ctx, c.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, "campaign", c.ID, "headcount", nil, map[string]any{"unit": u.ID, "headcount": headcount})
	})
}

// orNotFound is err, or NotFound when err is nil (a check that failed without an error).
func orNotFound(err error) error {
	if err == nil {
		return apperr.ErrNotFound
	}
	return err
}

// AddPhoto checks an uploaded image by its content (the case photo rules),
// stores it by content hash and attaches it to a task at step (before or
// after). It returns the photo id.
func (s *Service) AddPhoto(ctx context.Context, who store.Actor, p *auth.Principal, id, taskID int64, step string, r io.Reader) (string, error) {
	if step != cases.StepBefore && step != cases.StepAfter {
		return "", apperr.Field("step", "err.invalid_choice")
	}
	if taskID <= 0 {
		return "", apperr.Field("task", "err.required")
	}
	// Check the right to record before reading the upload.
	if _, err := s.checkTask(ctx, p, id, taskID); err != nil {
		return "", err
	}
	proc, err := s.processPhoto(r)
	if err != nil {
		return "", err
	}
	photoID, err := s.Photos.Put(proc)
	if err != nil {
		return "", err
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		c, _, err := s.taskFor(ctx, tx, p, id, taskID)
		if err != nil {
			return err
		}
		n, err := tx.CountTaskPhotos(ctx, taskID, step)
		if err != nil {
			return err
		}
		if n >= MaxPhotos {
			return apperr.Field("photo", "err.photo_too_many", MaxPhotos)
		}
		if err := tx.AttachCampaignPhoto(ctx, c.ID, taskID, photoRecord(photoID, proc), step); err != nil {
			return err
		}
		return tx.Audit(ctx, "campaign", c.ID, "photo", nil, map[string]any{"task": taskID, "photo": photoID, "step": step})
	})
	return photoID, err
}

// ReportFinding reports a problem found at a task that could not be fixed
// that day: a case with source campaign, made by the case service under the
// case rules (who may report which class and source), then linked to the
// task. A client id sent again links the same case once.
func (s *Service) ReportFinding(ctx context.Context, who store.Actor, p *auth.Principal, id, taskID int64, in casesvc.Report) (cases.Case, error) {
	if taskID <= 0 {
		return cases.Case{}, apperr.Field("task", "err.required")
	}
	t, err := s.checkTask(ctx, p, id, taskID)
	if err != nil {
		return cases.Case{}, err
	}
	in.Source = cases.SourceCampaign
	if in.UnitID == 0 {
		in.UnitID = t.UnitID
	}
	if in.Lat == 0 && in.Lon == 0 && t.Lat != nil {
		in.Lat, in.Lon = *t.Lat, *t.Lon
	}
	c, _, err := s.Cases.Report(ctx, who, p, in)
	if err != nil {
		return c, err
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		linked, err := tx.LinkCampaignFinding(ctx, id, taskID, c.Number)
		if err != nil || !linked {
			return err
		}
		return tx.Audit(ctx, "campaign", id, "finding", nil, map[string]any{"task": taskID, "case": c.Number})
	})
	return c, err
}

// CanSeePhoto reports whether p may see a photo attached to campaign id (the
// task it belongs to must be one p sees).
func (s *Service) CanSeePhoto(ctx context.Context, p *auth.Principal, id int64, photoID string) (bool, error) {
	v, err := s.Get(ctx, p, id)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, ph := range v.Photos {
		if ph.PhotoID == photoID {
			return true, nil
		}
	}
	return false, nil
}
