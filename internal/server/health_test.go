package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/server"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// dbProxy forwards TCP connections to the database; Cut drops them all and
// refuses new ones, as when the database's network goes away.
type dbProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func (p *dbProxy) listen(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
}

func (p *dbProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestHealthzFollowsDatabase: /healthz answers 200 while PostgreSQL
// answers, 503 once it cannot be reached, and 200 again by itself when it
// is back, without a restart.
func TestHealthzFollowsDatabase(t *testing.T) {
	if os.Getenv("LANTIAN_TEST_POSTGRES") == "" {
		if storetest.Required() {
			t.Fatal("LANTIAN_TEST_REQUIRE=1 but LANTIAN_TEST_POSTGRES is not set")
		}
		t.Skip("needs PostgreSQL")
	}
	dsn := storetest.DSN(t, "postgres")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &dbProxy{target: u.Host, addr: "127.0.0.1:0"}
	proxy.listen(t)
	u.Host = proxy.addr
	ctx := context.Background()
	db, err := store.Open(ctx, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := config.Default()
	cfg.Data = t.TempDir()
	loc, _ := cfg.Validate()
	a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.Handler(a)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	status := func() int {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor := func(want int) time.Duration {
		start := time.Now()
		for status() != want {
			if time.Since(start) > 20*time.Second {
				t.Fatalf("/healthz did not answer %d within 20 s", want)
			}
			time.Sleep(100 * time.Millisecond)
		}
		return time.Since(start)
	}
	if got := status(); got != http.StatusOK {
		t.Fatalf("/healthz with the database up: %d", got)
	}
	proxy.cut()
	t.Logf("503 %v after the database went away", waitFor(http.StatusServiceUnavailable).Round(time.Millisecond))
	proxy.listen(t) // the same address again
	t.Logf("200 %v after it came back", waitFor(http.StatusOK).Round(time.Millisecond))
}
