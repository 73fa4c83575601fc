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
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/server"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// Server is a running application with its services.
type Server struct {
	*httptest.Server
	App *app.App
}

// Start serves a fresh demo street on backend ("sqlite" or "postgres") until tb ends.
func Start(tb testing.TB, backend string) *Server {
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
