package api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
)

// The weekly inspections, the hotspots and the tracked problems (issue 10).

type inspectionItemJSON struct {
	Key      string   `json:"key"`
	Title    string   `json:"title"`
	Max      int      `json:"max"`
	Guidance string   `json:"guidance,omitempty"`
	Score    *float64 `json:"score"`
	Note     string   `json:"note"`
	Photos   []string `json:"photos"`
}

type ackJSON struct {
	Name      string  `json:"name"`
	At        string  `json:"at"`
	PersonID  int64   `json:"person_id"`
	Signature *string `json:"signature"`
}

type inspectionJSON struct {
	ID          int64                `json:"id"`
	Region      string               `json:"region"`
	Date        string               `json:"date"`
	Status      string               `json:"status"`
	Score       *float64             `json:"score"`
	Max         int                  `json:"max"`
	Scheduled   bool                 `json:"scheduled"`
	Corrects    *int64               `json:"corrects,omitempty"`
	Reason      string               `json:"reason,omitempty"`
	Agenda      *inspect.Agenda      `json:"agenda,omitempty"`
	AgendaAt    *string              `json:"agenda_at,omitempty"`
	Preview     bool                 `json:"agenda_preview,omitempty"`
	Items       []inspectionItemJSON `json:"items,omitempty"`
	Findings    []string             `json:"findings,omitempty"`
	Inspectors  []int64              `json:"inspectors,omitempty"`
	Ack         *ackJSON             `json:"ack,omitempty"`
	Actions     []inspect.Action     `json:"actions,omitempty"`
	CorrectedBy *int64               `json:"corrected_by,omitempty"`
	ClosedAt    *string              `json:"closed_at,omitempty"`
	Version     int                  `json:"version"`
}

func (a *API) toInspectionJSON(v inspectsvc.View, full bool) inspectionJSON {
	in := v.Inspection
	out := inspectionJSON{ID: in.ID, Region: in.Region, Date: in.Date, Status: string(in.Status), Score: in.Score, Max: in.Max,
		Scheduled: in.Slot != "", Reason: in.Reason, Version: in.Version}
	if in.Corrects != 0 {
		c := in.Corrects
		out.Corrects = &c
	}
	if !in.ClosedAt.IsZero() {
		t := a.rfc(in.ClosedAt)
		out.ClosedAt = &t
	}
	if !full {
		return out
	}
	ag := in.Agenda
	out.Agenda, out.Preview = &ag, v.Preview
	if !in.AgendaAt.IsZero() {
		t := a.rfc(in.AgendaAt)
		out.AgendaAt = &t
	}
	out.Items = []inspectionItemJSON{}
	for _, it := range in.Items {
		ps := []string{}
		for _, ph := range it.Photos {
			ps = append(ps, "/api/v1/inspections/"+strconv.FormatInt(in.ID, 10)+"/photos/"+ph)
		}
		out.Items = append(out.Items, inspectionItemJSON{Key: it.Key, Title: it.Title, Max: it.Max, Guidance: it.Guidance, Score: it.Score, Note: it.Note, Photos: ps})
	}
	out.Findings = in.Findings
	if out.Findings == nil {
		out.Findings = []string{}
	}
	out.Inspectors = in.Inspectors
	if out.Inspectors == nil {
		out.Inspectors = []int64{}
	}
	if in.Ack.Signed() {
		ack := &ackJSON{Name: in.Ack.Name, At: a.rfc(in.Ack.At), PersonID: in.Ack.PersonID}
		if in.Ack.File != "" {
			u := "/api/v1/inspections/" + strconv.FormatInt(in.ID, 10) + "/signature"
			ack.Signature = &u
		}
		out.Ack = ack
	}
	out.Actions = v.Allowed
	if out.Actions == nil {
		out.Actions = []inspect.Action{}
	}
	if v.CorrectedBy != 0 {
		c := v.CorrectedBy
		out.CorrectedBy = &c
	}
	return out
}

// answer writes an inspection the caller just changed, as they now see it.
func (a *API) answerInspection(w http.ResponseWriter, r *http.Request, status int, id int64) {
	v, err := a.app.Inspect.Get(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, a.toInspectionJSON(v, true))
}

