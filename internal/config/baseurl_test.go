package config

import "testing"

func TestBaseURLProblem(t *testing.T) {
	for _, tc := range []struct{ base, listen, want string }{
		{"", "127.0.0.1:8080", ""},
		{"", "localhost:8080", ""},
		{"", ":8080", "ux.baseurl.unset"},
		{"", "0.0.0.0:8080", "ux.baseurl.unset"},
		{"http://127.0.0.1:8080", ":8080", "ux.baseurl.loopback"},
		{"http://localhost", "10.0.0.5:80", "ux.baseurl.loopback"},
		{"https://lantian.example.gov.cn", ":443", ""},
	} {
		c := &Config{BaseURL: tc.base}
		if got := c.BaseURLProblem(tc.listen); got != tc.want {
			t.Errorf("base %q listen %q: %q, want %q", tc.base, tc.listen, got, tc.want)
		}
	}
}
