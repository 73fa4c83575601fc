package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/patrol"
)

// trackInput is the body of POST /api/v1/patrols/{id}/track. Each point is
// read on its own, so that one malformed point is rejected by its index
// while the others are kept.
type trackInput struct {
	Points []json.RawMessage `json:"points"`
}

type pointInput struct {
	T   string   `json:"t"`
	Lat *float64 `json:"lat"`
	Lon *float64 `json:"lon"`
	Acc *float64 `json:"acc"`
}

type rejectJSON struct {
	Index int    `json:"index"`
	Error string `json:"error"`
}

// trackResult answers a batch: accepted counts the good points (new or
// stored before), stored the new ones; rejected names each bad one.
type trackResult struct {
	Accepted int          `json:"accepted"`
	Stored   int          `json:"stored"`
	Rejected []rejectJSON `json:"rejected"`
}

// pointField is the field a point error is about, so the message names it.
var pointField = map[string]string{
	patrol.MsgRequired: "t", patrol.MsgFormat: "t", patrol.MsgFuture: "t", patrol.MsgBeforeStart: "t", patrol.MsgAfterEnd: "t",
	patrol.MsgCoords: "location", patrol.MsgAccuracy: "acc",
}

// readPoint decodes one point; it returns the message key of what is wrong with its form.
func readPoint(raw json.RawMessage) (patrol.Point, string) {
	var in pointInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return patrol.Point{}, patrol.MsgFormat
	}
	if in.T == "" {
		return patrol.Point{}, patrol.MsgRequired
	}
	t, err := time.Parse(time.RFC3339, in.T)
	if err != nil {
		return patrol.Point{}, patrol.MsgFormat
	}
	if in.Lat == nil || in.Lon == nil {
		return patrol.Point{}, patrol.MsgCoords
	}
	p := patrol.Point{T: t, Lat: *in.Lat, Lon: *in.Lon}
	if in.Acc != nil {
		p.Acc = *in.Acc
	}
	return p, ""
}

// opTrack stores a batch of points of patrol uid: the good ones are kept
// (once), the bad ones named by index with a message in pr's language; over
// patrol.MaxBatch points the whole batch is refused (413).
func (a *API) opTrack(ctx context.Context, c caller, pr locale.Printer, uid string, raw []json.RawMessage) (int, any, error) {
	if len(raw) > patrol.MaxBatch {
		return 0, nil, apperr.New(apperr.TooLarge, "err.patrol.batch_too_large", patrol.MaxBatch)
	}
	p, err := a.patrolFor(ctx, c, uid, true)
	if err != nil {
		return 0, nil, err
	}
	res := trackResult{Rejected: []rejectJSON{}}
	good := make([]patrol.Point, 0, len(raw))
	for i, r := range raw {
		pt, key := readPoint(r)
		if key == "" {
			key = patrol.CheckPoint(pt, p.StartedAt, p.EndedAt, c.now)
		}
		if key != "" {
			res.Rejected = append(res.Rejected, rejectJSON{Index: i, Error: pr.Field(pointField[key], apperr.Msg{Key: key})})
			continue
		}
		good = append(good, pt)
	}
	if len(good) > 0 {
		stored, ended, err := a.app.DB.AddTrack(ctx, c.actor, p, good)
		if err != nil {
			return 0, nil, err
		}
		res.Stored = stored
		if ended {
			// Points of an ended patrol (sent late, or while it ended): measure it again.
			if _, err := a.app.DB.Reassess(ctx, c.actor, p.ID, a.assess(ctx, p.Grid)); err != nil {
				return 0, nil, err
			}
		}
	}
	res.Accepted = len(good)
	return http.StatusOK, res, nil
}

func (a *API) patrolTrack(w http.ResponseWriter, r *http.Request) {
	var in trackInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	status, body, err := a.opTrack(r.Context(), a.callerOf(r), printer(r, a.app.Cfg.Lang), r.PathValue("id"), in.Points)
	a.answer(w, r, status, body, err)
}
