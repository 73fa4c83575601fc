package web

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/campaignsvc"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// The month-end clean-up pages: the list of campaigns, the form to plan one,
// a campaign with its tasks (results, photos and findings recorded on the
// day, on a phone too), and its printable report with the Excel export.

// campaignTabs are the tabs of the campaign, publicity, materials and handout pages.
func (s *Server) campaignTabs(r *http.Request) []NavItem {
	u := userOf(r)
	p := printer(r)
	var out []NavItem
	add := func(ok bool, href, key string) {
		if ok {
			out = append(out, NavItem{Href: href, Label: p.T(key), Active: strings.HasPrefix(r.URL.Path, href)})
		}
	}
	add(u.CanSomewhere(auth.CampaignRead), "/campaigns", "campaign.tab.campaigns")
	add(u.CanSomewhere(auth.PublicityRead), "/publicity", "campaign.tab.publicity")
	add(u.CanSomewhere(auth.MaterialRead), "/materials", "campaign.tab.materials")
	add(u.CanSomewhere(auth.HandoutRead), "/handouts", "campaign.tab.handouts")
	return out
}

// campaignRow is a campaign in the list.
type campaignRow struct {
	campaign.Campaign
	RegionNames string
}

type campaignsPage struct {
	Page
	Tabs       []NavItem
	Rows       []campaignRow
	Total      int
	Pager      pager
	Month      string
	Region     string
	Status     string
	Regions    []option
	Statuses   []campaign.Status
	CanPlan    bool
	ProposeFor int
	Created    int // campaigns just proposed, for the flash
}

// campaignsList lists the campaigns touching the user's area, by month.
func (s *Server) campaignsList(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.CampaignRead) {
		s.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	data := campaignsPage{Page: s.page(r, "campaign.list_title"), Tabs: s.campaignTabs(r), Month: q.Get("month"), Region: q.Get("region"),
		Status: q.Get("status"), Statuses: campaign.Statuses, CanPlan: u.CanSomewhere(auth.CampaignPlan), ProposeFor: time.Now().In(s.app.Loc).Year()}
	in := campaignsvc.ListInput{Region: data.Region, Status: data.Status, Page: store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()}
	if data.Month != "" {
		t, err := time.Parse("2006-01", data.Month)
		if err != nil {
			data.withError(printer(r), apperr.Field("month", "err.format"))
			data.Month = ""
		} else {
			in.From, in.To = t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly)
		}
	}
	opts, _, err := s.regionOptions(r, region.Street)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Regions = opts
	// A street-wide campaign is named for a community's people too.
	names, err := s.app.DB.RegionNames(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	list, total, err := s.app.Campaigns.List(r.Context(), u, in)
	if err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		data.withError(printer(r), err)
		s.render(w, r, statusFor(err), "campaigns", data)
		return
	}
	for _, c := range list {
		data.Rows = append(data.Rows, campaignRow{Campaign: c, RegionNames: s.regionList(r, names, c.Regions)})
	}
	data.Total = total
	data.Pager = newPager(r, in.Page.Page, in.Page.Size, total)
	s.render(w, r, http.StatusOK, "campaigns", data)
}

// regionList names region codes, joined for a list; names comes from regionOptions.
func (s *Server) regionList(r *http.Request, names map[string]string, codes []string) string {
	var out []string
	for _, c := range codes {
		n := names[c]
		if n == "" {
			n = c
		}
		out = append(out, n)
	}
	return strings.Join(out, printer(r).T("campaign.list_sep"))
}

// campaignsPropose proposes the year's month-end campaigns for the streets the user leads.
func (s *Server) campaignsPropose(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		year = 0
	}
	made, err := s.app.Campaigns.Propose(r.Context(), s.actor(r), userOf(r), year)
	switch {
	case apperr.Is(err, apperr.Forbidden):
		s.forbidden(w, r)
		return
	case err != nil && apperr.As(err).Code == apperr.Internal:
		s.serverError(w, r, err)
		return
	case err != nil:
		setFlash(w, "err.invalid")
		http.Redirect(w, r, "/campaigns", http.StatusSeeOther)
		return
	}
	if len(made) == 0 {
		setFlash(w, "campaign.flash.proposed_none")
	} else {
		setFlash(w, "campaign.flash.proposed")
	}
	http.Redirect(w, r, "/campaigns?month="+strconv.Itoa(year)+"-01", http.StatusSeeOther)
}

