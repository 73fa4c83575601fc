package store_test

import (
	"strconv"
	"strings"
)

func itoa(n int64) string         { return strconv.FormatInt(n, 10) }
func contains(s, sub string) bool { return strings.Contains(s, sub) }
