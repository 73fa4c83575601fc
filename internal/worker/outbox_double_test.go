package worker_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// double is a local stand-in for the robots and webhook receivers: it
// records every request and answers what the test says.
type double struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(r *http.Request, body []byte) (int, string) // nil: 200 {"errcode":0,"errmsg":"ok"}
}

// received is one request the double took.
type received struct {
	Path   string
	Query  map[string][]string
	Header http.Header
	Body   []byte
	At     time.Time
}

func newDouble(t *testing.T) *double {
	d := &double{}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d.mu.Lock()
		d.got = append(d.got, received{Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body, At: time.Now()})
		answer := d.answer
		d.mu.Unlock()
		status, text := 200, `{"errcode":0,"errmsg":"ok"}`
		if answer != nil {
			status, text = answer(r, body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, text)
	}))
	t.Cleanup(d.Close)
	return d
}

// requests returns what the double received on path so far.
func (d *double) requests(path string) []received {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []received
	for _, r := range d.got {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (d *double) setAnswer(fn func(r *http.Request, body []byte) (int, string)) {
	d.mu.Lock()
	d.answer = fn
	d.mu.Unlock()
}

// mailServer is a tiny SMTP server for the tests: EHLO, optional STARTTLS,
// AUTH PLAIN, MAIL, RCPT, DATA, QUIT. It records each message.
type mailServer struct {
	ln    net.Listener
	tls   *tls.Config // offered through STARTTLS when set
	roots *x509.CertPool
	mu    sync.Mutex
	mails []mailGot
}

// mailGot is one message the server took.
type mailGot struct {
	From string
	To   []string
	Data string
	TLS  bool
	Auth string // the decoded AUTH PLAIN response
}

func newMailServer(t *testing.T, withTLS bool) *mailServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mailServer{ln: ln}
	if withTLS {
		// Borrow httptest's certificate for 127.0.0.1 and the pool that trusts it.
		ts := httptest.NewTLSServer(http.NotFoundHandler())
		m.tls = &tls.Config{Certificates: ts.TLS.Certificates}
		m.roots = ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
		ts.Close()
	}
	go m.serve()
	t.Cleanup(func() { ln.Close() })
	return m
}

func (m *mailServer) addr() string { return m.ln.Addr().String() }

func (m *mailServer) got() []mailGot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailGot(nil), m.mails...)
}

func (m *mailServer) serve() {
	for {
		c, err := m.ln.Accept()
		if err != nil {
			return
		}
		go m.session(c)
	}
}

func (m *mailServer) session(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 test ESMTP")
	var cur mailGot
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.Fields(line + " x")[0])
		switch cmd {
		case "EHLO", "HELO":
			if m.tls != nil && !cur.TLS {
				tp.PrintfLine("250-test")
				tp.PrintfLine("250-STARTTLS")
				tp.PrintfLine("250 AUTH PLAIN")
			} else {
				tp.PrintfLine("250-test")
				tp.PrintfLine("250 AUTH PLAIN")
			}
		case "STARTTLS":
			tp.PrintfLine("220 go ahead")
			tc := tls.Server(c, m.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c = tc
			tp = textproto.NewConn(tc)
			cur.TLS = true
		case "AUTH":
			parts := strings.Fields(line)
			if len(parts) == 3 {
				b, _ := base64.StdEncoding.DecodeString(parts[2])
				cur.Auth = string(b)
			}
			tp.PrintfLine("235 ok")
		case "MAIL":
			cur.From = strings.Trim(line[len("MAIL FROM:"):], "<> ")
			tp.PrintfLine("250 ok")
		case "RCPT":
			cur.To = append(cur.To, strings.Trim(line[len("RCPT TO:"):], "<> "))
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(data)
			m.mu.Lock()
			m.mails = append(m.mails, cur)
			m.mu.Unlock()
			cur = mailGot{TLS: cur.TLS}
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("250 ok")
		}
	}
}

// readBody decodes a base64 text/plain mail body.
func readBody(data string) string {
	_, body, _ := strings.Cut(data, "\n\n")
	b, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.ReplaceAll(body, "\n", ""), "\r", ""))
	return string(b)
}
