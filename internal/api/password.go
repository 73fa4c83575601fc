package api

import "net/http"

// changeMyPassword lets anyone change their own password, as a sign-in that
// answered password_change_required asks them to.
func (a *API) changeMyPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current  string `json:"current"`
		Password string `json:"password"`
	}
	if !a.decoded(w, r, &in) {
		return
	}
	th, _ := r.Context().Value(keyToken).(string)
	if err := a.app.Auth.ChangePassword(r.Context(), a.actor(r), userOf(r).PersonID, in.Current, in.Password, "password", th); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
