package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/demo"
)

// TestPagesWorkUnderCSP: what inline handlers did before the strict
// Content-Security-Policy still works from our scripts — the confirm before
// closing a unit, the plan page's grid picker, the record book's print
// button, htmx's filtering — and no page meets a violation on the way.
func TestPagesWorkUnderCSP(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		tb := s.newTab(t)
		tb.watchCSP()
		tb.signIn("admin", demo.Password)
		noViolations := func(what string) {
			t.Helper()
			if v := eval[[]string](tb, `window.__csp || []`); len(v) > 0 {
				t.Errorf("%s: Content-Security-Policy violations: %q", what, v)
			}
		}

		// Closing a unit asks first: "cancel" keeps it, "OK" closes it.
		const unitPath = "/units/1"
		if st := tb.open(unitPath); st != 200 {
			t.Fatalf("GET %s: %d", unitPath, st)
		}
		closeBtn := `form[action$="/close"] button[data-confirm]`
		eval[bool](tb, `(() => { window.__asked = ""; window.confirm = m => { window.__asked = m; return false; }; document.querySelector(`+fmt.Sprintf("%q", closeBtn)+`).click(); return true; })()`)
		time.Sleep(300 * time.Millisecond)
		if asked := eval[string](tb, `window.__asked || ""`); asked == "" {
			t.Errorf("closing a unit did not ask for confirmation")
		}
		if p := tb.path(); p != unitPath {
			t.Errorf("a cancelled close left the page for %s", p)
		}
		if !eval[bool](tb, fmt.Sprintf(`!!document.querySelector(%q)`, closeBtn)) {
			t.Fatalf("the unit was closed though the confirmation was cancelled")
		}
		noViolations(unitPath)
		eval[bool](tb, `(() => { window.confirm = () => true; return true; })()`)
		if st := tb.submit(closeBtn); st != 200 {
			t.Fatalf("close the unit after confirming: status %d", st)
		}
		tb.waitFor("the reopen button", `!!document.querySelector('form[action$="/close"] input[name=reopen]')`, 10*time.Second)

		// The plan page follows its grid picker.
		if st := tb.open("/patrols/plan?grid=" + demo.GridCode(0, 0)); st != 200 {
			t.Fatalf("GET /patrols/plan: %d", st)
		}
		other := demo.GridCode(0, 1)
		resp, err := chromedp.RunResponse(tb.ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
			`(() => { const s = document.getElementById("f-grid"); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, other)))
		if err != nil || resp == nil || resp.Status != 200 {
			t.Fatalf("choose grid %s on the plan page: response %v, %v", other, resp, err)
		}
		if p := tb.path(); !strings.Contains(p, other) {
			t.Errorf("the grid picker led to %s, want the plan of %s", p, other)
		}
		noViolations("/patrols/plan")

		// The record book's print button prints.
		if st := tb.open("/patrols/book?grid=" + demo.GridCode(0, 0)); st != 200 {
			t.Fatalf("GET /patrols/book: %d", st)
		}
		if !eval[bool](tb, `(() => { window.__printed = false; window.print = () => { window.__printed = true; }; document.querySelector("#print-now").click(); return window.__printed; })()`) {
			t.Errorf("the record book's print button did not print")
		}
		noViolations("/patrols/book")

		// htmx still swaps the ledger when a filter changes.
		if st := tb.open("/cases"); st != 200 {
			t.Fatalf("GET /cases: %d", st)
		}
		eval[bool](tb, `(() => { window.__swapped = 0; document.body.addEventListener("htmx:afterSwap", () => window.__swapped++); return true; })()`)
		tb.fill("f-status", "closed")
		tb.waitFor("htmx to swap the filtered ledger", `window.__swapped > 0 && location.search.includes("status=closed")`, 10*time.Second)
		noViolations("/cases")
	})
}
