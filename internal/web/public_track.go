package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The public tracking page of one case (GET /public/cases/{number}): the
// timeline in plain words, the handling note and after photos, and the
// reporter's feedback form (POST /public/cases/{number}/feedback), which
// needs the tracking secret given when reporting (?t= in the link).

type publicTrackStep struct {
	casesvc.PublicStep
	Text string
}

type publicTrackPage struct {
	Page
	View         casesvc.PublicView
	CategoryName string
	StatusText   string
	Steps        []publicTrackStep
	Photos       []string // thumbnail and photo URLs share a prefix
	Tracking     string   // the secret from the link, kept in the form
	Comment      string
	Thanks       bool // feedback was just given
}

func (s *Server) publicTrack(w http.ResponseWriter, r *http.Request) {
	s.renderTrack(w, r, http.StatusOK, r.PathValue("number"), r.URL.Query().Get("t"), "", r.URL.Query().Get("done") == "1", nil)
}

func (s *Server) renderTrack(w http.ResponseWriter, r *http.Request, status int, number, tracking, comment string, thanks bool, err error) {
	ctx := r.Context()
	v, verr := s.app.Cases.Public(ctx, number)
	if verr != nil {
		if apperr.Is(verr, apperr.NotFound) {
			s.notFound(w, r)
			return
		}
		s.serverError(w, r, verr)
		return
	}
	p := printer(r)
	data := publicTrackPage{Page: s.page(r, "ux.track.title"), View: v, StatusText: p.T("case.status." + string(v.Status)),
		Tracking: tracking, Comment: comment, Thanks: thanks}
	if cat, cerr := s.app.DB.Category(ctx, v.Category); cerr == nil {
		data.CategoryName = cat.Name(p.Lang)
	}
	for _, st := range v.Timeline {
		data.Steps = append(data.Steps, publicTrackStep{PublicStep: st, Text: p.T("ux.public.what." + st.What)})
	}
	for _, id := range v.AfterPhotos {
		data.Photos = append(data.Photos, "/api/v1/public/cases/"+url.PathEscape(v.Number)+"/photos/"+id)
	}
	if err != nil {
		data.withError(p, err)
	}
	s.render(w, r, status, "public_track", data)
}

// publicFeedback records the reporter's word from the tracking page.
func (s *Server) publicFeedback(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	ip := s.app.Auth.ClientIP(r)
	lim := s.publicLimits()
	tracking, comment := r.PostFormValue("tracking"), r.PostFormValue("comment")
	if wait := lim.attempts.wait(ip); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(apperr.RetrySeconds(wait)))
		s.renderTrack(w, r, http.StatusTooManyRequests, number, tracking, comment, false, apperr.New(apperr.TooMany, "err.rate_limited"))
		return
	}
	lim.attempts.add(ip)
	in := casesvc.Feedback{Tracking: tracking, Comment: comment}
	switch r.PostFormValue("solved") {
	case "1":
		in.Solved = new(bool)
		*in.Solved = true
	case "0":
		in.Solved = new(bool)
	}
	_, err := s.app.Cases.GiveFeedback(r.Context(), store.Actor{Name: publicActorName, IP: ip}, number, in)
	if err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		status := statusFor(err)
		if apperr.Is(err, apperr.NotFound) && caseNumberRe.MatchString(number) {
			// A wrong tracking code: say so beside the field (the case itself is public).
			err = apperr.Field("tracking", "ux.track.wrong_code")
		}
		s.renderTrack(w, r, status, number, tracking, comment, false, err)
		return
	}
	http.Redirect(w, r, "/public/cases/"+url.PathEscape(number)+"?done=1", http.StatusSeeOther)
}
