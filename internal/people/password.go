package people

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/lantian-org/lantian/internal/apperr"
)

// argon2id parameters after OWASP's minimum (19 MiB, 2 passes, 1 lane): cheap
// enough for a 2-core server, costly for a cracker.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of pw with a fresh salt.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches an encoded hash.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// MinPasswordLen is the shortest password accepted: long enough to resist
// guessing once the throttle and the common list have done their part, short
// enough for a patroller to type on a phone.
const MinPasswordLen = 10

//go:embed common-passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list of the 10,000 most common passwords
// (see SOURCES.md), lower-cased, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 10000)
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m[strings.ToLower(line)] = struct{}{}
		}
	}
	return m
})

// CommonPassword reports whether pw is on the list of the most common passwords, ignoring case.
func CommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}

// ValidatePassword checks a new password for field: at least MinPasswordLen
// characters, at most 128, not one of the most common passwords, and not the
// person's own username or mobile (ignoring case). Sign-in applies the same
// check to the password just typed, to ask holders of older, weaker ones to
// change them.
func ValidatePassword(field, pw, username, mobile string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return apperr.Field(field, "err.password_short", MinPasswordLen)
	case n > 128:
		return apperr.Field(field, "err.too_long", 128)
	case CommonPassword(pw):
		return apperr.Field(field, "err.password_common")
	}
	for _, own := range []string{username, mobile} {
		if own = strings.TrimSpace(own); own != "" && strings.EqualFold(strings.TrimSpace(pw), own) {
			return apperr.Field(field, "err.password_personal")
		}
	}
	return nil
}
