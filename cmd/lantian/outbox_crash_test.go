package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// childEnv carries the arguments of "lantian serve" to the child process
// TestOutboxSurvivesKill starts (this test binary, running TestServeChild).
const childEnv = "LANTIAN_TEST_SERVE_ARGS"

// TestServeChild is not a test: it is "lantian serve" for the crash test,
// run in a process of its own so that it can be killed.
func TestServeChild(t *testing.T) {
	args := os.Getenv(childEnv)
	if args == "" {
		t.Skip("runs only as TestOutboxSurvivesKill's child process")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// slowHook is a webhook receiver that takes a while to answer, recording
// each Idempotency-Key as it arrives and whether the first server was dead by then.
type slowHook struct {
	mu     sync.Mutex
	before map[string]int // arrivals while the first server ran
	after  map[string]int // arrivals after it was killed
	killed bool
}

func (h *slowHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k := r.Header.Get("Idempotency-Key")
	h.mu.Lock()
	if h.killed {
		h.after[k]++
	} else {
		h.before[k]++
	}
	h.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	w.WriteHeader(http.StatusNoContent)
}

func (h *slowHook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.before) + len(h.after)
}

// TestOutboxSurvivesKill kills the server (SIGKILL) while 200 messages are
// pending for a slow webhook, and starts it again: every message is
// delivered, each Idempotency-Key arrives at least once, none recorded as
// sent before the kill arrives again, and at most the one in flight at the
// kill arrives twice.
func TestOutboxSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server twice")
	}
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, backend)
			hook := &slowHook{before: map[string]int{}, after: map[string]int{}}
			srv := httptest.NewServer(hook)
			defer srv.Close()

			db, err := store.Open(ctx, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Seed(ctx, db); err != nil {
				t.Fatal(err)
			}
			err = db.Write(ctx, store.System, func(tx *store.Tx) error {
				c := messages.Channel{Kind: messages.Webhook, Name: "慢接收方", URL: srv.URL + "/hook", Secret: "s", Region: demo.StreetCode,
					Events: []messages.Event{messages.CaseAssigned}, Enabled: true}
				if err := tx.CreateChannel(ctx, &c); err != nil {
					return err
				}
				for i := 0; i < 200; i++ {
					ev := notify.Event{Kind: notify.CaseAssigned, Record: notify.Record{Kind: "case", Ref: fmt.Sprintf("XG-KILL-%03d", i), Region: demo.GridCode(0, 0)}}
					if _, err := tx.Notify(ctx, ev); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			ids := statusIDs(t, db, messages.Pending)
			db.Close()
			if len(ids) != 200 {
				t.Fatalf("%d pending, want 200", len(ids))
			}

			args := strings.Join([]string{"serve", "--db", dsn, "--addr", freeAddr(t), "--data", t.TempDir()}, "\x1f")
			start := func() (*exec.Cmd, *bytes.Buffer) {
				cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$")
				cmd.Env = append(os.Environ(), childEnv+"="+args)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				return cmd, &out
			}
			waitFor := func(what string, cond func() bool) {
				deadline := time.Now().Add(2 * time.Minute)
				for !cond() {
					if time.Now().After(deadline) {
						t.Fatalf("timed out waiting for %s", what)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}

			first, out := start()
			waitFor("60 deliveries", func() bool { return hook.count() >= 60 })
			if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown, no cleanup
				t.Fatal(err)
			}
			first.Wait()
			t.Logf("first server killed after %d deliveries", hook.count())

			db, err = store.Open(ctx, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			sentBefore := statusIDs(t, db, messages.Sent)
			hook.mu.Lock()
			hook.killed = true
			hook.mu.Unlock()
			if len(sentBefore) == 0 || len(sentBefore) == 200 {
				t.Fatalf("%d recorded sent at the kill: the kill should fall mid-way\n%s", len(sentBefore), out)
			}

			second, out2 := start()
			defer func() {
				second.Process.Signal(syscall.SIGTERM)
				second.Wait()
			}()
			waitFor("every message recorded sent", func() bool { return len(statusIDs(t, db, messages.Sent)) == 200 })

			hook.mu.Lock()
			defer hook.mu.Unlock()
			twice := 0
			for id := range ids {
				k := fmt.Sprint(id)
				n := hook.before[k] + hook.after[k]
				if n == 0 {
					t.Errorf("message %s never arrived", k)
				}
				if sentBefore[id] && hook.after[k] > 0 {
					t.Errorf("message %s was recorded sent before the kill and arrived again", k)
				}
				if n > 1 {
					twice++
				}
			}
			if twice > 1 {
				t.Errorf("%d messages arrived twice; only the one in flight at the kill may\n%s", twice, out2)
			}
			t.Logf("%d sent before the kill, %d arrived twice", len(sentBefore), twice)
		})
	}
}

// statusIDs returns the ids of the outbox messages with status.
func statusIDs(t *testing.T, db *store.DB, status string) map[int64]bool {
	t.Helper()
	out := map[int64]bool{}
	for page := 1; ; page++ {
		list, total, err := db.Outbox(context.Background(), store.OutboxFilter{All: true, Status: status, Page: store.Page{Page: page, Size: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range list {
			out[it.ID] = true
		}
		if page*100 >= total {
			return out
		}
	}
}
