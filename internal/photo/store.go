package photo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrInvalidID is returned by Store.Open for an id that is not 64 lowercase
// hex characters. It wraps fs.ErrNotExist, so callers that answer "not
// found" for a missing file do the same for a malformed id.
var ErrInvalidID = fmt.Errorf("photo: invalid id: %w", fs.ErrNotExist)

// Store keeps processed photos under a data folder, addressed by the
// SHA-256 of the original upload:
//
//	<dir>/photos/ab/cd/<sha256>.jpg    display image
//	<dir>/photos/ab/cd/<sha256>_t.jpg  thumbnail
//
// where ab and cd are the first two pairs of hex digits. It is safe for
// concurrent use, by several processes too: files appear whole or not at all.
type Store struct {
	root string // <dir>/photos
}

// NewStore returns a Store writing under dir/photos; folders are created
// when the first photo is put.
func NewStore(dir string) *Store {
	return &Store{root: filepath.Join(dir, "photos")}
}

// ValidID reports whether id has the form of a photo id: 64 lowercase hex
// characters.
func ValidID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// path returns the file of id (already validated); thumb selects the thumbnail.
func (s *Store) path(id string, thumb bool) string {
	name := id + ".jpg"
	if thumb {
		name = id + "_t.jpg"
	}
	return filepath.Join(s.root, id[0:2], id[2:4], name)
}

// Put writes p's display image and thumbnail and returns the id, p.SHA256.
// It is idempotent: files already there for the same id are kept as they
// are. Each file is written to a temporary file in its folder, synced, and
// renamed into place.
func (s *Store) Put(p *Processed) (string, error) {
	id := p.SHA256
	if !ValidID(id) {
		return "", ErrInvalidID
	}
	if len(p.Display) == 0 || len(p.Thumb) == 0 {
		return "", errors.New("photo: put: empty image")
	}
	dir := filepath.Dir(s.path(id, false))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("photo: put: %w", err)
	}
	// The thumbnail first: a display file then always has its thumbnail.
	wrote := false
	for _, f := range []struct {
		thumb bool
		data  []byte
	}{{true, p.Thumb}, {false, p.Display}} {
		path := s.path(id, f.thumb)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			continue
		}
		if err := writeAtomic(dir, path, f.data); err != nil {
			return "", fmt.Errorf("photo: put: %w", err)
		}
		wrote = true
	}
	if wrote {
		syncDir(dir)
	}
	return id, nil
}

// writeAtomic writes data to path through a temporary file in dir.
func writeAtomic(dir, path string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, ".tmp-*.jpg")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// syncDir makes the renames in dir durable; where directories cannot be
// synced (some platforms) the error is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Open opens the display image (thumb false) or thumbnail (thumb true) of
// id. The result is an *os.File, so callers may Stat it for http.ServeContent.
// A malformed id gives ErrInvalidID and a missing photo an error matching
// fs.ErrNotExist.
func (s *Store) Open(id string, thumb bool) (io.ReadSeekCloser, error) {
	if !ValidID(id) {
		return nil, ErrInvalidID
	}
	f, err := os.Open(s.path(id, thumb))
	if err != nil {
		return nil, err
	}
	return f, nil
}
