// Package e2e holds Lantian's browser journeys: chromedp drives a headless
// Chromium against the whole application, started in-process on 127.0.0.1
// over a fresh demo database (internal/demo), the way a user would click
// through it. The package has no code of its own; everything is in its tests.
//
// Run them with
//
//	go test ./internal/e2e/
//
// They need Debian's chromium (found as "chromium" on PATH or at
// /usr/bin/chromium) and, for readable screenshots, fonts-noto-cjk. The
// environment variables that matter:
//
//   - LANTIAN_TEST_REQUIRE=1 (set by CI): a missing chromium, or a missing
//     LANTIAN_TEST_POSTGRES, fails the tests instead of skipping them.
//   - LANTIAN_TEST_POSTGRES=postgres://…: every journey runs a second time on
//     PostgreSQL, each in a fresh schema of that database.
//   - LANTIAN_E2E_CHROMIUM=/path/to/chromium: use another browser binary.
//
// One browser process serves the whole package; each journey gets its own
// browser context (a new window with fresh cookies) and a server with its own
// database, so journeys do not share sign-in throttles, sessions or language
// settings. When a journey fails, a full-page screenshot and the page's HTML
// are written to testout/e2e/ at the repository root, named after the test.
package e2e
