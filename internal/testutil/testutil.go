// Package testutil starts the whole application in-process over a fresh
// demo database, for API and browser tests.
package testutil

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/server"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// Server is a running application with its services.
type Server struct {
	*httptest.Server
	App *app.App
}

// NewApp builds the services over a fresh demo street on backend ("sqlite"
// or "postgres"), without an HTTP server, for service and job tests.
func NewApp(tb testing.TB, backend string) *app.App {
	tb.Helper()
	ctx := context.Background()
	db := storetest.Open(tb, backend)
	if _, err := demo.Seed(ctx, db); err != nil {
		tb.Fatal(err)
	}
	cfg := config.Default()
	cfg.Data = tb.TempDir()
	loc, err := cfg.Validate()
	if err != nil {
		tb.Fatal(err)
	}
	level := slog.LevelError
	if os.Getenv("LANTIAN_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	a, err := app.New(ctx, cfg, loc, db, log)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// As returns a demo person as the services see them: the principal and the
// audit actor.
func As(tb testing.TB, a *app.App, username string) (*auth.Principal, store.Actor) {
	tb.Helper()
	p, _, err := a.DB.Credentials(context.Background(), username)
	if err != nil {
		tb.Fatalf("demo person %s: %v", username, err)
	}
	return &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}, store.Actor{ID: p.ID, Name: p.Username}
}

// Start serves a fresh demo street on backend ("sqlite" or "postgres") until tb ends.
func Start(tb testing.TB, backend string) *Server {
	tb.Helper()
	a := NewApp(tb, backend)
	// Tests sign in many times from one address; keep the per-IP limit out of their way.
	a.Auth.Throttle.IPLimit = 1000
	h, err := server.Handler(a)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	tb.Cleanup(srv.Close)
	// Live event streams never end by themselves: end them before the server closes (cleanups run last first).
	tb.Cleanup(a.Live.Close)
	return &Server{Server: srv, App: a}
}

// Each runs test once per database the tests run on (SQLite, and PostgreSQL
// when LANTIAN_TEST_POSTGRES is set), as a subtest named after it, each on
// a fresh demo server.
func Each(t *testing.T, test func(t *testing.T, srv *Server)) {
	t.Helper()
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) { test(t, Start(t, backend)) })
	}
}

// SetNow stops the clock of the services and the database at now, for tests
// whose outcome would otherwise depend on the date they run. Call it before
// the first request.
func (s *Server) SetNow(now time.Time) {
	clock := func() time.Time { return now }
	s.App.Cases.Now = clock // the patrol service follows the case service's clock
	s.App.LetterSvc.Now = clock
	s.App.DB.Now = clock
}

// EachApp runs test once per database the tests run on, as a subtest named
// after it, each with the services over a fresh demo street (NewApp).
func EachApp(t *testing.T, test func(t *testing.T, a *app.App)) {
	t.Helper()
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) { test(t, NewApp(t, backend)) })
	}
}
