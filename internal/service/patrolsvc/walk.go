package patrolsvc

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// What the field phone sends while walking. Every record carries a UUID the
// phone chose, so each use case is idempotent: sent again, it returns what
// was stored then with created false and writes nothing.

// Start starts a patrol for p on a grid: 422 naming the fields for bad
// input or an unknown grid, 403 when p may not walk the grid.
func (s *Service) Start(ctx context.Context, who store.Actor, p *auth.Principal, in patrol.Start) (patrol.Patrol, bool, error) {
	if patrol.ValidUUID(in.UID) {
		if old, err := s.DB.PatrolByUID(ctx, in.UID); err == nil {
			if old.PatrollerID != p.PersonID {
				return patrol.Patrol{}, false, apperr.Field("id", "err.duplicate_value")
			}
			return old, false, nil
		} else if !apperr.Is(err, apperr.NotFound) {
			return old, false, err
		}
	}
	f := apperr.Fields{}
	if err := in.Validate(s.Now()); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if in.Grid != "" {
		ok := region.LevelOf(in.Grid) == region.Grid
		if ok {
			var err error
			if ok, err = s.DB.RegionExists(ctx, in.Grid); err != nil {
				return patrol.Patrol{}, false, err
			}
		}
		if !ok {
			f.Add("grid", "err.grid_unknown")
		}
	}
	if err := f.Err(); err != nil {
		return patrol.Patrol{}, false, err
	}
	plan, err := s.plan(ctx, in.Grid)
	if err != nil {
		return patrol.Patrol{}, false, err
	}
	if err := patrol.Decide(actorOf(p, in.Grid), patrol.Subject{Plan: plan}, patrol.ActionStart); err != nil {
		return patrol.Patrol{}, false, err
	}
	pt := patrol.Patrol{UID: in.UID, Grid: in.Grid, PatrollerID: p.PersonID, PatrollerName: p.Name, StartedAt: in.StartedAt,
		Day: patrol.Day(in.StartedAt, s.Loc), Window: plan.WindowOf(in.StartedAt, s.Loc)}
	if pt.PatrollerName == "" {
		pt.PatrollerName = p.Username
	}
	created := false
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		ok, err := tx.InsertPatrol(ctx, &pt)
		if err != nil {
			return err
		}
		if !ok {
			// Started meanwhile by a request carrying the same id.
			old, err := tx.PatrolByUID(ctx, pt.UID)
			if err != nil {
				return err
			}
			if old.PatrollerID != p.PersonID {
				return apperr.Field("id", "err.duplicate_value")
			}
			pt = old
			return nil
		}
		created = true
		return tx.Audit(ctx, "patrol", pt.UID, "start", nil, patrolAudit(pt))
	})
	return pt, created, err
}

// TrackPoint is a track point as read from a request, with what was wrong
// with its form.
type TrackPoint struct {
	patrol.Point
	// Err is the message key of what was wrong with the point's form (its
	// time unreadable, a coordinate missing); "" when it read.
	Err string
}

// Rejected is a track point refused, by its index in the batch, with the
// field its message is about.
type Rejected struct {
	Index      int
	Field, Key string
}

// TrackResult answers a batch: Accepted counts the good points (new or
// stored before), Stored the new ones; Rejected names each bad one.
type TrackResult struct {
	Accepted, Stored int
	Rejected         []Rejected
}

// pointField is the field a point's message key is about, so the message names it.
var pointField = map[string]string{
	patrol.MsgRequired: "t", patrol.MsgFormat: "t", patrol.MsgFuture: "t", patrol.MsgBeforeStart: "t", patrol.MsgAfterEnd: "t",
	patrol.MsgCoords: "location", patrol.MsgAccuracy: "acc",
}

// AddTrack stores a batch of track points of patrol uid: the good ones are
// kept once, the bad ones named by index; over patrol.MaxBatch points the
// whole batch is refused (413). Points of an ended patrol (the phone was
// offline) measure it again in the same transaction.
func (s *Service) AddTrack(ctx context.Context, who store.Actor, p *auth.Principal, uid string, pts []TrackPoint) (TrackResult, error) {
	res := TrackResult{Rejected: []Rejected{}}
	if len(pts) > patrol.MaxBatch {
		return res, apperr.New(apperr.TooLarge, "err.patrol.batch_too_large", patrol.MaxBatch)
	}
	pt, err := s.patrolFor(ctx, p, uid, patrol.ActionTrack)
	if err != nil {
		return res, err
	}
	now := s.Now()
	good := make([]patrol.Point, 0, len(pts))
	for i, tp := range pts {
		key := tp.Err
		if key == "" {
			key = patrol.CheckPoint(tp.Point, pt.StartedAt, pt.EndedAt, now)
		}
		if key != "" {
			res.Rejected = append(res.Rejected, Rejected{Index: i, Field: pointField[key], Key: key})
			continue
		}
		good = append(good, tp.Point)
	}
	res.Accepted = len(good)
	if len(good) == 0 {
		return res, nil
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		stored, ended, err := tx.InsertTrack(ctx, pt, good)
		if err != nil || stored == 0 {
			return err
		}
		res.Stored = stored
		first, last := good[0].T, good[0].T
		for _, g := range good {
			if g.T.Before(first) {
				first = g.T
			}
			if g.T.After(last) {
				last = g.T
			}
		}
		if err := tx.Audit(ctx, "patrol", pt.UID, "track", nil, map[string]any{"points": len(good), "stored": stored,
			"from": first.UnixMilli(), "to": last.UnixMilli()}); err != nil {
			return err
		}
		if !ended {
			return nil
		}
		return s.reassess(ctx, tx, pt.ID)
	})
	return res, err
}

