package api

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/service/campaignsvc"
	"github.com/lantian-org/lantian/internal/service/casesvc"
)

// campaignRoutes are the month-end clean-ups, the materials store, publicity
// events, handouts and the calendar (issue 11).
func (a *API) campaignRoutes() []route {
	list := pageParams
	return []route{
		{Method: "GET", Path: "/api/v1/campaigns", Handler: a.listCampaigns, Summary: "Clean-up campaigns touching my area, latest first", Query: append([]string{"from", "to", "region", "status"}, list...), Resp: "CampaignList", Status: 200},
		{Method: "POST", Path: "/api/v1/campaigns", Handler: a.createCampaign, Summary: "Plan a campaign on any date in regions I lead", Body: "CampaignInput", Resp: "Campaign", Status: 201},
		{Method: "POST", Path: "/api/v1/campaigns/propose", Handler: a.proposeCampaigns, Summary: "Propose one campaign per month of a year on the last-Friday rule (never a second for a month)", Body: "ProposeInput", Resp: "ProposeResult", Status: 200},
		{Method: "GET", Path: "/api/v1/campaigns/{id}", Handler: a.getCampaign, Summary: "One campaign with its tasks (a unit contact sees their unit's)", Resp: "Campaign", Status: 200},
		{Method: "PATCH", Path: "/api/v1/campaigns/{id}", Handler: a.patchCampaign, Summary: "Change title, date, regions and note (a proposal becomes planned)", Body: "CampaignEdit", Resp: "Campaign", Status: 200},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/tasks", Handler: a.addCampaignTask, Summary: "Add a task", Body: "TaskInput", Resp: "Task", Status: 201},
		{Method: "DELETE", Path: "/api/v1/campaigns/{id}/tasks/{task}", Handler: a.deleteCampaignTask, Summary: "Remove a task with nothing recorded (409 otherwise)", Status: 204},
		{Method: "PUT", Path: "/api/v1/campaigns/{id}/participants", Handler: a.putParticipants, Summary: "Set the people and units taking part", Body: "Participants", Resp: "Campaign", Status: 200},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/results", Handler: a.postResult, Summary: "Record a task's result (counts replace the earlier tally; negative counts 422)", Body: "ResultInput", Resp: "Task", Status: 200},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/headcounts", Handler: a.postHeadcount, Summary: "Record the people a unit sent", Body: "HeadcountInput", Resp: "Campaign", Status: 200},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/photos", Handler: a.postCampaignPhoto, Summary: "Add a before or after photo to a task", Body: "multipart:CampaignPhotoUpload", Resp: "CampaignPhoto", Status: 201},
		{Method: "GET", Path: "/api/v1/campaigns/{id}/photos/{photo}", Handler: a.getCampaignPhoto, Summary: "A task's photo (?thumb=1 for the thumbnail)", Query: []string{"thumb"}, Resp: "jpeg", Status: 200},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/findings", Handler: a.postFinding, Summary: "Report a problem found at a task as a case with source campaign, linked to it", Body: "FindingCase", Resp: "Case", Status: 201},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/actions", Handler: a.campaignAction, Summary: "Close, reopen or cancel a campaign", Body: "CampaignAction", Resp: "Campaign", Status: 200},
		{Method: "GET", Path: "/api/v1/campaigns/{id}/report", Handler: a.campaignReport, Summary: "The campaign's report: totals, tasks done, units present and absent", Resp: "CampaignReport", Status: 200},
		{Method: "GET", Path: "/api/v1/campaigns/{id}/report.xlsx", Handler: a.campaignReportXLSX, Summary: "The campaign's report as an Excel workbook", Resp: "xlsx", Status: 200},

		{Method: "GET", Path: "/api/v1/materials", Handler: a.listMaterials, Summary: "The materials of the stores I may see, with their stock", Query: list, Resp: "MaterialList", Status: 200},
		{Method: "POST", Path: "/api/v1/materials", Handler: a.createMaterial, Summary: "Add a material to a store, with its opening stock", Body: "MaterialInput", Resp: "Material", Status: 201},
		{Method: "GET", Path: "/api/v1/materials/{id}", Handler: a.getMaterial, Summary: "One material with a page of its ledger of moves", Query: list, Resp: "MaterialLedger", Status: 200},
		{Method: "PATCH", Path: "/api/v1/materials/{id}", Handler: a.patchMaterial, Summary: "Change a material's name, kind, unit or low-stock threshold", Body: "MaterialInput", Resp: "Material", Status: 200},
		{Method: "POST", Path: "/api/v1/materials/{id}/moves", Handler: a.postMove, Summary: "Move stock in (delta > 0) or out (delta < 0); 409 with the stock left when it would go below zero", Body: "MoveInput", Resp: "MoveResult", Status: 200},

		{Method: "GET", Path: "/api/v1/publicity", Handler: a.listPublicity, Summary: "Publicity events with the totals of reach and materials", Query: append([]string{"from", "to", "month", "region"}, list...), Resp: "PublicityList", Status: 200},
		{Method: "POST", Path: "/api/v1/publicity", Handler: a.createPublicity, Summary: "Record a publicity event, taking its materials from the store (409 naming a material short of stock; nothing written)", Body: "PublicityInput", Resp: "Publicity", Status: 201},
		{Method: "GET", Path: "/api/v1/publicity/{id}", Handler: a.getPublicity, Summary: "One publicity event", Resp: "Publicity", Status: 200},
		{Method: "POST", Path: "/api/v1/publicity/{id}/photos", Handler: a.postPublicityPhoto, Summary: "Add a photo to an event", Body: "multipart", Resp: "CampaignPhoto", Status: 201},
		{Method: "GET", Path: "/api/v1/publicity/{id}/photos/{photo}", Handler: a.getPublicityPhoto, Summary: "An event's photo (?thumb=1 for the thumbnail)", Query: []string{"thumb"}, Resp: "jpeg", Status: 200},

		{Method: "GET", Path: "/api/v1/handouts", Handler: a.listHandouts, Summary: "Proposal letters and reminders", Query: list, Resp: "HandoutList", Status: 200},
		{Method: "POST", Path: "/api/v1/handouts", Handler: a.createHandout, Summary: "Write a handout ({street} and {date} are filled in when printed)", Body: "HandoutInput", Resp: "Handout", Status: 201},
		{Method: "GET", Path: "/api/v1/handouts/{id}", Handler: a.getHandout, Summary: "One handout with its printed text", Resp: "Handout", Status: 200},
		{Method: "PATCH", Path: "/api/v1/handouts/{id}", Handler: a.patchHandout, Summary: "Change a handout", Body: "HandoutInput", Resp: "Handout", Status: 200},
		{Method: "GET", Path: "/api/v1/handouts/{id}/distributions", Handler: a.listDistributions, Summary: "A handout's distributions in my area", Query: list, Resp: "DistributionList", Status: 200},
		{Method: "POST", Path: "/api/v1/handouts/{id}/distributions", Handler: a.postDistribution, Summary: "Record households reached in a community or grid (422 over its households)", Body: "DistributionInput", Resp: "Distribution", Status: 201},
		{Method: "GET", Path: "/api/v1/handouts/{id}/coverage", Handler: a.handoutCoverage, Summary: "Households reached per region under region (default the handout's), unreached first", Query: []string{"region"}, Resp: "Coverage", Status: 200},

		{Method: "GET", Path: "/api/v1/calendar", Handler: a.calendarItems, Summary: "Everything with a date in my area: campaigns, publicity, inspections, lectures, quizzes, letter and commitment deadlines", Query: []string{"from", "to", "region", "kind"}, Resp: "CalendarList", Status: 200},
		{Method: "POST", Path: "/api/v1/calendar/feed", Handler: a.resetFeed, Summary: "Make (or remake) my secret iCalendar feed URL; the old one stops working", Resp: "CalendarFeed", Status: 201},
	}
}

