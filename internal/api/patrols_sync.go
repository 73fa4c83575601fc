package api

import (
	"encoding/json"
	"net/http"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
)

// POST /api/v1/sync takes what a field phone recorded offline, in the order
// it was recorded, as one batch:
//
//	{"items":[
//	  {"type":"patrol_start","id":"<uuid>","grid":"<code>","started_at":"<RFC 3339>"},
//	  {"type":"track","patrol":"<uuid>","points":[{"t","lat","lon","acc"}, …]},
//	  {"type":"visit","patrol":"<uuid>","id":"<uuid>","site":{"unit_id":12},"t","lat","lon","note"},
//	  {"type":"case","patrol":"<uuid>", …the body of POST /api/v1/cases with its client_id…},
//	  {"type":"finding","patrol":"<uuid>","case":"<number>"} or {…,"client_id":"<uuid>"},
//	  {"type":"record","patrol":"<uuid>","id":"<uuid>","kind":"dispute"|"promotion", …},
//	  {"type":"end","patrol":"<uuid>","ended_at":"<RFC 3339>","summary":"…"}
//	]}
//
// The handler reads each item as its own endpoint would read its body and
// hands the batch to the patrol service (Service.Sync), which handles the
// items in order; each answers in "results", by index, with that endpoint's
// status: 201 stored, 200 seen before, 4xx with the error message and field
// messages; a bad item never stops the ones after it. At most
// patrolsvc.MaxSyncItems items a batch (413 above); photos go to their own endpoints.

type syncInput struct {
	Items []json.RawMessage `json:"items"`
}

// syncHead is what every item has.
type syncHead struct {
	Type   string `json:"type"`
	Patrol string `json:"patrol"`
	ID     string `json:"id"`
}

type syncResult struct {
	Index  int               `json:"index"`
	Type   string            `json:"type"`
	ID     string            `json:"id,omitempty"`
	Status int               `json:"status"`
	Error  string            `json:"error,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	Result any               `json:"result,omitempty"`
}

func (a *API) sync(w http.ResponseWriter, r *http.Request) {
	var in syncInput
	if !a.decoded(w, r, &in) {
		return
	}
	if len(in.Items) > patrolsvc.MaxSyncItems {
		a.fail(w, r, apperr.New(apperr.TooLarge, "err.patrol.sync_too_large", patrolsvc.MaxSyncItems))
		return
	}
	heads := make([]syncHead, len(in.Items))
	items := make([]patrolsvc.Item, len(in.Items))
	for i, raw := range in.Items {
		heads[i], items[i] = a.readItem(raw)
	}
	res, err := a.app.Patrols.Sync(r.Context(), a.actor(r), userOf(r), items)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pr := printer(r, a.app.Cfg.Lang)
	out := make([]syncResult, len(res))
	for i, x := range res {
		o := syncResult{Index: i, Type: heads[i].Type, ID: heads[i].ID}
		if o.ID == "" {
			o.ID = heads[i].Patrol
		}
		if x.Err != nil {
			e := apperr.As(x.Err)
			o.Status = statusFor(e)
			if e.Code == apperr.Internal {
				a.app.Log.Error("sync item failed", "path", r.URL.Path, "type", o.Type, "err", x.Err)
			}
			o.Error, o.Fields = pr.Msg(e.Msg), pr.Fields(e)
		} else {
			o.Status, o.Result = createdStatus(x.Created), a.syncJSON(pr, heads[i], x.Value)
		}
		out[i] = o
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func badItem() error {
	e := apperr.New(apperr.Invalid, "err.bad_json")
	e.BadRequest = true
	return e
}

// readItem reads one item as its endpoint reads its body; what does not
// read becomes the item's error.
func (a *API) readItem(raw json.RawMessage) (syncHead, patrolsvc.Item) {
	var head syncHead
	if err := json.Unmarshal(raw, &head); err != nil {
		return head, patrolsvc.Item{Err: badItem()}
	}
	it := patrolsvc.Item{Type: head.Type, Patrol: head.Patrol}
	read := func(v any) bool {
		if err := json.Unmarshal(raw, v); err != nil {
			it.Err = badItem()
			return false
		}
		return true
	}
	switch head.Type {
	case patrolsvc.ItemStart:
		var in startInput
		if read(&in) {
			it.Start, it.Err = in.read()
		}
	case patrolsvc.ItemTrack:
		var in trackInput
		if read(&in) {
			it.Track = readPoints(in.Points)
		}
	case patrolsvc.ItemVisit:
		var in visitInput
		if read(&in) {
			it.Visit, it.Err = in.read()
		}
	case patrolsvc.ItemRecord:
		var in recordInput
		if read(&in) {
			it.Record, it.Err = in.read()
		}
	case patrolsvc.ItemFinding:
		var in findingInput
		if read(&in) {
			it.Finding = patrolsvc.FindingRef{Case: in.Case, ClientID: in.ClientID}
		}
	case patrolsvc.ItemCase:
		var in caseInput
		if read(&in) {
			it.Case, it.Err = a.report(in)
		}
	case patrolsvc.ItemEnd:
		var in endInput
		if read(&in) {
			it.End, it.Err = in.read()
		}
	}
	return head, it
}

// syncJSON encodes an item's answer as its endpoint would.
func (a *API) syncJSON(pr locale.Printer, head syncHead, v any) any {
	switch v := v.(type) {
	case patrol.Patrol:
		return a.toPatrolJSON(v)
	case patrolsvc.TrackResult:
		return toTrackJSON(pr, v)
	case patrol.Visit:
		return a.toVisitJSON(v)
	case patrol.Record:
		return a.toRecordJSON(v)
	case patrolsvc.Finding:
		return findingJSON{Patrol: v.Patrol, Case: v.Case}
	case cases.Case:
		return findingJSON{Patrol: head.Patrol, Case: v.Number, Category: v.Category, Class: string(v.Class), Status: string(v.Status)}
	}
	return v
}
