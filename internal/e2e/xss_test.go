package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/store"
)

// Markup stored in every name that reaches a map (security issue #8). Each
// sets window.__xss to its own letter if it ever runs, so a failure says
// which name got through. They fit the shortest limit (a person's name, 30
// characters).
const (
	xssPerson    = `<img src=x onerror=__xss='P'>`
	xssUnit      = `<img src=x onerror=__xss='U'>厂`
	xssPoint     = `<img src=x onerror=__xss='K'>`
	xssPointJS   = `<script>__xss='S'</script>`
	xssGrid      = `<img src=x onerror=__xss='G'>格`
	xssCommunity = `<script>__xss='C'</script>社区`
	xssCategory  = `<img src=x onerror=__xss='T'>`
	xssDesc      = `<img src=x onerror=__xss='D'>路边`
	xssAddress   = `<script>__xss='A'</script>路`
)

// watchCSP makes every page the tab opens record the Content-Security-Policy
// violations it meets (markup that tried to run) in window.__csp.
func (tb *tab) watchCSP() {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		window.__csp = [];
		document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || "") + " line " + e.lineNumber));
		// A click on a map layer may navigate (a region, a patrol): stay, and note where it led.
		window.__navs = [];
		if (window.navigation) navigation.addEventListener("navigate", e => { if (window.__hold && e.cancelable) { window.__navs.push(e.destination.url); e.preventDefault(); } });
	`}); err != nil {
		tb.t.Fatalf("watch the CSP: %v", err)
	}
}

// probe is what a page showed while every map layer was hovered and clicked.
type probe struct {
	XSS    string   `json:"xss"`    // window.__xss: the letter of a payload that ran, or ""
	Layers int      `json:"layers"` // interactive map layers found
	Texts  []string `json:"texts"`  // the text of every tooltip and popup that opened
	Markup []string `json:"markup"` // elements inside tooltips and popups that text never makes
	CSP    []string `json:"csp"`    // Content-Security-Policy violations
	Body   string   `json:"body"`   // the page's visible text
}

// probeJS hovers (mouseover, mousemove, mouseout) and then clicks every
// interactive map layer, collecting what opened (with %t false it only
// looks: a click on the report map moves the point), and waits for any image
// error a stored name could have triggered.
const probeJS = `(async () => {
	window.__hold = true;
	const layers = %t ? Array.from(document.querySelectorAll(".leaflet-interactive, .leaflet-marker-icon")) : [];
	const texts = new Set(), markup = new Set();
	const grab = () => document.querySelectorAll(".leaflet-tooltip, .leaflet-popup-content").forEach(e => {
		texts.add(e.textContent);
		e.querySelectorAll("img, script, iframe, object, embed, svg, style, link, meta").forEach(x => markup.add(x.outerHTML));
	});
	const fire = (el, type) => {
		const r = el.getBoundingClientRect();
		el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, view: window, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2}));
	};
	for (const el of layers) { fire(el, "mouseover"); fire(el, "mousemove"); grab(); fire(el, "mouseout"); }
	for (const el of layers) { fire(el, "mousedown"); fire(el, "mouseup"); fire(el, "click"); grab(); }
	await new Promise(r => setTimeout(r, 700));
	window.__hold = false;
	return {xss: window.__xss === undefined ? "" : String(window.__xss), layers: layers.length, texts: [...texts], markup: [...markup],
		csp: window.__csp || [], body: document.body.innerText};
})()`

// checkPage opens path, lets ready (a JavaScript condition, or "") become
// true, probes the page and fails unless no payload ran, nothing broke the
// CSP, each of shown is on a tooltip or popup (onMap) or on the page, and at
// least minLayers map layers were there.
func (tb *tab) checkPage(path, ready string, minLayers int, onMap, onPage []string) probe {
	tb.t.Helper()
	if st := tb.open(path); st != 200 {
		tb.t.Fatalf("GET %s: status %d", path, st)
	}
	if ready != "" {
		tb.waitFor(path+" to be ready", ready, 15*time.Second)
	}
	return tb.checkProbe(path, minLayers, onMap, onPage)
}

// checkProbe probes the page as it is, hovering and clicking its map layers.
func (tb *tab) checkProbe(what string, minLayers int, onMap, onPage []string) probe {
	tb.t.Helper()
	return tb.probeWith(what, true, minLayers, onMap, onPage)
}

// checkText probes the page as it is without touching it.
func (tb *tab) checkText(what string, onPage []string) probe {
	tb.t.Helper()
	return tb.probeWith(what, false, 0, nil, onPage)
}

func (tb *tab) probeWith(what string, interact bool, minLayers int, onMap, onPage []string) probe {
	tb.t.Helper()
	p := evalAsync[probe](tb, fmt.Sprintf(probeJS, interact))
	if p.XSS != "" {
		tb.t.Errorf("%s: stored markup ran: window.__xss = %q (tooltips showed %q)", what, p.XSS, clipList(p.Texts))
	}
	if len(p.Markup) > 0 {
		tb.t.Errorf("%s: tooltips and popups hold elements built from stored names: %q", what, p.Markup)
	}
	if len(p.CSP) > 0 {
		tb.t.Errorf("%s: Content-Security-Policy violations: %q", what, p.CSP)
	}
	if p.Layers < minLayers {
		tb.t.Errorf("%s: %d interactive map layers, want at least %d", what, p.Layers, minLayers)
	}
	all := strings.Join(p.Texts, "\n")
	for _, s := range onMap {
		if !strings.Contains(all, s) {
			tb.t.Errorf("%s: no tooltip or popup shows %q as text; they showed %q", what, s, clipList(p.Texts))
		}
	}
	for _, s := range onPage {
		if !strings.Contains(p.Body, s) {
			tb.t.Errorf("%s: the page does not show %q as text; it shows %q", what, s, clipText(p.Body, 400))
		}
	}
	return p
}

// clipList keeps a failure message short: the texts that mention a
// payload, then others, at most ten.
func clipList(texts []string) []string {
	var out, rest []string
	for _, s := range texts {
		if strings.Contains(s, "__xss") {
			out = append(out, s)
		} else {
			rest = append(rest, s)
		}
	}
	out = append(out, rest...)
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("… %d more", len(out)-10))
	}
	return out
}

func clipText(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}

// TestStoredNamesStayText is the journey of security issue #8: names that
// carry markup — a person, a unit, a plan's key sites, a grid and its
// community, a category, a case's description and address — are stored
// through the app, reach every map as tooltips and popups, and show as text
// there for the district admin, the public and the patroller's phone; none
// of them ever runs.
func TestStoredNamesStayText(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		grid, community := demo.GridCode(0, 0), demo.CommunityCode(0)
		token := func(user string) string {
			st, body := apiCall(t, s.URL, "", "POST", "/api/v1/tokens", map[string]any{"username": user, "password": demo.Password, "device": true})
			if st != 201 {
				t.Fatalf("token for %s: %d %s", user, st, body)
			}
			var tok struct{ Token string }
			json.Unmarshal([]byte(body), &tok)
			return tok.Token
		}
		admin, leader, patroller := token("admin"), token("grid01"), token("patrol01")
		call := func(who, tok, method, path string, body any, want int) map[string]any {
			t.Helper()
			st, b := apiCall(t, s.URL, tok, method, path, body)
			if st != want {
				t.Fatalf("%s %s %s: %d %s, want %d", who, method, path, st, b, want)
			}
			var out map[string]any
			json.Unmarshal([]byte(b), &out)
			return out
		}

		// The patroller's name, by the admin.
		me := call("patrol01", patroller, "GET", "/api/v1/me", nil, 200)
		pid := int64(me["id"].(float64))
		call("admin", admin, "PATCH", fmt.Sprintf("/api/v1/people/%d", pid), map[string]any{"name": xssPerson}, 200)
		// A unit with a risk tag (so a key site of the grid), by the grid leader.
		un := call("grid01", leader, "POST", "/api/v1/units", map[string]any{"name": "临时名称", "kind": "courtyard", "region": grid,
			"lat": reportLat, "lon": reportLon, "tags": []string{"dust"}}, 201)
		unitID := int64(un["id"].(float64))
		call("grid01", leader, "PATCH", fmt.Sprintf("/api/v1/units/%d", unitID), map[string]any{"name": xssUnit}, 200)
		// Two free key sites in the grid's plan.
		plan, err := s.DB.PatrolPlan(ctx, grid)
		if err != nil {
			t.Fatal(err)
		}
		plan.Points = []patrol.FreePoint{{Name: xssPoint, Lat: 34.5727, Lon: 105.7026}, {Name: xssPointJS, Lat: 34.5731, Lon: 105.7029}}
		if err := s.DB.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.SavePatrolPlan(ctx, &plan); return err }); err != nil {
			t.Fatal(err)
		}
		// The grid and its community, and a category.
		for code, name := range map[string]string{grid: xssGrid, community: xssCommunity} {
			r, err := s.DB.Region(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			r.Name = name
			if err := s.DB.SaveRegion(ctx, store.System, r); err != nil {
				t.Fatalf("rename region %s: %v", code, err)
			}
		}
		cat, err := s.DB.Category(ctx, "06010")
		if err != nil {
			t.Fatal(err)
		}
		cat.NameZh, cat.NameEn = xssCategory, xssCategory
		if err := s.DB.SaveCategory(ctx, store.System, cat); err != nil {
			t.Fatalf("rename category: %v", err)
		}

		// A patrol with check-ins at the unit and both points, and a case found on it.
		loc, _ := time.LoadLocation("Asia/Shanghai")
		start := time.Now().In(loc).Add(-40 * time.Minute).Truncate(time.Second)
		id := "5e1f2a3b-0000-4000-8000-0000000ee508"
		call("patrol01", patroller, "POST", "/api/v1/patrols", map[string]any{"id": id, "grid": grid, "started_at": start.Format(time.RFC3339)}, 201)
		var pts []map[string]any
		for i := 0; i < 20; i++ {
			pts = append(pts, map[string]any{"t": start.Add(time.Duration(i) * 60 * time.Second).Format(time.RFC3339), "lat": 34.5722 + float64(i)*0.00002, "lon": 105.7018 + float64(i)*0.00005, "acc": 6})
		}
		call("patrol01", patroller, "POST", "/api/v1/patrols/"+id+"/track", map[string]any{"points": pts}, 200)
		for i, site := range []map[string]any{{"unit_id": unitID}, {"point": 1}, {"point": 2}} {
			call("patrol01", patroller, "POST", "/api/v1/patrols/"+id+"/visits", map[string]any{"id": fmt.Sprintf("5e1f2a3b-0000-4000-8000-00000000f00%d", i),
				"site": site, "t": start.Add(time.Duration(5+i*5) * time.Minute).Format(time.RFC3339), "lat": reportLat, "lon": reportLon + float64(i)*0.0002, "note": ""}, 201)
		}
		cs := call("patrol01", patroller, "POST", "/api/v1/cases", map[string]any{"client_id": "5e1f2a3b-0000-4000-8000-0000000ca5e1", "category": "06010",
			"description": xssDesc, "address": xssAddress, "lat": reportLat, "lon": reportLon, "class": "escalated"}, 201)
		number := cs["number"].(string)
		call("patrol01", patroller, "POST", "/api/v1/patrols/"+id+"/findings", map[string]any{"case": number}, 201)
		call("patrol01", patroller, "POST", "/api/v1/patrols/"+id+"/end", map[string]any{"ended_at": start.Add(30 * time.Minute).Format(time.RFC3339), "summary": "巡查正常"}, 200)
		day := start.Format("2006-01-02")

		// The district admin opens every page that draws these names.
		tb := s.newTab(t)
		tb.watchCSP()
		tb.signIn("admin", demo.Password)
		tb.checkPage("/patrols/"+id, `document.querySelector("#patrol-map").dataset.ready === "1"`, 4,
			[]string{xssPerson, xssUnit, xssPoint, xssPointJS}, []string{xssPerson, xssUnit, xssPoint, xssPointJS, xssCategory})
		tb.checkPage("/patrols/day?date="+day+"&region="+grid, `document.querySelector("#patrol-map").dataset.ready === "1"`, 1,
			[]string{xssPerson + " · " + xssGrid}, []string{xssPerson})
		tb.checkPage("/regions", `!!document.querySelector("#map") && +document.querySelector("#map").dataset.ready > 0`, 2,
			[]string{xssGrid, xssCommunity}, []string{xssCommunity})
		tb.checkPage("/regions/"+community, `+document.querySelector("#map").dataset.ready > 0`, 2, []string{xssGrid, xssCommunity}, []string{xssCommunity, xssGrid})
		tb.checkPage("/regions/"+grid, `+document.querySelector("#map").dataset.ready > 0`, 1, []string{xssGrid}, []string{xssGrid, xssUnit})
		tb.checkPage("/units/"+fmt.Sprint(unitID), "", 0, nil, []string{xssUnit, xssGrid})
		tb.checkPage("/patrols?month="+day[:7], "", 0, nil, []string{xssGrid})
		tb.checkPage("/patrols/book?grid="+grid+"&month="+day[:7], "", 0, nil, []string{xssGrid, xssPerson})
		tb.checkPage("/cases/"+number, "", 0, nil, []string{xssDesc, xssAddress, xssCategory, xssGrid})
		// The ledger's map, opened by its button, with the case's popup.
		if st := tb.open("/cases"); st != 200 {
			t.Fatalf("GET /cases: %d", st)
		}
		tb.do("open the ledger's map", chromedp.Click(chromedp.ID("map-toggle"), chromedp.NodeVisible))
		tb.waitFor("the ledger's map", `+(document.querySelector("#case-map").dataset.ready || 0) > 0`, 15*time.Second)
		tb.checkProbe("/cases (map)", 1, []string{number, xssCategory}, []string{xssCategory})
		// The report form: the outlines' tooltips, and the check of a point
		// that finds the case (its description) as a possible duplicate.
		tb.checkPage("/report", `!!document.querySelector("#report-map .leaflet-interactive")`, 2, []string{xssGrid, xssCommunity}, nil)
		tb.fill("lat", fmt.Sprint(reportLat), "lon", fmt.Sprint(reportLon), "category", "06010")
		tb.waitFor("the duplicate check to find the case", `!!document.querySelector("#duplicates")`, 15*time.Second)
		tb.checkText("/report (duplicate check)", []string{xssDesc, xssCategory, xssGrid})

		// The public: the report map (communities) and the public case list.
		anon := s.newTab(t)
		anon.watchCSP()
		anon.checkPage("/public/report", `!!document.querySelector("#report-map .leaflet-interactive")`, 1, []string{xssCommunity}, nil)
		anon.checkPage("/public/cases", "", 0, nil, nil)

		// The patroller's phone: the grid's key sites by name.
		ph := s.newTab(t)
		ph.watchCSP()
		ph.phone()
		if st := ph.open("/m/"); st != 200 {
			t.Fatalf("GET /m/: %d", st)
		}
		ph.waitFor("the sign-in form", `!!document.querySelector("#signin")`, 10*time.Second)
		ph.setField("#signin", "username", "patrol01")
		ph.setField("#signin", "password", demo.Password)
		ph.tapField("sign in", `#signin button[type=submit]`)
		startBtn := fmt.Sprintf(`.grid[data-grid="%s"] button.start`, grid)
		ph.waitFor("the grid with its start button", fmt.Sprintf(`!!document.querySelector(%q)`, startBtn), 15*time.Second)
		ph.checkText("/m/ (home)", []string{xssGrid})
		ph.tapField("start a patrol", startBtn)
		ph.waitFor("the key sites", `document.querySelectorAll(".site").length >= 3`, 10*time.Second)
		ph.checkText("/m/ (patrol)", []string{xssUnit, xssPoint, xssPointJS, xssGrid})
	})
}
