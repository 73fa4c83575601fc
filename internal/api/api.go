// Package api serves Lantian's JSON API under /api/v1. Requests carry a
// bearer token from POST /api/v1/tokens; errors always have the shape
// {"error":{"code","message","fields"}} with the message in the caller's language.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// MaxBody is the largest JSON body the API reads.
const MaxBody = 1 << 20

// API is the JSON API.
type API struct {
	app    *app.App
	public *publicLimits // limits on reports and feedback from the public (public_cases.go)
}

// New returns the API over the shared services.
func New(a *app.App) *API { return &API{app: a, public: newPublicLimits()} }

type ctxKey int

const (
	keyUser ctxKey = iota
	keyToken
)

func userOf(r *http.Request) *auth.Principal {
	u, _ := r.Context().Value(keyUser).(*auth.Principal)
	return u
}

// Routes registers the API on mux, from the same table the OpenAPI document is made of.
func (a *API) Routes(mux *http.ServeMux) {
	for _, rt := range a.allRoutes() {
		var h http.Handler = rt.Handler
		switch {
		case rt.Session:
			h = a.authedOrSession(rt.Handler)
		case !rt.Public:
			h = a.authed(rt.Handler)
		}
		path := rt.Path
		if rt.Pattern != "" {
			path = rt.Pattern
		}
		mux.Handle(rt.Method+" "+path, h)
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, apperr.ErrNotFound)
	})
}

// authed requires a valid bearer token.
func (a *API) authed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, th, err := a.app.Auth.FromBearer(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), keyUser, p)
		ctx = context.WithValue(ctx, keyToken, th)
		h(w, r.WithContext(ctx))
	})
}

// authedOrSession accepts a bearer token or, failing that, the pages'
// session cookie: a browser's EventSource cannot send a header.
func (a *API) authedOrSession(h http.HandlerFunc) http.Handler {
	bearer := a.authed(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			bearer.ServeHTTP(w, r)
			return
		}
		p, _ := a.app.Auth.FromCookie(r)
		if p == nil {
			a.fail(w, r, apperr.New(apperr.Unauthorized, "err.unauthorized"))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), keyUser, p)))
	})
}

func printer(r *http.Request, def string) locale.Printer {
	return locale.New(locale.FromRequest(r, def))
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// writeList writes a page of a list: its items, each as to shapes it, and
// the total.
func writeList[T, J any](w http.ResponseWriter, list []T, total int, to func(T) J) {
	items := make([]J, 0, len(list))
	for _, x := range list {
		items = append(items, to(x))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

var statusOf = map[apperr.Code]int{
	apperr.Invalid: http.StatusUnprocessableEntity, apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden: http.StatusForbidden, apperr.NotFound: http.StatusNotFound, apperr.Conflict: http.StatusConflict,
	apperr.TooMany: http.StatusTooManyRequests, apperr.TooLarge: http.StatusRequestEntityTooLarge,
	apperr.Internal: http.StatusInternalServerError,
}

// statusFor is the HTTP status of an error: its code's, or 400 for malformed input.
func statusFor(e *apperr.Error) int {
	if e.BadRequest {
		return http.StatusBadRequest
	}
	return statusOf[e.Code]
}

// fail writes err in the API's error shape; internal errors are logged and never shown.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	status := statusFor(e)
	if e.Code == apperr.Internal {
		a.app.Log.Error("api failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	code := e.Code
	if code == apperr.TooLarge {
		code = apperr.Invalid
	}
	p := printer(r, a.app.Cfg.Lang)
	body := map[string]any{"code": code, "message": p.Msg(e.Msg)}
	if f := p.Fields(e); f != nil {
		body["fields"] = f
	}
	if e.Code == apperr.TooMany {
		wait := e.RetryAfter
		if wait <= 0 {
			wait = time.Minute
		}
		w.Header().Set("Retry-After", strconv.Itoa(apperr.RetrySeconds(wait)))
	}
	writeJSON(w, status, map[string]any{"error": body})
}

// decode reads a JSON body into v: 413 over MaxBody, 400 when malformed.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Wrap(err, apperr.TooLarge, "err.body_too_large")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			f := apperr.Fields{}
			f.Add(te.Field, "err.format")
			e := apperr.As(f.Err())
			e.Err = err
			return e
		}
		e := apperr.Wrap(err, apperr.Invalid, "err.bad_json")
		e.BadRequest = true
		return e
	}
	if _, err := dec.Token(); err != io.EOF {
		e := apperr.New(apperr.Invalid, "err.bad_json")
		e.BadRequest = true
		return e
	}
	return nil
}

// decoded reads a JSON body into v (see decode); on an error it answers
// the request itself and reports false.
func (a *API) decoded(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decode(w, r, v); err != nil {
		a.fail(w, r, err)
		return false
	}
	return true
}

// decodeAt reads a JSON body into v (see decode), then the path's id.
func decodeAt(w http.ResponseWriter, r *http.Request, v any) (int64, error) {
	if err := decode(w, r, v); err != nil {
		return 0, err
	}
	return pathID(r)
}

// pointOf reads the point of a query's lat and lon: a field error on lat
// when they do not parse.
func pointOf(q url.Values) (lat, lon float64, err error) {
	lat, lon, ok := region.ParsePoint(q.Get("lat"), q.Get("lon"))
	if !ok {
		return 0, 0, apperr.Field("lat", "err.coords")
	}
	return lat, lon, nil
}

// pageOf reads page and page_size: defaults 1 and 20, size clamped to 100.
func pageOf(r *http.Request) store.Page {
	q := r.URL.Query()
	p, _ := strconv.Atoi(q.Get("page"))
	s, _ := strconv.Atoi(q.Get("page_size"))
	return store.Page{Page: p, Size: s}.Clamp()
}

func (a *API) actor(r *http.Request) store.Actor {
	u := userOf(r)
	return store.Actor{ID: u.PersonID, Name: u.Username, IP: a.app.Auth.ClientIP(r)}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

func trimmed(s string) string { return strings.TrimSpace(s) }
