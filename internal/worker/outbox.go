package worker

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/store"
)

// Outbox delivery: a dispatcher finds the channels with messages due (when
// a commit wakes it, and every Poll), and runs one goroutine per such
// channel that claims its messages one at a time, oldest first, sends each
// and records the answer. A slow or failing channel therefore holds up only
// itself: each send has a timeout, a failure rests the channel a little
// (messages.ChannelRest) and the message itself waits its back-off.

// Timeouts and periods of delivery.
const (
	// SendTimeout bounds one HTTP send to a robot or webhook.
	SendTimeout = 10 * time.Second
	// MailTimeout bounds one SMTP conversation.
	MailTimeout = 30 * time.Second
	// OutboxPoll is how often the dispatcher looks for due messages without being woken.
	OutboxPoll = 2 * time.Second
	// OutboxKeep is how long sent and discarded messages stay listed.
	OutboxKeep = 90 * 24 * time.Hour
	// maxAnswer bounds how much of a channel's answer is read.
	maxAnswer = 64 << 10
)

// Outbox delivers the work group's outbox.
type Outbox struct {
	App  *app.App
	Now  func() time.Time
	HTTP *http.Client
	// TLS, when set, is the TLS configuration for SMTP (tests give the roots
	// of their own mail server); nil uses the system's roots.
	TLS  *tls.Config
	Poll time.Duration
	// Parallel bounds the messages in flight at once on PostgreSQL, where
	// each holds a connection while it is sent.
	Parallel int
	Log      *slog.Logger

	mu        sync.Mutex
	running   map[int64]bool
	notBefore map[int64]time.Time
	sem       chan struct{}
	again     chan struct{}
	wg        sync.WaitGroup
}

// NewOutbox returns the delivery worker of a.
func NewOutbox(a *app.App) *Outbox {
	client := &http.Client{Timeout: SendTimeout,
		// A robot's answer is the one it gives: a redirect is not followed (it would be an unchecked destination).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Outbox{App: a, Now: time.Now, HTTP: client, Poll: OutboxPoll, Parallel: 8, Log: a.Log}
}

func (o *Outbox) init() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.running == nil {
		o.running, o.notBefore = map[int64]bool{}, map[int64]time.Time{}
		o.sem = make(chan struct{}, max(o.Parallel, 1))
		o.again = make(chan struct{}, 1)
	}
}

// Run delivers until ctx ends, then waits for the sends in flight.
func (o *Outbox) Run(ctx context.Context) {
	o.init()
	if o.App.DB.Dialect == store.SQLite {
		// One server owns a SQLite file: leases left by a server that died are its own.
		if n, err := o.App.DB.ReleaseLeases(ctx); err != nil {
			o.Log.Warn("outbox: releasing leases failed", "err", err)
		} else if n > 0 {
			o.Log.Info("outbox: messages left in flight by the last run are due again", "count", n)
		}
	}
	t := time.NewTicker(o.Poll)
	defer t.Stop()
	defer o.wg.Wait()
	var swept time.Time
	for {
		o.dispatch(ctx)
		if time.Since(swept) > time.Hour {
			if n, err := o.App.DB.SweepOutbox(ctx, o.Now().Add(-OutboxKeep)); err != nil && ctx.Err() == nil {
				o.Log.Warn("outbox sweep failed", "err", err)
			} else if n > 0 {
				o.Log.Info("old outbox messages removed", "count", n)
			}
			swept = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-o.App.OutboxWake:
		case <-o.again:
		case <-t.C:
		}
	}
}

// dispatch starts a drain for every channel with messages due that is not
// draining already nor waiting out its rate limit.
func (o *Outbox) dispatch(ctx context.Context) {
	now := o.Now()
	ids, err := o.App.DB.DueChannels(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			o.Log.Warn("outbox: finding due messages failed", "err", err)
		}
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		if o.running[id] || now.Before(o.notBefore[id]) {
			continue
		}
		o.running[id] = true
		o.wg.Add(1)
		go func(id int64) {
			defer o.wg.Done()
			n, wait, err := o.Drain(ctx, id)
			if err != nil && ctx.Err() == nil {
				o.Log.Warn("outbox: delivery failed", "channel", id, "err", err)
			}
			o.mu.Lock()
			o.running[id] = false
			if wait > 0 {
				o.notBefore[id] = o.Now().Add(wait)
			} else {
				delete(o.notBefore, id)
			}
			o.mu.Unlock()
			if n > 0 {
				// Messages may have arrived while this channel drained: look again now.
				select {
				case o.again <- struct{}{}:
				default:
				}
			}
		}(id)
	}
}

// Drain sends channel's messages due now, one at a time, until none is due
// or the channel must wait (its rate limit, or a rest after a failure). It
// returns how many it sent and, when the channel must wait, for how long.
func (o *Outbox) Drain(ctx context.Context, channel int64) (int, time.Duration, error) {
	o.init()
	sent := 0
	for ctx.Err() == nil {
		select {
		case o.sem <- struct{}{}:
		case <-ctx.Done():
			return sent, 0, nil
		}
		d, wait, err := o.App.DB.Claim(ctx, channel, o.Now())
		if err != nil || d == nil {
			<-o.sem
			return sent, wait, err
		}
		ok, err := o.deliver(ctx, d)
		<-o.sem
		if err != nil {
			return sent, 0, err
		}
		if ok {
			sent++
		}
	}
	return sent, 0, nil
}

