package api

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/store"
)

func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Device   bool   `json:"device"`
	}
	if !a.decoded(w, r, &in) {
		return
	}
	kind := store.SessionAPI
	if in.Device {
		kind = store.SessionDevice
	}
	res, err := a.app.Auth.SignIn(r.Context(), in.Username, in.Password, a.app.Auth.ClientIP(r), kind)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := map[string]any{"token": res.Token}
	if res.PasswordChange {
		// The password still works but no longer meets the rules; clients ask for a new one (POST /api/v1/me/password).
		out["password_change_required"] = true
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request) {
	th, _ := r.Context().Value(keyToken).(string)
	if err := a.app.DB.DeleteSession(r.Context(), th); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type roleJSON struct {
	Role   string `json:"role"`
	Region string `json:"region,omitempty"`
	UnitID int64  `json:"unit_id,omitempty"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	roles := []roleJSON{}
	for _, as := range u.Roles {
		roles = append(roles, roleJSON{string(as.Role), as.Region, as.UnitID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": u.PersonID, "username": u.Username, "name": u.Name, "roles": roles})
}
