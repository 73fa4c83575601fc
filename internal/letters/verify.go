package letters

import (
	"crypto/rand"
	"regexp"
)

// A letter's verification code is what its printed QR code carries: a
// random, unguessable string, so that the public verification endpoints
// reveal one letter to whoever holds its paper copy and cannot be walked
// through like sequential ids.

// NewVerifyCode returns a fresh verification code: 26 characters of the
// base32 alphabet (A–Z, 2–7) from crypto/rand, 130 bits, safe in a URL.
func NewVerifyCode() string { return rand.Text() }

var verifyCode = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// ValidVerifyCode reports whether s has the shape of a verification code:
// 16 to 64 letters, digits, '-' or '_' (codes made by NewVerifyCode, and the
// 32 hex digits the migration gave letters issued before codes existed).
func ValidVerifyCode(s string) bool { return verifyCode.MatchString(s) }

// Public is what the public verification of a printed letter shows: the
// unit, the year, the state and the hash of the text — nothing about people.
type Public struct {
	Unit   string
	Year   int
	Status Status
	SHA256 string
}

// Public returns what the public verification shows of l; ok is false for a
// draft, which was never given to anyone and is not shown.
func (l Letter) Public() (Public, bool) {
	if l.Status == StatusDraft || l.Status == StatusNone {
		return Public{}, false
	}
	return Public{Unit: l.UnitName, Year: l.Year, Status: l.Status, SHA256: l.SHA256}, true
}