func (a *API) listInspections(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, total, err := a.app.Inspect.List(r.Context(), userOf(r), inspectsvc.Query{Region: q.Get("region"), From: q.Get("from"), To: q.Get("to"),
		Status: q.Get("status"), Page: pageOf(r)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]inspectionJSON, 0, len(list))
	for _, in := range list {
		items = append(items, a.toInspectionJSON(inspectsvc.View{Inspection: in}, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func (a *API) scheduleInspections(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	made, err := a.app.Inspect.Schedule(r.Context(), a.actor(r), userOf(r), in.From, in.To)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]inspectionJSON, 0, len(made))
	for _, m := range made {
		items = append(items, a.toInspectionJSON(inspectsvc.View{Inspection: m}, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"created": len(made), "items": items})
}

func (a *API) createInspection(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Region     string  `json:"region"`
		Date       string  `json:"date"`
		Inspectors []int64 `json:"inspectors"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	made, err := a.app.Inspect.Create(r.Context(), a.actor(r), userOf(r), inspectsvc.Extra{Region: in.Region, Date: in.Date, Inspectors: in.Inspectors})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerInspection(w, r, http.StatusCreated, made.ID)
}

func (a *API) getInspection(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerInspection(w, r, http.StatusOK, id)
}

// inspectionAct runs one action without a body on the inspection of the path.
func (a *API) inspectionAct(fn func(s *inspectsvc.Service, r *http.Request, id int64) (inspect.Inspection, error), status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		in, err := fn(a.app.Inspect, r, id)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		a.answerInspection(w, r, status, in.ID)
	}
}

func (a *API) openInspection(w http.ResponseWriter, r *http.Request) {
	a.inspectionAct(func(s *inspectsvc.Service, r *http.Request, id int64) (inspect.Inspection, error) {
		return s.Open(r.Context(), a.actor(r), userOf(r), id)
	}, http.StatusOK)(w, r)
}

func (a *API) refreshAgenda(w http.ResponseWriter, r *http.Request) {
	a.inspectionAct(func(s *inspectsvc.Service, r *http.Request, id int64) (inspect.Inspection, error) {
		return s.Refresh(r.Context(), a.actor(r), userOf(r), id)
	}, http.StatusOK)(w, r)
}

func (a *API) closeInspection(w http.ResponseWriter, r *http.Request) {
	a.inspectionAct(func(s *inspectsvc.Service, r *http.Request, id int64) (inspect.Inspection, error) {
		return s.Close(r.Context(), a.actor(r), userOf(r), id)
	}, http.StatusOK)(w, r)
}

func (a *API) correctInspection(w http.ResponseWriter, r *http.Request) {
	a.inspectionAct(func(s *inspectsvc.Service, r *http.Request, id int64) (inspect.Inspection, error) {
		return s.Correct(r.Context(), a.actor(r), userOf(r), id)
	}, http.StatusCreated)(w, r)
}

func (a *API) scoreInspection(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Items []struct {
			Key   string   `json:"key"`
			Score *float64 `json:"score"`
			Note  string   `json:"note"`
		} `json:"items"`
	}
	id, err := pathID(r)
	if err == nil {
		err = decode(w, r, &in)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var scores []inspect.Score
	for _, it := range in.Items {
		if it.Score == nil {
			a.fail(w, r, apperr.Field("items", "err.inspect.score_missing", it.Key))
			return
		}
		scores = append(scores, inspect.Score{Key: it.Key, Score: *it.Score, Note: it.Note})
	}
	if _, err := a.app.Inspect.Score(r.Context(), a.actor(r), userOf(r), id, scores); err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerInspection(w, r, http.StatusOK, id)
}

func (a *API) inspectionFinding(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in caseInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	due, err := a.parseWhen("due", in.Due)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rep := casesvc.Report{Input: cases.Input{ClientID: in.ClientID, Category: in.Category, Description: in.Description, Address: in.Address,
		Class: cases.Class(in.Class), Severity: cases.Severity(in.Severity), HotlineRef: in.HotlineRef, Note: in.Note},
		UnitID: in.UnitID, Commitment: in.Commitment, Due: due}
	if in.Lat != nil {
		rep.Lat = *in.Lat
	}
	if in.Lon != nil {
		rep.Lon = *in.Lon
	}
	p := userOf(r)
	c, created, err := a.app.Inspect.AddFinding(r.Context(), a.actor(r), p, id, rep)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, a.toCaseJSON(r.Context(), p, c, true))
}

func (a *API) inspectionPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	file, err := formPhoto(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer file.Close()
	pid, err := a.app.Inspect.AddPhoto(r.Context(), a.actor(r), userOf(r), id, r.FormValue("item"), file)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	u := "/api/v1/inspections/" + strconv.FormatInt(id, 10) + "/photos/" + pid
	writeJSON(w, http.StatusCreated, map[string]string{"id": pid, "url": u, "thumb": u + "?thumb=1"})
}

func (a *API) getInspectionPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Inspect.Get(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pid := r.PathValue("photo")
	found := false
	for _, it := range v.Items {
		for _, ph := range it.Photos {
			found = found || ph == pid
		}
	}
	if !found {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	f, err := a.app.Photos.Open(pid, r.URL.Query().Get("thumb") != "")
	if err != nil {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, pid+".jpg", time.Time{}, f)
}

func (a *API) ackInspection(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Name      string `json:"name"`
		Signature string `json:"signature"` // a PNG as base64 or a data: URL
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	ack := inspectsvc.Acknowledgement{Name: in.Name}
	if in.Signature != "" {
		b64 := in.Signature
		if i := strings.Index(b64, ","); strings.HasPrefix(b64, "data:") && i > 0 {
			b64 = b64[i+1:]
		}
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			a.fail(w, r, apperr.Field("signature", "err.format"))
			return
		}
		ack.Signature = data
	}
	if _, err := a.app.Inspect.Ack(r.Context(), a.actor(r), userOf(r), id, ack); err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerInspection(w, r, http.StatusOK, id)
}

func (a *API) inspectionSignature(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.app.Inspect.Get(r.Context(), userOf(r), id)
	if err == nil && v.Ack.File == "" {
		err = apperr.ErrNotFound
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := a.app.Letters.Open(v.Ack.File)
	if err != nil {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (a *API) moveInspection(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Date   string `json:"date"`
		Reason string `json:"reason"`
	}
	id, err := pathID(r)
	if err == nil {
		err = decode(w, r, &in)
	}
	if err == nil {
		_, err = a.app.Inspect.Move(r.Context(), a.actor(r), userOf(r), id, in.Date, in.Reason)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerInspection(w, r, http.StatusOK, id)
}

func (a *API) cancelInspection(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	id, err := pathID(r)
	if err == nil {
		err = decode(w, r, &in)
	}
	if err == nil {
		_, err = a.app.Inspect.Cancel(r.Context(), a.actor(r), userOf(r), id, in.Reason)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerInspection(w, r, http.StatusOK, id)
}

type checklistJSON struct {
	Year    int                     `json:"year"`
	Items   []inspect.ChecklistItem `json:"items"`
	Max     int                     `json:"max"`
	Version int                     `json:"version"`
	Default bool                    `json:"default"`
}

func toChecklistJSON(c inspect.Checklist) checklistJSON {
	items := c.Items
	if items == nil {
		items = []inspect.ChecklistItem{}
	}
	return checklistJSON{Year: c.Year, Items: items, Max: c.Max(), Version: c.Version, Default: c.Default}
}

func (a *API) getChecklist(w http.ResponseWriter, r *http.Request) {
	year := a.app.Inspect.Now().In(a.app.Loc).Year()
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			a.fail(w, r, apperr.Field("year", "err.inspect.year"))
			return
		}
		year = n
	}
	c, err := a.app.Inspect.Checklist(r.Context(), userOf(r), year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toChecklistJSON(c))
}

func (a *API) saveChecklist(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Year  int                     `json:"year"`
		Items []inspect.ChecklistItem `json:"items"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.app.Inspect.SaveChecklist(r.Context(), a.actor(r), userOf(r), inspect.Checklist{Year: in.Year, Items: in.Items})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toChecklistJSON(c))
}

func settingsJSON(street string, st inspectsvc.Settings) map[string]any {
	ids := st.Inspectors
	if ids == nil {
		ids = []int64{}
	}
	return map[string]any{"street": street, "weekday": st.Weekday, "inspectors": ids}
}

func (a *API) getInspectSettings(w http.ResponseWriter, r *http.Request) {
	street := r.URL.Query().Get("street")
	st, err := a.app.Inspect.Settings(r.Context(), userOf(r), street)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, settingsJSON(street, st))
}

func (a *API) saveInspectSettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Street     string  `json:"street"`
		Weekday    int     `json:"weekday"`
		Inspectors []int64 `json:"inspectors"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	st, err := a.app.Inspect.SaveSettings(r.Context(), a.actor(r), userOf(r), in.Street, inspectsvc.Settings{Weekday: in.Weekday, Inspectors: in.Inspectors})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, settingsJSON(in.Street, st))
}

func (a *API) inspectionWeek(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	wk, err := a.app.Inspect.WeekSummary(r.Context(), userOf(r), q.Get("region"), q.Get("week"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type point struct {
		Date  string  `json:"date"`
		Score float64 `json:"score"`
		Max   int     `json:"max"`
	}
	type lost struct {
		Key   string  `json:"key"`
		Title string  `json:"title"`
		Lost  float64 `json:"lost"`
	}
	type row struct {
		Community  string          `json:"community"`
		Name       string          `json:"name"`
		Inspection *inspectionJSON `json:"inspection"`
		Lost       []lost          `json:"lost"`
		Findings   []string        `json:"findings"`
		Hotspots   int             `json:"hotspots"`
		Trend      []point         `json:"trend"`
	}
	rows := []row{}
	for _, rw := range wk.Rows {
		out := row{Community: rw.Community, Name: rw.Name, Lost: []lost{}, Findings: []string{}, Hotspots: rw.Hotspots, Trend: []point{}}
		if rw.Inspection != nil {
			ij := a.toInspectionJSON(inspectsvc.View{Inspection: *rw.Inspection}, false)
			out.Inspection = &ij
			if rw.Inspection.Findings != nil {
				out.Findings = rw.Inspection.Findings
			}
		}
		for _, it := range rw.Lost {
			out.Lost = append(out.Lost, lost{Key: it.Key, Title: it.Title, Lost: it.Lost()})
		}
		for _, p := range rw.Trend {
			out.Trend = append(out.Trend, point{Date: p.Date, Score: p.Score, Max: p.Max})
		}
		rows = append(rows, out)
	}
	writeJSON(w, http.StatusOK, map[string]any{"week": wk.Monday, "to": wk.Sunday, "items": rows})
}

func (a *API) inspectionWeekXLSX(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := printer(r, a.app.Cfg.Lang)
	// Check the request before the headers go: an error is still JSON.
	wk, err := a.app.Inspect.WeekSummary(r.Context(), userOf(r), q.Get("region"), q.Get("week"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	name := p.T("inspect.export.filename") + "-" + wk.Monday + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"inspections.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	if err := a.app.Inspect.ExportWeek(r.Context(), w, p, userOf(r), q.Get("region"), wk.Monday); err != nil {
		a.app.Log.Error("inspection export failed", "err", err)
	}
}

func (a *API) listHotspots(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	weeks := 0
	if v := q.Get("weeks"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			a.fail(w, r, apperr.Field("weeks", "err.inspect.weeks", inspect.MaxWeeks))
			return
		}
		weeks = n
	}
	list, err := a.app.Inspect.Hotspots(r.Context(), userOf(r), q.Get("region"), weeks)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pg := pageOf(r)
	total := len(list)
	lo := total
	if pg.Page-1 <= total/pg.Size { // a huge page number must not overflow the offset
		lo = min((pg.Page-1)*pg.Size, total)
	}
	hi := min(lo+pg.Size, total)
	writeJSON(w, http.StatusOK, map[string]any{"items": list[lo:hi], "total": total})
}

type problemNoteJSON struct {
	At     string `json:"at"`
	By     string `json:"by"`
	Status string `json:"status"`
	Note   string `json:"note"`
}

type problemJSON struct {
	ID      int64                   `json:"id"`
	Region  string                  `json:"region"`
	Title   string                  `json:"title"`
	Owner   int64                   `json:"owner"`
	OwnerN  string                  `json:"owner_name"`
	Due     string                  `json:"due"`
	Status  string                  `json:"status"`
	Hotspot string                  `json:"hotspot,omitempty"`
	Cases   []string                `json:"cases"`
	Notes   []problemNoteJSON       `json:"notes,omitempty"`
	Actions []inspect.ProblemAction `json:"actions,omitempty"`
	Created string                  `json:"created_at"`
	Version int                     `json:"version"`
}

func (a *API) toProblemJSON(pr inspect.Problem, allowed []inspect.ProblemAction, full bool) problemJSON {
	out := problemJSON{ID: pr.ID, Region: pr.Region, Title: pr.Title, Owner: pr.OwnerID, OwnerN: pr.OwnerName, Due: pr.Due, Status: string(pr.Status),
		Hotspot: pr.Hotspot, Cases: pr.Cases, Created: a.rfc(pr.CreatedAt), Version: pr.Version}
	if out.Cases == nil {
		out.Cases = []string{}
	}
	if full {
		out.Notes = []problemNoteJSON{}
		for _, n := range pr.Notes {
			out.Notes = append(out.Notes, problemNoteJSON{At: a.rfc(n.At), By: n.ByName, Status: string(n.Status), Note: n.Note})
		}
		out.Actions = allowed
		if out.Actions == nil {
			out.Actions = []inspect.ProblemAction{}
		}
	}
	return out
}

func (a *API) createProblem(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title   string   `json:"title"`
		Owner   int64    `json:"owner"`
		Due     string   `json:"due"`
		Cases   []string `json:"cases"`
		Hotspot string   `json:"hotspot"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	pr, err := a.app.Inspect.Adopt(r.Context(), a.actor(r), userOf(r), inspect.Adoption{Title: in.Title, OwnerID: in.Owner, Due: in.Due, Cases: in.Cases, Hotspot: in.Hotspot})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerProblem(w, r, http.StatusCreated, pr.ID)
}

