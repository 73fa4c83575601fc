package api

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Reports from the public and what they learn back, with no account:
// POST /api/v1/public/reports, GET /api/v1/public/cases/{number} and
// POST /api/v1/public/cases/{number}/feedback.

// The same limits as the public report form, per client address.
const (
	publicReports    = 5                // reports recorded …
	publicAttempts   = 30               // … and posts of any outcome …
	publicRateWindow = 10 * time.Minute // … within this window
	publicMaxKeys    = 10000            // addresses kept before old ones are swept
	publicActorName  = "public"         // the timeline's actor for the public
)

// window counts events per key over a sliding window, in memory.
type window struct {
	mu    sync.Mutex
	limit int
	hits  map[string][]time.Time
}

// wait returns how long key must wait before its next event, 0 when it may go on.
func (l *window) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	hits := l.recent(key, now)
	if len(hits) < l.limit {
		return 0
	}
	return hits[len(hits)-l.limit].Add(publicRateWindow).Sub(now)
}

// add records an event for key.
func (l *window) add(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.hits) >= publicMaxKeys {
		for k := range l.hits {
			l.recent(k, now)
		}
	}
	l.hits[key] = append(l.recent(key, now), now)
}

// recent drops key's events older than the window; the caller holds mu.
func (l *window) recent(key string, now time.Time) []time.Time {
	var keep []time.Time
	for _, at := range l.hits[key] {
		if now.Sub(at) < publicRateWindow {
			keep = append(keep, at)
		}
	}
	if len(keep) == 0 {
		delete(l.hits, key)
	} else {
		l.hits[key] = keep
	}
	return keep
}

// publicLimits are the API's limits on the public.
type publicLimits struct {
	reports, attempts *window
}

func newPublicLimits() *publicLimits {
	return &publicLimits{reports: &window{limit: publicReports, hits: map[string][]time.Time{}},
		attempts: &window{limit: publicAttempts, hits: map[string][]time.Time{}}}
}

// limited answers 429 and reports true when ip must wait; otherwise it counts the attempt.
func (a *API) limited(w http.ResponseWriter, r *http.Request, ip string, reports bool) bool {
	now := time.Now()
	wait := a.public.attempts.wait(ip, now)
	if reports {
		wait = max(wait, a.public.reports.wait(ip, now))
	}
	if wait > 0 {
		a.fail(w, r, apperr.TooManyFor(wait, "err.rate_limited"))
		return true
	}
	a.public.attempts.add(ip, now)
	return false
}

// publicCaseRoutes are the public's reports, tracking and feedback.
func (a *API) publicCaseRoutes() []route {
	return []route{
		{Method: "POST", Path: "/api/v1/public/reports", Handler: a.publicReport, Public: true, Summary: "Report a problem without an account (rate-limited per address); keep the tracking secret to give feedback later", Body: "PublicReportInput", Resp: "PublicReportCreated", Status: 201},
		{Method: "GET", Path: "/api/v1/public/cases/{number}", Handler: a.publicCase, Public: true, Summary: "What became of a case, for anyone: status, timeline in plain words, after photos; no names, mobiles or staff", Resp: "PublicCase", Status: 200},
		{Method: "POST", Path: "/api/v1/public/cases/{number}/feedback", Handler: a.publicFeedback, Public: true, Summary: "The reporter says whether the problem was solved (404 wrong tracking, 409 second feedback); not solved on a closed case puts it back before the leader", Body: "FeedbackInput", Resp: "PublicCase", Status: 200},
		{Method: "GET", Path: "/api/v1/public/cases/{number}/photos/{id}", Handler: a.publicPhoto, Public: true, Summary: "An after photo of a case (?thumb=1 for the thumbnail)", Query: []string{"thumb"}, Resp: "jpeg", Status: 200},
	}
}

type publicReportInput struct {
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Lat         *float64 `json:"lat"`
	Lon         *float64 `json:"lon"`
	Address     string   `json:"address"`
	Name        string   `json:"name"`
	Mobile      string   `json:"mobile"`
}

