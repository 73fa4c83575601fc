// Package apperr defines the errors Lantian's layers pass up to the user: each
// carries a machine code, a translatable message key and per-field messages,
// while the wrapped internal error is only ever logged.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for the API and for HTTP status mapping.
type Code string

// Error codes, as they appear in the API's error body.
const (
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	TooMany      Code = "too_many"
	TooLarge     Code = "too_large"
	Internal     Code = "internal"
)

// Msg is a message key from the locale catalogs with its arguments.
type Msg struct {
	Key  string
	Args []any
}

// Error is a user-safe error: Code and Msg may be shown, Err is for logs.
type Error struct {
	Code   Code
	Msg    Msg
	Fields map[string]Msg
	// BadRequest marks malformed input (HTTP 400) as opposed to a field that
	// fails validation (HTTP 422).
	BadRequest bool
	// RetryAfter, on a TooMany error, is how long until the next attempt may
	// succeed; the HTTP layers send it as the Retry-After header.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Msg.Key
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Msg: Msg{Key: key, Args: args}}
}

// Wrap returns an error with a code and message key that keeps err for the log.
func Wrap(err error, code Code, key string, args ...any) *Error {
	return &Error{Code: code, Msg: Msg{Key: key, Args: args}, Err: err}
}

// TooManyFor returns a TooMany error that says how long to wait.
func TooManyFor(wait time.Duration, key string, args ...any) *Error {
	e := New(TooMany, key, args...)
	e.RetryAfter = wait
	return e
}

// RetrySeconds is the Retry-After value for wait: whole seconds, rounded up, at least 1.
func RetrySeconds(wait time.Duration) int {
	s := int((wait + time.Second - 1) / time.Second)
	return max(s, 1)
}

// Fields collects per-field validation messages; its Err method returns nil
// when nothing was added, so a Validate method can end with `return f.Err()`.
type Fields map[string]Msg

// Add records the first message for field; later ones for the same field are kept out.
func (f Fields) Add(field, key string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = Msg{Key: key, Args: args}
	}
}

// Err returns an Invalid error carrying the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Msg: Msg{Key: "err.invalid"}, Fields: map[string]Msg(f)}
}

// Field returns an Invalid error for a single field.
func Field(field, key string, args ...any) error {
	f := Fields{}
	f.Add(field, key, args...)
	return f.Err()
}

// As returns err as an *Error; anything else becomes an Internal error that
// keeps the original for the log.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Msg: Msg{Key: "err.internal"}, Err: err}
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// ErrNotFound is the shared not-found error.
var ErrNotFound = New(NotFound, "err.not_found")

// ErrForbidden is the shared forbidden error.
var ErrForbidden = New(Forbidden, "err.forbidden")
