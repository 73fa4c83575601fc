package authn

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the person behind a request: the connection's
// own address, unless that is one of the trusted proxies, in which case the
// client comes from X-Forwarded-For (read from the right, skipping our own
// proxies, so a client cannot put a made-up address in front of the real one)
// or, without that header, from X-Real-IP. Every throttle, rate limit and
// audit row takes its address from here.
func (s *Service) ClientIP(r *http.Request) string {
	return clientIP(r, s.TrustedProxies)
}

func clientIP(r *http.Request, trusted []netip.Prefix) string {
	remote, ok := parseHop(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !inPrefixes(remote, trusted) {
		return remote.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	if len(hops) > 0 {
		client := remote
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseHop(hops[i])
			if !ok {
				// A malformed entry: nothing to its left can be believed.
				break
			}
			client = a
			if !inPrefixes(a, trusted) {
				break
			}
		}
		return client.String()
	}
	if a, ok := parseHop(r.Header.Get("X-Real-IP")); ok {
		return a.String()
	}
	return remote.String()
}

// parseHop reads an address as proxies write it: 10.0.0.1, 2001:db8::1, or
// with a port (10.0.0.1:5000, [2001:db8::1]:5000). IPv4-mapped IPv6 becomes IPv4.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
