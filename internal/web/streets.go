package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
)

// The settings that differ by street, for admins: a list of the districts
// and streets they may edit with the values in force, and the form of one.

type streetSettingsPage struct {
	Page
	Form     *streetForm
	Rows     []streetRow
	Weekdays []option
}

type streetForm struct {
	Code, Name                  string
	District                    bool
	Prefix, Grace, Weekday      string // as stored: empty when inherited
	InForcePrefix, InForceGrace string
}

type streetRow struct {
	Code, Name, Prefix, Grace string
}

func (s *Server) streetSettingsPage(w http.ResponseWriter, r *http.Request) {
	s.renderStreetSettings(w, r, http.StatusOK, r.URL.Query().Get("region"), nil, nil)
}

// renderStreetSettings shows the page with the form of code (the first
// region listed when empty); typed, when set, refills the form after an error.
func (s *Server) renderStreetSettings(w http.ResponseWriter, r *http.Request, status int, code string, typed *streetForm, err error) {
	ctx := r.Context()
	u := userOf(r)
	if !u.CanSomewhere(auth.RegionEdit) {
		s.forbidden(w, r)
		return
	}
	p := printer(r)
	data := streetSettingsPage{Page: s.page(r, "scale.title")}
	for d := 1; d <= 7; d++ {
		data.Weekdays = append(data.Weekdays, option{strconv.Itoa(d), p.T("inspect.weekday." + strconv.Itoa(d))})
	}
	regions, rerr := s.app.DB.Regions(ctx, u.Scopes(auth.RegionEdit), false)
	if rerr != nil {
		s.serverError(w, r, rerr)
		return
	}
	names := map[string]string{}
	for _, rg := range regions {
		if rg.Level > region.Street {
			continue
		}
		names[rg.Code] = rg.Name
		e, eerr := s.app.Streets.For(ctx, rg.Code)
		if eerr != nil {
			s.serverError(w, r, eerr)
			return
		}
		data.Rows = append(data.Rows, streetRow{Code: rg.Code, Name: rg.Name, Prefix: e.CasePrefix, Grace: strconv.Itoa(int(e.Grace.Minutes()))})
		if code == "" {
			code = rg.Code
		}
	}
	if code != "" {
		set, gerr := s.app.Streets.Get(ctx, u, code)
		if apperr.Is(gerr, apperr.NotFound) {
			s.notFound(w, r)
			return
		}
		if gerr != nil {
			s.serverError(w, r, gerr)
			return
		}
		e, eerr := s.app.Streets.For(ctx, code)
		if eerr != nil {
			s.serverError(w, r, eerr)
			return
		}
		f := &streetForm{Code: code, Name: names[code], District: region.LevelOf(code) == region.District, Prefix: set.CasePrefix,
			InForcePrefix: e.CasePrefix, InForceGrace: strconv.Itoa(int(e.Grace.Minutes()))}
		if set.GraceMinutes >= 0 {
			f.Grace = strconv.Itoa(set.GraceMinutes)
		}
		if set.InspectWeekday > 0 {
			f.Weekday = strconv.Itoa(set.InspectWeekday)
		}
		if typed != nil {
			f.Prefix, f.Grace, f.Weekday = typed.Prefix, typed.Grace, typed.Weekday
		}
		data.Form = f
	}
	if err != nil {
		data.withError(p, err)
	}
	s.render(w, r, status, "admin_streets", data)
}

// streetSettingsSave stores the form; an empty field inherits.
func (s *Server) streetSettingsSave(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	typed := &streetForm{Prefix: strings.ToUpper(strings.TrimSpace(r.PostFormValue("case_prefix"))),
		Grace: strings.TrimSpace(r.PostFormValue("grace_minutes")), Weekday: r.PostFormValue("inspect_weekday")}
	in := region.Unset(code)
	in.CasePrefix = typed.Prefix
	f := apperr.Fields{}
	if typed.Grace != "" {
		n, err := strconv.Atoi(typed.Grace)
		if err != nil || n < 0 {
			f.Add("grace_minutes", "err.scale_grace")
		}
		in.GraceMinutes = n
	}
	if typed.Weekday != "" {
		n, err := strconv.Atoi(typed.Weekday)
		if err != nil {
			f.Add("inspect_weekday", "err.invalid_choice")
		}
		in.InspectWeekday = n
	}
	err := f.Err()
	if err == nil {
		_, err = s.app.Streets.Save(r.Context(), s.actor(r), userOf(r), in)
	}
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.notFound(w, r)
		return
	case err != nil && apperr.As(err).Code == apperr.Internal:
		s.serverError(w, r, err)
		return
	case err != nil:
		s.renderStreetSettings(w, r, statusFor(err), code, typed, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/admin/streets?region="+code, http.StatusSeeOther)
}