// campaignConflicts documents the 409 answers of these routes.
var campaignConflicts = map[string]string{
	"PATCH /api/v1/campaigns/{id}":               "The campaign's status does not allow it (closed or cancelled), or it changed meanwhile",
	"POST /api/v1/campaigns/{id}/tasks":          "The campaign's status does not allow it",
	"DELETE /api/v1/campaigns/{id}/tasks/{task}": "The task has a result, photos or findings",
	"PUT /api/v1/campaigns/{id}/participants":    "The campaign's status does not allow it",
	"POST /api/v1/campaigns/{id}/results":        "Not planned, closed or cancelled, or its day has not come",
	"POST /api/v1/campaigns/{id}/headcounts":     "Not planned, closed or cancelled, or its day has not come",
	"POST /api/v1/campaigns/{id}/photos":         "Not planned, closed or cancelled, or its day has not come",
	"POST /api/v1/campaigns/{id}/findings":       "Not planned, closed or cancelled, or its day has not come",
	"POST /api/v1/campaigns/{id}/actions":        "The campaign's status or day does not allow the action",
	"POST /api/v1/materials/{id}/moves":          "The stock would go below zero: the error holds material, name and stock (left); nothing written",
	"POST /api/v1/publicity":                     "A material lacks stock: the error names it with the stock left; no event and no move written",
}

