package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestAddRoleNeedsFullScope: a leader who can see a person through one role
// in their community cannot add or remove roles when the person also holds
// roles beyond it (here the district admin), on the page as in the API.
func TestAddRoleNeedsFullScope(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		ctx := context.Background()
		admin, _, err := srv.App.DB.Credentials(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		// The district admin also patrols a grid of community 1, so its leader can see them.
		patrol := people.Assignment{PersonID: admin.ID, Role: people.Patroller, Region: demo.GridCode(0, 0)}
		if err := srv.App.DB.AddRole(ctx, store.System, &patrol); err != nil {
			t.Fatal(err)
		}
		leader := newBrowser(t, srv.URL)
		leader.login("community1")
		page := "/people/" + strconv.FormatInt(admin.ID, 10)
		if status, body := leader.get(page); status != http.StatusOK || strings.Contains(body, `action="`+page+`/roles"`) {
			t.Fatalf("the leader sees the admin's page (%d) with a role form", status)
		}
		status, _, _ := leader.post(page+"/roles", url.Values{"role": {"volunteer"}, "region": {demo.CommunityCode(0)}})
		if status != http.StatusForbidden {
			t.Errorf("community leader adds a role to the district admin: %d, want 403", status)
		}
		status, _, _ = leader.post(fmt.Sprintf("%s/roles/%d/delete", page, patrol.ID), nil)
		if status != http.StatusForbidden {
			t.Errorf("community leader removes a role of the district admin: %d, want 403", status)
		}
		p, err := srv.App.DB.Person(ctx, admin.ID)
		if err != nil || len(p.Roles) != 2 {
			t.Fatalf("the admin's roles changed: %+v %v", p.Roles, err)
		}
		// The API answers the same.
		req, _ := http.NewRequest("PATCH", srv.URL+"/api/v1/people/"+strconv.FormatInt(admin.ID, 10), strings.NewReader(`{"name":"改名"}`))
		req.Header.Set("Authorization", "Bearer "+apiToken(t, srv.URL, "community1"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("API PATCH of the district admin by a community leader: %d, want 403", resp.StatusCode)
		}
		// A person wholly inside the community: the leader adds a role.
		pat, _, err := srv.App.DB.Credentials(ctx, "patrol01")
		if err != nil {
			t.Fatal(err)
		}
		own := "/people/" + strconv.FormatInt(pat.ID, 10)
		if status, _, _ := leader.post(own+"/roles", url.Values{"role": {"volunteer"}, "region": {demo.CommunityCode(0)}}); status != http.StatusSeeOther {
			t.Errorf("community leader adds a role to their own patroller: %d, want 303", status)
		}
	})
}

// apiToken signs user in through the API.
func apiToken(t *testing.T, base, user string) string {
	t.Helper()
	resp, err := http.Post(base+"/api/v1/tokens", "application/json", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, demo.Password)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("token for %s: %d %v", user, resp.StatusCode, err)
	}
	return out.Token
}

// TestWeakPasswordNotice: signing in with a password below today's rules
// works and shows a notice asking for a change; a good one shows none.
func TestWeakPasswordNotice(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	b := newBrowser(t, srv.URL)
	b.login("patrol01")
	if _, home := b.get("/"); !strings.Contains(home, "您的密码已不符合现行要求") {
		t.Fatal("no notice after signing in with the demo password")
	}
	if _, again := b.get("/"); strings.Contains(again, "您的密码已不符合现行要求") {
		t.Error("the notice is shown twice")
	}
	if _, profile := b.get("/profile"); !strings.Contains(profile, "至少 10 位") {
		t.Error("the profile page does not state the rule")
	}
	for _, tc := range []struct{ pw, want string }{
		{"12345678", "新密码：至少 10 位"},
		{"1234567890", "新密码：是最常见的密码之一"},
		{"Patrol01", "至少 10 位"},
	} {
		status, body, _ := b.post("/profile/password", url.Values{"current": {demo.Password}, "new": {tc.pw}, "again": {tc.pw}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("new password %q: %d, want 422 with %q", tc.pw, status, tc.want)
		}
	}
	if status, _, _ := b.post("/profile/password", url.Values{"current": {demo.Password}, "new": {"lanzhou-gansu-8"}, "again": {"lanzhou-gansu-8"}}); status != http.StatusSeeOther {
		t.Fatalf("password change: %d", status)
	}
	fresh := newBrowser(t, srv.URL)
	status, _, loc := fresh.post("/login", url.Values{"username": {"patrol01"}, "password": {"lanzhou-gansu-8"}})
	if status != http.StatusSeeOther || loc != "/" {
		t.Fatalf("sign-in with the new password: %d %s", status, loc)
	}
	if _, home := fresh.get("/"); strings.Contains(home, "您的密码已不符合现行要求") {
		t.Error("a notice after signing in with a good password")
	}
}

// proxied is a client whose requests come through the test's "proxy" (the
// loopback) on behalf of the client at addr.
func proxied(t *testing.T, base, addr string) *browser {
	b := newBrowser(t, base)
	b.c.Transport = xffTransport{addr: addr}
	return b
}

type xffTransport struct{ addr string }

func (x xffTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", x.addr)
	return http.DefaultTransport.RoundTrip(r)
}

// TestLimitsBehindProxy: behind a trusted proxy, the sign-in throttle and the
// public-report limit count each client, not the proxy.
func TestLimitsBehindProxy(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	srv.App.Auth.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}

	guesser, owner := proxied(t, srv.URL, "10.1.1.1"), proxied(t, srv.URL, "10.2.2.2")
	for i := 1; i <= 5; i++ {
		if status, _, _ := guesser.post("/login", url.Values{"username": {"community2"}, "password": {"wrong-" + strconv.Itoa(i)}}); status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, status)
		}
	}
	req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(url.Values{"username": {"community2"}, "password": {"wrong-6"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := guesser.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != http.StatusTooManyRequests || s < 14*60 || s > 15*60 {
		t.Fatalf("sixth wrong password: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	owner.login("community2")

	// Public reports: five per address; another address is not held back.
	report := func(b *browser, desc string) int {
		f := url.Values{"client_id": {b.reportFormID("/public/report")}, "category": {"06012"}, "description": {desc}, "lat": {repLat}, "lon": {repLon}}
		status, _, _ := b.post("/public/report", f)
		return status
	}
	first, second := proxied(t, srv.URL, "198.51.100.1"), proxied(t, srv.URL, "198.51.100.2")
	for i := 0; i < 5; i++ {
		if status := report(first, "道路不洁 "+strconv.Itoa(i)); status != http.StatusOK {
			t.Fatalf("public report %d: %d", i+1, status)
		}
	}
	if status := report(first, "第六次"); status != http.StatusTooManyRequests {
		t.Fatalf("sixth public report from one address: %d, want 429", status)
	}
	if status := report(second, "另一位市民"); status != http.StatusOK {
		t.Fatalf("a report from another address behind the proxy: %d, want 200", status)
	}
}
