package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/lantian-org/lantian/internal/photo/phototest"
)

// Files whose headers claim what a test needs: see package phototest.
var (
	pngHead  = phototest.PNGHeader
	jpegHead = phototest.JPEGHeader
	jpegSeg  = phototest.JPEGSegment
	webpVP8L = phototest.WebPLosslessHeader
	webpVP8  = phototest.WebPLossyHeader
	riff     = phototest.WebP
)

func zeroPNG(_ testing.TB, w, h int) []byte { return phototest.PNG(w, h, 0) }

// onlyReader hides the Seek method of a reader, for the path that reads
// the upload whole before looking at it.
type onlyReader struct{ io.Reader }

// allocated returns the bytes allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBombsRefusedFromHeader is the contract of security issue #8: an
// image whose header declares more than 50 megapixels, a side over 20,000
// pixels, a shape beyond 50:1 or a decode needing more memory than one
// photo may is refused with its own message, from the header, having
// allocated next to nothing whatever the file's size.
func TestBombsRefusedFromHeader(t *testing.T) {
	app1 := jpegSeg(0xE1, append([]byte("Exif\x00\x00"), make([]byte, 65000)...))
	var junk [][]byte // 9 MB of APP segments before the frame header
	for range 140 {
		junk = append(junk, app1)
	}
	for _, tc := range []struct {
		name string
		data []byte
		key  string
	}{
		{"PNG50000000x1", zeroPNG(t, 50_000_000, 1), KeyEdge},
		{"PNGWide", pngHead(30000, 10, 8, 2, 0), KeyEdge},
		{"PNGTooManyPixels", pngHead(20000, 20000, 8, 2, 0), KeyDimensions},
		{"PNGNarrow", pngHead(10000, 150, 8, 2, 0), KeyAspect},
		{"PNGNarrowTall", pngHead(150, 10000, 8, 0, 0), KeyAspect},
		{"PNG16BitRGBA", pngHead(7000, 7000, 16, 6, 0), KeyMemory},
		{"PNGInterlaced16Bit", pngHead(5000, 5000, 16, 2, 1), KeyMemory},
		{"JPEGHuge", jpegHead(65535, 65535, false, []byte{0x22, 0x11, 0x11}), KeyEdge},
		{"JPEGProgressive444", jpegHead(8000, 6000, true, []byte{0x11, 0x11, 0x11}), KeyMemory},
		{"JPEGCMYKProgressive", jpegHead(6000, 4000, true, []byte{0x11, 0x11, 0x11, 0x11}), KeyMemory},
		{"JPEGAfter9MBOfAPP1", jpegHead(30000, 100, false, []byte{0x22, 0x11, 0x11}, junk...), KeyEdge},
		{"WebPLossless", webpVP8L(4000, 4000), KeyMemory},
		{"WebPLossyHuge", webpVP8(16383, 16383), KeyDimensions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, seek := range []bool{true, false} {
				var r io.Reader = bytes.NewReader(tc.data)
				if !seek {
					r = onlyReader{r}
				}
				var err error
				n := allocated(func() { _, err = Process(r, Limits{}) })
				wantKey(t, err, tc.key)
				// The seeking path reads the header as a stream; the other
				// holds the upload, and nothing more.
				limit := uint64(1 << 20)
				if !seek {
					limit += 3 * uint64(len(tc.data)) // io.ReadAll grows its buffer by doubling
				}
				if n > limit {
					t.Errorf("seek=%v: %d KB allocated for a %d KB file, want at most %d KB", seek, n>>10, len(tc.data)>>10, limit>>10)
				}
			}
		})
	}
}

// TestHeaderLimitsAccept shows what the limits still let through.
func TestHeaderLimitsAccept(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"JPEG50MP420", jpegHead(8160, 6120, false, []byte{0x22, 0x11, 0x11})}, // a 50 MP phone photo
		{"JPEG12MP444", jpegHead(4000, 3000, false, []byte{0x11, 0x11, 0x11})},
		{"JPEG12MPProgressive420", jpegHead(4000, 3000, true, []byte{0x22, 0x11, 0x11})},
		{"JPEGPanorama8to1", jpegHead(16000, 2000, false, []byte{0x22, 0x11, 0x11})},
		{"PNG12MPRGBA", pngHead(4000, 3000, 8, 6, 0)},
		{"PNGEdge20000x1000", pngHead(20000, 1000, 8, 0, 0)},
		{"PNGAspect50", pngHead(10000, 200, 8, 2, 0)},
		{"WebPLossy16MP", webpVP8(4000, 4000)},
		{"WebPLossless1MP", webpVP8L(1000, 1000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Check(bytes.NewReader(tc.data), int64(len(tc.data)), Limits{})
			if err != nil {
				t.Fatalf("Check: %v (decode %d MB, memory %d MB)", err, h.DecodeBytes>>20, h.Memory(int64(len(tc.data)))>>20)
			}
		})
	}
}

// TestHeaderAgreesWithDecodeConfig reads the same width, height and format
// as the standard library's DecodeConfig, on the fixtures and generated images.
func TestHeaderAgreesWithDecodeConfig(t *testing.T) {
	for name, data := range decoderSamples(t) {
		h, err := ReadHeader(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: ReadHeader: %v", name, err)
			continue
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: DecodeConfig: %v", name, err)
			continue
		}
		if h.Format != format || h.Width != cfg.Width || h.Height != cfg.Height {
			t.Errorf("%s: header %s %dx%d, DecodeConfig %s %dx%d", name, h.Format, h.Width, h.Height, format, cfg.Width, cfg.Height)
		}
	}
}