// campaignForm is what the plan and edit forms hold.
type campaignForm struct {
	Title, Date, Note string
	Regions           []string
}

type campaignFormPage struct {
	Page
	Tabs    []NavItem
	ID      int64 // 0 for a new campaign
	Form    campaignForm
	Regions []option
}

// planRegions are the streets, communities and grids the user may plan campaigns in.
func (s *Server) planRegions(r *http.Request) ([]option, error) {
	u := userOf(r)
	opts, _, err := s.regionOptions(r, region.Street)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, o := range opts {
		if u.Can(auth.CampaignPlan, auth.Target{Region: o.Value}) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *Server) campaignNew(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.CampaignPlan) {
		s.forbidden(w, r)
		return
	}
	s.campaignFormPage(w, r, http.StatusOK, 0, campaignForm{Date: time.Now().In(s.app.Loc).Format(time.DateOnly)}, nil)
}

func (s *Server) campaignFormPage(w http.ResponseWriter, r *http.Request, status int, id int64, f campaignForm, err error) {
	title := "campaign.new_title"
	if id != 0 {
		title = "campaign.edit_title"
	}
	data := campaignFormPage{Page: s.page(r, title), Tabs: s.campaignTabs(r), ID: id, Form: f}
	opts, oerr := s.planRegions(r)
	if oerr != nil {
		s.serverError(w, r, oerr)
		return
	}
	data.Regions = opts
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, status, "campaign_form", data)
}

func formCampaign(r *http.Request) campaignForm {
	return campaignForm{Title: r.PostFormValue("title"), Date: r.PostFormValue("date"), Note: r.PostFormValue("note"), Regions: r.PostForm["regions"]}
}

func (s *Server) campaignCreate(w http.ResponseWriter, r *http.Request) {
	f := formCampaign(r)
	c, err := s.app.Campaigns.Create(r.Context(), s.actor(r), userOf(r), campaignsvc.Input{Title: f.Title, Date: f.Date, Regions: f.Regions, Note: f.Note})
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.campaignFormPage(w, r, statusFor(err), 0, f, err)
		return
	}
	setFlash(w, "campaign.flash.created")
	http.Redirect(w, r, campaignURL(c.ID), http.StatusSeeOther)
}

// pageFailed answers the errors that are not a form's: 404, 403 and 500. It
// reports whether it did.
func (s *Server) pageFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch apperr.As(err).Code {
	case apperr.NotFound:
		s.notFound(w, r)
	case apperr.Forbidden:
		s.forbidden(w, r)
	case apperr.Internal:
		s.serverError(w, r, err)
	default:
		return false
	}
	return true
}

func campaignURL(id int64) string { return "/campaigns/" + strconv.FormatInt(id, 10) }

func (s *Server) campaignEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	v, err := s.app.Campaigns.Get(r.Context(), userOf(r), id)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	if !slices.Contains(v.Allowed, campaign.ActEdit) {
		s.forbidden(w, r)
		return
	}
	s.campaignFormPage(w, r, http.StatusOK, id, campaignForm{Title: v.Title, Date: v.Date, Note: v.Note, Regions: v.Regions}, nil)
}

func (s *Server) campaignUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formCampaign(r)
	_, err := s.app.Campaigns.Update(r.Context(), s.actor(r), userOf(r), id, campaignsvc.EditInput{Title: f.Title, Date: f.Date, Regions: f.Regions, Note: f.Note})
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.campaignFormPage(w, r, statusFor(err), id, f, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, campaignURL(id), http.StatusSeeOther)
}

