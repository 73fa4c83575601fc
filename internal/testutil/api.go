package testutil

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
)

// API is a client of the JSON API for tests. It signs a demo person in
// with demo.Password the first time it sends as them and keeps the token.
type API struct {
	tb     testing.TB
	base   string
	tokens map[string]string
}

// NewAPI returns a client of the API served at base.
func NewAPI(tb testing.TB, base string) *API {
	return &API{tb: tb, base: base, tokens: map[string]string{}}
}

// API returns a client of the server's API.
func (s *Server) API(tb testing.TB) *API { return NewAPI(tb, s.URL) }

// With returns c reporting to tb, a subtest, with the tokens it holds.
func (c *API) With(tb testing.TB) *API {
	cp := *c
	cp.tb = tb
	return &cp
}

// SignIn signs user in with password and keeps the token for their requests.
func (c *API) SignIn(user, password string) string {
	c.tb.Helper()
	status, body := c.Do("", "POST", "/api/v1/tokens", fmt.Sprintf(`{"username":%q,"password":%q}`, user, password))
	var out struct{ Token string }
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &out) != nil || out.Token == "" {
		c.tb.Fatalf("token for %s: %d %s", user, status, body)
	}
	c.tokens[user] = out.Token
	return out.Token
}

// Token returns user's token, signing them in with demo.Password the first time.
func (c *API) Token(user string) string {
	c.tb.Helper()
	if tok, ok := c.tokens[user]; ok {
		return tok
	}
	return c.SignIn(user, demo.Password)
}

// Do sends body as JSON (no body when empty) as user (no token when
// empty), with header given as name, value pairs, and returns the status
// and the answer.
func (c *API) Do(user, method, path, body string, header ...string) (int, string) {
	c.tb.Helper()
	if body == "" {
		return c.Send(user, method, path, "", nil, header...)
	}
	return c.Send(user, method, path, "application/json", strings.NewReader(body), header...)
}

// Send sends body of contentType (none when empty) as user, with header
// given as name, value pairs, and returns the status and the answer.
func (c *API) Send(user, method, path, contentType string, body io.Reader, header ...string) (int, string) {
	c.tb.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token(user))
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Post posts a multipart form (fields and files) to path as user.
func (c *API) Post(user, path string, fields map[string][]string, files ...File) (int, string) {
	c.tb.Helper()
	body, contentType := Multipart(fields, files...)
	return c.Send(user, "POST", path, contentType, body)
}

// APIError is the error part of an API answer.
type APIError struct {
	Code    string
	Message string
	Fields  map[string]string
}

// ErrorOf reads the error of an API answer (zero when it has none).
func ErrorOf(body string) APIError {
	var out struct{ Error APIError }
	json.Unmarshal([]byte(body), &out)
	return out.Error
}

// Expect sends body as JSON as user (see Do) and fails the test unless the
// answer has status and holds every text of want; it returns the answer.
func (c *API) Expect(user, method, path, body string, status int, want ...string) string {
	c.tb.Helper()
	got, out := c.Do(user, method, path, body)
	if got != status {
		c.tb.Fatalf("%s %s as %s: %d, want %d\n%s", method, path, user, got, status, trunc(out))
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			c.tb.Fatalf("%s %s: answer lacks %q\n%s", method, path, w, trunc(out))
		}
	}
	return out
}

// trunc shortens an answer for a test's message.
func trunc(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
