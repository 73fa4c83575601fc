package web

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/people"
)

type profilePage struct {
	Page
	Person people.Person
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, status int, err error) {
	p, perr := s.app.DB.Person(r.Context(), userOf(r).PersonID)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	data := profilePage{Page: s.page(r, "profile.title"), Person: p}
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
	_, hash, err := s.app.DB.Credentials(r.Context(), u.Username)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch {
	case !people.CheckPassword(hash, current):
		err = apperr.Field("current", "err.password_wrong")
	case next != again:
		err = apperr.Field("again", "err.password_mismatch")
	default:
		err = people.ValidatePassword("new", next)
	}
	if err == nil {
		var h string
		if h, err = people.HashPassword(next); err == nil {
			err = s.app.DB.SetPassword(r.Context(), s.actor(r), u.PersonID, h, sessionOf(r))
		}
	}
	if err != nil {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		s.profilePage(w, r, statusFor(err), err)
		return
	}
	setFlash(w, "flash.password_changed")
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}