// ---- Campaigns ----

type campaignItemJSON struct {
	ID      int64    `json:"id"`
	Title   string   `json:"title"`
	Date    string   `json:"date"`
	Regions []string `json:"regions"`
	Status  string   `json:"status"`
}

type taskJSON struct {
	ID         int64              `json:"id"`
	Kind       string             `json:"kind"`
	Title      string             `json:"title"`
	Region     string             `json:"region"`
	UnitID     *int64             `json:"unit_id"`
	Lat        *float64           `json:"lat"`
	Lon        *float64           `json:"lon"`
	Done       bool               `json:"done"`
	Counts     map[string]float64 `json:"counts"`
	Note       string             `json:"note"`
	RecordedAt *string            `json:"recorded_at"`
}

type unitPartJSON struct {
	UnitID    int64  `json:"unit_id"`
	Name      string `json:"name"`
	Headcount int    `json:"headcount"`
}

type campaignPhotoJSON struct {
	ID    string `json:"id"`
	Task  int64  `json:"task"`
	Step  string `json:"step"`
	URL   string `json:"url"`
	Thumb string `json:"thumb"`
}

type campaignJSON struct {
	campaignItemJSON
	Proposed bool                `json:"proposed"`
	Note     string              `json:"note"`
	People   []int64             `json:"people"`
	Units    []unitPartJSON      `json:"units"`
	Tasks    []taskJSON          `json:"tasks"`
	Photos   []campaignPhotoJSON `json:"photos"`
	Findings []string            `json:"findings"`
	Actions  []campaign.Action   `json:"actions"`
	Version  int                 `json:"version"`
}

func campaignItem(c campaign.Campaign) campaignItemJSON {
	regions := c.Regions
	if regions == nil {
		regions = []string{}
	}
	return campaignItemJSON{ID: c.ID, Title: c.Title, Date: c.Date, Regions: regions, Status: string(c.Status)}
}

func (a *API) taskOut(t campaign.Task) taskJSON {
	out := taskJSON{ID: t.ID, Kind: string(t.Kind), Title: t.Title, Region: t.Region, Lat: t.Lat, Lon: t.Lon, Done: t.Done, Counts: t.Counts.Map(), Note: t.Note,
		RecordedAt: a.rfcPtr(t.RecordedAt)}
	if t.UnitID != 0 {
		id := t.UnitID
		out.UnitID = &id
	}
	return out
}

func (a *API) campaignOut(c campaign.Campaign) campaignJSON {
	out := campaignJSON{campaignItemJSON: campaignItem(c), Proposed: c.Proposed, Note: c.Note, People: c.People, Units: []unitPartJSON{},
		Tasks: []taskJSON{}, Photos: []campaignPhotoJSON{}, Findings: []string{}, Actions: []campaign.Action{}, Version: c.Version}
	if out.People == nil {
		out.People = []int64{}
	}
	for _, u := range c.Units {
		out.Units = append(out.Units, unitPartJSON{u.UnitID, u.Name, u.Headcount})
	}
	for _, t := range c.Tasks {
		out.Tasks = append(out.Tasks, a.taskOut(t))
	}
	return out
}

func (a *API) viewOut(v campaignsvc.View) campaignJSON {
	out := a.campaignOut(v.Campaign)
	for _, ph := range v.Photos {
		url := "/api/v1/campaigns/" + strconv.FormatInt(v.ID, 10) + "/photos/" + ph.PhotoID
		out.Photos = append(out.Photos, campaignPhotoJSON{ID: ph.PhotoID, Task: ph.TaskID, Step: ph.Step, URL: url, Thumb: url + "?thumb=1"})
	}
	for _, f := range v.Findings {
		out.Findings = append(out.Findings, f.Number)
	}
	if v.Allowed != nil {
		out.Actions = v.Allowed
	}
	return out
}

