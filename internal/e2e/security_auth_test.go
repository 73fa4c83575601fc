package e2e

import (
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
)

// TestWeakPasswordJourney: a patroller whose password is below today's rules
// signs in on a phone, is asked to change it, is refused a common one and
// chooses a good one; the next sign-in asks nothing.
func TestWeakPasswordJourney(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		tb := s.newTab(t)
		tb.phone()
		tb.signIn("patrol03", demo.Password)
		if f := tb.flash(); !strings.Contains(f, "不符合现行要求") {
			t.Fatalf("after signing in with the demo password the notice is %q", f)
		}
		if st := tb.submit("#profile-link"); st != 200 || tb.path() != "/profile" {
			t.Fatalf("profile: status %d at %s", st, tb.path())
		}
		tb.fitsPhone("the profile page")
		if h := tb.text("#new-hint"); !strings.Contains(h, "至少 10 位") {
			t.Errorf("the password rule shown is %q", h)
		}
		change := func(pw string) int {
			t.Helper()
			tb.fill("current", demo.Password, "new", pw, "again", pw)
			return tb.tapSubmit("#password button[type=submit]")
		}
		if st := change("1234567890"); st != 422 {
			t.Fatalf("a common password: status %d, want 422", st)
		}
		if e := tb.text(".field-error"); !strings.Contains(e, "最常见的密码") {
			t.Errorf("the field error for a common password is %q", e)
		}
		if st := change("lanzhou-gansu-8"); st != 200 || tb.path() != "/profile" || !strings.Contains(tb.flash(), "密码已修改") {
			t.Fatalf("a good password: status %d at %s, flash %q", st, tb.path(), tb.flash())
		}

		again := s.newTab(t)
		again.signIn("patrol03", "lanzhou-gansu-8")
		if f := again.flash(); f != "" {
			t.Errorf("a notice after signing in with a good password: %q", f)
		}
	})
}
