package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
)

// A finding of an inspection is reported with the report form (the map, the
// device's position, photos, the nearby cases), sent to the inspection,
// which records it as a case with source "inspection" through the case
// service and links it.

// findingForm shows the report form for a finding of the inspection.
func (s *Server) findingForm(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadInspection(w, r)
	if !ok {
		return
	}
	if !v.Can(inspect.ActionFinding) {
		s.inspectFailed(w, r, "finding", findingRefusal(v), nil)
		return
	}
	q := r.URL.Query()
	in := reportInput{ClientID: newReportClientID(), Class: string(cases.ClassEscalated), Category: q.Get("category"), Lat: q.Get("lat"), Lon: q.Get("lon")}
	s.renderFinding(w, r, v.ID, v.Region, http.StatusOK, in, nil)
}

// findingRefusal is why the rules refuse a finding on v: the user may not
// (403), or the inspection is closed or cancelled (409).
func findingRefusal(v inspectsvc.View) error {
	if v.Caps&inspect.CanScore == 0 {
		return apperr.ErrForbidden
	}
	_, err := inspect.Decide(v.Caps, v.Status, inspect.ActionFinding)
	return err
}

// renderFinding shows the report form aimed at the inspection: the
// ledger's form (renderReport) with the finding's title and address, and
// no choice of source (a finding's is "inspection").
func (s *Server) renderFinding(w http.ResponseWriter, r *http.Request, id int64, community string, status int, in reportInput, err error) {
	ctx := r.Context()
	u := userOf(r)
	p := printer(r)
	data := reportPage{Page: s.page(r, "inspect.finding_title"), Action: inspectURL(id) + "/findings", Form: in, MaxPhotos: casesvc.MaxPhotos,
		Today: time.Now().In(s.app.Loc).Format("2006-01-02")}
	data.Title = p.T("inspect.finding_title") + " · " + s.inspectCommunityName(r, community)
	var cerr error
	if data.Categories, _, cerr = s.categoryChoices(ctx, p.Lang); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	for _, c := range cases.Classes {
		if c == cases.ClassOnSpot && !u.CanSomewhere(auth.CaseOnSpot) {
			continue
		}
		data.Classes = append(data.Classes, option{string(c), p.T("case.class." + string(c))})
	}
	if data.Check, cerr = s.checkLocation(ctx, u, p, in); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	if data.Outlines, cerr = s.reportOutlines(ctx, region.Grid); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	if err != nil {
		data.withError(p, err)
		data.Others = reportOtherErrors(data.Fields, "category", "location", "description", "address", "photo", "class", "note", "unit",
			"commitment", "due")
	}
	s.render(w, r, status, "report", data)
}

// findingSubmit records a finding from the form, with its photos, then
// goes back to the inspection. "Add to this case" links that case instead.
func (s *Server) findingSubmit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := userOf(r)
	in, files, readErr := readReportForm(w, r, casesvc.MaxPhotos)
	v, err := s.app.Inspect.Get(r.Context(), u, id)
	if err != nil {
		s.inspectFailed(w, r, "finding", err, nil)
		return
	}
	if in.Join != "" && readErr == nil {
		c, err := s.app.Inspect.LinkFinding(r.Context(), s.actor(r), u, id, in.Join)
		if err != nil {
			in.Join = ""
			s.renderFinding(w, r, id, v.Region, statusFor(err), in, reportFormError(err))
			return
		}
		s.addReportPhotos(r, c.Number, "", files)
		s.inspectDone(w, r, id, "flash.inspect_linked", "findings")
		return
	}
	in.Join, in.Source, in.HotlineRef = "", string(cases.SourceInspection), ""
	if !u.CanSomewhere(auth.CaseHotline) {
		in.Severity = ""
	}
	rep, err := s.precheck(in, files, readErr, casesvc.MaxPhotos, nil)
	if err == nil {
		if lat, lon, ok := in.point(); ok {
			if grid, lerr := s.app.Index.Lookup(lat, lon); lerr == nil && !region.Contains(v.Region, grid) {
				err = apperr.Field("location", "err.inspect.finding_outside")
			}
		}
	}
	var c cases.Case
	created := false
	if err == nil {
		c, created, err = s.app.Inspect.AddFinding(r.Context(), s.actor(r), u, id, rep)
	}
	if err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		if apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.Forbidden) {
			s.inspectFailed(w, r, "finding", err, nil)
			return
		}
		in.ClientID = freshClientID(in.ClientID, err)
		err = reportFormError(err)
		s.renderFinding(w, r, id, v.Region, statusFor(err), in, err)
		return
	}
	flash := "flash.inspect_finding"
	if created {
		step := cases.StepBefore
		if c.Class == cases.ClassOnSpot {
			step = cases.StepAfter
		}
		if !s.addReportPhotos(r, c.Number, step, files) {
			flash = "flash.reported_photos_failed"
		}
	}
	setFlash(w, flash)
	http.Redirect(w, r, inspectURL(id)+"?finding="+url.QueryEscape(c.Number)+"#findings", http.StatusSeeOther)
}