func (a *API) listCampaigns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, total, err := a.app.Campaigns.List(r.Context(), userOf(r), campaignsvc.ListInput{From: q.Get("from"), To: q.Get("to"), Region: q.Get("region"),
		Status: q.Get("status"), Page: pageOf(r)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]campaignItemJSON, 0, len(list))
	for _, c := range list {
		items = append(items, campaignItem(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

type taskInputJSON struct {
	Kind   string   `json:"kind"`
	Title  string   `json:"title"`
	Region string   `json:"region"`
	UnitID int64    `json:"unit_id"`
	Lat    *float64 `json:"lat"`
	Lon    *float64 `json:"lon"`
}

func (t taskInputJSON) input() campaignsvc.TaskInput {
	return campaignsvc.TaskInput{Kind: t.Kind, Title: t.Title, Region: t.Region, UnitID: t.UnitID, Lat: t.Lat, Lon: t.Lon}
}

type campaignInputJSON struct {
	Title   string          `json:"title"`
	Date    string          `json:"date"`
	Regions []string        `json:"regions"`
	Note    string          `json:"note"`
	Tasks   []taskInputJSON `json:"tasks"`
	People  []int64         `json:"people"`
	Units   []unitPartJSON  `json:"units"`
}

func unitParts(in []unitPartJSON) []campaign.UnitPart {
	var out []campaign.UnitPart
	for _, u := range in {
		out = append(out, campaign.UnitPart{UnitID: u.UnitID, Headcount: u.Headcount})
	}
	return out
}

func (a *API) createCampaign(w http.ResponseWriter, r *http.Request) {
	var in campaignInputJSON
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	ci := campaignsvc.Input{Title: in.Title, Date: in.Date, Regions: in.Regions, Note: in.Note, People: in.People, Units: unitParts(in.Units)}
	for _, t := range in.Tasks {
		ci.Tasks = append(ci.Tasks, t.input())
	}
	c, err := a.app.Campaigns.Create(r.Context(), a.actor(r), userOf(r), ci)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusCreated, c.ID)
}

// writeCampaign answers with campaign id as the caller now sees it.
func (a *API) writeCampaign(w http.ResponseWriter, r *http.Request, status int, id int64) {
	v, err := a.app.Campaigns.Get(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, a.viewOut(v))
}

func (a *API) proposeCampaigns(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Year *int `json:"year"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Year == nil {
		a.fail(w, r, apperr.Field("year", "err.required"))
		return
	}
	made, err := a.app.Campaigns.Propose(r.Context(), a.actor(r), userOf(r), *in.Year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]campaignItemJSON, 0, len(made))
	for _, c := range made {
		items = append(items, campaignItem(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"created": len(made), "items": items})
}

func (a *API) getCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusOK, id)
}

func (a *API) patchCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	v, err := a.app.Campaigns.Get(r.Context(), p, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Fields left out keep their values.
	in := struct {
		Title   *string  `json:"title"`
		Date    *string  `json:"date"`
		Regions []string `json:"regions"`
		Note    *string  `json:"note"`
	}{}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	edit := campaignsvc.EditInput{Title: v.Title, Date: v.Date, Regions: v.Regions, Note: v.Note}
	if in.Title != nil {
		edit.Title = *in.Title
	}
	if in.Date != nil {
		edit.Date = *in.Date
	}
	if in.Regions != nil {
		edit.Regions = in.Regions
	}
	if in.Note != nil {
		edit.Note = *in.Note
	}
	if _, err := a.app.Campaigns.Update(r.Context(), a.actor(r), p, id, edit); err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusOK, id)
}

func (a *API) addCampaignTask(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in taskInputJSON
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.app.Campaigns.AddTask(r.Context(), a.actor(r), userOf(r), id, in.input())
	a.answer(w, r, http.StatusCreated, a.taskOut(t), err)
}

func (a *API) deleteCampaignTask(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	task, err := strconv.ParseInt(r.PathValue("task"), 10, 64)
	if err != nil || task <= 0 {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	if err := a.app.Campaigns.DeleteTask(r.Context(), a.actor(r), userOf(r), id, task); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) putParticipants(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		People []int64        `json:"people"`
		Units  []unitPartJSON `json:"units"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.app.Campaigns.SetParticipants(r.Context(), a.actor(r), userOf(r), id, in.People, unitParts(in.Units)); err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusOK, id)
}

func (a *API) postResult(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Task   int64              `json:"task"`
		Counts map[string]float64 `json:"counts"`
		Note   string             `json:"note"`
		Done   bool               `json:"done"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.app.Campaigns.RecordResult(r.Context(), a.actor(r), userOf(r), id, campaignsvc.ResultInput{Task: in.Task, Counts: in.Counts, Note: in.Note, Done: in.Done})
	a.answer(w, r, http.StatusOK, a.taskOut(t), err)
}

func (a *API) postHeadcount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		UnitID    int64 `json:"unit_id"`
		Headcount int   `json:"headcount"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.app.Campaigns.SetHeadcount(r.Context(), a.actor(r), userOf(r), id, in.UnitID, in.Headcount); err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusOK, id)
}

func (a *API) postCampaignPhoto(w http.ResponseWriter, r *http.Request) {
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
	task, _ := strconv.ParseInt(r.FormValue("task"), 10, 64)
	step := r.FormValue("step")
	photoID, err := a.app.Campaigns.AddPhoto(r.Context(), a.actor(r), userOf(r), id, task, step, file)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	url := "/api/v1/campaigns/" + strconv.FormatInt(id, 10) + "/photos/" + photoID
	writeJSON(w, http.StatusCreated, campaignPhotoJSON{ID: photoID, Task: task, Step: step, URL: url, Thumb: url + "?thumb=1"})
}

