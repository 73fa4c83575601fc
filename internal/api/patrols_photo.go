package api

import (
	"net/http"
	"time"
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
	f, id, err := a.app.Patrols.OpenVisitPhoto(r.Context(), userOf(r), r.PathValue("id"), r.PathValue("visit"), r.URL.Query().Get("thumb") != "")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, id+".jpg", time.Time{}, f)
}
