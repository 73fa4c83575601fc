package api

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/region"
)

// streetRoutes are the settings that differ by street (case-number prefix,
// escalation grace, the district's default inspection day), for admins.
func (a *API) streetRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/regions/{code}/settings", Handler: a.getStreetSettings, Summary: "A street's or district's own settings (unset values are empty or -1 and inherit), with those in force", Resp: "StreetSettings", Status: 200},
		{Method: "PUT", Path: "/api/v1/regions/{code}/settings", Handler: a.putStreetSettings, Summary: "Set a street's or district's settings (admins)", Body: "StreetSettingsInput", Resp: "StreetSettings", Status: 200},
	}
}

type streetSettingsJSON struct {
	Region         string `json:"region"`
	CasePrefix     string `json:"case_prefix"`
	GraceMinutes   int    `json:"grace_minutes"`
	InspectWeekday int    `json:"inspect_weekday"`
	// Effective is what applies in the street (for a district: in a street
	// of it that sets nothing of its own).
	Effective struct {
		CasePrefix     string `json:"case_prefix"`
		GraceMinutes   int    `json:"grace_minutes"`
		InspectWeekday int    `json:"inspect_weekday"`
	} `json:"effective"`
}

type streetSettingsInput struct {
	CasePrefix     *string `json:"case_prefix"`
	GraceMinutes   *int    `json:"grace_minutes"`
	InspectWeekday *int    `json:"inspect_weekday"`
}

func (a *API) streetSettingsOut(w http.ResponseWriter, r *http.Request, s region.Settings) {
	e, err := a.app.Streets.For(r.Context(), s.Region)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := streetSettingsJSON{Region: s.Region, CasePrefix: s.CasePrefix, GraceMinutes: s.GraceMinutes, InspectWeekday: s.InspectWeekday}
	out.Effective.CasePrefix, out.Effective.GraceMinutes, out.Effective.InspectWeekday = e.CasePrefix, int(e.Grace.Minutes()), e.InspectWeekday
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getStreetSettings(w http.ResponseWriter, r *http.Request) {
	s, err := a.app.Streets.Get(r.Context(), userOf(r), r.PathValue("code"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.streetSettingsOut(w, r, s)
}

// putStreetSettings changes the fields the body names and keeps the others.
func (a *API) putStreetSettings(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	s, err := a.app.Streets.Get(r.Context(), p, r.PathValue("code"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in streetSettingsInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.CasePrefix != nil {
		s.CasePrefix = *in.CasePrefix
	}
	if in.GraceMinutes != nil {
		s.GraceMinutes = *in.GraceMinutes
	}
	if in.InspectWeekday != nil {
		s.InspectWeekday = *in.InspectWeekday
	}
	s, err = a.app.Streets.Save(r.Context(), a.actor(r), p, s)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.streetSettingsOut(w, r, s)
}
