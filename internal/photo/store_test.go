package photo

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStore(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir)
	p, err := Process(bytes.NewReader(pngBytes(t, quadImage(40, 30))), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Put(p)
	if err != nil {
		t.Fatal(err)
	}
	if id != p.SHA256 {
		t.Fatalf("id %s, want the SHA-256 %s", id, p.SHA256)
	}
	disp := filepath.Join(dir, "photos", id[:2], id[2:4], id+".jpg")
	thumb := filepath.Join(dir, "photos", id[:2], id[2:4], id+"_t.jpg")
	for path, want := range map[string][]byte{disp: p.Display, thumb: p.Thumb} {
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v, content equal %v", path, err, bytes.Equal(got, want))
		}
	}
	fi, err := os.Stat(disp)
	if err != nil {
		t.Fatal(err)
	}

	// Idempotent: the same id again keeps the files as they are.
	again := *p
	again.Display = []byte("something else")
	again.Thumb = []byte("something else")
	id2, err := s.Put(&again)
	if err != nil || id2 != id {
		t.Fatalf("second Put: %s %v", id2, err)
	}
	fi2, _ := os.Stat(disp)
	got, _ := os.ReadFile(disp)
	if !bytes.Equal(got, p.Display) || !fi2.ModTime().Equal(fi.ModTime()) {
		t.Error("second Put rewrote the display file")
	}
	entries, _ := os.ReadDir(filepath.Dir(disp))
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want just the two files", names)
	}

	// A lost thumbnail is written again.
	os.Remove(thumb)
	if _, err := s.Put(p); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(thumb); !bytes.Equal(got, p.Thumb) {
		t.Error("missing thumbnail not restored")
	}

	for _, th := range []bool{false, true} {
		f, err := s.Open(id, th)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		want := p.Display
		if th {
			want = p.Thumb
		}
		if !bytes.Equal(b, want) {
			t.Errorf("Open(thumb=%v) gave other bytes", th)
		}
	}

	if _, err := s.Open(strings.Repeat("0", 64), false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing photo: %v, want fs.ErrNotExist", err)
	}
}

func TestStoreRejectsBadIDs(t *testing.T) {
	dir := t.TempDir()
	// A file that a traversal would reach.
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewStore(filepath.Join(dir, "data"))
	good := strings.Repeat("ab", 32)
	for _, id := range []string{
		"../etc/passwd",
		"../../secret",
		"",
		strings.ToUpper(good),
		good[:63],
		good + "0",
		good[:60] + "/../",
		good[:62] + "\x00x",
		"../../" + good[6:],
	} {
		if f, err := s.Open(id, false); err == nil || !errors.Is(err, ErrInvalidID) || !errors.Is(err, fs.ErrNotExist) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open(%q) = %v, want ErrInvalidID", id, err)
		}
		if _, err := s.Put(&Processed{SHA256: id, Display: []byte{1}, Thumb: []byte{1}}); !errors.Is(err, ErrInvalidID) {
			t.Errorf("Put(%q) = %v, want ErrInvalidID", id, err)
		}
	}
	if !ValidID(good) {
		t.Error("ValidID refuses a good id")
	}
}
