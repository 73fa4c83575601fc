package patrolsvc

import (
	"context"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// MaxSyncItems bounds the items of one offline batch.
const MaxSyncItems = 500

// The kinds of item an offline batch carries.
const (
	ItemStart   = "patrol_start"
	ItemTrack   = "track"
	ItemVisit   = "visit"
	ItemRecord  = "record"
	ItemFinding = "finding"
	ItemCase    = "case"
	ItemEnd     = "end"
)

// Item is one record of a field phone's offline batch, as read from the
// request: its type, the patrol it belongs to (by uid), and the input of its
// type.
type Item struct {
	Type    string
	Patrol  string
	Start   patrol.Start
	Track   []TrackPoint
	Visit   patrol.Visit
	Record  patrol.Record
	Finding FindingRef
	Case    casesvc.Report
	End     patrol.End
	// Err is why the item could not be read; it is that item's answer.
	Err error
}

// Result answers one item: what its own use case answers (Value is a
// patrol.Patrol, TrackResult, patrol.Visit, patrol.Record, Finding or
// cases.Case), whether it stored something new, or its error.
type Result struct {
	Value   any
	Created bool
	Err     error
}

// Sync handles a field phone's offline batch in order, each item as its own
// use case would (a "case" item reports the case and, with a patrol, links
// it as a finding); a bad item never stops the ones after it. Every item is
// idempotent on its ids, so a batch sent three times stores everything once;
// an end sent again with the same end time answers as stored before (ending
// twice is otherwise 409). Over MaxSyncItems items the batch is refused whole (413).
func (s *Service) Sync(ctx context.Context, who store.Actor, p *auth.Principal, items []Item) ([]Result, error) {
	if len(items) > MaxSyncItems {
		return nil, apperr.New(apperr.TooLarge, "err.patrol.sync_too_large", MaxSyncItems)
	}
	out := make([]Result, len(items))
	for i, it := range items {
		if it.Err != nil {
			out[i].Err = it.Err
			continue
		}
		out[i] = s.item(ctx, who, p, it)
	}
	return out, nil
}

func (s *Service) item(ctx context.Context, who store.Actor, p *auth.Principal, it Item) Result {
	var r Result
	switch it.Type {
	case ItemStart:
		r.Value, r.Created, r.Err = s.Start(ctx, who, p, it.Start)
	case ItemTrack:
		r.Value, r.Err = s.AddTrack(ctx, who, p, it.Patrol, it.Track)
	case ItemVisit:
		r.Value, r.Created, r.Err = s.Visit(ctx, who, p, it.Patrol, it.Visit)
	case ItemRecord:
		r.Value, r.Created, r.Err = s.Record(ctx, who, p, it.Patrol, it.Record)
	case ItemFinding:
		r.Value, r.Created, r.Err = s.Finding(ctx, who, p, it.Patrol, it.Finding)
	case ItemCase:
		r.Value, r.Created, r.Err = s.ReportFinding(ctx, who, p, it.Patrol, it.Case)
	case ItemEnd:
		r.Value, r.Err = s.End(ctx, who, p, it.Patrol, it.End)
		if ended(r.Err) {
			// The same end sent again is no conflict: the phone did not hear the first answer.
			if pt, err := s.patrolFor(ctx, p, it.Patrol, patrol.ActionRead); err == nil && pt.PatrollerID == p.PersonID && pt.EndedAt.Equal(it.End.EndedAt) {
				r.Value, r.Err = pt, nil
			}
		}
	case "":
		r.Err = apperr.Field("type", "err.required")
	default:
		r.Err = apperr.Field("type", "err.invalid_choice")
	}
	return r
}
