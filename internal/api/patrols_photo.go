package api

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/photo"
)

// visitPhoto takes the photo of a key-site check-in, from the patroller who walked the patrol.
func (a *API) visitPhoto(w http.ResponseWriter, r *http.Request) {
	file, err := formPhoto(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer file.Close()
	uid, visit := r.PathValue("id"), r.PathValue("visit")
	id, err := a.app.Patrols.VisitPhoto(r.Context(), a.actor(r), userOf(r), uid, visit, file)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	url := "/api/v1/patrols/" + uid + "/visits/" + visit + "/photo"
	writeJSON(w, http.StatusCreated, map[string]string{"id": id, "url": url, "thumb": url + "?thumb=1"})
}

// getVisitPhoto serves a check-in's photo to those who may see the patrol.
func (a *API) getVisitPhoto(w http.ResponseWriter, r *http.Request) {
	f, id, err := a.app.Patrols.OpenVisitPhoto(r.Context(), userOf(r), r.PathValue("id"), r.PathValue("visit"), photo.Thumb(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	photo.Serve(w, r, id, f)
}