func pathInt(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// taskCard is a task as the campaign page shows it.
type taskCard struct {
	campaign.Task
	No            int
	Responsible   string
	Before, After []store.CampaignPhoto
	Findings      []store.CampaignFinding
	CanRecord     bool
	Lat, Lon      string
}

// Count shows the task's count named key.
func (t taskCard) Count(key string) string {
	return strconv.FormatFloat(t.Counts.Get(key), 'f', -1, 64)
}

// CountValue is the count as a form field holds it: empty before anything was recorded.
func (t taskCard) CountValue(key string) string {
	if t.RecordedAt.IsZero() {
		return ""
	}
	return t.Count(key)
}

// unitLine is a unit asked to take part, with its headcount.
type unitLine struct {
	campaign.UnitPart
	Present bool
}

// findingForm is what the finding form holds.
type findingForm struct {
	Category, Description, Class, Lat, Lon, ClientID string
}

type campaignPage struct {
	Page
	Tabs        []NavItem
	V           campaignsvc.View
	RegionNames string
	Tasks       []taskCard
	Units       []unitLine
	CanEdit     bool
	Actions     []campaign.Action // close, reopen, cancel
	TaskKinds   []campaign.TaskKind
	CountKeys   []string
	TaskRegions []option
	TaskUnits   []option
	Categories  []option
	Open        string // the form to show open after an error: "result-12", "photo-12", "finding-12", "task", "units"
	Finding     findingForm
	MaxPhotos   int
}

// campaignData loads the campaign page for the user.
func (s *Server) campaignData(r *http.Request, id int64) (campaignPage, error) {
	ctx := r.Context()
	u := userOf(r)
	v, err := s.app.Campaigns.Get(ctx, u, id)
	if err != nil {
		return campaignPage{}, err
	}
	data := campaignPage{Page: s.page(r, "campaign.title"), Tabs: s.campaignTabs(r), V: v, TaskKinds: campaign.TaskKinds, CountKeys: campaign.CountKeys,
		MaxPhotos: campaignsvc.MaxPhotos, Finding: findingForm{Class: string(cases.ClassEscalated), ClientID: newReportClientID()}}
	data.Title = v.Title
	names, err := s.app.DB.RegionNames(ctx)
	if err != nil {
		return data, err
	}
	data.RegionNames = s.regionList(r, names, v.Regions)
	for _, a := range v.Allowed {
		switch a {
		case campaign.ActEdit:
			data.CanEdit = true
		case campaign.ActClose, campaign.ActReopen, campaign.ActCancel:
			data.Actions = append(data.Actions, a)
		}
	}
	unitNames := map[int64]string{}
	for _, up := range v.Units {
		unitNames[up.UnitID] = up.Name
	}
	for i, t := range v.Tasks {
		tc := taskCard{Task: t, No: i + 1, CanRecord: v.Recordable[t.ID], Responsible: names[t.Region]}
		if t.UnitID != 0 {
			if unitNames[t.UnitID] == "" {
				if un, err := s.app.DB.Unit(ctx, t.UnitID); err == nil {
					unitNames[t.UnitID] = un.Name
				}
			}
			tc.Responsible = unitNames[t.UnitID]
		}
		if t.Lat != nil {
			tc.Lat, tc.Lon = strconv.FormatFloat(*t.Lat, 'f', 6, 64), strconv.FormatFloat(*t.Lon, 'f', 6, 64)
		}
		for _, ph := range v.Photos {
			if ph.TaskID != t.ID {
				continue
			}
			if ph.Step == cases.StepAfter {
				tc.After = append(tc.After, ph)
			} else {
				tc.Before = append(tc.Before, ph)
			}
		}
		for _, f := range v.Findings {
			if f.TaskID == t.ID {
				tc.Findings = append(tc.Findings, f)
			}
		}
		data.Tasks = append(data.Tasks, tc)
	}
	if v.AllTasks {
		done := map[int64]bool{}
		for _, t := range v.Tasks {
			if t.Done && t.UnitID != 0 {
				done[t.UnitID] = true
			}
		}
		for _, up := range v.Units {
			data.Units = append(data.Units, unitLine{UnitPart: up, Present: up.Headcount > 0 || done[up.UnitID]})
		}
	}
	if data.CanEdit {
		for _, code := range v.Regions {
			rs, err := s.app.DB.Regions(ctx, []string{code}, false)
			if err != nil {
				return data, err
			}
			for _, rg := range rs {
				if rg.Level >= region.Community && u.Can(auth.CampaignPlan, auth.Target{Region: rg.Code}) {
					label := rg.Name
					if rg.Level == region.Grid {
						label = "　" + label
					}
					data.TaskRegions = append(data.TaskRegions, option{rg.Code, label})
				}
			}
			units, _, err := s.app.DB.Units(ctx, store.UnitFilter{Roots: []string{code}, Status: unit.Active, Page: store.Page{Size: 100}})
			if err != nil {
				return data, err
			}
			for _, un := range units {
				data.TaskUnits = append(data.TaskUnits, option{strconv.FormatInt(un.ID, 10), un.Name})
			}
		}
	}
	if v.CanReport {
		cats, err := s.categoryOptions(r)
		if err != nil {
			return data, err
		}
		data.Categories = cats
	}
	return data, nil
}

// categoryOptions lists the case categories (children only) in the user's language.
func (s *Server) categoryOptions(r *http.Request) ([]option, error) {
	tree, err := s.app.DB.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	lang := printer(r).Lang
	var out []option
	for _, t := range tree {
		for _, c := range t.Children {
			if c.Active {
				out = append(out, option{c.Code, c.Name(lang)})
			}
		}
	}
	return out, nil
}

func (s *Server) campaignDetail(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	data, err := s.campaignData(r, id)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "campaign", data)
}

