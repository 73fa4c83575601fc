package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	c := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Register(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	_, err := c.Validate()
	return c, err
}

func TestConfig(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Lang != "zh-CN" || c.DB != "./lantian.db" || c.CasePrefix != "XG" || c.EscalationGrace != 4*time.Hour {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = parse(t, map[string]string{"LANTIAN_ADDR": "0.0.0.0:9000", "LANTIAN_ESCALATION_GRACE": "2h"}, "--lang", "en")
	if err != nil || c.Addr != "0.0.0.0:9000" || c.Lang != "en" || c.EscalationGrace != 2*time.Hour {
		t.Fatalf("env and flags: %+v %v", c, err)
	}
	c, err = parse(t, map[string]string{"LANTIAN_ADDR": "0.0.0.0:9000"}, "--addr", "127.0.0.1:1")
	if err != nil || c.Addr != "127.0.0.1:1" {
		t.Fatalf("a flag must win over the environment: %s", c.Addr)
	}
	for name, args := range map[string][]string{
		"ErrLang":   {"--lang", "fr"},
		"ErrTZ":     {"--tz", "Mars/Olympus"},
		"ErrCRS":    {"--tile-crs", "bd09"},
		"ErrURL":    {"--base-url", "lantian.example"},
		"ErrPrefix": {"--case-prefix", "xg-1"},
		"ErrProxy":  {"--trusted-proxies", "127.0.0.1, nginx.local"},
		"ErrCIDR":   {"--trusted-proxies", "10.0.0.0/33"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parse(t, nil, args...); err == nil {
				t.Fatalf("%v accepted", args)
			}
		})
	}
	c, _ = parse(t, nil, "--base-url", "https://lantian.example.gov.cn/")
	if !c.Secure() || c.BaseURL != "https://lantian.example.gov.cn" {
		t.Fatalf("https base URL: %q secure=%v", c.BaseURL, c.Secure())
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := parse(t, map[string]string{"LANTIAN_TRUSTED_PROXIES": "127.0.0.1, 10.1.0.0/16 ,::1,"})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := ParseProxies(c.TrustedProxies)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	if want := "127.0.0.1/32 10.1.0.0/16 ::1/128"; strings.Join(got, " ") != want {
		t.Fatalf("prefixes %v, want %s", got, want)
	}
	if ps, err := ParseProxies(""); err != nil || len(ps) != 0 {
		t.Fatalf("the default trusts %v (%v), want none", ps, err)
	}
	if ps, _ := ParseProxies("10.1.2.3/8"); ps[0].String() != "10.0.0.0/8" {
		t.Fatalf("a range with host bits: %v", ps)
	}
}
