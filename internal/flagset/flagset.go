// Package flagset names the members of a small bit set, such as the
// relations the rule tables of cases, letters and patrols decide on.
package flagset

import "strings"

// String lists the names of the bits set in s, bit i named names[i], such
// as "reporter|inspector"; "none" when no named bit is set.
func String[S ~uint8 | ~uint16 | ~uint32 | ~uint64](s S, names []string) string {
	var parts []string
	for i, name := range names {
		if s&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}
