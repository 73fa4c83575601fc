package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Helpers of the issue 16 journeys: the picker, overflow and catalog checks.

// pick types text into the picker whose search field is #id, waits for the
// choice whose value is value and clicks it, as a person would.
func (tb *tab) pick(id, text, value string) {
	tb.t.Helper()
	eval[bool](tb, fmt.Sprintf(`(document.getElementById(%q).value = "", true)`, id))
	tb.do("type "+text+" into the picker #"+id, chromedp.SendKeys(chromedp.ID(id), text))
	opt := fmt.Sprintf(`document.getElementById(%q).closest(".picker").querySelector('[role=option][data-value=%q]')`, id, value)
	tb.waitFor("the picker to offer "+value, opt+` !== null`, 15*time.Second)
	tb.do("choose "+value, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#%s ~ .picker-list [data-value=%q]`, id, value)), chromedp.NodeVisible))
	tb.waitFor("the picker to hold "+value, fmt.Sprintf(`document.getElementById(%q).closest(".picker").querySelector("input[type=hidden]").value.split(",").includes(%q)`, id, value), 10*time.Second)
}

// noOverflow fails when the page is wider than the window (a horizontal scroll bar).
func (tb *tab) noOverflow(what string) {
	tb.t.Helper()
	w := eval[[]int](tb, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
	if w[0] > w[1]+1 {
		wide := eval[string](tb, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 3).map(e => e.tagName + (e.id ? "#" + e.id : "") + "." + e.className).join(", ")`)
		tb.t.Errorf("%s is %d px wide in a %d px window (too wide: %s)", what, w[0], w[1], wide)
	}
}

// noRawKeys fails when the page shows a catalog key instead of its text
// (a missing translation shows as the key, such as "cases.search").
func (tb *tab) noRawKeys(what string) {
	tb.t.Helper()
	keys := eval[[]string](tb, `(() => {
		const re = /\b(?:[a-z]+_?[a-z]*\.){1,4}[a-z_]+\b/g, seen = new Set();
		const text = document.body.innerText + " " + Array.from(document.querySelectorAll("[placeholder],[title],[aria-label],[alt]"), e => [e.placeholder, e.title, e.getAttribute("aria-label"), e.alt].join(" ")).join(" ");
		for (const m of text.match(re) || []) seen.add(m);
		return Array.from(seen);
	})()`)
	var bad []string
	for _, k := range keys {
		if looksLikeKey(k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		tb.t.Errorf("%s shows untranslated catalog keys: %s", what, strings.Join(bad, ", "))
	}
}

// keyPrefixes are the first parts of the catalog's keys.
var keyPrefixes = []string{"app.", "nav.", "case.", "cases.", "field.", "err.", "pick.", "home.", "inbox.", "pager.", "public.", "track.", "audit.",
	"admin.", "fieldapp.", "map.", "common.", "region.", "unit.", "role.", "report.", "calendar.", "export.", "letters.", "letter.", "patrol.",
	"patrols.", "inspect.", "outreach.", "flash.", "ux.", "settings."}

func looksLikeKey(s string) bool {
	for _, p := range keyPrefixes {
		if strings.HasPrefix(s, p) && len(s) > len(p) {
			return true
		}
	}
	return false
}

var _ = testing.T{}
