package photo

import (
	"fmt"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Message keys of the errors Process returns. Texts for the locale catalogs
// (zh-CN / en); %d is the argument listed after the key:
//
//	err.photo_too_large   (max MB)          "图片过大（最大 %d MB）"
//	                                        "The photo is too large (at most %d MB)"
//	err.photo_type                          "只能上传 JPEG、PNG 或 WebP 格式的图片"
//	                                        "Only JPEG, PNG or WebP images can be uploaded"
//	err.photo_corrupt                       "图片已损坏，无法读取"
//	                                        "The image is damaged and cannot be read"
//	err.photo_dimensions  (max megapixels)  "图片尺寸过大（最多 %d 百万像素）"
//	                                        "The image is too large in pixels (at most %d megapixels)"
//
// and, in catalog/<lang>/security_decode.json:
//
//	err.photo_edge        (max pixels)      a side longer than the limit
//	err.photo_aspect      (max ratio)       a long side more than ratio times the short one
//	err.photo_memory                        decoding would take more memory than one photo may
//	err.photo_busy                          no decode slot came free in time (HTTP 429)
const (
	KeyTooLarge   = "err.photo_too_large"
	KeyType       = "err.photo_type"
	KeyCorrupt    = "err.photo_corrupt"
	KeyDimensions = "err.photo_dimensions"
	KeyEdge       = "err.photo_edge"
	KeyAspect     = "err.photo_aspect"
	KeyMemory     = "err.photo_memory"
	KeyBusy       = "err.photo_busy"
)

// Error is a user-facing photo error: Key is a message key from the locale
// catalogs (one of the Key constants) and Args its arguments; Err, when set,
// is the underlying cause, for logs only.
type Error struct {
	Key  string
	Args []any
	Err  error
}

func newError(key string, cause error, args ...any) *Error {
	return &Error{Key: key, Args: args, Err: cause}
}

// Error returns the key, its arguments and the cause, for logs.
func (e *Error) Error() string {
	s := "photo: " + e.Key
	if len(e.Args) > 0 {
		s += fmt.Sprint(e.Args)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// AppErr converts e to the application's error type: err.photo_too_large
// becomes apperr.TooLarge (HTTP 413), err.photo_busy apperr.TooMany (HTTP
// 429), every other key apperr.Invalid (HTTP 422); the key and arguments
// are kept as the message and e as the logged cause.
func (e *Error) AppErr() *apperr.Error {
	code := apperr.Invalid
	switch e.Key {
	case KeyTooLarge:
		code = apperr.TooLarge
	case KeyBusy:
		code = apperr.TooMany
	}
	return apperr.Wrap(e, code, e.Key, e.Args...)
}

// FieldErr is AppErr with the message also set on field, the form field or
// JSON name the photo came in.
func (e *Error) FieldErr(field string) *apperr.Error {
	ae := e.AppErr()
	ae.Fields = map[string]apperr.Msg{field: ae.Msg}
	return ae
}

// TooLarge is the error of an upload in field over DefaultMaxBytes, as
// Process answers one, for a body refused before it is read (413).
func TooLarge(field string) *apperr.Error {
	return newError(KeyTooLarge, nil, DefaultMaxBytes>>20).FieldErr(field)
}
