package web

import (
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The browser must never turn data into HTML: a name that reaches a map
// tooltip or a list is text. These lints read our own scripts (not vendor/)
// and templates as shipped (the embedded files) and fail naming file:line
// wherever a sink could take markup that is not a fixed literal.

// jsSinks are the calls whose argument is parsed as HTML. Leaflet's content
// calls take a string as HTML or an element; an element built by
// LantianGeo.tip (text nodes only) is the one non-literal they may take.
var jsSinks = []struct {
	re      *regexp.Regexp
	args    string // "first": check the first argument; "all": every argument
	builder bool   // a LantianGeo.tip(…) call is allowed
}{
	{regexp.MustCompile(`\.(?:bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)\s*\(`), "first", true},
	{regexp.MustCompile(`\.insertAdjacentHTML\s*\(`), "all", false},
	{regexp.MustCompile(`\bdocument\s*\.\s*write(?:ln)?\s*\(`), "all", false},
	{regexp.MustCompile(`\.createContextualFragment\s*\(`), "all", false},
	{regexp.MustCompile(`\.parseFromString\s*\(`), "all", false},
	{regexp.MustCompile(`\bhtmx\s*\.\s*swap\s*\(`), "htmx", false},
}

// jsAssignSinks are properties whose assigned value is parsed as HTML.
var jsAssignSinks = regexp.MustCompile(`\.(innerHTML|outerHTML|srcdoc)\s*(\+?=)[^=]`)

// jsHTMLOption is Leaflet's divIcon option {html: …}.
var jsHTMLOption = regexp.MustCompile(`[{,]\s*html\s*:`)

// lintedScripts returns our scripts, path → source, from the embedded files.
func lintedScripts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range []string{"static/js", "static/field"} {
		err := fs.WalkDir(staticFS, dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "vendor" {
				return fs.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".js") {
				return nil
			}
			b, err := fs.ReadFile(staticFS, path)
			out["internal/web/"+path] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) == 0 {
		t.Fatal("no scripts found to lint")
	}
	return out
}

// TestScriptsBuildNoHTMLFromData fails on every HTML sink in our scripts
// whose argument is not a fixed string literal.
func TestScriptsBuildNoHTMLFromData(t *testing.T) {
	scripts := lintedScripts(t)
	for _, path := range slices.Sorted(maps.Keys(scripts)) {
		for _, p := range lintScript(scripts[path]) {
			t.Errorf("%s:%d: %s", path, p.line, p.msg)
		}
	}
}

type lintProblem struct {
	line int
	msg  string
}

// lintScript returns the HTML sinks of one script that take a non-literal.
func lintScript(src string) []lintProblem {
	m := maskJS(src)
	var out []lintProblem
	report := func(at int, format string, a ...any) {
		out = append(out, lintProblem{line: 1 + strings.Count(src[:at], "\n"), msg: fmt.Sprintf(format, a...)})
	}
	for _, s := range jsSinks {
		for _, loc := range s.re.FindAllStringIndex(m, -1) {
			open := loc[1] - 1 // the "(" of the call
			args, ok := callArgs(m, open)
			call := strings.TrimSpace(src[loc[0]:open])
			if !ok {
				report(loc[0], "%s(…): cannot read its arguments", call)
				continue
			}
			switch s.args {
			case "first":
				if len(args) == 0 {
					continue
				}
				a := args[0]
				if !isLiteral(m, a) && !(s.builder && isBuilderCall(m, a)) {
					report(a.start, "%s(%s): content must be a string literal or a LantianGeo.tip(…) element built from text", call, clip(src[a.start:a.end]))
				}
			case "htmx":
				// htmx.swap(target, content, spec): the content must be literal.
				if len(args) >= 2 && !isLiteral(m, args[1]) {
					report(args[1].start, "%s(…, %s): swaps markup that is not a literal", call, clip(src[args[1].start:args[1].end]))
				}
			default:
				for _, a := range args {
					if !isLiteral(m, a) {
						report(a.start, "%s(…%s…): takes markup that is not a string literal", call, clip(src[a.start:a.end]))
					}
				}
			}
		}
	}
	for _, loc := range jsAssignSinks.FindAllStringSubmatchIndex(m, -1) {
		prop, op := m[loc[2]:loc[3]], m[loc[4]:loc[5]]
		rhs := assignedValue(m, loc[5])
		if op == "+=" || !isLiteral(m, rhs) {
			report(loc[0], ".%s %s %s: assigns markup that is not a string literal", prop, op, clip(src[rhs.start:rhs.end]))
		}
	}
	for _, loc := range jsHTMLOption.FindAllStringIndex(m, -1) {
		v := assignedValue(m, loc[1])
		if !isLiteral(m, v) {
			report(loc[0], "{html: %s}: a Leaflet divIcon's html must be a string literal", clip(src[v.start:v.end]))
		}
	}
	return out
}

// span is a byte range of a script.
type span struct{ start, end int }

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// maskJS returns src with comments blanked and the insides of string,
// template and regular-expression literals replaced by '_', keeping every
// offset and newline. A template literal with ${…} is masked whole as '#',
// so it never counts as a literal.
func maskJS(src string) string {
	b := []byte(src)
	out := make([]byte, len(b))
	copy(out, b)
	blank := func(i, j int, c byte) {
		for k := i; k < j && k < len(out); k++ {
			if out[k] != '\n' {
				out[k] = c
			}
		}
	}
	last := byte(0) // the last significant character, to tell a regex from a division
	lastWord := ""
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			j := i
			for j < len(b) && b[j] != '\n' {
				j++
			}
			blank(i, j, ' ')
			i = j
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				j = len(b)
			} else {
				j += i + 4
			}
			blank(i, j, ' ')
			i = j
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(b) && b[j] != c && b[j] != '\n' {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			blank(i+1, j, '_')
			i = j + 1
			last = c
		case c == '`':
			j, interp := i+1, false
			depth := 0
			for j < len(b) {
				if b[j] == '\\' {
					j += 2
					continue
				}
				if depth == 0 && b[j] == '`' {
					break
				}
				if b[j] == '$' && j+1 < len(b) && b[j+1] == '{' {
					interp = true
					depth++
					j += 2
					continue
				}
				if depth > 0 && b[j] == '}' {
					depth--
				}
				j++
			}
			if interp {
				blank(i, j+1, '#')
			} else {
				blank(i+1, j, '_')
			}
			i = j + 1
			last = '`'
		case c == '/' && regexCanStart(last, lastWord):
			j, class := i+1, false
			for j < len(b) && b[j] != '\n' {
				if b[j] == '\\' {
					j += 2
					continue
				}
				if b[j] == '[' {
					class = true
				} else if b[j] == ']' {
					class = false
				} else if b[j] == '/' && !class {
					break
				}
				j++
			}
			blank(i+1, j, '_')
			i = j + 1
			last = 'r'
		default:
			if isIdent(c) {
				j := i
				for j < len(b) && isIdent(b[j]) {
					j++
				}
				lastWord = src[i:j]
				last = 'a'
				i = j
				continue
			}
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				last = c
				lastWord = ""
			}
			i++
		}
	}
	return string(out)
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// regexCanStart tells whether a '/' after last (or the keyword word) opens a
// regular expression rather than dividing.
func regexCanStart(last byte, word string) bool {
	if last == 'a' {
		switch word {
		case "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw":
			return true
		}
		return false
	}
	return last == 0 || strings.IndexByte("(,=:[!&|?{};+-*%<>~^", last) >= 0
}

