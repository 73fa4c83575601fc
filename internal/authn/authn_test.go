package authn

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.9.0.0/16"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, remote string
		trusted      []netip.Prefix
		xff          []string
		realIP       string
		want         string
	}{
		{name: "NoProxyIgnoresHeaders", remote: "203.0.113.7:5000", xff: []string{"10.1.1.1"}, realIP: "10.1.1.2", want: "203.0.113.7"},
		{name: "UntrustedPeerIgnoresHeaders", remote: "203.0.113.7:5000", trusted: proxies, xff: []string{"10.1.1.1"}, want: "203.0.113.7"},
		{name: "TrustedProxy", remote: "127.0.0.1:40000", trusted: proxies, xff: []string{"10.1.1.1"}, want: "10.1.1.1"},
		{name: "RightmostUntrustedHop", remote: "127.0.0.1:40000", trusted: proxies, xff: []string{"6.6.6.6, 198.51.100.4, 10.9.3.3"}, want: "198.51.100.4"},
		{name: "SeveralHeaderLines", remote: "127.0.0.1:40000", trusted: proxies, xff: []string{"6.6.6.6", "198.51.100.4"}, want: "198.51.100.4"},
		{name: "EveryHopTrusted", remote: "127.0.0.1:40000", trusted: proxies, xff: []string{"10.9.0.5, 10.9.0.6"}, want: "10.9.0.5"},
		{name: "GarbageStopsTheWalk", remote: "127.0.0.1:40000", trusted: proxies, xff: []string{"198.51.100.4, nonsense, 10.9.0.6"}, want: "10.9.0.6"},
		{name: "HopWithPort", remote: "127.0.0.1:40000", trusted: proxies, xff: []string{"[2001:db8::7]:443"}, want: "2001:db8::7"},
		{name: "RealIPWithoutXFF", remote: "127.0.0.1:40000", trusted: proxies, realIP: "198.51.100.9", want: "198.51.100.9"},
		{name: "BadRealIP", remote: "127.0.0.1:40000", trusted: proxies, realIP: "x", want: "127.0.0.1"},
		{name: "IPv6Proxy", remote: "[::1]:40000", trusted: proxies, xff: []string{"198.51.100.4"}, want: "198.51.100.4"},
		{name: "MappedIPv4", remote: "[::ffff:203.0.113.7]:5000", want: "203.0.113.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tc.realIP != "" {
				r.Header.Set("X-Real-IP", tc.realIP)
			}
			s := &Service{TrustedProxies: tc.trusted}
			if got := s.ClientIP(r); got != tc.want {
				t.Fatalf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	th := NewThrottle()
	th.Now = func() time.Time { return now }
	wait := func(account, ip string) time.Duration {
		t.Helper()
		w, err := th.Wait(ctx, account, ip)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	fail := func(account, ip string) {
		t.Helper()
		if err := th.Fail(ctx, account, ip); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5; i++ {
		if wait("person:7", "10.1.1.1") != 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		fail("person:7", "10.1.1.1")
		now = now.Add(time.Minute)
	}
	// The first failure was at 9:00, so the sixth try may come at 9:15: 10 minutes from 9:05.
	if w := wait("person:7", "10.1.1.1"); w != 10*time.Minute {
		t.Fatalf("after 5 failures: wait %v, want 10m", w)
	}
	if wait("person:7", "10.2.2.2") != 0 {
		t.Fatal("the guesser's failures block the account from another address")
	}
	if wait("person:8", "10.1.1.1") != 0 {
		t.Fatal("another account from the guesser's address is blocked before the address limit")
	}
	// Success from the real address leaves the guesser blocked.
	if err := th.Success(ctx, "person:7", "10.2.2.2"); err != nil {
		t.Fatal(err)
	}
	if wait("person:7", "10.1.1.1") == 0 {
		t.Fatal("someone else's success unblocked the guesser")
	}
	// The window slides: one failure drops out at 9:15, one try is allowed.
	now = time.Date(2026, 11, 28, 9, 15, 0, 0, time.UTC)
	if w := wait("person:7", "10.1.1.1"); w != 0 {
		t.Fatalf("at 9:15 still waiting %v", w)
	}
	// Twenty failures from one address, over many accounts, block that address for everyone.
	for i := 0; i < 20; i++ {
		fail("login:user"+string(rune('a'+i)), "198.51.100.9")
	}
	if wait("person:99", "198.51.100.9") == 0 {
		t.Fatal("address not blocked after 20 failures")
	}
	if wait("person:99", "198.51.100.10") != 0 {
		t.Fatal("a neighbouring address is blocked")
	}
	// IPv6 counts by /64: rotating the low bits does not escape the address limit.
	for i := 0; i < 20; i++ {
		fail("login:x"+string(rune('a'+i)), "2001:db8:1:2::"+string(rune('a'+i%6)))
	}
	if wait("person:99", "2001:db8:1:2::ffff") == 0 {
		t.Fatal("another address of the same /64 is not blocked")
	}
	if wait("person:99", "2001:db8:1:3::1") != 0 {
		t.Fatal("another /64 is blocked")
	}
}

func TestMemoryFailuresForget(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryFailures(time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3000; i++ {
		m.Add(ctx, "i:"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second))
	}
	// Keys older than the window are swept as new ones come in.
	if n := m.size(); n > 1100 {
		t.Fatalf("%d keys kept, want stale ones swept", n)
	}
	if f, _ := m.Since(ctx, "i:2999", t0.Add(2999*time.Second-time.Minute)); len(f) != 1 {
		t.Fatalf("the newest key lost its failure: %v", f)
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, hb := NewToken()
	if a == b || ha == hb || len(a) < 40 || HashToken(a) != ha || ha == a {
		t.Fatal("tokens are not random, or their hashes do not match")
	}
}
