package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// signIn posts to /api/v1/tokens as if from the client at xff (behind the
// proxy) and returns the status, the Retry-After header and the body.
func signIn(t *testing.T, base, login, password, xff string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/tokens", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, login, password)))
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// TestSignInThrottleBehindProxy: behind a trusted proxy, a guesser blocks
// only themself; one account is one account whether named by username or by
// mobile; Retry-After tells how long the wait really is; and without a
// trusted proxy, X-Forwarded-For is ignored so a guesser cannot dodge the
// throttle by making addresses up.
func TestSignInThrottleBehindProxy(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		srv.App.Auth.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
		me, _, err := srv.App.DB.Credentials(context.Background(), "volunteer03")
		if err != nil || me.Mobile == "" {
			t.Fatalf("volunteer03: %v %q", err, me.Mobile)
		}

		for i := 1; i <= 5; i++ {
			login := "volunteer03"
			if i%2 == 0 {
				login = me.Mobile // the same account, by its mobile
			}
			if st, _, body := signIn(t, srv.URL, login, "wrong-"+strconv.Itoa(i), "10.1.1.1"); st != 401 {
				t.Fatalf("wrong password %d: %d %s", i, st, body)
			}
		}
		for _, login := range []string{"volunteer03", me.Mobile} {
			st, retry, body := signIn(t, srv.URL, login, "wrong-6", "10.1.1.1")
			if st != 429 || !strings.Contains(body, `"code":"too_many"`) || !strings.Contains(body, "15 分钟") {
				t.Fatalf("sixth wrong password as %s: %d %s", login, st, body)
			}
			if s, err := strconv.Atoi(retry); err != nil || s < 14*60 || s > 15*60 {
				t.Fatalf("Retry-After %q, want the ~900 s until the first failure leaves the 15-minute window", retry)
			}
		}
		// The right password from the guesser's address waits too…
		if st, _, _ := signIn(t, srv.URL, "volunteer03", demo.Password, "10.1.1.1"); st != 429 {
			t.Fatalf("right password from the guesser's address: %d, want 429", st)
		}
		// …but the owner, elsewhere, signs in, by username or mobile; the demo
		// password is below today's rules, so they are asked to change it.
		for _, login := range []string{"volunteer03", me.Mobile} {
			st, _, body := signIn(t, srv.URL, login, demo.Password, "10.2.2.2")
			if st != 201 || !strings.Contains(body, `"password_change_required":true`) {
				t.Fatalf("the owner from 10.2.2.2 as %s: %d %s", login, st, body)
			}
		}
		// A proxy chain: the rightmost address that is not a trusted proxy counts,
		// so a client cannot pick its own by writing one in front.
		if st, _, _ := signIn(t, srv.URL, "volunteer03", demo.Password, "10.2.2.2, 10.1.1.1"); st != 429 {
			t.Fatalf("a made-up address in front of the guesser's: %d, want 429", st)
		}

		// Without trusted proxies, X-Forwarded-For is the client's word: ignored.
		srv.App.Auth.TrustedProxies = nil
		for i := 1; i <= 5; i++ {
			if st, _, _ := signIn(t, srv.URL, "volunteer04", "wrong-"+strconv.Itoa(i), "10.5.5."+strconv.Itoa(i)); st != 401 {
				t.Fatalf("wrong password %d: %d", i, st)
			}
		}
		if st, _, _ := signIn(t, srv.URL, "volunteer04", demo.Password, "10.6.6.6"); st != 429 {
			t.Fatalf("made-up X-Forwarded-For from an untrusted peer escaped the throttle: %d", st)
		}
	})
}

// TestSignInAddressLimit: many accounts guessed from one address block that
// address (20 failures) and no other.
func TestSignInAddressLimit(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	srv.App.Auth.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	srv.App.Auth.Throttle.IPLimit = 20
	for i := 0; i < 20; i++ {
		if st, _, _ := signIn(t, srv.URL, fmt.Sprintf("nobody%02d", i), "wrong-password", "10.7.7.7"); st != 401 {
			t.Fatalf("failure %d: %d", i, st)
		}
	}
	if st, retry, _ := signIn(t, srv.URL, "admin", demo.Password, "10.7.7.7"); st != 429 || retry == "" {
		t.Fatalf("21st attempt from the address: %d (Retry-After %q), want 429", st, retry)
	}
	if st, _, _ := signIn(t, srv.URL, "admin", demo.Password, "10.7.7.8"); st != 201 {
		t.Fatalf("another address: %d, want 201", st)
	}
}

