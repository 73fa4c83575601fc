package live

import (
	"testing"
	"time"
)

func recv(t *testing.T, ch <-chan Event) (Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		return ev, ok
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return Event{}, false
	}
}

func none(t *testing.T, ch <-chan Event) {
	t.Helper()
	select {
	case ev := <-ch:
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

// TestLocal delivers events to the people named and to the feeds that show
// their region, drops them for a stream that has fallen behind without
// blocking the publisher, and ends streams on cancel and on Close.
func TestLocal(t *testing.T) {
	b := NewLocal()
	inCommunity := func(code string) bool { return code[:12] == "620502004001" }
	a, cancelA := b.Subscribe(Subscriber{Person: 1, Shows: inCommunity})
	c, cancelC := b.Subscribe(Subscriber{Person: 2})
	defer cancelC()
	b.Publish(Event{Name: "inbox", People: []int64{1}})
	if ev, _ := recv(t, a); ev.Name != "inbox" {
		t.Fatalf("person 1 got %+v", ev)
	}
	none(t, c)
	b.Publish(Event{Name: "post", Region: "620502004001001"})
	if ev, _ := recv(t, a); ev.Name != "post" {
		t.Fatalf("person 1 got %+v", ev)
	}
	none(t, c)
	b.Publish(Event{Name: "post", Region: "620502004002001"})
	none(t, a)
	// A stream that reads nothing loses events beyond its buffer; the publisher does not wait.
	done := make(chan struct{})
	go func() {
		for i := 0; i < 3*Buffer; i++ {
			b.Publish(Event{Name: "notice", People: []int64{2}})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a full stream")
	}
	if len(c) != Buffer {
		t.Fatalf("%d events buffered, want %d", len(c), Buffer)
	}
	cancelA()
	if _, ok := <-a; ok {
		t.Fatal("a cancelled stream is still open")
	}
	cancelA() // twice is harmless
	if b.Streams() != 1 {
		t.Fatalf("%d streams open, want 1", b.Streams())
	}
	b.Close()
	for range c {
	}
	late, _ := b.Subscribe(Subscriber{Person: 3})
	if _, ok := <-late; ok {
		t.Fatal("a stream opened after Close is open")
	}
}
