package assesssvc

import "strconv"

// fmtNum prints a score without trailing zeros (15, 7.5, 12.25).
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// FmtNum prints a score without trailing zeros, for pages.
func FmtNum(v float64) string { return fmtNum(v) }