// campaignFailed shows the campaign page again with err and the form open.
func (s *Server) campaignFailed(w http.ResponseWriter, r *http.Request, id int64, open string, err error, edit func(*campaignPage)) {
	if s.pageFailed(w, r, err) {
		return
	}
	data, derr := s.campaignData(r, id)
	if derr != nil {
		s.pageFailed(w, r, derr)
		return
	}
	data.Open = open
	if edit != nil {
		edit(&data)
	}
	data.withError(printer(r), err)
	s.render(w, r, statusFor(err), "campaign", data)
}

// campaignDone goes back to the campaign, at the task when one is given.
func campaignDone(w http.ResponseWriter, r *http.Request, id, task int64, flash string) {
	setFlash(w, flash)
	to := campaignURL(id)
	if task != 0 {
		to += "#task-" + strconv.FormatInt(task, 10)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) campaignAddTask(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	in := campaignsvc.TaskInput{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title")}
	switch who := r.PostFormValue("responsible"); {
	case strings.HasPrefix(who, "unit:"):
		in.UnitID, _ = strconv.ParseInt(strings.TrimPrefix(who, "unit:"), 10, 64)
	default:
		in.Region = strings.TrimPrefix(who, "region:")
	}
	if lat, lon := r.PostFormValue("lat"), r.PostFormValue("lon"); lat != "" || lon != "" {
		la, lo, ok := region.ParsePoint(lat, lon)
		if !ok {
			s.campaignFailed(w, r, id, "task", apperr.Field("tasks", "err.coords"), nil)
			return
		}
		in.Lat, in.Lon = &la, &lo
	}
	t, err := s.app.Campaigns.AddTask(r.Context(), s.actor(r), userOf(r), id, in)
	if err != nil {
		s.campaignFailed(w, r, id, "task", err, nil)
		return
	}
	campaignDone(w, r, id, t.ID, "campaign.flash.task_added")
}

func (s *Server) campaignDeleteTask(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathInt(r, "id")
	task, ok2 := pathInt(r, "task")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	if err := s.app.Campaigns.DeleteTask(r.Context(), s.actor(r), userOf(r), id, task); err != nil {
		s.campaignFailed(w, r, id, "", err, nil)
		return
	}
	campaignDone(w, r, id, 0, "campaign.flash.task_deleted")
}

// campaignResult records a task's counts, note and whether it is done.
func (s *Server) campaignResult(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	task, _ := strconv.ParseInt(r.PostFormValue("task"), 10, 64)
	in := campaignsvc.ResultInput{Task: task, Note: r.PostFormValue("note"), Done: r.PostFormValue("done") == "1", Counts: map[string]float64{}}
	for _, k := range campaign.CountKeys {
		v := strings.TrimSpace(r.PostFormValue(k))
		if v == "" {
			continue
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			s.campaignFailed(w, r, id, "result-"+strconv.FormatInt(task, 10), apperr.Field("counts", "err.format"), nil)
			return
		}
		in.Counts[k] = n
	}
	if _, err := s.app.Campaigns.RecordResult(r.Context(), s.actor(r), userOf(r), id, in); err != nil {
		s.campaignFailed(w, r, id, "result-"+strconv.FormatInt(task, 10), err, nil)
		return
	}
	campaignDone(w, r, id, task, "campaign.flash.result_saved")
}

// campaignPhotos adds photos (field photo, several at once) to a task at a step.
func (s *Server) campaignPhotos(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := parseMultipart(w, r, maxPhotoBody, "photo")
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	task, _ := strconv.ParseInt(r.PostFormValue("task"), 10, 64)
	open := "photo-" + strconv.FormatInt(task, 10)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.TooLarge {
			e.Fields = map[string]apperr.Msg{"photo": e.Msg}
		}
		s.campaignFailed(w, r, id, open, e, nil)
		return
	}
	files := uploads(r, "photo")
	if len(files) == 0 {
		s.campaignFailed(w, r, id, open, apperr.Field("photo", "err.required"), nil)
		return
	}
	if len(files) > campaignsvc.MaxPhotos {
		s.campaignFailed(w, r, id, open, apperr.Field("photo", "err.photo_too_many", campaignsvc.MaxPhotos), nil)
		return
	}
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		_, err = s.app.Campaigns.AddPhoto(r.Context(), s.actor(r), userOf(r), id, task, r.PostFormValue("step"), f)
		f.Close()
		if err != nil {
			s.campaignFailed(w, r, id, open, err, nil)
			return
		}
	}
	campaignDone(w, r, id, task, "campaign.flash.photos_saved")
}

