package locale

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lantian-org/lantian/internal/apperr"
)

// TestCatalogsMatch fails when a key is in one catalog and not the other, or empty.
func TestCatalogsMatch(t *testing.T) {
	zh, en := Keys("zh-CN"), Keys("en")
	inZh := map[string]bool{}
	for _, k := range zh {
		inZh[k] = true
		if strings.TrimSpace(catalogs["zh-CN"][k]) == "" {
			t.Errorf("zh-CN %s is empty", k)
		}
	}
	for _, k := range en {
		if !inZh[k] {
			t.Errorf("key %s is in en but not in zh-CN", k)
		}
		delete(inZh, k)
		if strings.TrimSpace(catalogs["en"][k]) == "" {
			t.Errorf("en %s is empty", k)
		}
	}
	for k := range inZh {
		t.Errorf("key %s is in zh-CN but not in en", k)
	}
}

var (
	// Keys written literally: {{t "key"}} in templates, "err.x" and friends in Go.
	tplKey = regexp.MustCompile(`\bt "([a-z0-9_.]+)"`)
	// Field names given to field errors: Add("name", …) and Field("name", …).
	fieldName = regexp.MustCompile(`(?:\.Add|apperr\.Field)\("([a-z][a-z_]*)",`)
)

// goKeyPattern matches string literals that look like message keys: a first
// segment that some catalog key starts with, then dotted lower-case words. The
// prefixes come from the catalogs, so a new area's file brings its own.
func goKeyPattern() *regexp.Regexp {
	seen := map[string]bool{}
	var prefixes []string
	for _, k := range Keys(Languages[0]) {
		p, _, _ := strings.Cut(k, ".")
		if !seen[p] {
			seen[p] = true
			prefixes = append(prefixes, regexp.QuoteMeta(p))
		}
	}
	return regexp.MustCompile(`"((?:` + strings.Join(prefixes, "|") + `)\.[a-z0-9_.]+)"`)
}

// TestLoadCatalogRefusesDuplicates checks that one key in two files of a language fails the load.
func TestLoadCatalogRefusesDuplicates(t *testing.T) {
	fsys := fstest.MapFS{
		"c/zh-CN/a.json": {Data: []byte(`{"x.one":"一"}`)},
		"c/zh-CN/b.json": {Data: []byte(`{"x.one":"壹"}`)},
	}
	if _, err := loadCatalog(fsys, "c/zh-CN"); err == nil || !strings.Contains(err.Error(), "x.one") {
		t.Fatalf("duplicate key: err = %v, want one naming x.one", err)
	}
	delete(fsys, "c/zh-CN/b.json")
	if m, err := loadCatalog(fsys, "c/zh-CN"); err != nil || m["x.one"] != "一" {
		t.Fatalf("single file: %v %v", m, err)
	}
}

// TestEveryUsedKeyExists scans the templates and Go sources for message keys
// and field names and fails for any missing from a catalog.
func TestEveryUsedKeyExists(t *testing.T) {
	root := filepath.Join("..", "..")
	goKey := goKeyPattern()
	used := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "vendor", ".git", "testout", "auth":
				// auth holds action names like "unit.read", not message keys.
				return filepath.SkipDir
			}
			return nil
		}
		isTpl := strings.HasSuffix(path, ".html")
		isGo := strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
		if !isTpl && !isGo {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		if isTpl {
			for _, m := range tplKey.FindAllStringSubmatch(src, -1) {
				used[m[1]] = path
			}
			return nil
		}
		for _, m := range goKey.FindAllStringSubmatch(src, -1) {
			if strings.HasSuffix(m[1], ".") {
				continue // a prefix joined with a value at run time; checked below
			}
			used[m[1]] = path
		}
		for _, m := range fieldName.FindAllStringSubmatch(src, -1) {
			used["field."+m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys; is the scan broken?", len(used))
	}
	for key, where := range used {
		for _, lang := range Languages {
			if !Has(lang, key) {
				t.Errorf("%s: key %q missing from %s", where, key, lang)
			}
		}
	}
}

func TestPrinter(t *testing.T) {
	zh, en := New("zh-CN"), New("en")
	if got := zh.T("err.too_long", 60); got != "不能超过 60 个字" {
		t.Errorf("zh T = %q", got)
	}
	f := apperr.Fields{}
	f.Add("credit_code", "err.credit_code_check")
	e := apperr.As(f.Err())
	if got := zh.Fields(e)["credit_code"]; !strings.HasPrefix(got, "统一社会信用代码：") {
		t.Errorf("zh field error %q does not name the field", got)
	}
	if got := en.Fields(e)["credit_code"]; !strings.HasPrefix(got, "Credit code: ") {
		t.Errorf("en field error %q does not name the field", got)
	}
	if New("fr").Lang != "zh-CN" {
		t.Error("unknown language does not fall back to zh-CN")
	}
}
