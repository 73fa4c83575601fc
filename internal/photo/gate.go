package photo

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Defaults of the process-wide decode gate.
const (
	// DefaultDecodeSlots is how many images are decoded at once: one per
	// core of the small servers Lantian runs on.
	DefaultDecodeSlots = 2
	// DefaultDecodeBudget bounds the memory (Header.Memory) of the
	// decodes running at once. With the server's own 40 MB or so and the
	// Go collector's slack it keeps the process under 250 MB however many
	// uploads arrive (docs/benchmarks.md). It is also the most one photo may
	// need (KeyMemory above it): a 50-megapixel baseline JPEG needs about
	// 125 MB, a 12-megapixel one about 60 MB.
	DefaultDecodeBudget = 160 << 20
	// DefaultDecodeQueue is how many uploads may wait for a slot; more
	// are refused at once with KeyBusy.
	DefaultDecodeQueue = 64
	// DefaultDecodeWait is how long an upload waits for a slot before it is
	// refused with KeyBusy.
	DefaultDecodeWait = 30 * time.Second
)

// DefaultGate is the gate Process uses when Limits.Gate is nil. Memory is a
// property of the process, so one gate serves every door photos come in by
// (pages, API, the public form, letters' signatures).
var DefaultGate = NewGate(DefaultDecodeSlots, DefaultDecodeBudget)

// collectAbove is the size of a decode after which the releasing
// goroutine runs the garbage collector before giving its memory back to
// the gate: otherwise the next decode allocates its tens of megabytes
// while the last one's are still garbage on the heap, and the process's
// peak is twice the budget. A collection costs milliseconds against the
// hundreds a decode this size takes.
const collectAbove = 24 << 20

// Gate bounds the images decoded at once, by count and by memory, with a
// first-come first-served queue bounded in length and in waiting time. The
// zero value is not usable; use NewGate.
type Gate struct {
	slots  int
	budget int64
	// MaxQueue bounds the waiting uploads (default DefaultDecodeQueue).
	MaxQueue int
	// MaxWait bounds one upload's wait (default DefaultDecodeWait).
	MaxWait time.Duration

	mu      sync.Mutex
	running int
	used    int64
	queue   []*waiter
	peak    int64 // highest used, for tests and benchmarks
}

type waiter struct {
	cost  int64
	ready chan struct{}
}

// NewGate returns a gate letting slots decodes run at once within budget
// bytes of memory.
func NewGate(slots int, budget int64) *Gate {
	return &Gate{slots: max(slots, 1), budget: max(budget, 1), MaxQueue: DefaultDecodeQueue, MaxWait: DefaultDecodeWait}
}

// Budget returns the memory the gate shares out.
func (g *Gate) Budget() int64 { return g.budget }

// Peak returns the most memory that decodes holding the gate had reserved
// at once since the gate was made.
func (g *Gate) Peak() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

// Acquire waits for a slot with cost bytes of the budget (a cost above the
// budget waits for the whole of it) and returns the function that gives
// them back, which must be called once the decoded image is no longer
// referenced. It fails with a KeyBusy *Error when the queue is full or the
// wait exceeds MaxWait, and with ctx's error when ctx ends first.
func (g *Gate) Acquire(ctx context.Context, cost int64) (release func(), err error) {
	cost = min(max(cost, 1), g.budget)
	g.mu.Lock()
	if len(g.queue) == 0 && g.fits(cost) {
		g.take(cost)
		g.mu.Unlock()
		return g.releaser(cost), nil
	}
	if g.MaxQueue > 0 && len(g.queue) >= g.MaxQueue {
		g.mu.Unlock()
		return nil, newError(KeyBusy, fmt.Errorf("photo: %d uploads waiting", g.MaxQueue))
	}
	w := &waiter{cost: cost, ready: make(chan struct{})}
	g.queue = append(g.queue, w)
	g.mu.Unlock()

	var timeout <-chan time.Time
	if g.MaxWait > 0 {
		t := time.NewTimer(g.MaxWait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-w.ready:
		return g.releaser(cost), nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timeout:
		err = newError(KeyBusy, fmt.Errorf("photo: no decode slot within %v", g.MaxWait))
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-w.ready: // granted while giving up: hand it on
		g.give(cost)
	default:
		for i, q := range g.queue {
			if q == w {
				g.queue = append(g.queue[:i], g.queue[i+1:]...)
				break
			}
		}
		g.grant() // the head may have changed
	}
	return nil, err
}

func (g *Gate) fits(cost int64) bool {
	return g.running < g.slots && g.used+cost <= g.budget
}

func (g *Gate) take(cost int64) {
	g.running++
	g.used += cost
	g.peak = max(g.peak, g.used)
}

// give returns cost to the gate and lets waiters in; g.mu is held.
func (g *Gate) give(cost int64) {
	g.running--
	g.used -= cost
	g.grant()
}

// grant admits waiters from the head of the queue while they fit; g.mu is held.
func (g *Gate) grant() {
	for len(g.queue) > 0 && g.fits(g.queue[0].cost) {
		w := g.queue[0]
		g.queue = g.queue[1:]
		g.take(w.cost)
		close(w.ready)
	}
}

func (g *Gate) releaser(cost int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			if cost >= collectAbove {
				runtime.GC()
			}
			g.mu.Lock()
			g.give(cost)
			g.mu.Unlock()
		})
	}
}
