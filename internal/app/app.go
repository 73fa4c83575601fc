// Package app wires the services the web pages and the JSON API share. It
// holds values built once in main; it has no behaviour of its own beyond
// keeping the point-to-grid index in step with the stored polygons.
package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/authn"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/live"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
	"github.com/lantian-org/lantian/internal/service/calendarsvc"
	"github.com/lantian-org/lantian/internal/service/campaignsvc"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
	"github.com/lantian-org/lantian/internal/service/messagesvc"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/service/peoplesvc"
	"github.com/lantian-org/lantian/internal/service/unitsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// App is the set of shared services.
type App struct {
	Cfg   config.Config
	Loc   *time.Location
	DB    *store.DB
	Auth  *authn.Service
	Index *region.Index
	Log   *slog.Logger
	// People runs people and their roles.
	People *peoplesvc.Service
	// Units runs the register of units.
	Units *unitsvc.Service
	// Calendar is the working-day calendar the services share.
	Calendar *service.Calendar
	Cases    *casesvc.Service
	Patrols  *patrolsvc.Service
	Photos   *photo.Store
	// Letters keeps the responsibility letters' signature images and scans.
	Letters *letters.FileStore
	// LetterSvc runs the responsibility letters (over Letters).
	LetterSvc *lettersvc.Service
	// Inspect runs the weekly inspections and the tracked problems.
	Inspect *inspectsvc.Service
	// Outreach runs the lectures, the question bank and the prize quizzes.
	Outreach *outreachsvc.Service
	// Campaigns runs the month-end clean-ups, the materials store, publicity and handouts.
	Campaigns *campaignsvc.Service
	// Agenda is the one calendar of everything with a date, and the per-person feeds.
	Agenda *calendarsvc.Service
	// Messages is the work group: notices, the feed, outbound channels and their outbox.
	Messages *messagesvc.Service
	// Assess computes indicators and scores and publishes bulletins.
	Assess *assesssvc.Service
	// Live carries events to the live streams people have open (GET /api/v1/events).
	Live live.Broker
	// OutboxWake is signalled after each commit that wrote outbox messages,
	// so that the delivery worker starts at once instead of at its next poll.
	OutboxWake chan struct{}
	// Streets holds the per-street settings (case-number prefix, grace, …).
	Streets *service.Streets

	indexReload indexReloader
}

// New builds the services over an open database and loads the region index.
func New(ctx context.Context, cfg config.Config, loc *time.Location, db *store.DB, log *slog.Logger) (*App, error) {
	proxies, err := config.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Loc: loc, DB: db, Log: log, Index: &region.Index{},
		Auth: &authn.Service{DB: db, Throttle: authn.NewDBThrottle(db), TrustedProxies: proxies}, Photos: photo.NewStore(cfg.Data),
		Letters: letters.NewFileStore(cfg.Data)}
	a.People = peoplesvc.New(db)
	a.Units = unitsvc.New(db, a.Index)
	a.Calendar = service.NewCalendar(db, loc)
	a.Cases = casesvc.New(db, a.Index, loc, a.Calendar)
	a.Cases.Prefix, a.Cases.Grace = cfg.CasePrefix, cfg.EscalationGrace
	a.LetterSvc = lettersvc.New(db, a.Letters, loc)
	a.Patrols = patrolsvc.New(a.Cases, a.Calendar, a.Photos)
	a.Inspect = inspectsvc.New(db, loc, a.Calendar, a.Cases, a.Patrols, a.Photos, a.Letters)
	a.Outreach = outreachsvc.New(db, loc, a.Photos)
	a.Campaigns = campaignsvc.New(db, a.Index, loc, a.Calendar, a.Cases, a.Photos, cfg.Lang)
	a.Agenda = calendarsvc.New(db, loc, cfg.BaseURL)
	a.Agenda.Register([]agenda.Kind{agenda.Campaign}, calendarsvc.SourceFunc(a.Campaigns.CampaignItems))
	a.Agenda.Register([]agenda.Kind{agenda.Publicity}, calendarsvc.SourceFunc(a.Campaigns.PublicityItems))
	a.Agenda.Register([]agenda.Kind{agenda.Inspection}, calendarsvc.SourceFunc(a.Inspect.CalendarItems))
	a.Agenda.Register([]agenda.Kind{agenda.Lecture}, calendarsvc.SourceFunc(a.Outreach.LectureItems))
	a.Agenda.Register([]agenda.Kind{agenda.Quiz}, calendarsvc.SourceFunc(a.Outreach.QuizItems))
	a.Messages = messagesvc.New(db, loc, a.Calendar, a.Cases, a.Patrols, a.Photos, cfg.Data)
	a.Assess = assesssvc.New(db, loc, a.Calendar, cfg.Lang)
	a.Live, a.OutboxWake = live.NewLocal(), make(chan struct{}, 1)
	db.OnCommit(a.committed)
	a.Streets = service.NewStreets(db, cfg.CasePrefix, cfg.EscalationGrace)
	a.Cases.Streets = a.Streets
	a.Inspect.Streets = a.Streets
	db.OnCommit(a.staleCaches) // caches made stale here or on another server (cluster.go)
	if err := db.EnsureCalendar(ctx); err != nil {
		return nil, err
	}
	return a, a.ReloadIndex(ctx)
}

// committed passes on what a transaction wrote: inbox counts and live
// events to the open streams, outbox messages to the delivery worker.
func (a *App) committed(c store.Change) {
	if len(c.Inbox) > 0 {
		a.Live.Publish(live.Event{Name: "inbox", People: c.Inbox})
	}
	for _, l := range c.Live {
		data, err := json.Marshal(l.Data)
		if err != nil {
			a.Log.Warn("live event not sent", "name", l.Name, "err", err)
			continue
		}
		a.Live.Publish(live.Event{Name: l.Name, Data: data, People: l.People, Region: l.Region})
	}
	if c.Outbox {
		select {
		case a.OutboxWake <- struct{}{}:
		default:
		}
	}
}

// ReloadIndex rebuilds the point-to-grid index from the database; call it after polygons change.
func (a *App) ReloadIndex(ctx context.Context) error {
	rs, err := a.DB.AllRegions(ctx)
	if err != nil {
		return err
	}
	a.Index.Rebuild(rs)
	return nil
}

// RegionRoots returns the region subtrees u may read: their role scopes, and
// for unit contacts the grid of each of their units.
func (a *App) RegionRoots(ctx context.Context, u *auth.Principal) ([]string, error) {
	roots := u.Scopes(auth.RegionRead)
	for _, id := range u.UnitScopes(auth.UnitRead) {
		un, err := a.DB.Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		roots = append(roots, un.Region)
	}
	return roots, nil
}

// InRoots reports whether code lies under one of roots.
func InRoots(roots []string, code string) bool {
	for _, r := range roots {
		if region.Contains(r, code) {
			return true
		}
	}
	return false
}

// RegionNames returns a lookup from region code to name (for exports and lists).
func (a *App) RegionNames(ctx context.Context) (func(string) string, error) {
	m, err := a.DB.RegionNames(ctx)
	if err != nil {
		return nil, err
	}
	return func(code string) string { return m[code] }, nil
}
