package flagset

import "testing"

func TestString(t *testing.T) {
	type set uint8
	names := []string{"a", "b", "c"}
	for _, tc := range []struct {
		in   set
		want string
	}{
		{0, "none"},
		{1, "a"},
		{5, "a|c"},
		{7, "a|b|c"},
		{8, "none"}, // a bit without a name
	} {
		if got := String(tc.in, names); got != tc.want {
			t.Errorf("String(%b) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