// servePhoto writes a stored photo (or its thumbnail) as JPEG.
func (a *API) servePhoto(w http.ResponseWriter, r *http.Request, id string) {
	f, err := a.app.Photos.Open(id, r.URL.Query().Get("thumb") != "")
	if err != nil {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, id+".jpg", time.Time{}, f)
}

func (a *API) getCampaignPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	ph := r.PathValue("photo")
	if err != nil || !photo.ValidID(ph) {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	ok, err := a.app.Campaigns.CanSeePhoto(r.Context(), userOf(r), id, ph)
	if err != nil || !ok {
		a.fail(w, r, orNotFound(err))
		return
	}
	a.servePhoto(w, r, ph)
}

func orNotFound(err error) error {
	if err == nil {
		return apperr.ErrNotFound
	}
	return err
}

func (a *API) postFinding(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Task int64 `json:"task"`
		caseInput
	}
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
		Class: cases.Class(in.Class), Severity: cases.Severity(in.Severity), Note: in.Note}, UnitID: in.UnitID, Commitment: in.Commitment, Due: due}
	if in.Lat != nil && in.Lon != nil {
		rep.Lat, rep.Lon = *in.Lat, *in.Lon
	}
	p := userOf(r)
	c, err := a.app.Campaigns.ReportFinding(r.Context(), a.actor(r), p, id, in.Task, rep)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toCaseJSON(r.Context(), p, c, true))
}

func (a *API) campaignAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Action string `json:"action"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.app.Campaigns.Transition(r.Context(), a.actor(r), userOf(r), id, campaign.Action(in.Action)); err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusOK, id)
}

func (a *API) campaignReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rv, err := a.app.Campaigns.Report(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	units := func(us []campaign.UnitPart) []unitPartJSON {
		out := []unitPartJSON{}
		for _, u := range us {
			out = append(out, unitPartJSON{u.UnitID, u.Name, u.Headcount})
		}
		return out
	}
	done, undone := []int64{}, []int64{}
	for _, t := range rv.Sum.Done {
		done = append(done, t.ID)
	}
	for _, t := range rv.Sum.Undone {
		undone = append(undone, t.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": rv.ID, "title": rv.Title, "date": rv.Date, "status": rv.Status,
		"counts": rv.Sum.Counts.Map(), "tasks_done": rv.Sum.TasksDone, "tasks": rv.Sum.Tasks, "done": done, "not_done": undone,
		"units_present": units(rv.Sum.UnitsPresent), "units_absent": units(rv.Sum.UnitsAbsent), "findings": rv.Sum.Findings})
}

func (a *API) campaignReportXLSX(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	pr := printer(r, a.app.Cfg.Lang)
	rv, err := a.app.Campaigns.ExportXLSX(r.Context(), &buf, pr, userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeXLSX(w, pr.T("campaign.xlsx.filename", rv.Date), buf.Bytes())
}

// writeXLSX sends a workbook as a download named name (.xlsx added).
func writeXLSX(w http.ResponseWriter, name string, data []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="clean-up.xlsx"; filename*=UTF-8''`+url.PathEscape(name+".xlsx"))
	w.Write(data)
}

// ---- Materials ----

