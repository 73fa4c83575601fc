package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/store"
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
// Each item is handled as its own endpoint would handle it (a "case" item
// reports the case and, with a patrol, links it as a finding) and answers
// in "results", by index, with that endpoint's status: 201 stored, 200 seen
// before, 4xx with the error message and field messages; a bad item never
// stops the ones after it. Every item is idempotent on its ids, so a batch
// sent three times stores everything once; an "end" sent again with the same
// ended_at answers 200 (the endpoint itself answers 409). At most
// MaxSyncItems items a batch (413 above); photos go to their own endpoints.

// MaxSyncItems bounds the items of one sync batch.
const MaxSyncItems = 500

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
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(in.Items) > MaxSyncItems {
		a.fail(w, r, apperr.New(apperr.TooLarge, "err.patrol.sync_too_large", MaxSyncItems))
		return
	}
	ctx := r.Context()
	c := a.callerOf(r)
	pr := printer(r, a.app.Cfg.Lang)
	results := make([]syncResult, 0, len(in.Items))
	for i, raw := range in.Items {
		var head syncHead
		res := syncResult{Index: i}
		if err := json.Unmarshal(raw, &head); err != nil {
			a.itemError(r, pr, &res, badItem())
			results = append(results, res)
			continue
		}
		res.Type, res.ID = head.Type, head.ID
		if res.ID == "" {
			res.ID = head.Patrol
		}
		status, body, err := a.syncItem(ctx, c, pr, head, raw)
		if err != nil {
			a.itemError(r, pr, &res, err)
		} else {
			res.Status, res.Result = status, body
		}
		results = append(results, res)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func badItem() error {
	e := apperr.New(apperr.Invalid, "err.bad_json")
	e.BadRequest = true
	return e
}

// itemError fills a result with err as the API would answer it.
func (a *API) itemError(r *http.Request, pr locale.Printer, res *syncResult, err error) {
	e := apperr.As(err)
	res.Status = statusOf[e.Code]
	if e.BadRequest {
		res.Status = http.StatusBadRequest
	}
	if e.Code == apperr.Internal {
		a.app.Log.Error("sync item failed", "path", r.URL.Path, "type", res.Type, "err", err)
	}
	res.Error, res.Fields = pr.Msg(e.Msg), pr.Fields(e)
}

// syncInputs makes the body of each item type.
var syncInputs = map[string]func() any{
	"patrol_start": func() any { return new(startInput) },
	"track":        func() any { return new(trackInput) },
	"visit":        func() any { return new(visitInput) },
	"record":       func() any { return new(recordInput) },
	"finding":      func() any { return new(findingInput) },
	"case":         func() any { return new(caseInput) },
	"end":          func() any { return new(endInput) },
}

// decodeSyncItem reads an item into the body of its type (a pointer to one
// of the endpoints' input structs): a field error on "type" for a missing
// or unknown type, 400 for a body that does not fit it.
func decodeSyncItem(head syncHead, raw json.RawMessage) (any, error) {
	mk, ok := syncInputs[head.Type]
	switch {
	case head.Type == "":
		return nil, apperr.Field("type", "err.required")
	case !ok:
		return nil, apperr.Field("type", "err.invalid_choice")
	}
	v := mk()
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, badItem()
	}
	return v, nil
}

// syncItem handles one item by its type.
func (a *API) syncItem(ctx context.Context, c caller, pr locale.Printer, head syncHead, raw json.RawMessage) (int, any, error) {
	v, err := decodeSyncItem(head, raw)
	if err != nil {
		return 0, nil, err
	}
	switch in := v.(type) {
	case *startInput:
		return a.opStart(ctx, c, *in)
	case *trackInput:
		return a.opTrack(ctx, c, pr, head.Patrol, in.Points)
	case *visitInput:
		return a.opVisit(ctx, c, head.Patrol, *in)
	case *recordInput:
		return a.opRecord(ctx, c, head.Patrol, *in)
	case *findingInput:
		return a.opFinding(ctx, c, head.Patrol, *in)
	case *caseInput:
		return a.syncCase(ctx, c, head.Patrol, *in)
	case *endInput:
		status, body, err := a.opEnd(ctx, c, head.Patrol, *in)
		if err == store.ErrPatrolEnded {
			// The same end sent again is no conflict: the phone did not hear the first answer.
			p, lerr := a.patrolFor(ctx, c, head.Patrol, true)
			if t, terr := parseTime("ended_at", in.EndedAt); lerr == nil && terr == nil && p.EndedAt.Equal(t) {
				return http.StatusOK, a.toPatrolJSON(p), nil
			}
		}
		return status, body, err
	}
	return 0, nil, fmt.Errorf("api: sync item of type %T", v)
}

// syncCase reports a case found on a patrol (idempotent on its client_id)
// and links it to the patrol.
func (a *API) syncCase(ctx context.Context, c caller, patrolID string, in caseInput) (int, any, error) {
	if patrolID != "" {
		// Check the patrol first, so that a case is not left without its link.
		if _, err := a.patrolFor(ctx, c, patrolID, true); err != nil {
			return 0, nil, err
		}
	}
	rep, err := a.report(in)
	if err != nil {
		return 0, nil, err
	}
	cs, created, err := a.app.Ledger.Report(ctx, c.actor, c.p, rep)
	if err != nil {
		return 0, nil, err
	}
	out := findingJSON{Patrol: patrolID, Case: cs.Number, Category: cs.Category, Class: string(cs.Class), Status: string(cs.Status)}
	if patrolID != "" {
		if _, _, err := a.opFinding(ctx, c, patrolID, findingInput{Case: cs.Number}); err != nil {
			return 0, nil, err
		}
	}
	return createdStatus(created), out, nil
}
