package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
)

//go:embed templates/*.html
var templateFS embed.FS

// Page is the data every template gets; each page's data struct embeds it.
type Page struct {
	Title string
	Lang  string
	User  *auth.Principal
	Path  string
	// RequestURI is the path with its query, to come back to after switching language.
	RequestURI string
	Nav        []NavItem // the desk bar: links and menus of links
	NavFlat    []NavItem // the same links in one row (phones)
	Flash      string
	Error      string            // a message for the whole form or page
	Fields     map[string]string // translated field errors, by field
	Tiles      TileConfig
	Now        time.Time
	// Unread counts the signed-in person's unread inbox messages, shown beside the inbox link.
	Unread int
}

// NavItem is one entry of the top menu.
type NavItem struct {
	Href, Label string
	Active      bool
	// Items, when set, make this a menu of them on a desk (Href is empty);
	// phones show every link in one swipeable row instead.
	Items []NavItem
	group string
}

// TileConfig tells the map script which tiles to draw, if any.
type TileConfig struct {
	URL, CRS, Attribution string
}

// limitField is one time-limit input of the categories page.
type limitField struct {
	Name string
	N    int
	Unit string
}

// renderer holds one parsed template set per language and page.
type renderer struct {
	pages map[string]map[string]*template.Template // lang → page → template
	asset func(string) string
	loc   *time.Location
}

func newRenderer(asset func(string) string, loc *time.Location) (*renderer, error) {
	r := &renderer{pages: map[string]map[string]*template.Template{}, asset: asset, loc: loc}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range locale.Languages {
		p := locale.New(lang)
		base, err := template.New("layout.html").Funcs(r.funcs(p)).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
		if err != nil {
			return nil, err
		}
		r.pages[lang] = map[string]*template.Template{}
		for _, n := range names {
			name := strings.TrimPrefix(n, "templates/")
			if name == "layout.html" || name == "partials.html" {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", n, err)
			}
			r.pages[lang][strings.TrimSuffix(name, ".html")] = t
		}
	}
	return r, nil
}

func (r *renderer) funcs(p locale.Printer) template.FuncMap {
	return template.FuncMap{
		"t":     p.T,
		"asset": r.asset,
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(r.loc).Format("2006-01-02")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(r.loc).Format("2006-01-02 15:04")
		},
		"level": func(l region.Level) string { return p.T(fmt.Sprintf("region.level.%d", l)) },
		"role":  func(r people.Role) string { return p.T("role." + string(r)) },
		"kind":  func(k any) string { return p.T(fmt.Sprintf("unit.kind.%v", k)) },
		"tag":   func(t string) string { return p.T("unit.tag." + t) },
		"add":   func(a, b int) int { return a + b },
		// auditAction names an audited action: its own label, else the case action's (file, assign…).
		"auditAction": func(a string) string {
			if locale.Has(p.Lang, "audit.action."+a) {
				return p.T("audit.action." + a)
			}
			return p.T("case.action." + a)
		},
		"limitField": func(name string, l calendar.Limit) limitField {
			return limitField{Name: name, N: l.N, Unit: l.Unit}
		},
		"join": strings.Join,
		"contains": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
	}
}

