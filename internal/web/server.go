// Package web serves Lantian's pages: server-rendered HTML in the user's
// language, one handler file per page, every asset embedded in the binary.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/authn"
	"github.com/lantian-org/lantian/internal/locale"
)

// Server is the web front end.
type Server struct {
	app    *app.App
	tpl    *renderer
	static *staticFiles
	public *publicLimits // rate limits on reports from the public
}

// New parses the templates and indexes the static files.
func New(a *app.App) (*Server, error) {
	st, err := newStatic()
	if err != nil {
		return nil, err
	}
	tpl, err := newRenderer(st.url, a.Loc)
	if err != nil {
		return nil, err
	}
	return &Server{app: a, tpl: tpl, static: st, public: newPublicLimits()}, nil
}

// Routes registers the pages on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", s.static)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.static.url("img/icon.svg"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /lang", s.switchLang)

	// The field app (field.go) signs in with a device token of its own.
	mux.HandleFunc("GET /m/{$}", s.fieldShell)
	mux.HandleFunc("GET /m/manifest.webmanifest", s.fieldManifest)
	mux.HandleFunc("GET /m/sw.js", s.fieldWorker)
	mux.HandleFunc("GET /m/qr.png", s.fieldQR) // issue 16: field_link.go

	in := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.signedIn(h)) }
	in("GET /{$}", s.home)
	in("GET /regions", s.regions)
	in("GET /regions/map.json", s.regionsMap)
	in("GET /regions/{code}", s.regionDetail)
	in("GET /units", s.units)
	in("GET /units/new", s.unitNew)
	in("POST /units", s.unitCreate)
	in("GET /units/import", s.unitImportForm)
	in("POST /units/import", s.unitImport)
	in("GET /units/{id}", s.unitDetail)
	in("GET /units/{id}/edit", s.unitEdit)
	in("POST /units/{id}", s.unitUpdate)
	in("POST /units/{id}/close", s.unitClose)
	in("GET /people", s.peopleList)
	in("GET /people/new", s.personNew)
	in("POST /people", s.personCreate)
	in("GET /people/{id}", s.personDetail)
	in("POST /people/{id}", s.personUpdate)
	in("POST /people/{id}/roles", s.personAddRole)
	in("POST /people/{id}/roles/{rid}/delete", s.personRemoveRole)
	in("POST /people/{id}/password", s.personResetPassword)
	in("GET /audit", s.auditLog)

	// The case ledger (ledger_pages.go).
	in("GET /cases", s.caseList)
	in("GET /cases/map.json", s.caseMapData)
	in("GET /cases/print", s.casePrint)
	in("GET /cases/{number}", s.caseDetail)
	in("POST /cases/{number}/actions", s.caseAction)
	in("POST /cases/{number}/photos", s.casePhotoUpload)
	in("GET /photos/{id}", s.photo)
	// Reporting and the inbox (report_pages.go).
	in("GET /report", s.reportForm)
	in("POST /report", s.reportSubmit)
	in("GET /report/duplicates", s.reportDuplicates)
	in("GET /inbox", s.inboxPage)
	in("GET /pick/units", s.pickUnits) // issue 16: pick.go
	in("GET /units/map.json", s.unitsMap)
	in("POST /inbox/read", s.inboxRead)
	mux.HandleFunc("GET /public/report", s.publicReportForm)
	mux.HandleFunc("POST /public/report", s.publicReportSubmit)
	mux.HandleFunc("GET /public/cases", s.publicCases)
	mux.HandleFunc("GET /public/cases/{number}", s.publicTrack)              // issue 16: public_track.go
	mux.HandleFunc("POST /public/cases/{number}/feedback", s.publicFeedback) // issue 16
	// Case settings for admins (case_admin.go).
	in("GET /admin/calendar", s.calendarPage)
	in("POST /admin/calendar", s.calendarImport)
	in("GET /admin/categories", s.categoriesPage)
	in("POST /admin/categories/{code}", s.categorySave)
	// Settings that differ by street (streets.go).
	in("GET /admin/streets", s.streetSettingsPage)
	in("POST /admin/streets/{code}", s.streetSettingsSave)
	in("POST /admin/categories", s.categoriesSaveAll) // issue 16: categories_table.go
	// Responsibility letters (letters*.go); the verification page the
	// printed QR code links to is public.
	in("GET /letters", s.letterList)
	in("POST /letters/issue", s.letterIssue)
	in("POST /letters/renew", s.letterRenew)
	in("POST /letters/remind", s.letterRemindAll)
	in("GET /letters/templates", s.letterTemplates)
	in("POST /letters/templates", s.letterTemplateSave)
	in("GET /letters/{id}", s.letterDetail)
	in("GET /letters/{id}/print", s.letterPrint)
	in("GET /letters/{id}/files/{file}", s.letterFile)
	in("POST /letters/{id}/signatures", s.letterSign)
	in("POST /letters/{id}/withdraw", s.letterWithdraw)
	in("POST /letters/{id}/remind", s.letterRemind)
	mux.HandleFunc("GET /verify/letters/{code}", s.verifyLetter)
	in("GET /profile", s.profile)
	in("POST /profile/password", s.profilePassword)
	// Leaders' patrol pages (patrols_pages.go, patrols_book.go).
	in("GET /patrols", s.patrolCalendar)
	in("GET /patrols/day", s.patrolDay)
	in("GET /patrols/book", s.patrolBook)
	in("GET /patrols/plan", s.patrolPlan)
	in("POST /patrols/plan", s.patrolPlanSave)
	in("GET /patrols/{id}", s.patrolDetail)
	in("GET /patrols/{id}/visits/{visit}/photo", s.visitPhoto)
	// Weekly inspections, hotspots and tracked problems (inspect*.go).
	in("GET /inspections", s.inspectionsPage)
	in("POST /inspections", s.inspectionsCreate)
	in("POST /inspections/schedule", s.inspectionsSchedule)
	in("GET /inspections/week", s.weekSummary)
	in("GET /inspections/week.xlsx", s.weekXLSX)
	in("GET /inspections/settings", s.inspectSettingsPage)
	in("POST /inspections/settings", s.inspectSettingsSave)
	in("GET /inspections/checklist", s.checklistForm)
	in("POST /inspections/checklist", s.checklistSave)
	in("GET /inspections/{id}", s.inspectionDetail)
	in("POST /inspections/{id}/scores", s.inspectionScores)
	in("POST /inspections/{id}/photos", s.inspectionPhotoUpload)
	in("GET /inspections/{id}/photos/{photo}", s.inspectionPhoto)
	in("POST /inspections/{id}/ack", s.inspectionAck)
	in("GET /inspections/{id}/signature", s.inspectionSignature)
	in("GET /inspections/{id}/findings/new", s.findingForm)
	in("POST /inspections/{id}/findings", s.findingSubmit)
	in("POST /inspections/{id}/{act}", s.inspectionAct)
	in("GET /hotspots", s.hotspotsList)
	in("GET /problems", s.problemsList)
	in("POST /problems", s.problemCreate)
	in("GET /problems/{id}", s.problemDetail)
	in("POST /problems/{id}/actions", s.problemAct)
	// Lectures, the question bank and prize quizzes (outreach_*.go); the
	// residents' sign-in and quiz pages, opened from QR codes, are public.
	in("GET /lectures", s.lectureList)
	in("GET /lectures/new", s.lectureNew)
	in("POST /lectures", s.lectureCreate)
	in("GET /lectures/{id}", s.lectureDetail)
	in("GET /lectures/{id}/edit", s.lectureEdit)
	in("POST /lectures/{id}", s.lectureUpdate)
	in("POST /lectures/{id}/cancel", s.lectureCancel)
	in("POST /lectures/{id}/signins", s.lectureDeskSignIn)
	in("GET /lectures/{id}/attendance.json", s.lectureAttendanceJSON)
	in("GET /lectures/{id}/poster", s.lecturePoster)
	in("GET /lectures/{id}/screen", s.lectureScreen)
	in("GET /lectures/{id}/sheet", s.lectureSheet)
	in("POST /lectures/{id}/photos", s.lecturePhotoUpload)
	in("GET /lectures/{id}/photos/{photo}", s.lecturePhoto)
	in("GET /questions", s.questionList)
	in("GET /questions/new", s.questionNew)
	in("POST /questions", s.questionCreate)
	in("POST /questions/import", s.questionImport)
	in("GET /questions/export.xlsx", s.questionExport)
	in("GET /questions/template.xlsx", s.questionTemplate)
	in("GET /questions/{id}", s.questionEdit)
	in("POST /questions/{id}", s.questionUpdate)
	in("POST /questions/{id}/retire", s.questionRetire)
	in("GET /quizzes", s.quizList)
	in("GET /quizzes/new", s.quizNew)
	in("POST /quizzes", s.quizCreate)
	in("GET /quizzes/{id}", s.quizDetail)
	in("POST /quizzes/{id}/close", s.quizClose)
	in("POST /quizzes/{id}/cancel", s.quizCancel)
	in("GET /quizzes/{id}/leaderboard.json", s.quizLeaderboardJSON)
	in("GET /quizzes/{id}/poster", s.quizPoster)
	in("GET /quizzes/{id}/screen", s.quizScreen)
	in("GET /quizzes/{id}/winners.xlsx", s.quizWinnersXLSX)
	mux.HandleFunc("GET /l/{code}", s.publicSignInForm)
	mux.HandleFunc("POST /l/{code}", s.publicSignIn)
	mux.HandleFunc("GET /q/{code}", s.publicQuiz)
	// Month-end clean-ups, publicity, the materials store and handouts
	// (campaigns.go, materials.go, handouts.go); the calendar of everything
	// with a date and its private feed, reached by its secret alone (agenda.go).
	in("GET /campaigns", s.campaignsList)
	in("GET /campaigns/new", s.campaignNew)
	in("POST /campaigns", s.campaignCreate)
	in("POST /campaigns/propose", s.campaignsPropose)
	in("GET /campaigns/{id}", s.campaignDetail)
	in("GET /campaigns/{id}/edit", s.campaignEdit)
	in("POST /campaigns/{id}/edit", s.campaignUpdate)
	in("POST /campaigns/{id}/tasks", s.campaignAddTask)
	in("POST /campaigns/{id}/tasks/{task}/delete", s.campaignDeleteTask)
	in("POST /campaigns/{id}/results", s.campaignResult)
	in("POST /campaigns/{id}/photos", s.campaignPhotos)
	in("GET /campaigns/{id}/photos/{photo}", s.campaignPhoto)
	in("POST /campaigns/{id}/findings", s.campaignFinding)
	in("POST /campaigns/{id}/headcounts", s.campaignHeadcount)
	in("POST /campaigns/{id}/units", s.campaignInvite)
	in("POST /campaigns/{id}/actions", s.campaignAct)
	in("GET /campaigns/{id}/report", s.campaignReport)
	in("GET /campaigns/{id}/report.xlsx", s.campaignReportXLSX)
	in("GET /materials", s.materialsList)
	in("POST /materials", s.materialCreate)
	in("GET /materials/{id}", s.materialDetail)
	in("POST /materials/{id}/moves", s.materialMove)
	in("GET /publicity", s.publicityList)
	in("POST /publicity", s.publicityCreate)
	in("GET /publicity/{id}", s.publicityDetail)
	in("POST /publicity/{id}/photos", s.publicityPhotoUpload)
	in("GET /publicity/{id}/photos/{photo}", s.publicityPhoto)
	in("GET /handouts", s.handoutsList)
	in("POST /handouts", s.handoutCreate)
	in("GET /handouts/{id}", s.handoutDetail)
	in("POST /handouts/{id}", s.handoutUpdate)
	in("GET /handouts/{id}/print", s.handoutPrint)
	in("GET /handouts/{id}/coverage.json", s.handoutCoverageMap)
	in("POST /handouts/{id}/distributions", s.handoutDistribute)
	in("GET /calendar", s.calendarView)
	in("POST /calendar/feed", s.calendarFeedReset)
	mux.HandleFunc("GET /calendar/{file}", s.calendarFeed)
	// The work group (messages_*.go): notices with receipts, the feed,
	// outbound channels and their outbox, one's own delivery settings.
	in("GET /notices", s.noticeList)
	in("GET /notices/new", s.noticeNew)
	in("POST /notices", s.noticeCreate)
	in("GET /notices/{id}", s.noticeDetail)
	in("POST /notices/{id}/ack", s.noticeAck)
	in("GET /notices/{id}/receipts", s.noticeReceipts)
	in("GET /notices/{id}/receipts.xlsx", s.noticeReceiptsXLSX)
	in("POST /notices/{id}/remind", s.noticeRemind)
	in("GET /notices/{id}/files/{n}", s.noticeFile)
	in("GET /feed", s.feed)
	in("POST /feed", s.feedPost)
	in("POST /feed/share", s.feedShare)
	in("GET /feed/{id}", s.feedPostDetail)
	in("POST /feed/{id}/comments", s.feedComment)
	in("GET /feed/{id}/photos/{photo}", s.feedPhoto)
	in("GET /channels", s.channels)
	in("POST /channels", s.channelCreate)
	in("GET /channels/{id}", s.channelDetail)
	in("POST /channels/{id}", s.channelUpdate)
	in("POST /channels/{id}/test", s.channelTest)
	in("GET /outbox", s.outbox)
	in("POST /outbox/{id}/retry", s.outboxRetry)
	in("POST /outbox/{id}/discard", s.outboxDiscard)
	in("GET /profile/notifications", s.notifySettings)
	in("POST /profile/notifications", s.notifySettingsSave)
	// The assessment and the leaders' dashboard (assess*.go).
	s.assessRoutes(mux, in)
}

