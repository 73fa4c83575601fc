package worker_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/worker"

	"log/slog"
)

func benchApp(b *testing.B) *app.App {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, "sqlite")
	if _, err := demo.Seed(ctx, db); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.Data = b.TempDir()
	loc, _ := cfg.Validate()
	a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func benchChannel(b *testing.B, a *app.App, kind messages.Kind, url string) {
	b.Helper()
	c := messages.Channel{Kind: kind, Name: "bench", URL: url, Secret: "s", Region: demo.StreetCode, Events: []messages.Event{messages.CaseAssigned}, Enabled: true}
	if err := a.DB.Write(context.Background(), store.System, func(tx *store.Tx) error { return tx.CreateChannel(context.Background(), &c) }); err != nil {
		b.Fatal(err)
	}
}

func benchEvent(i int) notify.Event {
	return notify.Event{Kind: notify.CaseAssigned, Record: notify.Record{Kind: "case", Ref: fmt.Sprintf("XG-B-%06d", i), Region: demo.GridCode(i%6, i%5)}}
}

// BenchmarkOutboxWebhook delivers queued messages to a local webhook that
// answers at once: the worker's own cost per message (claim, sign, send,
// record) on SQLite, one channel, one message at a time.
func BenchmarkOutboxWebhook(b *testing.B) {
	a := benchApp(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body); w.WriteHeader(204) }))
	defer srv.Close()
	benchChannel(b, a, messages.Webhook, srv.URL+"/hook")
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		if err := a.DB.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.Notify(ctx, benchEvent(i)); return err }); err != nil {
			b.Fatal(err)
		}
	}
	o := worker.NewOutbox(a)
	b.ResetTimer()
	n, err := o.DeliverDue(ctx)
	b.StopTimer()
	if err != nil || n != b.N {
		b.Fatalf("sent %d of %d: %v", n, b.N, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkCommitToRobot measures, with the worker running as in the
// server, the time from the commit of an event to its arrival at an idle
// robot (a local double): the wake-up on commit, the claim and the send.
func BenchmarkCommitToRobot(b *testing.B) {
	a := benchApp(b)
	got := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"errcode":0}`)
		got <- struct{}{}
	}))
	defer srv.Close()
	benchChannel(b, a, messages.WeCom, srv.URL+"/send?key=k")
	ctx, cancel := context.WithCancel(context.Background())
	o := worker.NewOutbox(a)
	o.Poll = time.Hour // only the commit wakes it
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	// The robot's rate limit would hold the 21st message of a minute: move the worker's clock on.
	var clock atomic.Int64
	clock.Store(time.Now().UnixMilli())
	o.Now = func() time.Time { return time.UnixMilli(clock.Load()) }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clock.Add(4000)
		if err := a.DB.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.Notify(ctx, benchEvent(i)); return err }); err != nil {
			b.Fatal(err)
		}
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			b.Fatalf("message %d did not arrive", i)
		}
	}
}
