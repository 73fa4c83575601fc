// Package live carries events to the people who have a live stream open
// (Server-Sent Events at GET /api/v1/events): their inbox count, new
// notices and receipts, new feed posts. Broker is the small interface the
// rest of Lantian uses; Local is the in-process implementation, enough for
// one server. Several servers on one PostgreSQL database need a Broker that
// fans events out between them (LISTEN/NOTIFY); it slots in behind the same
// interface.
package live

import (
	"slices"
	"sync"
)

// Event is one server-sent event for some of the open streams.
type Event struct {
	Name   string  // the SSE event name: "inbox", "notice", "post"
	Data   []byte  // its JSON data
	People []int64 // for these people's streams
	Region string  // or for every stream whose feed shows this region
}

// Subscriber is one open stream: whose, and which regions' posts it shows.
type Subscriber struct {
	Person int64
	// Shows reports whether a post in a region belongs on this stream's feed.
	Shows func(region string) bool
}

// wants reports whether ev goes to s.
func (s Subscriber) wants(ev Event) bool {
	if slices.Contains(ev.People, s.Person) {
		return true
	}
	return ev.Region != "" && s.Shows != nil && s.Shows(ev.Region)
}

// Broker delivers events to subscribers.
type Broker interface {
	// Publish sends ev to every subscriber it is for; it never blocks.
	Publish(ev Event)
	// Subscribe opens a stream; the channel closes when cancel is called or
	// the broker closes.
	Subscribe(s Subscriber) (events <-chan Event, cancel func())
	// Close ends every stream (the server is shutting down).
	Close()
}

// Buffer is how many events a stream may fall behind before new ones are
// dropped for it (the page fetches fresh state on the next one it gets).
const Buffer = 64

// Local is the in-process Broker.
type Local struct {
	mu     sync.Mutex
	subs   map[*sub]struct{}
	closed bool
}

type sub struct {
	Subscriber
	ch chan Event
}

// NewLocal returns an empty in-process broker.
func NewLocal() *Local { return &Local{subs: map[*sub]struct{}{}} }

// Publish sends ev to the matching streams, dropping it for a full one.
func (b *Local) Publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if !s.wants(ev) {
			continue
		}
		select {
		case s.ch <- ev:
		default:
		}
	}
}

// Subscribe opens a stream for s.
func (b *Local) Subscribe(s Subscriber) (<-chan Event, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	sb := &sub{Subscriber: s, ch: make(chan Event, Buffer)}
	if b.closed {
		close(sb.ch)
		return sb.ch, func() {}
	}
	b.subs[sb] = struct{}{}
	var once sync.Once
	return sb.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if _, ok := b.subs[sb]; ok {
				delete(b.subs, sb)
				close(sb.ch)
			}
		})
	}
}

// Close ends every stream; later subscriptions end at once.
func (b *Local) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		close(s.ch)
		delete(b.subs, s)
	}
}

// Streams counts the open streams (for tests and the health of the broker).
func (b *Local) Streams() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
