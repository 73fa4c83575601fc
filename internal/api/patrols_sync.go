package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/service/casesvc"
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

// syncItem handles one item by its type.
func (a *API) syncItem(ctx context.Context, c caller, pr locale.Printer, head syncHead, raw json.RawMessage) (int, any, error) {
	read := func(v any) error {
		if err := json.Unmarshal(raw, v); err != nil {
			return badItem()
		}
		return nil
	}
	switch head.Type {
	case "patrol_start":
		var in startInput
		if err := read(&in); err != nil {
			return 0, nil, err
		}
		return a.opStart(ctx, c, in)
	case "track":
		var in trackInput
		if err := read(&in); err != nil {
			return 0, nil, err
		}
		return a.opTrack(ctx, c, pr, head.Patrol, in.Points)
	case "visit":
		var in visitInput
		if err := read(&in); err != nil {
			return 0, nil, err
		}
		return a.opVisit(ctx, c, head.Patrol, in)
	case "record":
		var in recordInput
		if err := read(&in); err != nil {
			return 0, nil, err
		}
		return a.opRecord(ctx, c, head.Patrol, in)
	case "finding":
		var in findingInput
		if err := read(&in); err != nil {
			return 0, nil, err
		}
		return a.opFinding(ctx, c, head.Patrol, in)
	case "case":
		var in caseInput
		if err := read(&in); err != nil {
			return 0, nil, err
		}
		return a.syncCase(ctx, c, head.Patrol, in)
	case "end":
		var in endInput
		if err := read(&in); err != nil {
			return 0, nil, err
		}
		status, body, err := a.opEnd(ctx, c, head.Patrol, in)
		if err == store.ErrPatrolEnded {
			// The same end sent again is no conflict: the phone did not hear the first answer.
			p, lerr := a.patrolFor(ctx, c, head.Patrol, true)
			if t, terr := parseTime("ended_at", in.EndedAt); lerr == nil && terr == nil && p.EndedAt.Equal(t) {
				return http.StatusOK, a.toPatrolJSON(p), nil
			}
		}
		return status, body, err
	case "":
		return 0, nil, apperr.Field("type", "err.required")
	}
	return 0, nil, apperr.Field("type", "err.invalid_choice")
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
	due, err := a.parseWhen("due", in.Due)
	if err != nil {
		return 0, nil, err
	}
	rep := casesvc.Report{Input: cases.Input{ClientID: in.ClientID, Category: in.Category, Description: in.Description, Address: in.Address,
		Class: cases.Class(in.Class), Severity: cases.Severity(in.Severity), Source: cases.Source(in.Source), HotlineRef: in.HotlineRef, Note: in.Note},
		UnitID: in.UnitID, Commitment: in.Commitment, Due: due}
	if in.Lat != nil {
		rep.Lat = *in.Lat
	}
	if in.Lon != nil {
		rep.Lon = *in.Lon
	}
	cs, created, err := a.app.Cases.Report(ctx, c.actor, c.p, rep)
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