// reassess measures an ended patrol again from its whole track, audited.
func (s *Service) reassess(ctx context.Context, tx *store.Tx, id int64) error {
	cur, err := tx.Patrol(ctx, id)
	if err != nil {
		return err
	}
	track, err := tx.Track(ctx, id)
	if err != nil {
		return err
	}
	before := patrolAudit(cur)
	cur.Assessment = s.assess(cur, track)
	if err := tx.SaveAssessment(ctx, cur); err != nil {
		return err
	}
	return tx.Audit(ctx, "patrol", cur.UID, "reassess", before, patrolAudit(cur))
}

// Visit records a check-in at a key site of patrol uid's grid (one of its
// units with risk tags, or a free point of its plan).
func (s *Service) Visit(ctx context.Context, who store.Actor, p *auth.Principal, uid string, v patrol.Visit) (patrol.Visit, bool, error) {
	pt, err := s.patrolFor(ctx, p, uid, patrol.ActionVisit)
	if err != nil {
		return v, false, err
	}
	if err := v.Validate(pt, s.Now()); err != nil {
		return v, false, err
	}
	if ok, err := s.siteOf(ctx, pt.Grid, v.Site); err != nil {
		return v, false, err
	} else if !ok {
		return v, false, apperr.Field("site", patrol.MsgSite)
	}
	created := false
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		var err error
		if created, err = tx.InsertVisit(ctx, pt, &v); err != nil || !created {
			return err
		}
		return tx.Audit(ctx, "patrol", pt.UID, "visit", nil, map[string]any{"visit": v.UID, "site": v.Site.Key(), "at": v.At.UnixMilli()})
	})
	return v, created, err
}

// siteOf reports whether site names a unit of the grid or one of its plan's free points.
func (s *Service) siteOf(ctx context.Context, grid string, site patrol.SiteRef) (bool, error) {
	if site.UnitID != 0 {
		u, err := s.DB.Unit(ctx, site.UnitID)
		if apperr.Is(err, apperr.NotFound) {
			return false, nil
		}
		return err == nil && u.Region == grid, err
	}
	plan, err := s.DB.PatrolPlan(ctx, grid)
	return err == nil && site.Point >= 1 && site.Point <= len(plan.Points), err
}

// VisitPhoto checks an uploaded image by its content, stores it by content
// hash and makes it the photo of check-in visitUID of patrol uid; it
// returns the photo id. Sending it again is harmless.
func (s *Service) VisitPhoto(ctx context.Context, who store.Actor, p *auth.Principal, uid, visitUID string, r io.Reader) (string, error) {
	pt, err := s.patrolFor(ctx, p, uid, patrol.ActionVisit)
	if err != nil {
		return "", err
	}
	rec, err := service.StorePhoto(ctx, s.Photos, s.Loc, r, "photo")
	if err != nil {
		return "", err
	}
	id := rec.ID
	return id, s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.SetVisitPhoto(ctx, pt, visitUID, rec); err != nil {
			return err
		}
		return tx.Audit(ctx, "patrol", pt.UID, "visit_photo", nil, map[string]any{"visit": visitUID, "photo": id})
	})
}

// OpenVisitPhoto opens the photo of check-in visitUID of patrol uid (its
// thumbnail with thumb) for those who may see the patrol; 404 otherwise or
// when it has none.
func (s *Service) OpenVisitPhoto(ctx context.Context, p *auth.Principal, uid, visitUID string, thumb bool) (io.ReadSeekCloser, string, error) {
	pt, err := s.patrolFor(ctx, p, uid, patrol.ActionRead)
	if err != nil {
		return nil, "", err
	}
	id, err := s.DB.VisitPhoto(ctx, pt.ID, visitUID)
	if err != nil {
		return nil, "", err
	}
	f, err := s.Photos.Open(id, thumb)
	if err != nil {
		return nil, "", apperr.ErrNotFound
	}
	return f, id, nil
}