type materialJSON struct {
	ID     int64  `json:"id"`
	Region string `json:"region"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Unit   string `json:"unit"`
	Stock  int    `json:"stock"`
	Low    int    `json:"low"`
	IsLow  bool   `json:"is_low"`
}

func materialOut(m campaign.Material) materialJSON {
	return materialJSON{ID: m.ID, Region: m.Region, Name: m.Name, Kind: string(m.Kind), Unit: m.Unit, Stock: m.Stock, Low: m.Low, IsLow: m.IsLow()}
}

type moveJSON struct {
	ID          int64  `json:"id"`
	At          string `json:"at"`
	Delta       int    `json:"delta"`
	StockAfter  int    `json:"stock_after"`
	Kind        string `json:"kind"`
	Reason      string `json:"reason"`
	Region      string `json:"region,omitempty"`
	PublicityID *int64 `json:"publicity_id,omitempty"`
	By          string `json:"by"`
}

func (a *API) moveOut(m campaign.Move) moveJSON {
	out := moveJSON{ID: m.ID, At: a.rfc(m.At), Delta: m.Delta, StockAfter: m.StockAfter, Kind: string(m.Kind), Reason: m.Reason, Region: m.Region, By: m.ByName}
	if m.PublicityID != 0 {
		id := m.PublicityID
		out.PublicityID = &id
	}
	return out
}

func (a *API) listMaterials(w http.ResponseWriter, r *http.Request) {
	list, total, err := a.app.Campaigns.Materials(r.Context(), userOf(r), pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]materialJSON, 0, len(list))
	for _, m := range list {
		items = append(items, materialOut(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

type materialInputJSON struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Unit   string `json:"unit"`
	Low    int    `json:"low"`
	Stock  int    `json:"stock"`
	Reason string `json:"reason"`
}

func (in materialInputJSON) input() campaignsvc.MaterialInput {
	return campaignsvc.MaterialInput{Region: in.Region, Name: in.Name, Kind: in.Kind, Unit: in.Unit, Low: in.Low, Stock: in.Stock, Reason: in.Reason}
}

func (a *API) createMaterial(w http.ResponseWriter, r *http.Request) {
	var in materialInputJSON
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.app.Campaigns.CreateMaterial(r.Context(), a.actor(r), userOf(r), in.input())
	a.answer(w, r, http.StatusCreated, materialOut(m), err)
}

func (a *API) getMaterial(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, moves, total, err := a.app.Campaigns.Material(r.Context(), userOf(r), id, pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]moveJSON, 0, len(moves))
	for _, mv := range moves {
		items = append(items, a.moveOut(mv))
	}
	writeJSON(w, http.StatusOK, map[string]any{"material": materialOut(m), "moves": items, "total": total})
}

func (a *API) patchMaterial(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	cur, _, _, err := a.app.Campaigns.Material(r.Context(), p, id, pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := materialInputJSON{Name: cur.Name, Kind: string(cur.Kind), Unit: cur.Unit, Low: cur.Low}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.app.Campaigns.UpdateMaterial(r.Context(), a.actor(r), p, id, in.input())
	a.answer(w, r, http.StatusOK, materialOut(m), err)
}

// failShort answers a ShortError as 409 with the material and the stock left
// beside the usual error, so that a client can show what is left.
func (a *API) failShort(w http.ResponseWriter, r *http.Request, err error) bool {
	var se *campaignsvc.ShortError
	if !errors.As(err, &se) {
		return false
	}
	p := printer(r, a.app.Cfg.Lang)
	e := apperr.As(err)
	body := map[string]any{"code": e.Code, "message": p.Msg(e.Msg), "material": se.Material.ID, "name": se.Material.Name, "stock": se.Left}
	if f := p.Fields(e); f != nil {
		body["fields"] = f
	}
	writeJSON(w, http.StatusConflict, map[string]any{"error": body})
	return true
}

func (a *API) postMove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Delta  *int   `json:"delta"`
		Reason string `json:"reason"`
		Region string `json:"region"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Delta == nil {
		a.fail(w, r, apperr.Field("delta", "err.required"))
		return
	}
	m, mv, err := a.app.Campaigns.Move(r.Context(), a.actor(r), userOf(r), id, campaign.MoveInput{Delta: *in.Delta, Reason: in.Reason, Region: in.Region})
	if err != nil {
		if !a.failShort(w, r, err) {
			a.fail(w, r, err)
		}
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"material": materialOut(m), "stock": m.Stock, "move": a.moveOut(mv)})
}

// ---- Publicity ----

type useJSON struct {
	Material int64  `json:"material"`
	Quantity int    `json:"quantity"`
	Name     string `json:"name,omitempty"`
	Unit     string `json:"unit,omitempty"`
}

type publicityJSON struct {
	ID        int64     `json:"id"`
	Date      string    `json:"date"`
	Region    string    `json:"region"`
	Venue     venueJSON `json:"venue"`
	Kind      string    `json:"kind"`
	Reach     int       `json:"reach"`
	People    string    `json:"people"`
	Note      string    `json:"note"`
	Materials []useJSON `json:"materials"`
	Photos    []string  `json:"photos"`
}

type venueJSON struct {
	UnitID *int64   `json:"unit_id,omitempty"`
	Name   string   `json:"name"`
	Lat    *float64 `json:"lat"`
	Lon    *float64 `json:"lon"`
}

