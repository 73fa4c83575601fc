package web

import (
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Reporting without an account (GET and POST /public/report) and the public
// list of cases (GET /public/cases), which shows no personal data.

// Limits on reports from the public, per client address.
const (
	publicMaxPhotos   = 3                // photos one public report may carry
	publicReports     = 5                // reports recorded …
	publicAttempts    = 30               // … and form posts of any outcome …
	publicRateWindow  = 10 * time.Minute // … within this window
	publicActorName   = "public"         // the timeline's actor for a public report
	rateLimitMaxKeys  = 10000            // addresses kept before old ones are swept
	publicDescription = 200              // characters of a description shown publicly
)

// rateLimit counts events per key over a sliding window, in memory.
type rateLimit struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	hits   map[string][]time.Time
}

func newRateLimit(limit int, window time.Duration) *rateLimit {
	return &rateLimit{limit: limit, window: window, now: time.Now, hits: map[string][]time.Time{}}
}

// recent drops key's events older than the window and returns the rest; the caller holds mu.
func (l *rateLimit) recent(key string, now time.Time) []time.Time {
	var keep []time.Time
	for _, at := range l.hits[key] {
		if now.Sub(at) < l.window {
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

// wait returns how long key must wait before its next event, 0 when it may go on.
func (l *rateLimit) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	hits := l.recent(key, now)
	if len(hits) < l.limit {
		return 0
	}
	return hits[len(hits)-l.limit].Add(l.window).Sub(now)
}

// add records an event for key.
func (l *rateLimit) add(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.hits) >= rateLimitMaxKeys {
		for k := range l.hits {
			l.recent(k, now)
		}
	}
	l.hits[key] = append(l.recent(key, now), now)
}

// publicLimits are one server's limits on public reports.
type publicLimits struct {
	reports  *rateLimit // reports recorded
	attempts *rateLimit // form posts, whatever came of them
}

func newPublicLimits() *publicLimits {
	return &publicLimits{reports: newRateLimit(publicReports, publicRateWindow), attempts: newRateLimit(publicAttempts, publicRateWindow)}
}

func (s *Server) publicLimits() *publicLimits { return s.public }

// publicReportForm shows the report form for anyone, no account needed.
func (s *Server) publicReportForm(w http.ResponseWriter, r *http.Request) {
	s.renderPublicReport(w, r, http.StatusOK, reportInput{ClientID: newReportClientID()}, nil)
}

// renderPublicReport shows the public form with in and, if err is set, its errors.
func (s *Server) renderPublicReport(w http.ResponseWriter, r *http.Request, status int, in reportInput, err error) {
	p := printer(r)
	data := reportPage{Page: s.page(r, "public.report_title"), Public: true, Action: "/public/report", Form: in, MaxPhotos: publicMaxPhotos}
	var cerr error
	if data.Categories, _, cerr = s.categoryChoices(r.Context(), p.Lang); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	// The public map shows the street and its communities; grids are for staff.
	if data.Outlines, cerr = s.reportOutlines(r.Context(), region.Community); cerr != nil {
		s.serverError(w, r, cerr)
		return
	}
	data.Check, _ = s.pointCheck(r.Context(), in)
	if err != nil {
		data.withError(p, err)
		data.Others = reportOtherErrors(data.Fields, "category", "location", "description", "address", "photo", "reporter_name", "mobile")
	}
	s.render(w, r, status, "report", data)
}

// publicDone is the page that thanks a member of the public for a report.
type publicDone struct {
	Page
	Number   string // empty when the form was refused quietly (a bot)
	Tracking string // the reporter's tracking secret, in the tracking link (public_track.go)
}

// publicReportSubmit records a report from the public: always escalated,
// source public, with an optional name and mobile, rate-limited per address.
func (s *Server) publicReportSubmit(w http.ResponseWriter, r *http.Request) {
	ip := s.app.Auth.ClientIP(r)
	lim := s.publicLimits()
	if wait := max(lim.reports.wait(ip), lim.attempts.wait(ip)); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(apperr.RetrySeconds(wait)))
		in := parseReportInput(r.PostForm) // what an urlencoded form sent; a multipart body is not read
		if !cases.ValidUUID(in.ClientID) {
			in.ClientID = newReportClientID()
		}
		s.renderPublicReport(w, r, http.StatusTooManyRequests, in, apperr.New(apperr.TooMany, "err.rate_limited"))
		return
	}
	lim.attempts.add(ip)
	in, files, readErr := readReportForm(w, r, publicMaxPhotos)
	if r.PostFormValue("website") != "" {
		// The honeypot field, hidden from people, was filled in: a robot. Thank it and keep nothing.
		s.render(w, r, http.StatusOK, "public_report", publicDone{Page: s.page(r, "public.done_title")})
		return
	}
	// The public chooses none of these.
	in.Class, in.Source, in.HotlineRef, in.Severity, in.Note, in.UnitID, in.Commitment, in.Due, in.Join = "", "", "", "", "", "", "", "", ""
	extra := apperr.Fields{}
	if in.Mobile != "" && !people.ValidMobile(in.Mobile) {
		extra.Add("mobile", "err.mobile")
	}
	rep, err := s.precheck(in, files, readErr, publicMaxPhotos, extra)
	who := store.Actor{Name: publicActorName, IP: ip}
	var c cases.Case
	created, tracking := false, ""
	if err == nil {
		c, tracking, created, err = s.app.Cases.ReportPublic(r.Context(), who, rep)
	}
	if err != nil {
		s.reportFailed(w, r, in, err, s.renderPublicReport)
		return
	}
	if created {
		lim.reports.add(ip)
		s.addPublicPhotos(r.Context(), who, c, files)
	}
	s.render(w, r, http.StatusOK, "public_report", publicDone{Page: s.page(r, "public.done_title"), Number: c.Number, Tracking: tracking})
}