// render writes a page with status; a template error becomes a plain 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	lang := langOf(r)
	t, ok := s.tpl.pages[lang][name]
	if !ok {
		s.serverError(w, r, fmt.Errorf("no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.serverError(w, r, err)
		return
	}
	if _, err := r.Cookie("flash"); err == nil {
		http.SetCookie(w, &http.Cookie{Name: "flash", Path: "/", MaxAge: -1})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// page returns the common page data for r.
func (s *Server) page(r *http.Request, titleKey string) Page {
	p := printer(r)
	user := userOf(r)
	pg := Page{Title: p.T(titleKey), Lang: p.Lang, User: user, Path: r.URL.Path, RequestURI: r.URL.RequestURI(), Now: s.app.Cases.Now(),
		Tiles: TileConfig{URL: s.app.Cfg.TileURL, CRS: s.app.Cfg.TileCRS, Attribution: s.app.Cfg.TileAttribution}}
	if user != nil {
		pg.Nav, pg.NavFlat = s.nav(r, user)
		if n, err := s.app.DB.Unread(r.Context(), user.PersonID); err == nil {
			pg.Unread = n
		}
	}
	if c, err := r.Cookie("flash"); err == nil {
		pg.Flash = p.T(c.Value)
	}
	return pg
}

// withError fills the page's error fields from err.
func (pg *Page) withError(p locale.Printer, err error) {
	e := apperr.As(err)
	pg.Error = p.Msg(e.Msg)
	pg.Fields = p.Fields(e)
}

// navGroups are the desk menu's groups in order, each named by its catalog
// key nav.group.<name>; a group of one link shows that link alone.
var navGroups = []string{"", "cases", "field", "outreach", "assess", "notices", "admin"}

// nav lists the links p may follow, flat (NavFlat, the phones' row) and
// grouped into menus (Nav, the desk's bar).
func (s *Server) nav(r *http.Request, u *auth.Principal) (grouped, flat []NavItem) {
	p := printer(r)
	link := func(group, href, key string) NavItem { return NavItem{Href: href, Label: p.T(key), group: group} }
	items := []NavItem{link("", "/", "nav.home"), link("cases", "/cases", "nav.cases"), link("cases", "/report", "nav.report")}
	if u.CanSomewhere(auth.PatrolRead) {
		items = append(items, link("field", "/patrols", "nav.patrols"))
	}
	if u.CanSomewhere(auth.InspectRead) {
		items = append(items, link("field", "/inspections", "nav.inspections"))
	}
	items = append(items, link("field", "/m/", "ux.nav.field")) // the phone app (issue 16)
	if u.CanSomewhere(auth.LetterRead) {
		items = append(items, link("outreach", "/letters", "nav.letters"))
	}
	if u.CanSomewhere(auth.CampaignRead) {
		items = append(items, link("outreach", "/campaigns", "nav.campaigns"))
	}
	if u.CanSomewhere(auth.OutreachRead) {
		items = append(items, link("outreach", "/lectures", "nav.outreach"))
	}
	if len(u.Scopes(auth.AssessRead)) > 0 {
		items = append(items, link("assess", "/dashboard", "assess.nav.dashboard"))
	}
	if mayAssess(u) {
		items = append(items, link("assess", "/assess", "assess.nav.assess"))
	}
	items = append(items, link("notices", "/notices", "messages.nav.notices"), link("notices", "/calendar", "nav.calendar"))
	items = append(items, link("admin", "/regions", "nav.regions"), link("admin", "/units", "nav.units"))
	if u.CanSomewhere(auth.PersonRead) {
		items = append(items, link("admin", "/people", "nav.people"))
	}
	if u.CanSomewhere(auth.ChannelManage) {
		items = append(items, link("admin", "/channels", "messages.nav.channels"))
	}
	if u.CanSomewhere(auth.CaseAdmin) {
		items = append(items, link("admin", "/admin/categories", "nav.settings"))
	}
	if u.CanSomewhere(auth.AuditRead) {
		items = append(items, link("admin", "/audit", "nav.audit"))
	}
	for i := range items {
		h := items[i].Href
		items[i].Active = r.URL.Path == h || (h != "/" && strings.HasPrefix(r.URL.Path, h))
	}
	for _, g := range navGroups {
		var in []NavItem
		for _, it := range items {
			if it.group == g {
				in = append(in, it)
			}
		}
		switch {
		case len(in) == 0:
		case g == "" || len(in) == 1:
			grouped = append(grouped, in...)
		default:
			menu := NavItem{Label: p.T("nav.group." + g), Items: in}
			for _, it := range in {
				menu.Active = menu.Active || it.Active
			}
			grouped = append(grouped, menu)
		}
	}
	return grouped, items
}

// setFlash shows a one-time message on the next page.
func setFlash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: "flash", Value: key, Path: "/", MaxAge: 10, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// renderPartial writes one named template of a page alone (for htmx swaps).
func (s *Server) renderPartial(w http.ResponseWriter, r *http.Request, page, name string, data any) {
	t, ok := s.tpl.pages[langOf(r)][page]
	if !ok {
		s.serverError(w, r, fmt.Errorf("no template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	buf.WriteTo(w)
}
