package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
	"github.com/lantian-org/lantian/internal/store"
)

// assessRoutes are indicators, rubrics, scores and bulletins (issue 14).
func (a *API) assessRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/indicators", Handler: a.listIndicators, Summary: "Every indicator of the subjects of a kind I may see, for a period (rate null when den is 0)", Query: []string{"subject", "region", "period"}, Resp: "IndicatorList", Status: 200},
		{Method: "GET", Path: "/api/v1/indicators/{key}/records", Handler: a.indicatorRecords, Summary: "The records behind one figure: those in its numerator and in its denominator", Query: []string{"subject", "id", "period"}, Resp: "IndicatorRecords", Status: 200},
		{Method: "GET", Path: "/api/v1/rubrics", Handler: a.listRubrics, Summary: "Rubrics of a year over areas I may see", Query: []string{"year"}, Resp: "RubricList", Status: 200},
		{Method: "POST", Path: "/api/v1/rubrics", Handler: a.createRubric, Summary: "Add a rubric, or copy one (copy_of) to change it (admins)", Body: "RubricInput", Resp: "Rubric", Status: 201},
		{Method: "GET", Path: "/api/v1/rubrics/{id}", Handler: a.getRubric, Summary: "One rubric", Resp: "Rubric", Status: 200},
		{Method: "PUT", Path: "/api/v1/rubrics/{id}", Handler: a.putRubric, Summary: "Change a rubric's title and items (409 once a published bulletin uses it)", Body: "RubricInput", Resp: "Rubric", Status: 200},
		{Method: "GET", Path: "/api/v1/scores", Handler: a.listScores, Summary: "A rubric applied to a period: ranked scores of the subjects I may see, each item with its basis", Query: []string{"rubric", "period"}, Resp: "ScoreList", Status: 200},
		{Method: "POST", Path: "/api/v1/scores/manual", Handler: a.postManual, Summary: "Enter or change a manual score with its reason (admins; 422 without a reason or outside 0..max)", Body: "ManualInput", Resp: "Score", Status: 200},
		{Method: "GET", Path: "/api/v1/bulletins", Handler: a.listBulletins, Summary: "Bulletins I may see, newest first", Resp: "BulletinList", Status: 200},
		{Method: "POST", Path: "/api/v1/bulletins", Handler: a.postBulletin, Summary: "Publish a period's scores as a frozen bulletin (admins; 409 when the period has one not named in supersedes)", Body: "BulletinInput", Resp: "BulletinCreated", Status: 201},
		{Method: "GET", Path: "/api/v1/bulletins/{id}", Handler: a.getBulletin, Summary: "The frozen snapshot: the same bytes, so the same SHA-256, every time", Resp: "BulletinSnapshot", Status: 200},
		{Method: "GET", Path: "/api/v1/bulletins/{id}/changes", Handler: a.bulletinChanges, Summary: "What differs between the bulletin and the records now", Resp: "BulletinChanges", Status: 200},
		{Method: "GET", Path: "/api/v1/bulletins/{id}/bulletin.xlsx", Handler: a.bulletinXLSX, Summary: "The bulletin's ranking as an Excel workbook", Resp: "xlsx", Status: 200},
	}
}

// assessConflicts documents the 409 answers of these routes.
var assessConflicts = map[string]string{
	"PUT /api/v1/rubrics/{id}": "A published bulletin uses the rubric (copy it to change it), or it changed since version",
	"POST /api/v1/bulletins":   "The period already has a bulletin and supersedes does not name it",
}

type valueJSON struct {
	Num  float64   `json:"num"`
	Den  *float64  `json:"den,omitempty"`
	Rate **float64 `json:"rate,omitempty"`
}

func valueOut(v assess.Value) valueJSON {
	out := valueJSON{Num: v.Num}
	if v.HasDen {
		den, rate := v.Den, v.Rate()
		out.Den, out.Rate = &den, &rate
	}
	return out
}