// campaignFinding reports a problem found at a task as a campaign case.
func (s *Server) campaignFinding(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	task, _ := strconv.ParseInt(r.PostFormValue("task"), 10, 64)
	f := findingForm{Category: r.PostFormValue("category"), Description: r.PostFormValue("description"), Class: r.PostFormValue("class"),
		Lat: r.PostFormValue("lat"), Lon: r.PostFormValue("lon"), ClientID: r.PostFormValue("client_id")}
	keep := func(d *campaignPage) { d.Finding = f }
	open := "finding-" + strconv.FormatInt(task, 10)
	rep := casesvc.Report{Input: cases.Input{ClientID: f.ClientID, Category: f.Category, Description: f.Description, Class: cases.Class(f.Class)}}
	if f.Lat != "" || f.Lon != "" {
		la, lo, ok := region.ParsePoint(f.Lat, f.Lon)
		if !ok {
			s.campaignFailed(w, r, id, open, apperr.Field("lat", "err.coords"), keep)
			return
		}
		rep.Lat, rep.Lon = la, lo
	}
	c, err := s.app.Campaigns.ReportFinding(r.Context(), s.actor(r), userOf(r), id, task, rep)
	if err != nil {
		s.campaignFailed(w, r, id, open, err, keep)
		return
	}
	setFlash(w, "campaign.flash.finding_saved")
	http.Redirect(w, r, caseURL(c.Number), http.StatusSeeOther)
}