// TestPasswordRules: every door that sets a password refuses short, common
// and personal ones with a field error on password; the own-password change
// checks the current one and keeps the token in use.
func TestPasswordRules(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		grid := demo.GridCode(0, 2)
		person := func(username, mobile, pw string) string {
			return fmt.Sprintf(`{"username":%q,"name":"测试","mobile":%q,"password":%q,"roles":[{"role":"patroller","region":%q}]}`, username, mobile, pw, grid)
		}
		for _, tc := range []struct{ name, body, want string }{
			{"EightDigits", person("pw_a", "", "12345678"), "至少 10 位"},
			{"WordPassword", person("pw_b", "", "password"), "至少 10 位"},
			{"NineCharacters", person("pw_c", "", "demo-pass"), "至少 10 位"},
			{"CommonTen", person("pw_d", "", "1234567890"), "常见"},
			{"CommonAnyCase", person("pw_e", "", "QWERTYUIOP"), "常见"},
			{"Username", person("pw_username", "", "PW_USERNAME"), "用户名或手机号"},
			{"Mobile", person("pw_g", "13700002222", "13700002222"), "用户名或手机号"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := c.With(t)
				status, body := c.Do("admin", "POST", "/api/v1/people", tc.body)
				if status != 422 || !strings.Contains(body, `"password":"密码：`) || !strings.Contains(body, tc.want) {
					t.Fatalf("status %d, want 422 with fields.password saying %q:\n%s", status, tc.want, body)
				}
			})
		}
		status, body := c.Do("admin", "POST", "/api/v1/people", person("pw_ok", "", "gansu-lanzhou-7"))
		if status != 201 {
			t.Fatalf("a good password: %d %s", status, body)
		}
		var created struct{ ID int64 }
		json.Unmarshal([]byte(body), &created)
		patch := fmt.Sprintf("/api/v1/people/%d", created.ID)
		if status, body := c.Do("admin", "PATCH", patch, `{"password":"qwertyuiop"}`); status != 422 || !strings.Contains(body, `"password"`) {
			t.Fatalf("PATCH with a common password: %d %s", status, body)
		}
		if status, body := c.Do("admin", "PATCH", patch, `{"password":"short"}`); status != 422 || !strings.Contains(body, `"password"`) {
			t.Fatalf("PATCH with a short password: %d %s", status, body)
		}
		if st, _, body := signIn(t, srv.URL, "pw_ok", "gansu-lanzhou-7", ""); st != 201 || strings.Contains(body, "password_change_required") {
			t.Fatalf("sign-in with a good password: %d %s", st, body)
		}

		// Changing one's own password: the demo password still works and is asked to be changed.
		for _, tc := range []struct {
			name, body, field string
			status            int
		}{
			{"WrongCurrent", `{"current":"nope","password":"lanzhou-gansu-8"}`, "current", 422},
			{"Short", `{"current":"` + demo.Password + `","password":"12345678"}`, "password", 422},
			{"Common", `{"current":"` + demo.Password + `","password":"1234567890"}`, "password", 422},
		} {
			t.Run("Me"+tc.name, func(t *testing.T) {
				c := c.With(t)
				status, body := c.Do("patrol01", "POST", "/api/v1/me/password", tc.body)
				if status != tc.status || !strings.Contains(body, `"`+tc.field+`":`) {
					t.Fatalf("status %d, want %d with fields.%s:\n%s", status, tc.status, tc.field, body)
				}
			})
		}
		if status, body := c.Do("patrol01", "POST", "/api/v1/me/password", `{"current":"`+demo.Password+`","password":"lanzhou-gansu-8"}`); status != 204 {
			t.Fatalf("own password change: %d %s", status, body)
		}
		if status, _ := c.Do("patrol01", "GET", "/api/v1/me", ""); status != 200 {
			t.Fatalf("the token in use ended with the password change: %d", status)
		}
		if st, _, _ := signIn(t, srv.URL, "patrol01", demo.Password, ""); st != 401 {
			t.Fatalf("the old password still works: %d", st)
		}
		if st, _, body := signIn(t, srv.URL, "patrol01", "lanzhou-gansu-8", ""); st != 201 || strings.Contains(body, "password_change_required") {
			t.Fatalf("the new password: %d %s", st, body)
		}
	})
}