func (a *API) listIndicators(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, per, err := a.app.Assess.Indicators(r.Context(), userOf(r), assesssvc.IndicatorQuery{Subject: q.Get("subject"), Region: q.Get("region"), Period: q.Get("period")})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type item struct {
		Subject    assess.Subject       `json:"subject"`
		Indicators map[string]valueJSON `json:"indicators"`
	}
	items := make([]item, 0, len(list))
	for _, sf := range list {
		it := item{Subject: sf.Subject, Indicators: map[string]valueJSON{}}
		for k, v := range sf.Values {
			it.Indicators[string(k)] = valueOut(v)
		}
		items = append(items, it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "period": map[string]string{"key": per.Key, "from": per.From, "to": per.To}})
}

func (a *API) indicatorRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, err := a.app.Assess.Records(r.Context(), userOf(r), assesssvc.RecordsQuery{Key: r.PathValue("key"), Subject: q.Get("subject"), ID: q.Get("id"), Period: q.Get("period")})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": d.Kind, "num": d.Num, "den": d.Den})
}

type rubricJSON struct {
	ID         int64         `json:"id"`
	Year       int           `json:"year"`
	Kind       string        `json:"kind"`
	Region     string        `json:"region"`
	Title      string        `json:"title"`
	Items      []assess.Item `json:"items"`
	Total      float64       `json:"total"`
	Version    int           `json:"version"`
	Published  bool          `json:"published"`
	CopiedFrom *int64        `json:"copied_from"`
}

func rubricOut(r store.RubricRow) rubricJSON {
	out := rubricJSON{ID: r.ID, Year: r.Year, Kind: string(r.Kind), Region: r.Region, Title: r.Title, Items: r.Items, Total: r.Total(), Version: r.Version, Published: r.Published}
	if out.Items == nil {
		out.Items = []assess.Item{}
	}
	if r.CopiedFrom != 0 {
		c := r.CopiedFrom
		out.CopiedFrom = &c
	}
	return out
}

