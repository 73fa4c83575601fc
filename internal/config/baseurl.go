package config

import (
	"net"
	"net/url"
	"strings"
)

// BaseURLProblem returns the catalog key of a warning when the links made
// for other devices (QR codes on letters and the field app, e-mails) would
// not reach this server: the base URL is unset ("ux.baseurl.unset") or
// points at this machine only ("ux.baseurl.loopback") while the server
// listens on listen, an address other machines can reach. Listening on a
// loopback address (a demo on one's own computer) needs no warning.
func (c *Config) BaseURLProblem(listen string) string {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		host = listen
	}
	if loopback(host) {
		return ""
	}
	if strings.TrimSpace(c.BaseURL) == "" {
		return "ux.baseurl.unset"
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || loopback(u.Hostname()) {
		return "ux.baseurl.loopback"
	}
	return ""
}

// loopback reports whether host names this machine only.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
