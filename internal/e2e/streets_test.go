package e2e

import (
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
)

// TestStreetSettings: on a phone-sized screen an admin goes from the
// category settings to the street settings, gives the demo street its own
// case-number prefix, and the next case reported there carries it.
func TestStreetSettings(t *testing.T) {
	s := newSite(t, "sqlite")
	tb := s.newTab(t)
	tb.phone()
	tb.signIn("admin", demo.Password)
	tb.open("/admin/categories")
	if st := tb.submit("#streets-link"); st != 200 || tb.path() != "/admin/streets" {
		t.Fatalf("street settings: %d at %s", st, tb.path())
	}
	tb.open("/admin/streets?region=" + demo.StreetCode)
	tb.fill("case_prefix", "XQ", "grace_minutes", "120")
	if st := tb.submit("#street-settings button[type=submit]"); st != 200 {
		t.Fatalf("save: %d (%s)", st, tb.errorText())
	}
	if row := tb.text("tbody"); !strings.Contains(row, "XQ") || !strings.Contains(row, "120") {
		t.Fatalf("the list does not show the new prefix and grace: %q", row)
	}
	tb.fill("case_prefix", "X1")
	if st := tb.submit("#street-settings button[type=submit]"); st != 422 || !strings.Contains(tb.text("#street-settings"), "大写字母") {
		t.Fatalf("a bad prefix: %d %q", st, tb.text("#street-settings"))
	}
	var c struct{ Number string }
	apiAs(t, s, "street", "POST", "/api/v1/cases", `{"client_id":"3c3c3c3c-0000-4000-8000-000000000001","category":"06010","description":"前缀测试","lat":34.5722,"lon":105.7022,"class":"escalated"}`, &c)
	if !strings.HasPrefix(c.Number, "XQ-") {
		t.Errorf("case number %s, want XQ-…", c.Number)
	}
}
