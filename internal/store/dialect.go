package store

import (
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

// ph returns the n-th positional placeholder; both drivers accept $n.
func ph(n int) string { return "$" + strconv.Itoa(n) }

// inList binds vs as the parameters after args and returns their
// placeholders, for a condition "col IN (…)".
func inList[T any](args *[]any, vs []T) string {
	phs := make([]string, len(vs))
	for i, v := range vs {
		*args = append(*args, v)
		phs[i] = ph(len(*args))
	}
	return strings.Join(phs, ",")
}

// limitPage binds a page's LIMIT and OFFSET as the two parameters after
// args, so that every page of a list runs the same SQL text and so one
// prepared statement. It returns the clause and the arguments with them.
func limitPage(p Page, args []any) (string, []any) {
	n := len(args)
	return " LIMIT " + ph(n+1) + " OFFSET " + ph(n+2), append(args[:n:n], p.Size, p.Offset())
}

// likeEscape escapes LIKE wildcards in user text; queries add ESCAPE '\'.
func likeEscape(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// fmtArg renders a query argument for a cache key.
func fmtArg(a any) string {
	switch v := a.(type) {
	case string:
		return "s" + v
	case int:
		return "i" + strconv.Itoa(v)
	case int64:
		return "i" + strconv.FormatInt(v, 10)
	}
	return "?"
}