// callArgs splits the arguments of the call whose "(" is at open in masked m.
func callArgs(m string, open int) ([]span, bool) {
	var args []span
	depth, start := 0, open+1
	for i := open; i < len(m); i++ {
		switch m[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				if strings.TrimSpace(m[start:i]) != "" {
					args = append(args, trimSpan(m, span{start, i}))
				}
				return args, true
			}
		case ',':
			if depth == 1 {
				args = append(args, trimSpan(m, span{start, i}))
				start = i + 1
			}
		}
	}
	return nil, false
}

// assignedValue returns the expression starting at from, up to the end of
// its statement, argument or property.
func assignedValue(m string, from int) span {
	depth := 0
	for i := from; i < len(m); i++ {
		switch m[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 {
				return trimSpan(m, span{from, i})
			}
			depth--
		case ';', ',', '\n':
			if depth == 0 {
				return trimSpan(m, span{from, i})
			}
		}
	}
	return trimSpan(m, span{from, len(m)})
}

func trimSpan(m string, s span) span {
	for s.start < s.end && strings.ContainsRune(" \t\r\n", rune(m[s.start])) {
		s.start++
	}
	for s.end > s.start && strings.ContainsRune(" \t\r\n", rune(m[s.end-1])) {
		s.end--
	}
	return s
}

var literalRE = regexp.MustCompile(`^(?:'_*'|"_*"|` + "`_*`" + `)$`)

// isLiteral tells whether the masked expression is one string literal.
func isLiteral(m string, s span) bool { return literalRE.MatchString(m[s.start:s.end]) }

// isBuilderCall tells whether the expression is a single LantianGeo.tip(…)
// call: it builds an element from text nodes and links to our own paths.
func isBuilderCall(m string, s span) bool {
	e := m[s.start:s.end]
	const name = "LantianGeo.tip"
	if !strings.HasPrefix(e, name) {
		return false
	}
	open := strings.IndexByte(e, '(')
	if open < 0 || strings.TrimSpace(e[len(name):open]) != "" {
		return false
	}
	depth := 0
	for i := open; i < len(e); i++ {
		switch e[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return strings.TrimSpace(e[i+1:]) == ""
			}
		}
	}
	return false
}

// TestLintScriptFindsSinks keeps the lint honest: each bad line is caught,
// each good one passes.
func TestLintScriptFindsSinks(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want int
	}{
		{`l.bindTooltip(f.properties.name, { sticky: true });`, 1},
		{`line.bindTooltip(t.label)`, 1},
		{`m.bindPopup("<b>fixed</b>")`, 0},
		{`m.bindPopup(LantianGeo.tip(p.name), { maxWidth: 200 })`, 0},
		{`m.bindPopup(LantianGeo.tip(p.name) + "x")`, 1},
		{`m.bindPopup(popup(p))`, 1},
		{`p.setContent('<i>' + name + '</i>')`, 1},
		{"p.setContent(`<i>${name}</i>`)", 1},
		{"p.setContent(`<i>plain</i>`)", 0},
		{`box.innerHTML = '';`, 0},
		{`box.innerHTML = html;`, 1},
		{`box.innerHTML += "<br>";`, 1},
		{`box.outerHTML = "<p>" + x + "</p>"`, 1},
		{`if (a.innerHTML === b) {}`, 0},
		{`el.insertAdjacentHTML("beforeend", s)`, 1},
		{`document.write(s)`, 1},
		{`L.divIcon({ className: "x", html: name })`, 1},
		{`htmx.swap(box, html, { swapStyle: "innerHTML" })`, 1},
		{`// box.innerHTML = html;`, 0},
		{`var s = "box.innerHTML = html";`, 0},
		{`var r = /innerHTML = x/g; a.b(1)`, 0},
		{"a = b / c; el.innerHTML = d / e;", 1},
	} {
		if got := lintScript(tc.src); len(got) != tc.want {
			t.Errorf("lintScript(%s) = %v, want %d problems", tc.src, got, tc.want)
		}
	}
}
