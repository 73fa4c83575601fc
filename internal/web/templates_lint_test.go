package web

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// Templates carry no script the CSP would have to allow inline: no
// <script> without src (a type="application/json" data block is data, not
// code), no on…= handler attributes, no javascript: URLs, no hx-on.
var (
	scriptTag    = regexp.MustCompile(`(?is)<script\b([^>]*)>`)
	jsonType     = regexp.MustCompile(`(?i)\btype\s*=\s*"application/json"`)
	srcAttr      = regexp.MustCompile(`(?i)\bsrc\s*=`)
	handlerAttr  = regexp.MustCompile(`(?i)<[a-z][^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=`)
	javascriptRE = regexp.MustCompile(`(?i)javascript:`)
)

// lintTemplate returns the inline code of one template's text.
func lintTemplate(src string) []lintProblem {
	var out []lintProblem
	line := func(at int) int { return 1 + strings.Count(src[:at], "\n") }
	for _, m := range scriptTag.FindAllStringSubmatchIndex(src, -1) {
		attrs := src[m[2]:m[3]]
		if !srcAttr.MatchString(attrs) && !jsonType.MatchString(attrs) {
			out = append(out, lintProblem{line(m[0]), "an inline <script>: move it to static/js (data goes in a type=\"application/json\" block)"})
		}
	}
	for _, m := range handlerAttr.FindAllStringSubmatchIndex(src, -1) {
		out = append(out, lintProblem{line(m[2]), fmt.Sprintf("an inline handler %s=: bind it in static/js", src[m[2]:m[3]])})
	}
	for _, m := range javascriptRE.FindAllStringIndex(src, -1) {
		out = append(out, lintProblem{line(m[0]), "a javascript: URL"})
	}
	return out
}

// TestTemplatesHaveNoInlineScript checks every page template and the field
// app's shell.
func TestTemplatesHaveNoInlineScript(t *testing.T) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range lintTemplate(string(b)) {
			t.Errorf("internal/web/%s:%d: %s", f, p.line, p.msg)
		}
	}
	for _, p := range lintTemplate(fieldShellTpl.Tree.Root.String()) {
		t.Errorf("internal/web/field.go (field shell):%d: %s", p.line, p.msg)
	}
	for _, tc := range []struct {
		src  string
		want int
	}{
		{`<script src="/static/js/a.js"></script>`, 0},
		{`<script id="d" type="application/json">{}</script>`, 0},
		{`<script>alert(1)</script>`, 1},
		{`<button onclick="go()">`, 1},
		{`<select id="x" name="g" onchange="this.form.submit()">`, 1},
		{`<div hx-on:click="x()">`, 1},
		{`<a href="javascript:go()">`, 1},
		{`<p>online</p>`, 0},
	} {
		if got := lintTemplate(tc.src); len(got) != tc.want {
			t.Errorf("lintTemplate(%s) = %v, want %d problems", tc.src, got, tc.want)
		}
	}
}
