package photo

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGateBoundsCountAndMemory(t *testing.T) {
	g := NewGate(2, 100)
	var running, most atomic.Int64
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cost := int64(30 + 15*(i%3)) // 30, 45, 60
			release, err := g.Acquire(context.Background(), cost)
			if err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			running.Add(-1)
			release()
			release() // a second call is harmless
		}()
	}
	wg.Wait()
	if most.Load() > 2 {
		t.Errorf("%d decodes at once, want at most 2", most.Load())
	}
	if p := g.Peak(); p > 100 {
		t.Errorf("peak %d bytes reserved, budget 100", p)
	}
	if g.running != 0 || g.used != 0 || len(g.queue) != 0 {
		t.Errorf("left running %d, used %d, queued %d", g.running, g.used, len(g.queue))
	}
}

// A large decode at the head of the queue is not overtaken by small ones
// that would fit, or it could wait for ever.
func TestGateFirstComeFirstServed(t *testing.T) {
	g := NewGate(2, 100)
	holdA, _ := g.Acquire(context.Background(), 60)
	done := make(chan string, 2)
	started := make(chan struct{})
	go func() {
		close(started)
		rel, err := g.Acquire(context.Background(), 60)
		if err == nil {
			done <- "B"
			rel()
		}
	}()
	<-started
	for waiting(g) < 1 {
		time.Sleep(time.Millisecond)
	}
	go func() {
		rel, err := g.Acquire(context.Background(), 10)
		if err == nil {
			done <- "C"
			rel()
		}
	}()
	// C fits beside A (60 + 10 of 100, one slot free) yet queues behind B.
	for waiting(g) < 2 {
		select {
		case who := <-done:
			t.Fatalf("%s ran while A held the gate and B waited", who)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	holdA()
	<-done
	<-done
}

func waiting(g *Gate) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

func TestGateGivesUp(t *testing.T) {
	g := NewGate(1, 100)
	hold, err := g.Acquire(context.Background(), 1000) // above the budget: takes all of it
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Acquire(ctx, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	g.MaxWait = 5 * time.Millisecond
	_, err = g.Acquire(context.Background(), 10)
	wantKey(t, err, KeyBusy)

	g.MaxWait, g.MaxQueue = time.Minute, 1
	queued := make(chan func(), 1)
	go func() {
		rel, _ := g.Acquire(context.Background(), 10)
		queued <- rel
	}()
	for waiting(g) < 1 {
		time.Sleep(time.Millisecond)
	}
	_, err = g.Acquire(context.Background(), 10)
	wantKey(t, err, KeyBusy)
	if e := err.(*Error).AppErr(); e.Code != "too_many" {
		t.Errorf("busy is %s, want too_many (429)", e.Code)
	}

	hold()
	(<-queued)()
	if g.running != 0 || g.used != 0 || len(g.queue) != 0 {
		t.Errorf("left running %d, used %d, queued %d", g.running, g.used, len(g.queue))
	}
}