func (a *API) listRubrics(w http.ResponseWriter, r *http.Request) {
	year := 0
	if v := strings.TrimSpace(r.URL.Query().Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			a.fail(w, r, apperr.Field("year", "err.out_of_range"))
			return
		}
		year = y
	}
	list, err := a.app.Assess.Rubrics(r.Context(), userOf(r), year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]rubricJSON, 0, len(list))
	for _, rb := range list {
		items = append(items, rubricOut(rb))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

type rubricInputJSON struct {
	Year    int           `json:"year"`
	Kind    string        `json:"kind"`
	Region  string        `json:"region"`
	Title   string        `json:"title"`
	Items   []assess.Item `json:"items"`
	CopyOf  int64         `json:"copy_of"`
	Version int           `json:"version"`
}

func (in rubricInputJSON) input() assesssvc.RubricInput {
	return assesssvc.RubricInput{Year: in.Year, Kind: in.Kind, Region: in.Region, Title: in.Title, Items: in.Items, CopyOf: in.CopyOf, Version: in.Version}
}

func (a *API) createRubric(w http.ResponseWriter, r *http.Request) {
	var in rubricInputJSON
	if !a.decoded(w, r, &in) {
		return
	}
	rb, err := a.app.Assess.CreateRubric(r.Context(), a.actor(r), userOf(r), in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rubricOut(rb))
}

func (a *API) getRubric(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rb, err := a.app.Assess.Rubric(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rubricOut(rb))
}

func (a *API) putRubric(w http.ResponseWriter, r *http.Request) {
	var in rubricInputJSON
	id, err := decodeAt(w, r, &in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rb, err := a.app.Assess.UpdateRubric(r.Context(), a.actor(r), userOf(r), id, in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rubricOut(rb))
}

func (a *API) listScores(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, err := strconv.ParseInt(strings.TrimSpace(q.Get("rubric")), 10, 64)
	if err != nil || id <= 0 {
		a.fail(w, r, apperr.Field("rubric", "err.required"))
		return
	}
	sh, err := a.app.Assess.Scores(r.Context(), userOf(r), id, q.Get("period"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": sh.Scores, "rubric": rubricOut(sh.Rubric),
		"period": map[string]string{"key": sh.Period.Key, "from": sh.Period.From, "to": sh.Period.To}})
}

// flexID reads an id written as a string or a number.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexID(n.String())
	return nil
}

type manualJSON struct {
	Rubric  int64    `json:"rubric"`
	Period  string   `json:"period"`
	Subject flexID   `json:"subject"`
	Item    string   `json:"item"`
	Points  *float64 `json:"points"`
	Reason  string   `json:"reason"`
}

func (a *API) postManual(w http.ResponseWriter, r *http.Request) {
	var in manualJSON
	if !a.decoded(w, r, &in) {
		return
	}
	sc, err := a.app.Assess.SetManual(r.Context(), a.actor(r), userOf(r), assesssvc.ManualInput{Rubric: in.Rubric, Period: in.Period, Subject: string(in.Subject),
		Item: in.Item, Points: in.Points, Reason: in.Reason})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}

type bulletinJSON struct {
	ID           int64  `json:"id"`
	Rubric       int64  `json:"rubric"`
	Period       string `json:"period"`
	Kind         string `json:"kind"`
	Region       string `json:"region"`
	Title        string `json:"title"`
	Public       bool   `json:"public"`
	SHA256       string `json:"sha256"`
	Supersedes   *int64 `json:"supersedes"`
	SupersededBy *int64 `json:"superseded_by"`
	PublishedAt  string `json:"published_at"`
}

func idPtr(id int64) *int64 {
	if id <= 0 {
		return nil
	}
	return &id
}

func (a *API) listBulletins(w http.ResponseWriter, r *http.Request) {
	list, err := a.app.Assess.Bulletins(r.Context(), userOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]bulletinJSON, 0, len(list))
	for _, b := range list {
		items = append(items, bulletinJSON{ID: b.ID, Rubric: b.Rubric, Period: b.Period, Kind: b.Kind, Region: b.Region, Title: b.Title, Public: b.Public,
			SHA256: b.SHA256, Supersedes: idPtr(b.Supersedes), SupersededBy: idPtr(b.SupersededBy), PublishedAt: a.rfc(time.UnixMilli(b.CreatedAt))})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

type bulletinInputJSON struct {
	Rubric     int64  `json:"rubric"`
	Period     string `json:"period"`
	Title      string `json:"title"`
	Public     bool   `json:"public"`
	Supersedes int64  `json:"supersedes"`
}

func (a *API) postBulletin(w http.ResponseWriter, r *http.Request) {
	var in bulletinInputJSON
	if !a.decoded(w, r, &in) {
		return
	}
	b, err := a.app.Assess.Publish(r.Context(), a.actor(r), userOf(r), assesssvc.PublishInput{Rubric: in.Rubric, Period: in.Period, Title: in.Title, Public: in.Public, Supersedes: in.Supersedes})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/bulletins/"+strconv.FormatInt(b.ID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"id": b.ID, "sha256": b.SHA256})
}

func (a *API) bulletinOf(w http.ResponseWriter, r *http.Request) (store.Bulletin, bool) {
	id, err := pathID(r)
	if err == nil {
		var b store.Bulletin
		if b, err = a.app.Assess.Bulletin(r.Context(), userOf(r), id); err == nil {
			return b, true
		}
	}
	a.fail(w, r, err)
	return store.Bulletin{}, false
}

func (a *API) getBulletin(w http.ResponseWriter, r *http.Request) {
	b, ok := a.bulletinOf(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-SHA256", b.SHA256)
	w.WriteHeader(http.StatusOK)
	w.Write(b.Snapshot)
}

func (a *API) bulletinChanges(w http.ResponseWriter, r *http.Request) {
	b, ok := a.bulletinOf(w, r)
	if !ok {
		return
	}
	changes, err := a.app.Assess.Compare(r.Context(), userOf(r), b)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type changeJSON struct {
		Subject assess.Subject `json:"subject"`
		Item    string         `json:"item,omitempty"`
		Then    float64        `json:"then"`
		Now     float64        `json:"now"`
	}
	items := make([]changeJSON, 0, len(changes))
	for _, c := range changes {
		items = append(items, changeJSON{c.Subject, c.Item, c.Then, c.Now})
	}
	writeJSON(w, http.StatusOK, map[string]any{"changed": len(items) > 0, "items": items})
}

func (a *API) bulletinXLSX(w http.ResponseWriter, r *http.Request) {
	b, ok := a.bulletinOf(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	pr := printer(r, a.app.Cfg.Lang)
	if err := assesssvc.BulletinXLSX(&buf, pr, b); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="bulletin-`+strconv.FormatInt(b.ID, 10)+`.xlsx"`)
	w.Write(buf.Bytes())
}