// TestDecodeBytesBoundsDecoders decodes images in every layout the
// decoders allocate differently for and checks that everything they
// allocated (garbage included) stays within the header's DecodeBytes.
func TestDecodeBytesBoundsDecoders(t *testing.T) {
	for name, data := range decoderSamples(t) {
		h, err := ReadHeader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var derr error
		n := allocated(func() { _, derr = decode(data) })
		if derr != nil {
			t.Fatalf("%s: decode: %v", name, derr)
		}
		if int64(n) > h.DecodeBytes {
			t.Errorf("%s (%dx%d): decoder allocated %d KB, header estimate %d KB", name, h.Width, h.Height, n>>10, h.DecodeBytes>>10)
		}
		// Not so loose that ordinary photos are refused: within 2× for the
		// large generated ones (lossless WebP's Huffman bound is loose by design).
		if h.Width*h.Height >= 1_000_000 && int64(n)*2 < h.DecodeBytes {
			t.Errorf("%s: estimate %d KB is over twice the %d KB allocated", name, h.DecodeBytes>>10, n>>10)
		}
	}
}

// decoderSamples returns the fixtures in testdata/decoders and large images
// made with the standard encoders.
func decoderSamples(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join("testdata", "decoders", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	const w, h = 1200, 900
	r := image.Rect(0, 0, w, h)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, red})
	gray16 := image.NewGray16(r)
	rgba64 := image.NewNRGBA64(r)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			pal.SetColorIndex(x, y, uint8((x/7+y/5)%3))
			gray16.SetGray16(x, y, color.Gray16{uint16(x * y)})
			rgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(x * 50), uint16(y * 70), 9, 40000})
		}
	}
	quad := quadImage(w, h)
	gray := image.NewGray(r)
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	for name, m := range map[string]image.Image{"gray.png": gray, "gray16.png": gray16, "nrgba64.png": rgba64, "rgba.png": quad, "paletted.png": pal} {
		var b bytes.Buffer
		if err := png.Encode(&b, m); err != nil {
			t.Fatal(err)
		}
		out[name] = b.Bytes()
	}
	for name, m := range map[string]image.Image{"gray.jpeg": gray, "ycbcr420.jpeg": quad} {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		out[name] = b.Bytes()
	}
	return out
}

// TestRGBMarkerAfterScan: an Adobe APP14 segment saying "RGB" after the
// scan still makes image/jpeg return an RGBA copy, so the header reader
// walks past the scan and counts it.
func TestRGBMarkerAfterScan(t *testing.T) {
	plain := jpegBytes(t, quadImage(64, 64))
	h1, err := ReadHeader(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	// Drop the JFIF APP0 (which would rule RGB out) and add APP14 before EOI.
	noJFIF := append([]byte{0xFF, 0xD8}, plain[2+2+int(binary.BigEndian.Uint16(plain[4:])):]...)
	adobe := jpegSeg(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))
	withRGB := append(append(noJFIF[:len(noJFIF)-2:len(noJFIF)-2], adobe...), 0xFF, 0xD9)
	h2, err := ReadHeader(bytes.NewReader(withRGB))
	if err != nil {
		t.Fatal(err)
	}
	if h2.DecodeBytes != h1.DecodeBytes+4*64*64 {
		t.Errorf("DecodeBytes %d, want %d + an RGBA copy", h2.DecodeBytes, h1.DecodeBytes)
	}
	m, err := decode(withRGB)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(*image.RGBA); !ok {
		t.Errorf("decoded %T, want *image.RGBA (else the test proves nothing)", m)
	}
}

func TestReadHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		key  string
	}{
		{"Empty", nil, KeyType},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), KeyType},
		{"PDF", []byte("%PDF-1.4\n"), KeyType},
		{"JPEGCut", []byte{0xFF, 0xD8, 0xFF, 0xC0, 0x00}, KeyCorrupt},
		{"JPEGNoSOF", []byte{0xFF, 0xD8, 0xFF, 0xD9}, KeyCorrupt},
		{"JPEG12Bit", append(jpegHead(10, 10, false, []byte{0x11})[:5], 0x0B, 12, 0, 10, 0, 10, 1, 1, 0x11, 0), KeyCorrupt},
		{"JPEGTwoSOF", append(jpegHead(10, 10, false, []byte{0x11})[:15], jpegHead(10, 10, false, []byte{0x11})[2:]...), KeyCorrupt},
		{"JPEGLossless", []byte{0xFF, 0xD8, 0xFF, 0xC3, 0x00, 0x0B, 8, 0, 10, 0, 10, 1, 1, 0x11, 0}, KeyCorrupt},
		{"JPEGZeroHeight", jpegHead(10, 0, false, []byte{0x11}), KeyCorrupt},
		{"PNGNoIHDR", append([]byte(pngSignature), pngChunk("IEND", nil)...), KeyCorrupt},
		{"PNGBadDepth", pngHead(10, 10, 3, 2, 0), KeyCorrupt},
		{"PNGZeroWidth", pngHead(0, 10, 8, 2, 0), KeyCorrupt},
		{"PNGBadInterlace", pngHead(10, 10, 8, 2, 2), KeyCorrupt},
		{"WebPUnknownChunk", riff(riffChunk("XYZW", []byte{1, 2})), KeyCorrupt},
		{"WebPBadVP8L", riff(riffChunk("VP8L", []byte{0x2E, 0, 0, 0, 0})), KeyCorrupt},
		{"WebPFrameNotCanvas", riff(riffChunk("VP8X", []byte{0, 0, 0, 0, 9, 0, 0, 9, 0, 0}), webpVP8L(20, 20)[12:]), KeyCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadHeader(bytes.NewReader(tc.data))
			var pe *Error
			if !errors.As(err, &pe) || pe.Key != tc.key {
				t.Fatalf("ReadHeader = %v, want %s", err, tc.key)
			}
		})
	}
}
