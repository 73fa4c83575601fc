package web

import (
	"net/http"
	"strconv"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/people"
)

type profilePage struct {
	Page
	Person people.Person
	MinLen int // of a new password, for the hint
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, status int, err error) {
	p, perr := s.app.DB.Person(r.Context(), userOf(r).PersonID)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	data := profilePage{Page: s.page(r, "profile.title"), Person: p, MinLen: people.MinPasswordLen}
	if err != nil {
		data.withError(printer(r), err)
	}
	s.render(w, r, status, "profile", data)
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	s.profilePage(w, r, http.StatusOK, nil)
}

// profilePassword changes one's own password after checking the current one;
// other sessions of the person end, this one stays.
func (s *Server) profilePassword(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	current, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
	var err error
	if next != again {
		err = apperr.Field("again", "err.password_mismatch")
	} else {
		err = s.app.Auth.ChangePassword(r.Context(), s.actor(r), u.PersonID, current, next, "new", sessionOf(r))
	}
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		status := statusFor(err)
		if e.Code == apperr.TooMany {
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", strconv.Itoa(apperr.RetrySeconds(e.RetryAfter)))
		}
		s.profilePage(w, r, status, err)
		return
	}
	setFlash(w, "flash.password_changed")
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}
