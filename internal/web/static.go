package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves embedded assets under /static/, versioned by content hash
// so that browsers may cache them for a year.
type staticFiles struct {
	fsys   fs.FS
	hashes map[string]string
	files  http.Handler
}

func newStatic() (*staticFiles, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	st := &staticFiles{fsys: sub, hashes: map[string]string{}, files: http.FileServerFS(sub)}
	err = fs.WalkDir(sub, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, path)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		st.hashes[path] = hex.EncodeToString(h[:])[:10]
		return nil
	})
	return st, err
}

// url returns the versioned URL of an asset path like "css/app.css".
func (st *staticFiles) url(path string) string {
	return "/static/" + path + "?v=" + st.hashes[path]
}

func (st *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/static/")
	if _, ok := st.hashes[path]; !ok {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") != "" {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	http.StripPrefix("/static/", st.files).ServeHTTP(w, r)
}
