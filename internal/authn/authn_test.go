package authn

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	th := NewThrottle()
	th.Now = func() time.Time { return now }
	for i := 0; i < 5; i++ {
		if th.Blocked("zhang", "10.0.0.1") != 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		th.Fail("zhang", "10.0.0.1")
	}
	if w := th.Blocked("zhang", "10.0.0.1"); w <= 0 || w > 15*time.Minute {
		t.Fatalf("after 5 failures: wait %v", w)
	}
	if th.Blocked("li", "10.0.0.2") != 0 {
		t.Fatal("another account and address are blocked")
	}
	now = now.Add(16 * time.Minute)
	if th.Blocked("zhang", "10.0.0.1") != 0 {
		t.Fatal("still blocked after the window")
	}
	// Twenty failures from one address block it for every account.
	for i := 0; i < 20; i++ {
		th.Fail("user"+string(rune('a'+i)), "10.0.0.9")
	}
	if th.Blocked("someone-new", "10.0.0.9") == 0 {
		t.Fatal("address not blocked after 20 failures")
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, hb := NewToken()
	if a == b || ha == hb || len(a) < 40 || HashToken(a) != ha || ha == a {
		t.Fatal("tokens are not random, or their hashes do not match")
	}
}