// Record records a dispute mediated or a clean-energy promotion on patrol uid.
func (s *Service) Record(ctx context.Context, who store.Actor, p *auth.Principal, uid string, r patrol.Record) (patrol.Record, bool, error) {
	pt, err := s.patrolFor(ctx, p, uid, patrol.ActionRecord)
	if err != nil {
		return r, false, err
	}
	if err := r.Validate(pt, s.Now()); err != nil {
		return r, false, err
	}
	created := false
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		var err error
		if created, err = tx.InsertRecord(ctx, pt, &r); err != nil || !created {
			return err
		}
		return tx.Audit(ctx, "patrol", pt.UID, "record", nil, map[string]any{"record": r.UID, "kind": r.Kind, "households": r.Households})
	})
	return r, created, err
}

// FindingRef names a case found on a patrol: its number, or the client id
// it was reported under (all an offline phone knows).
type FindingRef struct {
	Case     string
	ClientID string
}

// Finding is a case linked to a patrol.
type Finding struct {
	Patrol string // the patrol's uid
	Case   string // the case's number
}

// Finding links a case p may see to patrol uid. A case p may not see is
// answered as one that does not exist: 422 on the field that names it.
func (s *Service) Finding(ctx context.Context, who store.Actor, p *auth.Principal, uid string, ref FindingRef) (Finding, bool, error) {
	pt, err := s.patrolFor(ctx, p, uid, patrol.ActionFinding)
	if err != nil {
		return Finding{}, false, err
	}
	var number string
	switch {
	case ref.Case != "":
		c, err := s.Cases.Get(ctx, p, ref.Case)
		if err != nil {
			return Finding{}, false, apperr.Field("case", "err.patrol.case_unknown")
		}
		number = c.Number
	case ref.ClientID != "":
		c, err := s.DB.CaseByClientID(ctx, ref.ClientID)
		if err == nil {
			c, err = s.Cases.Get(ctx, p, c.Number)
		}
		if err != nil {
			return Finding{}, false, apperr.Field("client_id", "err.patrol.case_unknown")
		}
		number = c.Number
	default:
		return Finding{}, false, apperr.Field("case", "err.required")
	}
	created, err := s.link(ctx, who, pt, number)
	return Finding{Patrol: pt.UID, Case: number}, created, err
}

// link links case number to patrol pt, audited once.
func (s *Service) link(ctx context.Context, who store.Actor, pt patrol.Patrol, number string) (bool, error) {
	created := false
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		var err error
		if created, err = tx.InsertFinding(ctx, pt, number); err != nil || !created {
			return err
		}
		return tx.Audit(ctx, "patrol", pt.UID, "finding", nil, map[string]any{"case": number})
	})
	return created, err
}

// ReportFinding reports a case found on patrol uid through the case service
// (idempotent on its client id) and links it to the patrol; with uid "" it
// only reports the case. The patrol is checked first, so that a case is not
// left without its link.
func (s *Service) ReportFinding(ctx context.Context, who store.Actor, p *auth.Principal, uid string, rep casesvc.Report) (cases.Case, bool, error) {
	var pt patrol.Patrol
	if uid != "" {
		var err error
		if pt, err = s.patrolFor(ctx, p, uid, patrol.ActionFinding); err != nil {
			return cases.Case{}, false, err
		}
	}
	c, created, err := s.Cases.Report(ctx, who, p, rep)
	if err != nil || uid == "" {
		return c, created, err
	}
	_, err = s.link(ctx, who, pt, c.Number)
	return c, created, err
}

// End ends patrol uid with a summary, measuring its track and flagging it
// when doubtful in the same transaction; a patrol already ended is 409.
func (s *Service) End(ctx context.Context, who store.Actor, p *auth.Principal, uid string, in patrol.End) (patrol.Patrol, error) {
	pt, err := s.patrolFor(ctx, p, uid, patrol.ActionEnd)
	if err != nil {
		return pt, err
	}
	if err := in.Validate(pt, s.Now()); err != nil {
		return pt, err
	}
	var out patrol.Patrol
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		cur, err := tx.Patrol(ctx, pt.ID)
		if err != nil {
			return err
		}
		track, err := tx.Track(ctx, pt.ID)
		if err != nil {
			return err
		}
		before := patrolAudit(cur)
		cur.State, cur.EndedAt, cur.Summary = patrol.StateEnded, in.EndedAt, strings.TrimSpace(in.Summary)
		cur.Assessment = s.assess(cur, track)
		if err := tx.EndPatrol(ctx, cur); err != nil {
			return err
		}
		cur.UpdatedAt = timeOf(tx)
		out = cur
		return tx.Audit(ctx, "patrol", cur.UID, "end", before, patrolAudit(cur))
	})
	return out, err
}

// ended reports whether err says the patrol had already ended.
func ended(err error) bool {
	return errors.Is(err, patrol.ErrState) || errors.Is(err, store.ErrPatrolEnded)
}
