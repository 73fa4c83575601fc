// Package locale holds the zh-CN and en message catalogs and turns message
// keys (with arguments) into text in the user's language.
package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Each language's catalog is the union of the files in catalog/<lang>/: base.json
// for the foundation, and one file per area, so areas add text without touching
// each other's files. A key defined twice is a start-up panic (and a test failure).
//
//go:embed catalog
var catalogFS embed.FS

// Languages lists the supported languages; the first is the default.
var Languages = []string{"zh-CN", "en"}

var catalogs = map[string]map[string]string{}

func init() {
	for _, lang := range Languages {
		m, err := loadCatalog(catalogFS, "catalog/"+lang)
		if err != nil {
			panic(err)
		}
		catalogs[lang] = m
	}
}

// loadCatalog merges the JSON files of one language's folder, refusing a key defined twice.
func loadCatalog(fsys fs.FS, dir string) (map[string]string, error) {
	files, err := fs.Glob(fsys, dir+"/*.json")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("catalog %s: no files (%v)", dir, err)
	}
	m := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		part := map[string]string{}
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("catalog %s: %v", f, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("catalog %s: key %s is defined in another file too", f, k)
			}
			m[k] = v
		}
	}
	return m, nil
}

// Keys returns the sorted keys of a language's catalog (for tests).
func Keys(lang string) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether lang's catalog holds key.
func Has(lang, key string) bool { _, ok := catalogs[lang][key]; return ok }

// Printer translates into one language.
type Printer struct {
	Lang string
}

// New returns a printer for lang, falling back to the default language.
func New(lang string) Printer {
	if _, ok := catalogs[lang]; !ok {
		lang = Languages[0]
	}
	return Printer{Lang: lang}
}

// T returns the text for key with args applied (fmt verbs in the catalog).
// A missing key shows as the key itself, which tests catch.
func (p Printer) T(key string, args ...any) string {
	s, ok := catalogs[p.Lang][key]
	if !ok {
		s, ok = catalogs[Languages[0]][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Msg translates an apperr message.
func (p Printer) Msg(m apperr.Msg) string { return p.T(m.Key, m.Args...) }

// Field translates a field error so that it names the field: "统一社会信用代码：校验位不正确".
func (p Printer) Field(field string, m apperr.Msg) string {
	return p.T("field."+field) + p.T("punct.colon") + p.Msg(m)
}

// Fields translates every field error of e, keyed by field.
func (p Printer) Fields(e *apperr.Error) map[string]string {
	if len(e.Fields) == 0 {
		return nil
	}
	out := map[string]string{}
	for f, m := range e.Fields {
		out[f] = p.Field(f, m)
	}
	return out
}

// Error returns the user-safe text of any error: its message and field errors.
func (p Printer) Error(err error) string {
	e := apperr.As(err)
	s := p.Msg(e.Msg)
	if len(e.Fields) > 0 {
		var parts []string
		for _, f := range sortedKeys(e.Fields) {
			parts = append(parts, p.Field(f, e.Fields[f]))
		}
		s += p.T("punct.colon") + strings.Join(parts, p.T("punct.semicolon"))
	}
	return s
}

func sortedKeys(m map[string]apperr.Msg) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FromRequest picks the language: a ?lang= value, the lang cookie, then Accept-Language, then def.
func FromRequest(r *http.Request, def string) string {
	if l := r.URL.Query().Get("lang"); isLang(l) {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && isLang(c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.Split(part, ";")[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-CN"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return def
}

func isLang(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

// IsLang reports whether l is a supported language.
func IsLang(l string) bool { return isLang(l) }
