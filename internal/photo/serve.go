package photo

import (
	"io"
	"net/http"
	"time"
)

// Thumb reports whether a request for a photo asks for its thumbnail
// (?thumb=1, or any other value).
func Thumb(r *http.Request) bool { return r.URL.Query().Get("thumb") != "" }

// Serve sends a photo or thumbnail opened from a Store under id, and closes
// it. Both are JPEGs that never change under their id, so browsers may keep
// them, privately, for a year.
func Serve(w http.ResponseWriter, r *http.Request, id string, f io.ReadSeekCloser) {
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, id+".jpg", time.Time{}, f)
}
