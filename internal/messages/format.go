package messages

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one outbound message in words, the same for every kind of
// channel: a title, short lines (a long list is cut to fit with More), and
// a link to the record. The worker fills it from the outbox row.
type Message struct {
	ID     int64  // the outbox row: the webhook's id and every attempt's Idempotency-Key
	Event  Event  // what happened
	Title  string // one line
	Lines  []string
	URL    string // the record's page, absolute; "" when the server's address is not configured
	Link   string // the link's words ("查看详情")
	More   string // a format with one %d: what replaces the lines cut ("等 %d 项")
	Hidden int    // items of the list left out before it came here (they count in More)
	Record *RecordRef
}

// RecordRef names a message's record in a webhook body.
type RecordRef struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Size limits of the robots, in bytes of the content (DESIGN.md §6). WeCom
// documents 4096 for markdown; DingTalk is held to the same, which keeps a
// group message short enough to read on a phone.
const (
	WeComMarkdownMax    = 4096
	DingTalkMarkdownMax = 4096
	// LineMax bounds one line, in runes, before the list is cut.
	LineMax = 200
)

// Request is an HTTP request to make: the URL to POST to, its headers and body.
type Request struct {
	URL    string
	Header http.Header
	Body   []byte
}

// Build makes the HTTP request that sends m to channel c (a robot or a
// webhook) at now: the body in the kind's format, cut to its size limit,
// and the signature its receiver checks.
func Build(c Channel, m Message, now time.Time) (Request, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	switch c.Kind {
	case WeCom:
		content := fit(m, WeComMarkdownMax, func(lines []string) string { return markdown(m, lines, "\n") })
		body, err := marshal(weComBody{MsgType: "markdown", Markdown: weComMarkdown{Content: content}})
		return Request{URL: c.URL, Header: h, Body: body}, err
	case DingTalk:
		text := fit(m, DingTalkMarkdownMax, func(lines []string) string { return markdown(m, lines, "\n\n") })
		body, err := marshal(dingTalkBody{MsgType: "markdown", Markdown: dingTalkMarkdown{Title: m.Title, Text: text}})
		u := c.URL
		if c.Secret != "" {
			u = DingTalkSign(c.URL, c.Secret, now)
		}
		return Request{URL: u, Header: h, Body: body}, err
	case Webhook:
		body, err := marshal(webhookBody{ID: strconv.FormatInt(m.ID, 10), Event: string(m.Event), Text: PlainText(m), URL: m.URL, Record: m.Record})
		if err != nil {
			return Request{}, err
		}
		h.Set("Idempotency-Key", strconv.FormatInt(m.ID, 10))
		h.Set("X-Lantian-Event", string(m.Event))
		h.Set("X-Lantian-Signature", "sha256="+Sign(c.Secret, body))
		return Request{URL: c.URL, Header: h, Body: body}, nil
	}
	return Request{}, fmt.Errorf("messages: no HTTP request for a %s channel", c.Kind)
}

// The robots' bodies, fields in the order their documentation shows them.
type (
	weComBody struct {
		MsgType  string        `json:"msgtype"`
		Markdown weComMarkdown `json:"markdown"`
	}
	weComMarkdown struct {
		Content string `json:"content"`
	}
	dingTalkBody struct {
		MsgType  string           `json:"msgtype"`
		Markdown dingTalkMarkdown `json:"markdown"`
	}
	dingTalkMarkdown struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	}
)

