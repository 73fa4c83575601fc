package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// A street's inspection weekday and inspectors, and the yearly checklist.

type checkOption struct {
	Value, Label string
	Checked      bool
}

type streetSettings struct {
	Code, Name string
	Weekday    string
	People     []checkOption
}

type inspectSettingsPage struct {
	Page
	Streets   []streetSettings
	Weekdays  []option
	Checklist bool
}

// inspectSettingsPage shows the settings of the streets the user plans for.
func (s *Server) inspectSettingsPage(w http.ResponseWriter, r *http.Request) {
	s.renderInspectSettings(w, r, http.StatusOK, nil)
}

func (s *Server) renderInspectSettings(w http.ResponseWriter, r *http.Request, status int, err error) {
	ctx := r.Context()
	u := userOf(r)
	if !u.CanSomewhere(auth.InspectPlan) {
		s.forbidden(w, r)
		return
	}
	p := printer(r)
	data := inspectSettingsPage{Page: s.page(r, "inspect.settings_title"), Checklist: u.CanSomewhere(auth.InspectChecklist)}
	for d := 1; d <= 7; d++ {
		data.Weekdays = append(data.Weekdays, option{strconv.Itoa(d), p.T("inspect.weekday." + strconv.Itoa(d))})
	}
	comms, cerr := s.app.DB.Communities(ctx, u.Can(auth.InspectPlan, auth.Target{}), u.Scopes(auth.InspectPlan))
	if cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	seen := map[string]bool{}
	for _, c := range comms {
		st := region.AncestorAt(c.Code, region.Street)
		if seen[st] || !u.Can(auth.InspectPlan, auth.Target{Region: st}) {
			continue
		}
		seen[st] = true
		set, serr := s.app.Inspect.Settings(ctx, u, st)
		if serr != nil {
			s.serverError(w, r, serr)
			return
		}
		row := streetSettings{Code: st, Name: s.inspectCommunityName(r, st), Weekday: strconv.Itoa(set.Weekday)}
		if rg, err := s.app.DB.Region(ctx, st); err == nil {
			row.Name = rg.Name
		}
		chosen := map[int64]bool{}
		for _, id := range set.Inspectors {
			chosen[id] = true
		}
		for _, role := range []people.Role{people.Inspector, people.Leader} {
			list, _, perr := s.app.DB.People(ctx, store.PeopleFilter{All: true, Region: st, Role: string(role), Page: store.Page{Size: 100}})
			if perr != nil {
				s.serverError(w, r, perr)
				return
			}
			for _, pp := range list {
				pr := &auth.Principal{PersonID: pp.ID, Roles: pp.Roles}
				if pp.Active && pr.Can(auth.InspectScore, auth.Target{Region: st}) {
					row.People = append(row.People, checkOption{strconv.FormatInt(pp.ID, 10), pp.Name, chosen[pp.ID]})
				}
			}
		}
		data.Streets = append(data.Streets, row)
	}
	if err != nil {
		data.withError(p, err)
		data.Error = p.Error(err)
	}
	s.render(w, r, status, "inspect_settings", data)
}

// inspectSettingsSave saves a street's weekday and inspectors.
func (s *Server) inspectSettingsSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderInspectSettings(w, r, http.StatusBadRequest, apperr.Field("weekday", "err.format"))
		return
	}
	wd, _ := strconv.Atoi(r.PostFormValue("weekday"))
	var ids []int64
	for _, v := range r.PostForm["inspectors"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if _, err := s.app.Inspect.SaveSettings(r.Context(), s.actor(r), userOf(r), r.PostFormValue("street"), inspectsvc.Settings{Weekday: wd, Inspectors: ids}); err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		s.renderInspectSettings(w, r, statusFor(err), err)
		return
	}
	setFlash(w, "flash.inspect_settings")
	http.Redirect(w, r, "/inspections/settings", http.StatusSeeOther)
}

type checklistPage struct {
	Page
	Year    int
	Default bool
	Rows    []inspect.ChecklistItem
}

// checklistForm shows a year's checklist for admins to edit (?year=).
func (s *Server) checklistForm(w http.ResponseWriter, r *http.Request) {
	year := atoiDefault(r.URL.Query().Get("year"), time.Now().In(s.app.Loc).Year())
	c, err := s.app.Inspect.Checklist(r.Context(), userOf(r), year)
	if err == nil && !userOf(r).CanSomewhere(auth.InspectChecklist) {
		err = apperr.ErrForbidden
	}
	if err != nil {
		s.inspectListFailed(w, r, err)
		return
	}
	s.renderChecklist(w, r, http.StatusOK, c, nil)
}

func (s *Server) renderChecklist(w http.ResponseWriter, r *http.Request, status int, c inspect.Checklist, err error) {
	data := checklistPage{Page: s.page(r, "inspect.checklist_title"), Year: c.Year, Default: c.Default, Rows: append([]inspect.ChecklistItem(nil), c.Items...)}
	for range 3 {
		data.Rows = append(data.Rows, inspect.ChecklistItem{}) // room for new items
	}
	if err != nil {
		data.withError(printer(r), err)
		data.Error = printer(r).Error(err)
	}
	s.render(w, r, status, "inspect_checklist", data)
}

// checklistSave saves the checklist rows that have a key or a title.
func (s *Server) checklistSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.inspectListFailed(w, r, apperr.Field("items", "err.format"))
		return
	}
	year := atoiDefault(r.PostFormValue("year"), 0)
	keys, titles, maxes, guides := r.PostForm["key"], r.PostForm["title"], r.PostForm["max"], r.PostForm["guidance"]
	c := inspect.Checklist{Year: year}
	for i := range keys {
		it := inspect.ChecklistItem{Key: keys[i]}
		if i < len(titles) {
			it.Title = titles[i]
		}
		if i < len(maxes) {
			it.Max = atoiDefault(maxes[i], 0)
		}
		if i < len(guides) {
			it.Guidance = guides[i]
		}
		if it.Key == "" && it.Title == "" {
			continue
		}
		c.Items = append(c.Items, it)
	}
	if _, err := s.app.Inspect.SaveChecklist(r.Context(), s.actor(r), userOf(r), c); err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		s.renderChecklist(w, r, statusFor(err), c, err)
		return
	}
	setFlash(w, "flash.inspect_checklist")
	http.Redirect(w, r, "/inspections/checklist?year="+strconv.Itoa(year), http.StatusSeeOther)
}