type ctxKey int

const (
	keyUser ctxKey = iota
	keySession
	keyLang
)

func userOf(r *http.Request) *auth.Principal {
	u, _ := r.Context().Value(keyUser).(*auth.Principal)
	return u
}

func sessionOf(r *http.Request) string {
	s, _ := r.Context().Value(keySession).(string)
	return s
}

func langOf(r *http.Request) string {
	l, _ := r.Context().Value(keyLang).(string)
	if l == "" {
		return locale.Languages[0]
	}
	return l
}

func printer(r *http.Request) locale.Printer { return locale.New(langOf(r)) }

// Identify loads the signed-in person (if any) and the language into the
// request context. It wraps every page request.
func (s *Server) Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		user, sess := s.app.Auth.FromCookie(r)
		lang := ""
		if l := r.URL.Query().Get("lang"); locale.IsLang(l) {
			lang = l
		} else if c, err := r.Cookie("lang"); err == nil && locale.IsLang(c.Value) {
			lang = c.Value
		} else if user != nil {
			if l, err := s.app.DB.Language(ctx, user.PersonID); err == nil && locale.IsLang(l) {
				lang = l
			}
		}
		if lang == "" {
			lang = s.app.Cfg.Lang
		}
		ctx = context.WithValue(ctx, keyUser, user)
		ctx = context.WithValue(ctx, keySession, sess)
		ctx = context.WithValue(ctx, keyLang, lang)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// signedIn sends anonymous visitors to the sign-in page.
func (s *Server) signedIn(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if userOf(r) == nil {
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r)
	})
}

// serverError logs err with the request and shows a generic page.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.app.Log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(printer(r).T("err.internal")))
}

// Recover turns a panic into a logged 500 instead of a dropped connection.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, printer(r).T("err.internal"), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// AccessLog logs each request at debug level, and slow or failed ones at info.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		level := slog.LevelDebug
		if sw.status >= 500 || d > time.Second {
			level = slog.LevelInfo
		}
		log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "ms", d.Milliseconds())
	})
}

// Cookie returns a session cookie with the project's flags.
func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.app.Cfg.Secure(), SameSite: http.SameSiteLaxMode}
}

var _ = authn.CookieName
