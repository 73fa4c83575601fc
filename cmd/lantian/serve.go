package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/server"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/worker"
)

// openApp parses the common flags, opens the database and builds the services.
func openApp(ctx context.Context, name string, args []string, stderr io.Writer, extra func(fs *flag.FlagSet)) (*app.App, *flag.FlagSet, error) {
	cfg := config.Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if fs.NArg() > 0 {
		return nil, nil, fmt.Errorf("unexpected argument %q (flags go after the command's own arguments)", fs.Arg(0))
	}
	loc, err := cfg.Validate()
	if err != nil {
		return nil, nil, err
	}
	log := newLogger(stderr, cfg.LogFormat)
	db, err := store.Open(ctx, cfg.DB, log)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		db.Close()
		return nil, nil, err
	}
	a, err := app.New(ctx, cfg, loc, db, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return a, fs, nil
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, withDemo bool) error {
	name := "serve"
	if withDemo {
		name = "demo"
	}
	a, _, err := openApp(ctx, name, args, stderr, nil)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if withDemo {
		seeded, err := demo.Seed(ctx, a.DB)
		if err != nil {
			return fmt.Errorf("demo street: %w", err)
		}
		if seeded {
			n, err := demo.SeedCases(ctx, a.DB, a.Photos, a.Loc, time.Now())
			if err != nil {
				return fmt.Errorf("demo cases: %w", err)
			}
			if _, err := demo.SeedPatrols(ctx, a.DB, a.Loc, time.Now()); err != nil {
				return fmt.Errorf("demo patrols: %w", err)
			}
			nl, err := demo.SeedLetters(ctx, a.DB, a.Letters, time.Now().In(a.Loc))
			if err != nil {
				return fmt.Errorf("demo letters: %w", err)
			}
			ni, err := demo.SeedInspections(ctx, a.DB, a.Loc, time.Now())
			if err != nil {
				return fmt.Errorf("demo inspections: %w", err)
			}
			if _, err := demo.SeedOutreach(ctx, a.DB, a.Loc, time.Now()); err != nil {
				return fmt.Errorf("demo outreach: %w", err)
			}
			nc, err := demo.SeedCampaigns(ctx, a.DB, a.Photos, a.Loc, time.Now())
			if err != nil {
				return fmt.Errorf("demo campaigns: %w", err)
			}
			if _, err := demo.SeedMessages(ctx, a.DB, time.Now()); err != nil {
				return fmt.Errorf("demo work group: %w", err)
			}
			if _, err := demo.SeedAssess(ctx, a.Assess, time.Now()); err != nil {
				return fmt.Errorf("demo assessment: %w", err)
			}
			a.Log.Info("demo street created", "db", a.Cfg.DB, "cases", n, "letters", nl, "inspections", ni, "campaigns", nc)
			if err := a.ReloadIndex(ctx); err != nil {
				return err
			}
		}
	}
	h, err := server.Handler(a)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return err
	}
	if key := a.Cfg.BaseURLProblem(ln.Addr().String()); key != "" {
		// QR codes and links for phones would point at this machine only (issue 16).
		a.Log.Warn(locale.New("en").T(key, ln.Addr().String()))
		fmt.Fprintln(stdout, locale.New("zh-CN").T(key, ln.Addr().String()))
	}
	url := a.Cfg.BaseURL
	if url == "" {
		url = "http://" + ln.Addr().String()
	}
	if withDemo {
		fmt.Fprintf(stdout, "\n蓝天 Lantian demo: %s\n\nDemo accounts (password %q):\n", url, demo.Password)
		for _, acc := range demo.Accounts() {
			fmt.Fprintf(stdout, "  %-12s %-13s %s\n", acc.Username, acc.Role, acc.Scope)
		}
		fmt.Fprintln(stdout, "  (also community2…6, grid02…30, patrol02…60, volunteer02…42, unit02…, inspector2…4)")
		fmt.Fprintf(stdout, "\nField app for patrollers: %s/m/   Public reporting: %s/public/report\n", url, url)
		fmt.Fprintln(stdout)
	} else {
		fmt.Fprintf(stdout, "Lantian listening on %s\n", url)
	}
	return serve(ctx, a, h, ln)
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, a *app.App, h http.Handler, ln net.Listener) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	// Live event streams never end by themselves: close them as shutdown begins.
	srv.RegisterOnShutdown(a.Live.Close)
	go worker.Run(ctx, a, a.Cfg.JobsEvery)
	go a.DB.Listen(ctx) // what other servers on the same PostgreSQL database change
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
