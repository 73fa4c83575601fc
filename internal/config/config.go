// Package config holds Lantian's settings, read from flags with LANTIAN_*
// environment variables as defaults. It is built once in main and passed on
// as a value; nothing reads it globally.
package config

import (
	"flag"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"time"
)

// Config is everything an operator can set.
type Config struct {
	DB      string // SQLite file path or postgres:// URL
	Addr    string // listen address
	Data    string // folder for uploaded files
	Lang    string // default UI language
	BaseURL string // public URL, for links and the Secure cookie flag
	TZ      string // the street's time zone
	// TileURL is an optional map tile template ({z}/{x}/{y}); empty draws polygons on a plain background.
	TileURL string
	// TileCRS is the tiles' coordinate system: "wgs84" (also CGCS2000, Tianditu) or "gcj02" (AMap, Tencent).
	TileCRS string
	// TileAttribution is shown in the map corner when tiles are used.
	TileAttribution string
	LogFormat       string // "text" or "json"
	// CasePrefix starts every case number, e.g. XG for 西关 (XG-20261128-0042).
	CasePrefix string
	// EscalationGrace is how long a community case may be overdue before it climbs to the street.
	EscalationGrace time.Duration
	// TrustedProxies lists, comma-separated, the addresses or CIDR ranges of the
	// reverse proxies in front of Lantian. Only a request arriving from one of
	// them may name its client in X-Forwarded-For or X-Real-IP; empty trusts none.
	TrustedProxies string
	// JobsEvery is how often the periodic jobs (escalation, reminders, …) run;
	// of several servers on one database only one runs them (docs/operating.md).
	JobsEvery time.Duration
}

// Default returns the defaults of a fresh install.
func Default() Config {
	return Config{
		DB: "./lantian.db", Addr: "127.0.0.1:8080", Data: "./data", Lang: "zh-CN", TZ: "Asia/Shanghai",
		TileCRS: "wgs84", LogFormat: "text", CasePrefix: "XG", EscalationGrace: 4 * time.Hour,
		JobsEvery: time.Minute,
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// Register binds the config's fields to flags on fs, taking LANTIAN_* variables as defaults.
func (c *Config) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", env("LANTIAN_DB", c.DB), "SQLite file or postgres:// URL (LANTIAN_DB)")
	fs.StringVar(&c.Addr, "addr", env("LANTIAN_ADDR", c.Addr), "listen address (LANTIAN_ADDR)")
	fs.StringVar(&c.Data, "data", env("LANTIAN_DATA", c.Data), "folder for uploaded files (LANTIAN_DATA)")
	fs.StringVar(&c.Lang, "lang", env("LANTIAN_LANG", c.Lang), "default language: zh-CN or en (LANTIAN_LANG)")
	fs.StringVar(&c.BaseURL, "base-url", env("LANTIAN_BASE_URL", c.BaseURL), "public URL, e.g. https://lantian.example.gov.cn (LANTIAN_BASE_URL)")
	fs.StringVar(&c.TZ, "tz", env("LANTIAN_TZ", c.TZ), "time zone of the street (LANTIAN_TZ)")
	fs.StringVar(&c.TileURL, "tile-url", env("LANTIAN_TILE_URL", c.TileURL), "map tile URL template; empty for no tiles (LANTIAN_TILE_URL)")
	fs.StringVar(&c.TileCRS, "tile-crs", env("LANTIAN_TILE_CRS", c.TileCRS), "tile coordinate system: wgs84 or gcj02 (LANTIAN_TILE_CRS)")
	fs.StringVar(&c.TileAttribution, "tile-attribution", env("LANTIAN_TILE_ATTRIBUTION", c.TileAttribution), "attribution shown with tiles (LANTIAN_TILE_ATTRIBUTION)")
	fs.StringVar(&c.LogFormat, "log-format", env("LANTIAN_LOG_FORMAT", c.LogFormat), "log format: text or json (LANTIAN_LOG_FORMAT)")
	fs.StringVar(&c.CasePrefix, "case-prefix", env("LANTIAN_CASE_PREFIX", c.CasePrefix), "letters that start case numbers (LANTIAN_CASE_PREFIX)")
	grace := c.EscalationGrace
	if v, err := time.ParseDuration(env("LANTIAN_ESCALATION_GRACE", "")); err == nil {
		grace = v
	}
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("LANTIAN_TRUSTED_PROXIES", c.TrustedProxies), "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed, e.g. 127.0.0.1/32 (LANTIAN_TRUSTED_PROXIES)")
	jobs := c.JobsEvery
	if v, err := time.ParseDuration(env("LANTIAN_JOBS_EVERY", "")); err == nil {
		jobs = v
	}
	fs.DurationVar(&c.JobsEvery, "jobs-every", jobs, "how often the periodic jobs run (LANTIAN_JOBS_EVERY)")
	fs.DurationVar(&c.EscalationGrace, "escalation-grace", grace, "how long a community case may be overdue before it goes to the street (LANTIAN_ESCALATION_GRACE)")
}

// Validate checks the values and loads the time zone.
func (c *Config) Validate() (*time.Location, error) {
	if c.Lang != "zh-CN" && c.Lang != "en" {
		return nil, fmt.Errorf("--lang must be zh-CN or en, not %q", c.Lang)
	}
	if c.TileCRS != "wgs84" && c.TileCRS != "gcj02" {
		return nil, fmt.Errorf("--tile-crs must be wgs84 or gcj02, not %q", c.TileCRS)
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return nil, fmt.Errorf("--base-url must start with http:// or https://")
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if !casePrefix.MatchString(c.CasePrefix) {
		return nil, fmt.Errorf("--case-prefix must be 1 to 6 capital letters, not %q", c.CasePrefix)
	}
	if c.JobsEvery < time.Second {
		return nil, fmt.Errorf("--jobs-every must be at least 1s")
	}
	if c.EscalationGrace < 0 {
		return nil, fmt.Errorf("--escalation-grace must not be negative")
	}
	if _, err := ParseProxies(c.TrustedProxies); err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	loc, err := time.LoadLocation(c.TZ)
	if err != nil {
		return nil, fmt.Errorf("--tz: %w", err)
	}
	return loc, nil
}

var casePrefix = regexp.MustCompile(`^[A-Z]{1,6}$`)

// ParseProxies reads a comma-separated list of addresses (10.0.0.1, ::1) and
// CIDR ranges (10.0.0.0/8) as prefixes; a lone address is its own /32 or /128.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR range", part)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR range", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Secure reports whether cookies should carry the Secure flag.
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// PublicURL is the server's public address, for links that leave the
// request (a printed letter's QR code): BaseURL, else the address r came to.
func (c *Config) PublicURL(r *http.Request) string {
	if b := strings.TrimRight(c.BaseURL, "/"); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
