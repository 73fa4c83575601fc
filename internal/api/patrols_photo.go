package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/store"
)

// visitPhoto takes the photo of a key-site check-in, from the patroller who walked the patrol.
func (a *API) visitPhoto(w http.ResponseWriter, r *http.Request) {
	c := a.callerOf(r)
	p, err := a.patrolFor(r.Context(), c, r.PathValue("id"), true)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	file, err := formPhoto(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer file.Close()
	proc, err := photo.ProcessContext(r.Context(), file, photo.Limits{Location: a.app.Loc})
	if err != nil {
		var pe *photo.Error
		if errors.As(err, &pe) {
			a.fail(w, r, pe.FieldErr("photo"))
			return
		}
		a.fail(w, r, err)
		return
	}
	id, err := a.app.Photos.Put(proc)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rec := store.PhotoRecord{ID: id, Width: proc.Width, Height: proc.Height, Format: proc.Format, Lat: proc.Lat, Lon: proc.Lon}
	if proc.Taken != nil {
		rec.Taken = *proc.Taken
	}
	if err := a.app.DB.SetVisitPhoto(r.Context(), c.actor, p, r.PathValue("visit"), rec); err != nil {
		a.fail(w, r, err)
		return
	}
	url := "/api/v1/patrols/" + p.UID + "/visits/" + r.PathValue("visit") + "/photo"
	writeJSON(w, http.StatusCreated, map[string]string{"id": id, "url": url, "thumb": url + "?thumb=1"})
}

// getVisitPhoto serves a check-in's photo to those who may see the patrol.
func (a *API) getVisitPhoto(w http.ResponseWriter, r *http.Request) {
	p, err := a.patrolFor(r.Context(), a.callerOf(r), r.PathValue("id"), false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id, err := a.app.DB.VisitPhoto(r.Context(), p.ID, r.PathValue("visit"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := a.app.Photos.Open(id, r.URL.Query().Get("thumb") != "")
	if err != nil {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, id+".jpg", time.Time{}, f)
}