// addPublicPhotos keeps the photos of a public report just recorded; one
// that cannot be kept is logged and the report stands.
func (s *Server) addPublicPhotos(ctx context.Context, who store.Actor, c cases.Case, files []*multipart.FileHeader) {
	for _, fh := range files {
		err := func() error {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			defer f.Close()
			return s.app.Cases.AddPublicPhoto(ctx, who, s.app.Photos, c, f)
		}()
		if err != nil {
			s.app.Log.Warn("public photo not kept", "case", c.Number, "err", err)
		}
	}
}

// publicCaseRow is a case as the public sees it: no reporter, no photos,
// and no telephone numbers in the description.
type publicCaseRow struct {
	Number      string
	Reported    time.Time
	Category    string
	Place       string
	Status      string
	Closed      bool
	Description string
}

// publicCasesPage lists recent cases for everyone.
type publicCasesPage struct {
	Page
	Rows   []publicCaseRow
	Total  int
	Pager  pager
	Number string // the case number looked up, if any
}

// contactRe finds what looks like a telephone or identity number in free text.
var contactRe = regexp.MustCompile(`1[3-9][0-9][\s-]?[0-9]{4}[\s-]?[0-9]{4}|0[0-9]{2,3}-[0-9]{7,8}|[0-9]{7,}[0-9Xx]?`)

// redactContacts hides telephone and identity numbers written into a description.
func redactContacts(s string) string { return contactRe.ReplaceAllString(s, "***") }

// publicCases lists recent cases, newest first, without personal data;
// ?number= looks one up.
func (s *Server) publicCases(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	data := publicCasesPage{Page: s.page(r, "public.cases_title")}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()
	f := store.CaseFilter{All: true, Page: page, Now: s.app.Cases.Now()}
	if n := q.Get("number"); n != "" {
		data.Number = n
		f.Number = n
		if !caseNumberRe.MatchString(n) {
			f.Number = "-" // matches nothing
		}
	}
	list, total, err := s.app.DB.Cases(ctx, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := printer(r)
	_, catNames, err := s.categoryChoices(ctx, p.Lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	regions, err := s.app.DB.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range list {
		place := joinPlace(regions[region.AncestorAt(c.Region, region.Community)], regions[c.Region])
		data.Rows = append(data.Rows, publicCaseRow{Number: c.Number, Reported: c.ReportedAt, Category: catNames[c.Category], Place: place,
			Status: p.T("case.status." + string(c.Status)), Closed: c.Status == cases.StatusClosed,
			Description: reportShorten(redactContacts(c.Description), publicDescription)})
	}
	data.Total = total
	data.Pager = newPager(r, page.Page, page.Size, total)
	s.render(w, r, http.StatusOK, "public_cases", data)
}