func newClientID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (a *API) publicReport(w http.ResponseWriter, r *http.Request) {
	ip := a.app.Auth.ClientIP(r)
	if a.limited(w, r, ip, true) {
		return
	}
	var in publicReportInput
	if !a.decoded(w, r, &in) {
		return
	}
	f := apperr.Fields{}
	rep := casesvc.Report{Input: cases.Input{ClientID: newClientID(), Category: in.Category, Description: in.Description,
		Address: in.Address, Class: cases.ClassEscalated}, ReporterName: in.Name, ReporterMobile: in.Mobile}
	if in.Lat == nil || in.Lon == nil {
		f.Add("lat", "err.required")
	} else {
		rep.Lat, rep.Lon = *in.Lat, *in.Lon
	}
	if len([]rune(in.Name)) > 50 {
		f.Add("name", "err.too_long", 50)
	}
	if in.Mobile != "" && !people.ValidMobile(in.Mobile) {
		f.Add("mobile", "err.mobile")
	}
	if err := f.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	c, tracking, _, err := a.app.Cases.ReportPublic(r.Context(), store.Actor{Name: publicActorName, IP: ip}, rep)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.public.reports.add(ip, time.Now())
	writeJSON(w, http.StatusCreated, map[string]string{"number": c.Number, "tracking": tracking})
}

type publicStepJSON struct {
	At   string `json:"at"`
	What string `json:"what"`
	Text string `json:"text"`
	Note string `json:"note"`
}

type publicCaseJSON struct {
	Number        string           `json:"number"`
	Status        string           `json:"status"`
	StatusText    string           `json:"status_text"`
	Category      string           `json:"category"`
	CategoryName  string           `json:"category_name"`
	ReportedAt    string           `json:"reported_at"`
	Timeline      []publicStepJSON `json:"timeline"`
	AfterPhotos   []string         `json:"after_photos"`
	FeedbackGiven bool             `json:"feedback_given"`
}

func (a *API) writePublicCase(w http.ResponseWriter, r *http.Request, number string) {
	v, err := a.app.Cases.Public(r.Context(), number)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := printer(r, a.app.Cfg.Lang)
	out := publicCaseJSON{Number: v.Number, Status: string(v.Status), StatusText: p.T("case.status." + string(v.Status)), Category: v.Category,
		ReportedAt: a.rfc(v.ReportedAt), Timeline: []publicStepJSON{}, AfterPhotos: []string{}, FeedbackGiven: v.FeedbackGiven}
	if cat, err := a.app.DB.Category(r.Context(), v.Category); err == nil {
		out.CategoryName = cat.Name(p.Lang)
	}
	for _, st := range v.Timeline {
		out.Timeline = append(out.Timeline, publicStepJSON{At: a.rfc(st.At), What: st.What, Text: p.T("ux.public.what." + st.What), Note: st.Note})
	}
	for _, id := range v.AfterPhotos {
		out.AfterPhotos = append(out.AfterPhotos, "/api/v1/public/cases/"+v.Number+"/photos/"+id)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

func (a *API) publicCase(w http.ResponseWriter, r *http.Request) {
	a.writePublicCase(w, r, r.PathValue("number"))
}

type feedbackInput struct {
	Tracking string `json:"tracking"`
	Solved   *bool  `json:"solved"`
	Comment  string `json:"comment"`
}

func (a *API) publicFeedback(w http.ResponseWriter, r *http.Request) {
	ip := a.app.Auth.ClientIP(r)
	if a.limited(w, r, ip, false) {
		return
	}
	var in feedbackInput
	if !a.decoded(w, r, &in) {
		return
	}
	number := r.PathValue("number")
	_, err := a.app.Cases.GiveFeedback(r.Context(), store.Actor{Name: publicActorName, IP: ip}, number,
		casesvc.Feedback{Tracking: in.Tracking, Solved: in.Solved, Comment: in.Comment})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writePublicCase(w, r, number)
}

func (a *API) publicPhoto(w http.ResponseWriter, r *http.Request) {
	number, id := r.PathValue("number"), r.PathValue("id")
	if !photo.ValidID(id) {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	if err := a.app.Cases.PublicPhoto(r.Context(), number, id); err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := a.app.Photos.Open(id, photo.Thumb(r))
	if err != nil {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	photo.Serve(w, r, id, f)
}
