package web

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/apperr"
)

// The answers the pages share when something they load or save fails, so
// that every page answers a failure the same way.

// statusFor maps an application error to the HTTP status of a re-rendered
// form: malformed input is 400, as through the API.
func statusFor(err error) int {
	e := apperr.As(err)
	if e.BadRequest {
		return http.StatusBadRequest
	}
	switch e.Code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// formStatus is the status of a form page shown with err: 200 when there
// is none.
func formStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return statusFor(err)
}

// loaded answers the error of loading what a page shows — the not-found
// page for what the user may not see, a plain 500 for anything else — and
// reports whether there was none.
func (s *Server) loaded(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return true
	case apperr.Is(err, apperr.NotFound):
		s.notFound(w, r)
	default:
		s.serverError(w, r, err)
	}
	return false
}

// saved answers a form that saves something: on success a flash and a
// redirect to next (303), a plain 500 for an internal error, and otherwise
// the form again, shown by again with the error.
func (s *Server) saved(w http.ResponseWriter, r *http.Request, err error, next string, again func()) {
	switch {
	case err == nil:
		setFlash(w, "flash.saved")
		http.Redirect(w, r, next, http.StatusSeeOther)
	case apperr.As(err).Code == apperr.Internal:
		s.serverError(w, r, err)
	default:
		again()
	}
}

// formFailed answers the error of a form on a record's page (a case, a
// letter): the not-found page or a plain 500 for those errors, else the
// page again as the record now stands (load), with the form as the user
// filled it in (keep puts it back and returns the page's common part) and
// the error at the top and beside its fields. A plain "invalid" at the top
// names the field errors too, so that none goes unseen on a small screen,
// whichever form it belongs to.
func formFailed[D any](s *Server, w http.ResponseWriter, r *http.Request, name string, err error,
	load func(http.ResponseWriter, *http.Request) (D, bool), keep func(*D) *Page) {
	switch apperr.As(err).Code {
	case apperr.NotFound:
		s.notFound(w, r)
		return
	case apperr.Internal:
		s.serverError(w, r, err)
		return
	}
	data, ok := load(w, r)
	if !ok {
		return
	}
	pg, p := keep(&data), printer(r)
	pg.withError(p, err)
	if apperr.As(err).Msg.Key == "err.invalid" {
		pg.Error = p.Error(err)
	}
	s.render(w, r, statusFor(err), name, data)
}