// campaignHeadcount records the people a unit sent.
func (s *Server) campaignHeadcount(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	unitID, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("headcount")))
	if err != nil {
		s.campaignFailed(w, r, id, "units", apperr.Field("headcount", "err.format"), nil)
		return
	}
	if err := s.app.Campaigns.SetHeadcount(r.Context(), s.actor(r), userOf(r), id, unitID, n); err != nil {
		s.campaignFailed(w, r, id, "units", err, nil)
		return
	}
	campaignDone(w, r, id, 0, "flash.saved")
}

// campaignInvite asks a unit to take part.
func (s *Server) campaignInvite(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	v, err := s.app.Campaigns.Get(r.Context(), userOf(r), id)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	unitID, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	units := append(slices.Clone(v.Units), campaign.UnitPart{UnitID: unitID})
	if err := s.app.Campaigns.SetParticipants(r.Context(), s.actor(r), userOf(r), id, v.People, units); err != nil {
		s.campaignFailed(w, r, id, "units", err, nil)
		return
	}
	campaignDone(w, r, id, 0, "flash.saved")
}

// campaignAct closes, reopens or cancels a campaign.
func (s *Server) campaignAct(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := s.app.Campaigns.Transition(r.Context(), s.actor(r), userOf(r), id, campaign.Action(r.PostFormValue("action"))); err != nil {
		s.campaignFailed(w, r, id, "", err, nil)
		return
	}
	campaignDone(w, r, id, 0, "flash.saved")
}

// campaignPhoto serves a task's photo to those who see the task.
func (s *Server) campaignPhoto(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	ph := r.PathValue("photo")
	if !ok || !photo.ValidID(ph) {
		s.notFound(w, r)
		return
	}
	seen, err := s.app.Campaigns.CanSeePhoto(r.Context(), userOf(r), id, ph)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !seen {
		s.notFound(w, r)
		return
	}
	s.servePhoto(w, r, ph)
}

// servePhoto writes a stored photo (or its thumbnail with ?thumb=1).
func (s *Server) servePhoto(w http.ResponseWriter, r *http.Request, id string) {
	f, err := s.app.Photos.Open(id, r.URL.Query().Get("thumb") != "")
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, id+".jpg", time.Time{}, f)
}

type campaignReportPage struct {
	Page
	R           campaignsvc.ReportView
	RegionNames string
	CountKeys   []string
	Rows        []taskCard
	People      int // from the units present
}

// campaignReport is the printable report (A4), with the Excel link.
func (s *Server) campaignReport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	rv, err := s.app.Campaigns.Report(r.Context(), userOf(r), id)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	data := campaignReportPage{Page: s.page(r, "campaign.report.title"), R: rv, CountKeys: campaign.CountKeys}
	data.Title = rv.Title + " · " + printer(r).T("campaign.report.title")
	var names []string
	for _, c := range rv.Regions {
		names = append(names, rv.RegionName(c))
	}
	data.RegionNames = strings.Join(names, printer(r).T("campaign.list_sep"))
	for i, t := range rv.Tasks {
		tc := taskCard{Task: t, No: i + 1, Responsible: rv.RegionName(t.Region)}
		if t.UnitID != 0 {
			tc.Responsible = rv.UnitNames[t.UnitID]
		}
		for _, ph := range rv.Photos {
			if ph.TaskID == t.ID && ph.Step == cases.StepAfter {
				tc.After = append(tc.After, ph)
			} else if ph.TaskID == t.ID {
				tc.Before = append(tc.Before, ph)
			}
		}
		data.Rows = append(data.Rows, tc)
	}
	for _, u := range rv.Sum.UnitsPresent {
		data.People += u.Headcount
	}
	s.render(w, r, http.StatusOK, "campaign_report", data)
}

// campaignReportXLSX downloads the report as an Excel workbook.
func (s *Server) campaignReportXLSX(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	var buf bytes.Buffer
	p := printer(r)
	rv, err := s.app.Campaigns.ExportXLSX(r.Context(), &buf, p, userOf(r), id)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"campaign.xlsx\"; filename*=UTF-8''"+url.PathEscape(p.T("campaign.xlsx.filename", rv.Date)+".xlsx"))
	w.Write(buf.Bytes())
}
