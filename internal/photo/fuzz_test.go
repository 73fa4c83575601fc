package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/lantian-org/lantian/internal/locale"
)

// addFixtures seeds f with the images in testdata/decoders.
func addFixtures(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "decoders", "*.*"))
	for _, name := range files {
		if filepath.Ext(name) == ".md" {
			continue
		}
		if b, err := os.ReadFile(name); err == nil && len(b) < 8<<10 {
			f.Add(b)
		}
	}
}

// FuzzReadHeader: our header reader agrees with the standard library's
// DecodeConfig on format and size whenever both read a file, and what the
// decoders then allocate stays within the header's DecodeBytes — the
// figure the memory budget trusts.
func FuzzReadHeader(f *testing.F) {
	addFixtures(f)
	f.Add(pngHead(30000, 10, 8, 2, 0))
	f.Add(jpegHead(64, 48, true, []byte{0x22, 0x11, 0x11}))
	f.Add(webpVP8L(20, 20))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHeader(bytes.NewReader(data))
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || (pe.Key != KeyType && pe.Key != KeyCorrupt) {
				t.Fatalf("ReadHeader error %v", err)
			}
			return
		}
		if h.Width <= 0 || h.Height <= 0 || h.DecodeBytes <= 0 {
			t.Fatalf("header %+v", h)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err == nil && (format != h.Format || cfg.Width != h.Width || cfg.Height != h.Height) {
			t.Fatalf("header %s %dx%d, DecodeConfig %s %dx%d", h.Format, h.Width, h.Height, format, cfg.Width, cfg.Height)
		}
		if h.DecodeBytes > 16<<20 {
			return // decoding it would only be slow
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := decode(data)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; int64(n) > h.DecodeBytes {
			t.Fatalf("%s %dx%d: decoder allocated %d bytes, header bound %d", h.Format, h.Width, h.Height, n, h.DecodeBytes)
		}
		if err == nil && (m.Bounds().Dx() != h.Width || m.Bounds().Dy() != h.Height) {
			t.Fatalf("decoded %v, header %dx%d", m.Bounds(), h.Width, h.Height)
		}
	})
}

// FuzzProcess runs the whole path a photo takes, with small limits so that
// each run is quick: an error is one of ours with a message in the
// catalogs; a success has both outputs within their edges.
func FuzzProcess(f *testing.F) {
	addFixtures(f)
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, quadImage(40, 30), nil)
	app1 := jpegSeg(0xE1, append([]byte("Exif\x00\x00"), cameraEXIF(binary.BigEndian)...))
	f.Add(append(append([]byte{0xFF, 0xD8}, app1...), jpg.Bytes()[2:]...))
	gate := NewGate(1, 64<<20)
	lim := Limits{MaxPixels: 1 << 20, MaxEdge: 4096, Gate: gate}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Process(bytes.NewReader(data), lim)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || !locale.Has("zh-CN", pe.Key) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(p.Display) == 0 || len(p.Thumb) == 0 || p.Width < 1 || p.Height < 1 || max(p.Width, p.Height) > DisplayEdge || len(p.SHA256) != 64 {
			t.Fatalf("processed %dx%d, %d/%d bytes", p.Width, p.Height, len(p.Display), len(p.Thumb))
		}
		if _, _, err := image.Decode(bytes.NewReader(p.Thumb)); err != nil {
			t.Fatalf("thumbnail: %v", err)
		}
	})
}
