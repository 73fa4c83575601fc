package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
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

// readPoint decodes one point, with the message key of what is wrong with its form.
func readPoint(raw json.RawMessage) patrolsvc.TrackPoint {
	var in pointInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return patrolsvc.TrackPoint{Err: patrol.MsgFormat}
	}
	if in.T == "" {
		return patrolsvc.TrackPoint{Err: patrol.MsgRequired}
	}
	t, err := time.Parse(time.RFC3339, in.T)
	if err != nil {
		return patrolsvc.TrackPoint{Err: patrol.MsgFormat}
	}
	if in.Lat == nil || in.Lon == nil {
		return patrolsvc.TrackPoint{Err: patrol.MsgCoords}
	}
	p := patrol.Point{T: t, Lat: *in.Lat, Lon: *in.Lon}
	if in.Acc != nil {
		p.Acc = *in.Acc
	}
	return patrolsvc.TrackPoint{Point: p}
}

// readPoints decodes a batch's points.
func readPoints(raw []json.RawMessage) []patrolsvc.TrackPoint {
	out := make([]patrolsvc.TrackPoint, len(raw))
	for i, r := range raw {
		out[i] = readPoint(r)
	}
	return out
}

// toTrackJSON writes a batch's result with each refused point's message in pr's language.
func toTrackJSON(pr locale.Printer, res patrolsvc.TrackResult) trackResult {
	out := trackResult{Accepted: res.Accepted, Stored: res.Stored, Rejected: []rejectJSON{}}
	for _, rj := range res.Rejected {
		out.Rejected = append(out.Rejected, rejectJSON{Index: rj.Index, Error: pr.Field(rj.Field, apperr.Msg{Key: rj.Key})})
	}
	return out
}

func (a *API) patrolTrack(w http.ResponseWriter, r *http.Request) {
	var in trackInput
	if !a.decoded(w, r, &in) {
		return
	}
	res, err := a.app.Patrols.AddTrack(r.Context(), a.actor(r), userOf(r), r.PathValue("id"), readPoints(in.Points))
	a.answer(w, r, http.StatusOK, toTrackJSON(printer(r, a.app.Cfg.Lang), res), err)
}