// webhookBody is the JSON a webhook receives.
type webhookBody struct {
	ID     string     `json:"id"`
	Event  string     `json:"event"`
	Text   string     `json:"text"`
	URL    string     `json:"url"`
	Record *RecordRef `json:"record"`
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Sign returns the lowercase hex HMAC-SHA256 of body under secret, the
// value of a webhook's X-Lantian-Signature after "sha256=".
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// DingTalkSign appends DingTalk's timestamp and signature to a robot URL:
// sign = urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret))),
// the timestamp in Unix milliseconds (DESIGN.md §6).
func DingTalkSign(raw, secret string, now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	sign := url.QueryEscape(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + "timestamp=" + ts + "&sign=" + sign
}

// markdown renders m with lines for a robot: the title in bold, a line
// each, the link last; sep separates lines (DingTalk wants blank lines).
func markdown(m Message, lines []string, sep string) string {
	var b strings.Builder
	b.WriteString("**" + mdEscape(m.Title) + "**")
	for _, l := range lines {
		b.WriteString(sep + mdEscape(l))
	}
	if m.URL != "" {
		b.WriteString(sep + "[" + mdEscape(m.Link) + "](" + m.URL + ")")
	}
	return b.String()
}

// mdEscape keeps user text from turning into markdown links or emphasis.
var mdEscape = strings.NewReplacer("*", "\\*", "[", "【", "]", "】", "`", "'", "<", "＜", ">", "＞").Replace

// PlainText is m as plain text: the title, the lines, the link (for
// webhooks and e-mail, which have no size limit worth cutting for; long
// lines are still shortened).
func PlainText(m Message) string {
	var b strings.Builder
	b.WriteString(m.Title)
	for _, l := range m.Lines {
		b.WriteString("\n" + Shorten(l, LineMax))
	}
	if m.Hidden > 0 {
		b.WriteString("\n" + fmt.Sprintf(m.More, m.Hidden))
	}
	if m.URL != "" {
		b.WriteString("\n" + m.URL)
	}
	return b.String()
}

// fit renders m's lines with render, dropping lines from the end (and
// saying how many with m.More) until the result is at most max bytes.
func fit(m Message, max int, render func([]string) string) string {
	lines := make([]string, len(m.Lines))
	for i, l := range m.Lines {
		lines[i] = Shorten(l, LineMax)
	}
	with := func(keep int) []string {
		if hidden := len(lines) - keep + m.Hidden; hidden > 0 {
			return append(lines[:keep:keep], fmt.Sprintf(m.More, hidden))
		}
		return lines
	}
	s := render(with(len(lines)))
	for keep := len(lines) - 1; len(s) > max && keep >= 0; keep-- {
		s = render(with(keep))
	}
	if len(s) > max {
		// Even the title alone is too long: cut bytes at a rune boundary.
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// Shorten cuts s to at most n runes, ending in "…" when cut.
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Mail is an e-mail ready for SMTP: envelope and message.
type Mail struct {
	From string
	To   []string
	Data []byte // the RFC 5322 message, CRLF line ends
}

// BuildMail makes the e-mail that sends m from from to the addresses to,
// dated now; host names the sending server in the Message-ID, which is the
// same on every attempt so that a copy sent again after a crash can be
// recognised as one.
func BuildMail(m Message, from string, to []string, host string, now time.Time) Mail {
	var b strings.Builder
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", from)
	hdr("To", strings.Join(to, ", "))
	hdr("Subject", mime.BEncoding.Encode("UTF-8", m.Title))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", "<lantian-"+strconv.FormatInt(m.ID, 10)+"@"+host+">")
	hdr("X-Lantian-Event", string(m.Event))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(PlainText(m), "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return Mail{From: from, To: to, Data: []byte(b.String())}
}

// Outcome is what a channel's answer means for the message.
type Outcome struct {
	OK    bool
	Error string        // why not, for the outbox's last error
	Block time.Duration // how long the channel must rest (a robot's rate limit)
}

// Robots' errcodes that mean "too many messages".
const (
	DingTalkThrottled = 130101 // sent too fast: blocked for 10 minutes
	WeComThrottled    = 45009  // over the per-minute limit
)

// DingTalkBlock is how long DingTalk blocks a robot that sent too fast.
const DingTalkBlock = 10 * time.Minute

// Judge reads a channel's HTTP answer. Any 2xx is success for a webhook;
// robots answer 200 even on failure, so their body's errcode must be 0.
func Judge(k Kind, status int, body []byte) Outcome {
	if status < 200 || status > 299 {
		return Outcome{Error: fmt.Sprintf("HTTP %d: %s", status, Shorten(strings.TrimSpace(string(body)), 200))}
	}
	if k != WeCom && k != DingTalk {
		return Outcome{OK: true}
	}
	var r struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.ErrCode == nil {
		return Outcome{Error: "no errcode in the answer: " + Shorten(strings.TrimSpace(string(body)), 200)}
	}
	if *r.ErrCode == 0 {
		return Outcome{OK: true}
	}
	o := Outcome{Error: fmt.Sprintf("errcode %d: %s", *r.ErrCode, Shorten(r.ErrMsg, 200))}
	switch {
	case k == DingTalk && *r.ErrCode == DingTalkThrottled:
		o.Block = DingTalkBlock
	case k == WeCom && *r.ErrCode == WeComThrottled:
		o.Block = time.Minute
	}
	return o
}