func publicityOut(ev campaign.Publicity) publicityJSON {
	out := publicityJSON{ID: ev.ID, Date: ev.Date, Region: ev.Region, Venue: venueJSON{Name: ev.Venue, Lat: ev.Lat, Lon: ev.Lon}, Kind: string(ev.Kind),
		Reach: ev.Reach, People: ev.People, Note: ev.Note, Materials: []useJSON{}, Photos: []string{}}
	if ev.UnitID != 0 {
		id := ev.UnitID
		out.Venue.UnitID = &id
	}
	for _, u := range ev.Materials {
		out.Materials = append(out.Materials, useJSON{Material: u.MaterialID, Quantity: u.Quantity, Name: u.Name, Unit: u.Unit})
	}
	for _, ph := range ev.Photos {
		out.Photos = append(out.Photos, "/api/v1/publicity/"+strconv.FormatInt(ev.ID, 10)+"/photos/"+ph)
	}
	return out
}

// monthRange turns ?month=YYYY-MM into its first and last days.
func monthRange(month string) (string, string, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", "", apperr.Field("month", "err.format")
	}
	return t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly), nil
}

func (a *API) listPublicity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := campaignsvc.PublicityListInput{From: q.Get("from"), To: q.Get("to"), Region: q.Get("region"), Page: pageOf(r)}
	if m := q.Get("month"); m != "" {
		var err error
		if in.From, in.To, err = monthRange(m); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	list, total, tot, err := a.app.Campaigns.Publicities(r.Context(), userOf(r), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]publicityJSON, 0, len(list))
	for _, ev := range list {
		items = append(items, publicityOut(ev))
	}
	mats := []useJSON{}
	for _, u := range tot.Materials {
		mats = append(mats, useJSON{Material: u.MaterialID, Quantity: u.Quantity, Name: u.Name, Unit: u.Unit})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total,
		"totals": map[string]any{"events": tot.Events, "reach": tot.Reach, "materials": mats}})
}

func (a *API) createPublicity(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Date      string    `json:"date"`
		Venue     venueJSON `json:"venue"`
		Kind      string    `json:"kind"`
		Reach     int       `json:"reach"`
		People    string    `json:"people"`
		Note      string    `json:"note"`
		Materials []useJSON `json:"materials"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	pi := campaignsvc.PublicityInput{Date: in.Date, Venue: in.Venue.Name, Lat: in.Venue.Lat, Lon: in.Venue.Lon, Kind: in.Kind, Reach: in.Reach,
		People: in.People, Note: in.Note}
	if in.Venue.UnitID != nil {
		pi.UnitID = *in.Venue.UnitID
	}
	for _, u := range in.Materials {
		pi.Materials = append(pi.Materials, campaign.Use{MaterialID: u.Material, Quantity: u.Quantity})
	}
	ev, err := a.app.Campaigns.CreatePublicity(r.Context(), a.actor(r), userOf(r), pi)
	if err != nil {
		if !a.failShort(w, r, err) {
			a.fail(w, r, err)
		}
		return
	}
	writeJSON(w, http.StatusCreated, publicityOut(ev))
}

func (a *API) getPublicity(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ev, err := a.app.Campaigns.GetPublicity(r.Context(), userOf(r), id)
	a.answer(w, r, http.StatusOK, publicityOut(ev), err)
}

func (a *API) postPublicityPhoto(w http.ResponseWriter, r *http.Request) {
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
	photoID, err := a.app.Campaigns.AddPublicityPhoto(r.Context(), a.actor(r), userOf(r), id, file)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	url := "/api/v1/publicity/" + strconv.FormatInt(id, 10) + "/photos/" + photoID
	writeJSON(w, http.StatusCreated, campaignPhotoJSON{ID: photoID, URL: url, Thumb: url + "?thumb=1"})
}

func (a *API) getPublicityPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	ph := r.PathValue("photo")
	if err != nil || !photo.ValidID(ph) {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	ok, err := a.app.Campaigns.CanSeePublicityPhoto(r.Context(), userOf(r), id, ph)
	if err != nil || !ok {
		a.fail(w, r, orNotFound(err))
		return
	}
	a.servePhoto(w, r, ph)
}

// ---- Handouts ----

type handoutJSON struct {
	ID         int64    `json:"id"`
	Region     string   `json:"region"`
	Kind       string   `json:"kind"`
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	Date       string   `json:"date"`
	Printed    string   `json:"printed_title,omitempty"`
	Paragraphs []string `json:"printed_body,omitempty"`
}

func (a *API) handoutOut(r *http.Request, h campaign.Handout, full bool) handoutJSON {
	out := handoutJSON{ID: h.ID, Region: h.Region, Kind: string(h.Kind), Title: h.Title, Body: h.Body, Date: h.Date}
	if full {
		street := ""
		if rg, err := a.app.DB.Region(r.Context(), h.Region); err == nil {
			street = rg.Name
		}
		out.Printed, out.Paragraphs = h.Render(street)
	}
	return out
}

func (a *API) listHandouts(w http.ResponseWriter, r *http.Request) {
	list, total, err := a.app.Campaigns.Handouts(r.Context(), userOf(r), pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]handoutJSON, 0, len(list))
	for _, h := range list {
		items = append(items, a.handoutOut(r, h, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

type handoutInputJSON struct {
	Region string `json:"region"`
	Kind   string `json:"kind"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Date   string `json:"date"`
}