// DeliverDue drains every channel with messages due now, one after the
// other, and returns how many messages were sent (for tests and tools; the
// server runs Run).
func (o *Outbox) DeliverDue(ctx context.Context) (int, error) {
	ids, err := o.App.DB.DueChannels(ctx, o.Now())
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range ids {
		n, _, err := o.Drain(ctx, id)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// deliver sends one claimed message and records what happened; it reports
// whether the message was sent.
func (o *Outbox) deliver(ctx context.Context, d *store.Delivery) (bool, error) {
	it, ch := d.Item, d.Channel.Channel
	now := o.Now()
	lang := o.App.Cfg.Lang
	to := []string(nil)
	if r := d.Recipient; r != nil {
		if !r.Active || r.Email == "" {
			return false, d.Drop(ctx, "no e-mail address")
		}
		st := messages.Settings{QuietFrom: r.QuietFrom, QuietTo: r.QuietTo}
		if until, quiet := st.QuietUntil(now, o.App.Loc); quiet {
			return false, d.Defer(ctx, until)
		}
		if locale.IsLang(r.Lang) {
			lang = r.Lang
		}
		to = []string{r.Email}
	}
	msg := Compose(it, lang, o.App.Cfg.BaseURL, o.App.Loc)
	var out messages.Outcome
	if ch.Kind == messages.SMTP {
		if to == nil {
			u, _ := url.Parse(ch.URL)
			to = messages.MailTo(u)
		}
		out = o.mail(ctx, ch, msg, to, now)
	} else {
		out = o.post(ctx, ch, msg, now)
	}
	if ctx.Err() != nil {
		// Stopping: the message was maybe not sent; it goes again next time, with the same key.
		return false, d.Abort(ctx)
	}
	done := o.Now()
	if out.OK {
		return true, d.Sent(ctx, done)
	}
	attempts := it.Attempts + 1
	next, dead := messages.Retry(it.Since, done, attempts)
	rest := done.Add(min(messages.Backoff(attempts), messages.ChannelRest))
	if out.Block > 0 {
		rest = done.Add(out.Block)
		if !dead && next.Before(rest) {
			next = rest
		}
	}
	return false, d.Failed(ctx, out.Error, next, dead, rest)
}

// post sends msg to a robot or webhook and judges the answer.
func (o *Outbox) post(ctx context.Context, ch messages.Channel, msg messages.Message, now time.Time) messages.Outcome {
	req, err := messages.Build(ch, msg, now)
	if err != nil {
		return messages.Outcome{Error: err.Error()}
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return messages.Outcome{Error: "bad URL"}
	}
	hr.Header = req.Header
	resp, err := o.HTTP.Do(hr)
	if err != nil {
		return messages.Outcome{Error: safeErr(err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return messages.Judge(ch.Kind, resp.StatusCode, body)
}

// safeErr is an error's text without the URL a *url.Error carries (a robot's key is in it).
func safeErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// mail sends msg over SMTP: smtps:// speaks TLS from the start; smtp://
// upgrades with STARTTLS whenever the server offers it (and must, to sign
// in). The user is the URL's, the password the channel's secret.
func (o *Outbox) mail(ctx context.Context, ch messages.Channel, msg messages.Message, to []string, now time.Time) messages.Outcome {
	fail := func(err error) messages.Outcome { return messages.Outcome{Error: "smtp: " + err.Error()} }
	if len(to) == 0 {
		return messages.Outcome{Error: "smtp: no recipient"}
	}
	u, err := url.Parse(ch.URL)
	if err != nil {
		return fail(err)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme]
	}
	tc := &tls.Config{ServerName: host}
	if o.TLS != nil {
		tc = o.TLS.Clone()
		tc.ServerName = host
	}
	dctx, cancel := context.WithTimeout(ctx, MailTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	deadline, _ := dctx.Deadline()
	conn.SetDeadline(deadline)
	if u.Scheme == "smtps" {
		conn = tls.Client(conn, tc)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fail(err)
	}
	defer c.Close()
	if err := c.Hello(o.hostname()); err != nil {
		return fail(err)
	}
	if u.Scheme == "smtp" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tc); err != nil {
				return fail(err)
			}
		}
	}
	if u.User != nil && u.User.Username() != "" {
		if err := c.Auth(smtp.PlainAuth("", u.User.Username(), ch.Secret, host)); err != nil {
			return fail(err)
		}
	}
	from := u.Query().Get("from")
	m := messages.BuildMail(msg, from, to, o.hostname(), now)
	if err := c.Mail(m.From); err != nil {
		return fail(err)
	}
	for _, t := range m.To {
		if err := c.Rcpt(t); err != nil {
			return fail(fmt.Errorf("%s: %w", t, err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return fail(err)
	}
	if _, err := w.Write(m.Data); err != nil {
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	c.Quit()
	return messages.Outcome{OK: true}
}

// hostname names this server to mail servers and in Message-IDs: the host
// of --base-url, else "lantian.invalid".
func (o *Outbox) hostname() string {
	if u, err := url.Parse(o.App.Cfg.BaseURL); err == nil && u.Hostname() != "" {
		return strings.ToLower(u.Hostname())
	}
	return "lantian.invalid"
}
