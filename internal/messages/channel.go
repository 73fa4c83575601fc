package messages

import (
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

// Kind is the kind of an outbound channel.
type Kind string

// The channel kinds.
const (
	WeCom    Kind = "wecom"    // a WeCom (企业微信) group robot
	DingTalk Kind = "dingtalk" // a DingTalk (钉钉) custom robot, signed when it has a secret
	SMTP     Kind = "smtp"     // an SMTP server: group e-mail, and people's own e-mail
	Webhook  Kind = "webhook"  // a generic JSON webhook signed with HMAC-SHA256
)

// Kinds lists the channel kinds in the order forms show them.
var Kinds = []Kind{WeCom, DingTalk, SMTP, Webhook}

// Limits of a channel's fields.
const (
	MaxChannelName = 60
	MaxURL         = 2000
	MaxSecret      = 200
	MaxRecipients  = 50 // addresses in an SMTP channel's to=
)

// Channel is an outbound destination configured for a region: a
// community's WeCom group robot, the street's DingTalk group, the office's
// mail server. Secret is write-only: it is stored and used to sign, and
// never shown again (HasSecret says whether one is set).
type Channel struct {
	ID        int64
	Kind      Kind
	Name      string
	URL       string
	Secret    string
	HasSecret bool
	Region    string
	Events    []Event
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Robot reports whether the channel is a group robot (rate-limited, answers with errcode).
func (c Channel) Robot() bool { return c.Kind == WeCom || c.Kind == DingTalk }

// Normalize trims the fields and sorts the events into the form order, once each.
func (c *Channel) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.URL = strings.TrimSpace(c.URL)
	c.Region = strings.TrimSpace(c.Region)
	var evs []Event
	for _, e := range Events {
		if slices.Contains(c.Events, e) {
			evs = append(evs, e)
		}
	}
	for _, e := range c.Events {
		if !KnownEvent(e) && !slices.Contains(evs, e) {
			evs = append(evs, e) // kept so that Validate names it
		}
	}
	c.Events = evs
}

// Validate checks a channel before it is stored. A webhook must have a
// secret (its receiver checks the signature); the caller passes the stored
// one's presence in HasSecret when an update leaves Secret empty.
func (c Channel) Validate() error {
	f := apperr.Fields{}
	if !slices.Contains(Kinds, c.Kind) {
		f.Add("kind", "err.messages.channel_kind")
	}
	switch n := utf8.RuneCountInString(c.Name); {
	case n == 0:
		f.Add("name", "err.required")
	case n > MaxChannelName:
		f.Add("name", "err.too_long", MaxChannelName)
	}
	if key, args := checkURL(c.Kind, c.URL); key != "" {
		f.Add("url", key, args...)
	} else if c.Kind == SMTP && len(c.Events) > 0 {
		if u, _ := url.Parse(c.URL); len(MailTo(u)) == 0 {
			f.Add("url", "err.messages.url_to_needed")
		}
	}
	if utf8.RuneCountInString(c.Secret) > MaxSecret {
		f.Add("secret", "err.too_long", MaxSecret)
	} else if c.Kind == Webhook && c.Secret == "" && !c.HasSecret {
		f.Add("secret", "err.messages.secret_required")
	}
	if c.Region == "" {
		f.Add("region", "err.required")
	} else if !region.ValidCode(c.Region) {
		f.Add("region", "err.region_code")
	}
	for _, e := range c.Events {
		if !KnownEvent(e) {
			f.Add("events", "err.messages.event_unknown", string(e))
		}
	}
	return f.Err()
}

// checkURL returns the message key (and its arguments) of what is wrong
// with a channel's URL for its kind, or "". Robots and webhooks take http
// or https; an SMTP channel takes smtp:// (STARTTLS) or smtps:// (TLS)
// with the sender in from= and, for group e-mail, the addresses in to=.
func checkURL(k Kind, raw string) (string, []any) {
	if raw == "" {
		return "err.required", nil
	}
	if utf8.RuneCountInString(raw) > MaxURL {
		return "err.too_long", []any{MaxURL}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "err.messages.url", nil
	}
	if k != SMTP {
		if u.Scheme != "http" && u.Scheme != "https" {
			return "err.messages.url_http", nil
		}
		if u.User != nil {
			return "err.messages.url_userinfo", nil
		}
		return "", nil
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return "err.messages.url_smtp", nil
	}
	if _, has := u.User.Password(); has {
		return "err.messages.url_password", nil
	}
	q := u.Query()
	if a, err := mail.ParseAddress(q.Get("from")); err != nil || a.Address != q.Get("from") {
		return "err.messages.url_from", nil
	}
	to := MailTo(u)
	if len(to) > MaxRecipients {
		return "err.messages.url_to_many", []any{MaxRecipients}
	}
	for _, t := range to {
		if a, err := mail.ParseAddress(t); err != nil || a.Address != t {
			return "err.messages.url_to", []any{t}
		}
	}
	return "", nil
}

// MailTo returns the group addresses of an SMTP channel's URL (to=, comma-separated).
func MailTo(u *url.URL) []string {
	var out []string
	for _, v := range u.Query()["to"] {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				out = append(out, a)
			}
		}
	}
	return out
}

// sensitive lists the query parameters that carry a robot's credential.
var sensitive = []string{"key", "access_token", "token", "secret", "sign", "password"}

// MaskedURL returns the channel's URL for display: a robot's key or access
// token is its credential, so its value is hidden like the secret.
func (c Channel) MaskedURL() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return ""
	}
	q := u.Query()
	changed := false
	for _, k := range sensitive {
		if q.Has(k) {
			q.Set(k, "****")
			changed = true
		}
	}
	if changed {
		u.RawQuery = strings.ReplaceAll(q.Encode(), "%2A", "*")
	}
	return u.String()
}
