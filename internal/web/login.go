package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/authn"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/store"
)

type loginPage struct {
	Page
	Username string
	Next     string
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if userOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", loginPage{Page: s.page(r, "login.title"), Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	data := loginPage{Page: s.page(r, "login.title"), Username: username, Next: safeNext(r.PostFormValue("next"))}
	in, err := s.app.Auth.SignIn(r.Context(), username, password, s.app.Auth.ClientIP(r), store.SessionWeb)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(apperr.RetrySeconds(e.RetryAfter)))
		}
		data.withError(printer(r), err)
		status := map[apperr.Code]int{apperr.TooMany: http.StatusTooManyRequests, apperr.Unauthorized: http.StatusUnauthorized}[e.Code]
		if status == 0 {
			status = http.StatusUnprocessableEntity
		}
		s.render(w, r, status, "login", data)
		return
	}
	http.SetCookie(w, s.cookie(authn.CookieName, in.Token, int(authn.WebTTL.Seconds())))
	if lang, err := s.app.DB.Language(r.Context(), in.Person.ID); err == nil && locale.IsLang(lang) {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	}
	if in.PasswordChange {
		// The password still works but no longer meets the rules: ask for a new one.
		setFlash(w, "flash.password_weak")
	}
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if h := sessionOf(r); h != "" {
		if err := s.app.DB.DeleteSession(r.Context(), h); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.SetCookie(w, s.cookie(authn.CookieName, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// switchLang stores the chosen language in a cookie and, when signed in, on the person.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !locale.IsLang(lang) {
		http.Error(w, printer(r).T("err.invalid_choice"), http.StatusUnprocessableEntity)
		return
	}
	if u := userOf(r); u != nil {
		if err := s.app.DB.SetLanguage(r.Context(), u.PersonID, lang); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