func (a *API) answerProblem(w http.ResponseWriter, r *http.Request, status int, id int64) {
	v, err := a.app.Inspect.Problem(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, a.toProblemJSON(v.Problem, v.Allowed, true))
}

func (a *API) listProblems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, total, err := a.app.Inspect.Problems(r.Context(), userOf(r), inspectsvc.ProblemQuery{Region: q.Get("region"), Status: q.Get("status"), Page: pageOf(r)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]problemJSON, 0, len(list))
	for _, pr := range list {
		items = append(items, a.toProblemJSON(pr, nil, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func (a *API) getProblem(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerProblem(w, r, http.StatusOK, id)
}

func (a *API) problemNote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Note   string `json:"note"`
		Status string `json:"status"` // "" a note; "resolved" or "open" to change the status with it
	}
	id, err := pathID(r)
	if err == nil {
		err = decode(w, r, &in)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	act := inspect.ProblemNote
	switch in.Status {
	case "":
	case string(inspect.ProblemResolved):
		act = inspect.ProblemResolve
	case string(inspect.ProblemOpen):
		act = inspect.ProblemReopen
	default:
		a.fail(w, r, apperr.Field("status", "err.invalid_choice"))
		return
	}
	if _, err := a.app.Inspect.ProblemAct(r.Context(), a.actor(r), userOf(r), id, act, in.Note); err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerProblem(w, r, http.StatusOK, id)
}

func (a *API) closeProblem(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Note string `json:"note"`
	}
	id, err := pathID(r)
	if err == nil {
		err = decode(w, r, &in)
	}
	if err == nil {
		_, err = a.app.Inspect.ProblemAct(r.Context(), a.actor(r), userOf(r), id, inspect.ProblemClose, in.Note)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerProblem(w, r, http.StatusOK, id)
}

// inspectRoutes are the weekly inspections, the hotspots and the tracked problems.
func (a *API) inspectRoutes() []route {
	list := pageParams
	return []route{
		{Method: "GET", Path: "/api/v1/inspections", Handler: a.listInspections, Summary: "Inspections in my scope, by date and community", Query: append([]string{"region", "from", "to", "status"}, list...), Resp: "InspectionList", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/schedule", Handler: a.scheduleInspections, Summary: "Make the weekly inspections of a date range: one per community and week, on the street's weekday or the last working day before it that week; never twice", Body: "InspectionSchedule", Resp: "InspectionScheduled", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections", Handler: a.createInspection, Summary: "Add an extra inspection of a community on a date", Body: "InspectionInput", Resp: "Inspection", Status: 201},
		{Method: "GET", Path: "/api/v1/inspections/checklist", Handler: a.getChecklist, Summary: "The checklist of a year (the default until an admin saves one)", Query: []string{"year"}, Resp: "Checklist", Status: 200},
		{Method: "PUT", Path: "/api/v1/inspections/checklist", Handler: a.saveChecklist, Summary: "Save a year's checklist (admins); its items add up to 100", Body: "ChecklistInput", Resp: "Checklist", Status: 200},
		{Method: "GET", Path: "/api/v1/inspections/settings", Handler: a.getInspectSettings, Summary: "A street's inspection weekday (1 Monday … 7 Sunday) and inspectors", Query: []string{"street"}, Resp: "InspectSettings", Status: 200},
		{Method: "PUT", Path: "/api/v1/inspections/settings", Handler: a.saveInspectSettings, Summary: "Set a street's inspection weekday and inspectors", Body: "InspectSettings", Resp: "InspectSettings", Status: 200},
		{Method: "GET", Path: "/api/v1/inspections/week", Handler: a.inspectionWeek, Summary: "The week's summary per community: score, items lost, findings, hotspots and the year's trend", Query: []string{"week", "region"}, Resp: "InspectionWeek", Status: 200},
		{Method: "GET", Path: "/api/v1/inspections/week.xlsx", Handler: a.inspectionWeekXLSX, Summary: "The week's summary as an Excel workbook", Query: []string{"week", "region"}, Resp: "xlsx", Status: 200},
		{Method: "GET", Path: "/api/v1/inspections/{id}", Handler: a.getInspection, Summary: "One inspection with its agenda, items, findings and acknowledgement", Resp: "Inspection", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/open", Handler: a.openInspection, Summary: "Begin the inspection: its agenda is built from the records and kept", Resp: "Inspection", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/agenda", Handler: a.refreshAgenda, Summary: "Build the agenda again (until it is closed)", Resp: "Inspection", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/scores", Handler: a.scoreInspection, Summary: "Score items (opens a planned inspection); 422 naming the item for an unknown key or a score out of range; 409 when closed", Body: "InspectionScores", Resp: "Inspection", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/findings", Handler: a.inspectionFinding, Summary: "Record a problem found as a case with source inspection (the body of POST /api/v1/cases)", Body: "CaseInput", Resp: "Case", Status: 201},
		{Method: "POST", Path: "/api/v1/inspections/{id}/photos", Handler: a.inspectionPhoto, Summary: "Add a photo to an item (multipart fields item and photo)", Body: "multipart", Resp: "PhotoRef", Status: 201},
		{Method: "GET", Path: "/api/v1/inspections/{id}/photos/{photo}", Handler: a.getInspectionPhoto, Summary: "A photo of an item (thumb=1 for the thumbnail)", Query: []string{"thumb"}, Resp: "jpeg", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/ack", Handler: a.ackInspection, Summary: "The community's leader acknowledges the sheet: a name, and a drawn signature (PNG, base64) if signed on screen", Body: "InspectionAck", Resp: "Inspection", Status: 200},
		{Method: "GET", Path: "/api/v1/inspections/{id}/signature", Handler: a.inspectionSignature, Summary: "The drawn signature of the acknowledgement", Resp: "png", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/close", Handler: a.closeInspection, Summary: "Close the inspection once every item is scored; 409 when closed already", Resp: "Inspection", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/move", Handler: a.moveInspection, Summary: "Move a planned inspection to another date, with a reason", Body: "InspectionMove", Resp: "Inspection", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/cancel", Handler: a.cancelInspection, Summary: "Cancel an inspection, with a reason", Body: "ReasonInput", Resp: "Inspection", Status: 200},
		{Method: "POST", Path: "/api/v1/inspections/{id}/correct", Handler: a.correctInspection, Summary: "Correct a closed inspection: a new open record referring to it", Resp: "Inspection", Status: 201},
		{Method: "GET", Path: "/api/v1/hotspots", Handler: a.listHotspots, Summary: "Hotspots found from the cases of the last weeks: place (3+ of a category within 150 m of one another), unit (3+ about one unit), stubborn (reopened or reworked twice+)", Query: append([]string{"region", "weeks"}, list...), Resp: "HotspotList", Status: 200},
		{Method: "POST", Path: "/api/v1/problems", Handler: a.createProblem, Summary: "Adopt a hotspot (or any cases) as a tracked problem", Body: "ProblemInput", Resp: "Problem", Status: 201},
		{Method: "GET", Path: "/api/v1/problems", Handler: a.listProblems, Summary: "Tracked problems (status open, resolved, closed, or live for not closed)", Query: append([]string{"region", "status"}, list...), Resp: "ProblemList", Status: 200},
		{Method: "GET", Path: "/api/v1/problems/{id}", Handler: a.getProblem, Summary: "One tracked problem with its notes", Resp: "Problem", Status: 200},
		{Method: "POST", Path: "/api/v1/problems/{id}/notes", Handler: a.problemNote, Summary: "Add a note (status resolved or open to change the status with it)", Body: "ProblemNoteInput", Resp: "Problem", Status: 200},
		{Method: "POST", Path: "/api/v1/problems/{id}/close", Handler: a.closeProblem, Summary: "Close a tracked problem with a note saying what solved it", Body: "NoteInput", Resp: "Problem", Status: 200},
	}
}