func (in handoutInputJSON) input() campaignsvc.HandoutInput {
	return campaignsvc.HandoutInput{Region: in.Region, Kind: in.Kind, Title: in.Title, Body: in.Body, Date: in.Date}
}

func (a *API) createHandout(w http.ResponseWriter, r *http.Request) {
	var in handoutInputJSON
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	h, err := a.app.Campaigns.CreateHandout(r.Context(), a.actor(r), userOf(r), in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.handoutOut(r, h, true))
}

func (a *API) getHandout(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	h, err := a.app.Campaigns.Handout(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.handoutOut(r, h, true))
}

func (a *API) patchHandout(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	cur, err := a.app.Campaigns.Handout(r.Context(), p, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := handoutInputJSON{Kind: string(cur.Kind), Title: cur.Title, Body: cur.Body, Date: cur.Date}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	h, err := a.app.Campaigns.UpdateHandout(r.Context(), a.actor(r), p, id, in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.handoutOut(r, h, true))
}

type distributionJSON struct {
	ID         int64  `json:"id"`
	Region     string `json:"region"`
	Building   string `json:"building,omitempty"`
	Households int    `json:"households"`
	Date       string `json:"date"`
	By         string `json:"by"`
}

func distributionOut(d campaign.Distribution) distributionJSON {
	return distributionJSON{ID: d.ID, Region: d.Region, Building: d.Building, Households: d.Households, Date: d.Date, By: d.ByName}
}

func (a *API) listDistributions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, total, err := a.app.Campaigns.Distributions(r.Context(), userOf(r), id, pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]distributionJSON, 0, len(list))
	for _, d := range list {
		items = append(items, distributionOut(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func (a *API) postDistribution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Region     string `json:"region"`
		Building   string `json:"building"`
		Households int    `json:"households"`
		Date       string `json:"date"`
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.app.Campaigns.Distribute(r.Context(), a.actor(r), userOf(r), id, campaignsvc.DistributionInput{Region: in.Region, Building: in.Building,
		Households: in.Households, Date: in.Date})
	a.answer(w, r, http.StatusCreated, distributionOut(d), err)
}

type coverageJSON struct {
	Region     string  `json:"region"`
	Name       string  `json:"name"`
	Households int     `json:"households"`
	Reached    int     `json:"reached"`
	Rate       float64 `json:"rate"`
}

func coverageOut(c campaign.CoverageRow) coverageJSON {
	return coverageJSON{Region: c.Region, Name: c.Name, Households: c.Households, Reached: c.Reached, Rate: float64(int(c.Rate*10000+0.5)) / 10000}
}

func (a *API) handoutCoverage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cov, err := a.app.Campaigns.Coverage(r.Context(), userOf(r), id, r.URL.Query().Get("region"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]coverageJSON, 0, len(cov.Rows))
	for _, c := range cov.Rows {
		items = append(items, coverageOut(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": coverageOut(cov.Total)})
}

// ---- Calendar ----

type calendarItemJSON struct {
	Kind   string  `json:"kind"`
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Date   string  `json:"date"`
	Start  *string `json:"start,omitempty"`
	Region string  `json:"region"`
	Place  string  `json:"place,omitempty"`
	URL    string  `json:"url,omitempty"`
}

func (a *API) calendarItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if from == "" && to == "" {
		// This month, as the calendar page opens.
		now := time.Now().In(a.app.Loc)
		first := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC)
		from, to = first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly)
	}
	query, err := agenda.ParseQuery(from, to, q.Get("region"), q.Get("kind"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items, err := a.app.Agenda.Items(r.Context(), userOf(r), query)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pr := printer(r, a.app.Cfg.Lang)
	out := make([]calendarItemJSON, 0, len(items))
	for _, it := range items {
		j := calendarItemJSON{Kind: string(it.Kind), ID: it.ID, Title: it.Text(pr.T), Date: it.Date, Region: it.Region, Place: it.Place, URL: it.Path}
		if !it.Start.IsZero() {
			s := a.rfc(it.Start)
			j.Start = &s
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (a *API) resetFeed(w http.ResponseWriter, r *http.Request) {
	path, err := a.app.Agenda.ResetFeed(r.Context(), a.actor(r), userOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"path": path, "url": a.app.Cfg.PublicURL(r) + path})
}
