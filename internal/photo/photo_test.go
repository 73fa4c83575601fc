package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"golang.org/x/image/webp"
)

// tinyWebP is a 6×4 lossless WebP (made with `cwebp -lossless -exact` from
// a PNG with red, green, blue and white 3×2 quadrants).
var tinyWebP = []byte{
	0x52, 0x49, 0x46, 0x46, 0x28, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c,
	0x1b, 0x00, 0x00, 0x00, 0x2f, 0x05, 0xc0, 0x00, 0x00, 0x06, 0x05, 0x6d, 0xdb, 0x30, 0xe5, 0x4f,
	0x7a, 0x17, 0x44, 0x32, 0xff, 0xf3, 0xdf, 0xff, 0x48, 0x50, 0xe8, 0x8f, 0x50, 0xeb, 0x07, 0x00,
}

// cameraEXIF is what a phone held upright would write: Orientation 6, GPS
// 34°34'48"N 105°43'12"E (34.58, 105.72), taken 2026-11-28 10:15:00.
func cameraEXIF(bo order) []byte {
	tb := tiffBuilder{bo}
	return tb.build(
		[]tEntry{tb.short(tagOrientation, 6), tb.ascii(0x010F, "Lantian Test Camera")},
		[]tEntry{tb.ascii(tagDateTimeOrig, "2026:11:28 10:15:00")},
		[]tEntry{
			tb.ascii(tagGPSLatRef, "N"),
			tb.rationals(tagGPSLat, [2]uint32{34, 1}, [2]uint32{34, 1}, [2]uint32{48, 1}),
			tb.ascii(tagGPSLonRef, "E"),
			tb.rationals(tagGPSLon, [2]uint32{105, 1}, [2]uint32{43, 1}, [2]uint32{1200, 100}),
		},
	)
}

func TestProcessJPEGWithEXIF(t *testing.T) {
	for _, bo := range []order{binary.BigEndian, binary.LittleEndian} {
		t.Run(bo.String(), func(t *testing.T) {
			in := withAPP1(t, jpegBytes(t, quadImage(64, 32)), cameraEXIF(bo))
			if !bytes.Contains(in, []byte("Exif")) || !bytes.Contains(in, []byte("Lantian Test Camera")) {
				t.Fatal("test input carries no EXIF")
			}
			if !bytes.Contains(markers(t, in), []byte{0xE1}) {
				t.Fatal("markers does not see the input's APP1")
			}
			loc := time.FixedZone("test+8", 8*3600)
			p, err := Process(bytes.NewReader(in), Limits{Location: loc})
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != "jpeg" || p.Orientation != 6 {
				t.Errorf("format %q orientation %d, want jpeg 6", p.Format, p.Orientation)
			}
			sum := sha256.Sum256(in)
			if p.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA256 %s is not the hash of the original", p.SHA256)
			}

			// Turned 90° clockwise: 64×32 becomes 32×64, the red top-left
			// corner goes to the top right, the blue bottom-left to the top left.
			if p.Width != 32 || p.Height != 64 {
				t.Errorf("display %d×%d, want 32×64", p.Width, p.Height)
			}
			disp := decodeJPEG(t, p.Display)
			if b := disp.Bounds(); b.Dx() != 32 || b.Dy() != 64 {
				t.Errorf("display JPEG is %v, want 32×64", b)
			}
			if q := quadrants(disp); q != "BR/WG" {
				t.Errorf("display quadrants %s, want BR/WG (turned clockwise)", q)
			}
			if !near(disp.At(31, 0), red) {
				t.Errorf("top-right pixel %v, want red (the original top-left corner)", disp.At(31, 0))
			}
			thumb := decodeJPEG(t, p.Thumb)
			if b := thumb.Bounds(); b.Dx() != 32 || b.Dy() != 64 || quadrants(thumb) != "BR/WG" {
				t.Errorf("thumbnail %v %s, want 32×64 BR/WG", b, quadrants(thumb))
			}

			if p.Lat == nil || p.Lon == nil {
				t.Fatalf("GPS not read: %v %v", p.Lat, p.Lon)
			}
			if math.Abs(*p.Lat-34.58) > 1e-6 || math.Abs(*p.Lon-105.72) > 1e-6 {
				t.Errorf("GPS %.7f,%.7f, want 34.58,105.72", *p.Lat, *p.Lon)
			}
			if p.TakenRaw != "2026:11:28 10:15:00" {
				t.Errorf("TakenRaw %q", p.TakenRaw)
			}
			want := time.Date(2026, 11, 28, 10, 15, 0, 0, loc)
			if p.Taken == nil || !p.Taken.Equal(want) || p.Taken.Location() != loc {
				t.Errorf("Taken %v, want %v in the given location", p.Taken, want)
			}

			for name, out := range map[string][]byte{"display": p.Display, "thumbnail": p.Thumb} {
				if bytes.Contains(out, []byte("Exif")) || bytes.Contains(out, []byte("Lantian Test Camera")) {
					t.Errorf("%s still carries EXIF", name)
				}
				for _, m := range markers(t, out) {
					if m >= 0xE0 && m <= 0xEF || m == 0xFE {
						t.Errorf("%s has an APP%d or comment segment (marker %#x)", name, m&0x0F, m)
					}
				}
			}
		})
	}
}

// markers lists the JPEG markers before the start of scan.
func markers(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		t.Fatal("not a JPEG")
	}
	var ms []byte
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			return ms
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	t.Fatal("no start of scan")
	return nil
}

func TestTakenOffsetAndDefaultZone(t *testing.T) {
	tb := tiffBuilder{binary.BigEndian}
	in := withAPP1(t, jpegBytes(t, quadImage(16, 16)), tb.build(nil,
		[]tEntry{tb.ascii(tagDateTimeOrig, "2026:11:28 10:15:00"), tb.ascii(tagOffsetOrig, "+05:00")}, nil))
	p, err := Process(bytes.NewReader(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 28, 5, 15, 0, 0, time.UTC)
	if p.Taken == nil || !p.Taken.Equal(want) {
		t.Errorf("Taken %v, want %v (the file's own offset)", p.Taken, want)
	}
	if p.Lat != nil || p.Orientation != 1 {
		t.Errorf("no GPS or orientation written, got %v %d", p.Lat, p.Orientation)
	}

	in = withAPP1(t, jpegBytes(t, quadImage(16, 16)), tb.build(nil,
		[]tEntry{tb.ascii(tagDateTimeOrig, "2026:11:28 10:15:00")}, nil))
	if p, err = Process(bytes.NewReader(in), Limits{}); err != nil {
		t.Fatal(err)
	}
	want = time.Date(2026, 11, 28, 2, 15, 0, 0, time.UTC) // default zone UTC+8
	if p.Taken == nil || !p.Taken.Equal(want) {
		t.Errorf("Taken %v, want %v (China Standard Time by default)", p.Taken, want)
	}
}

func TestAllOrientations(t *testing.T) {
	// The quadrants red/green over blue/white, as each orientation displays them.
	want := map[int]string{
		1: "RG/BW", 2: "GR/WB", 3: "WB/GR", 4: "BW/RG",
		5: "RB/GW", 6: "BR/WG", 7: "WG/BR", 8: "GW/RB",
	}
	src := pngBytes(t, quadImage(64, 32))
	for o := 1; o <= 8; o++ {
		tb := tiffBuilder{binary.LittleEndian}
		in := withEXIf(src, tb.build([]tEntry{tb.short(tagOrientation, uint16(o))}, nil, nil))
		p, err := Process(bytes.NewReader(in), Limits{})
		if err != nil {
			t.Fatalf("orientation %d: %v", o, err)
		}
		w, h := 64, 32
		if o >= 5 {
			w, h = 32, 64
		}
		if p.Format != "png" || p.Orientation != o || p.Width != w || p.Height != h {
			t.Errorf("orientation %d: %s %d %d×%d, want png %d %d×%d", o, p.Format, p.Orientation, p.Width, p.Height, o, w, h)
		}
		if q := quadrants(decodeJPEG(t, p.Display)); q != want[o] {
			t.Errorf("orientation %d: quadrants %s, want %s", o, q, want[o])
		}
	}
}

func TestOrientExact(t *testing.T) {
	// A 3×2 image of distinct pixels a b c / d e f.
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		src.SetRGBA(i%3, i/3, color.RGBA{uint8('a' + i), 0, 0, 255})
	}
	want := map[int]string{
		1: "abc/def", 2: "cba/fed", 3: "fed/cba", 4: "def/abc",
		5: "ad/be/cf", 6: "da/eb/fc", 7: "fc/eb/da", 8: "cf/be/ad",
	}
	for o, w := range want {
		m := orient(src, o)
		var rows []string
		for y := 0; y < m.Bounds().Dy(); y++ {
			var row []byte
			for x := 0; x < m.Bounds().Dx(); x++ {
				row = append(row, m.RGBAAt(x, y).R)
			}
			rows = append(rows, string(row))
		}
		if got := strings.Join(rows, "/"); got != w {
			t.Errorf("orientation %d: %s, want %s", o, got, w)
		}
	}
}

func TestDownscale(t *testing.T) {
	p, err := Process(bytes.NewReader(jpegBytes(t, quadImage(3000, 1000))), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 2048 || p.Height != 683 {
		t.Errorf("display %d×%d, want 2048×683", p.Width, p.Height)
	}
	d := decodeJPEG(t, p.Display)
	if d.Bounds().Dx() != 2048 || d.Bounds().Dy() != 683 || quadrants(d) != "RG/BW" {
		t.Errorf("display JPEG %v %s", d.Bounds(), quadrants(d))
	}
	th := decodeJPEG(t, p.Thumb)
	if th.Bounds().Dx() != 320 || th.Bounds().Dy() != 107 || quadrants(th) != "RG/BW" {
		t.Errorf("thumbnail %v %s, want 320×107 RG/BW", th.Bounds(), quadrants(th))
	}
	if len(p.Thumb) >= len(p.Display) {
		t.Errorf("thumbnail (%d B) not smaller than display (%d B)", len(p.Thumb), len(p.Display))
	}
}

func TestTransparentOnWhite(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 8, 8)) // fully transparent
	p, err := Process(bytes.NewReader(pngBytes(t, m)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if c := decodeJPEG(t, p.Display).At(4, 4); !near(c, white) {
		t.Errorf("transparent pixel became %v, want white", c)
	}
}

func TestWebP(t *testing.T) {
	// The fixture itself: exact pixels.
	m, err := webp.Decode(bytes.NewReader(tinyWebP))
	if err != nil {
		t.Fatal(err)
	}
	if q := quadrants(m); q != "RG/BW" || m.Bounds().Dx() != 6 || m.Bounds().Dy() != 4 {
		t.Fatalf("fixture decodes to %v %s", m.Bounds(), q)
	}

	p, err := Process(bytes.NewReader(tinyWebP), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != "webp" || p.Width != 6 || p.Height != 4 {
		t.Errorf("got %s %d×%d, want webp 6×4", p.Format, p.Width, p.Height)
	}
	if q := quadrants(decodeJPEG(t, p.Display)); q != "RG/BW" {
		t.Errorf("display quadrants %s", q)
	}

	// The same bitstream in an extended (VP8X) WebP with an EXIF chunk
	// saying orientation 8.
	tb := tiffBuilder{binary.LittleEndian}
	ex := append([]byte("Exif\x00\x00"), tb.build([]tEntry{tb.short(tagOrientation, 8)}, nil, nil)...)
	vp8x := []byte{0x08, 0, 0, 0, 5, 0, 0, 3, 0, 0} // EXIF flag; canvas 6×4
	var body []byte
	body = append(body, "WEBP"...)
	body = append(body, riffChunk("VP8X", vp8x)...)
	body = append(body, tinyWebP[12:]...) // the VP8L chunk
	body = append(body, riffChunk("EXIF", ex)...)
	ext := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	ext = append(ext, body...)
	p, err = Process(bytes.NewReader(ext), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Orientation != 8 || p.Width != 4 || p.Height != 6 {
		t.Errorf("extended WebP: orientation %d %d×%d, want 8 4×6", p.Orientation, p.Width, p.Height)
	}
}

func riffChunk(id string, data []byte) []byte {
	b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func TestNotAnImage(t *testing.T) {
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, quadImage(8, 8), nil); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{
		"text renamed .jpg": []byte("这不是图片 — just some notes saved as photo.jpg\n"),
		"pdf":               []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"),
		"empty":             nil,
		// GIF's decoder is registered in this test binary (image/gif is
		// imported), yet GIF is not an accepted format.
		"gif": gifBuf.Bytes(),
	} {
		_, err := Process(bytes.NewReader(in), Limits{})
		wantKey(t, err, KeyType)
		if ae := err.(*Error).AppErr(); ae.Code != apperr.Invalid || ae.Msg.Key != KeyType {
			t.Errorf("%s: AppErr %v", name, ae)
		}
	}
}

func TestCorrupt(t *testing.T) {
	in := jpegBytes(t, quadImage(64, 64))
	_, err := Process(bytes.NewReader(in[:len(in)/2]), Limits{})
	wantKey(t, err, KeyCorrupt)
}

func TestTooLarge(t *testing.T) {
	in := pngBytes(t, quadImage(16, 16))
	if _, err := Process(bytes.NewReader(in), Limits{MaxBytes: int64(len(in))}); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
	_, err := Process(bytes.NewReader(in), Limits{MaxBytes: int64(len(in) - 1)})
	e := wantKey(t, err, KeyTooLarge)
	if len(e.Args) != 1 || e.Args[0] != 1 {
		t.Errorf("args %v, want [1] (MB, rounded up)", e.Args)
	}
	if ae := e.AppErr(); ae.Code != apperr.TooLarge {
		t.Errorf("AppErr code %s, want too_large", ae.Code)
	}

	// An endless upload is cut at the default 10 MB + 1 byte.
	cr := &countingReader{}
	_, err = Process(cr, Limits{})
	e = wantKey(t, err, KeyTooLarge)
	if cr.n != DefaultMaxBytes+1 || e.Args[0] != 10 {
		t.Errorf("read %d bytes, arg %v; want %d and 10", cr.n, e.Args[0], DefaultMaxBytes+1)
	}
}

// countingReader is an endless stream of zeros that counts what is read.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	clear(p)
	r.n += int64(len(p))
	return len(p), nil
}

func TestReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := Process(io.MultiReader(bytes.NewReader([]byte("\x89PNG")), errReader{boom}), Limits{})
	var e *Error
	if !errors.Is(err, boom) || errors.As(err, &e) {
		t.Errorf("err = %v, want the read error itself", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestHugeDimensionsRefusedBeforeDecoding(t *testing.T) {
	// A PNG whose header declares 10000×10000 pixels (400 MB as RGBA) and
	// has no pixel data at all: decoding would fail as corrupt (or exhaust
	// memory with real data), so err.photo_dimensions proves the check
	// came first.
	ihdr := binary.BigEndian.AppendUint32(nil, 10000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 10000)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	bomb := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	bomb = append(bomb, pngChunk("IEND", nil)...)
	_, err := Process(bytes.NewReader(bomb), Limits{})
	e := wantKey(t, err, KeyDimensions)
	if len(e.Args) != 1 || e.Args[0] != 50 {
		t.Errorf("args %v, want [50] megapixels", e.Args)
	}

	// And the limit is the one given.
	_, err = Process(bytes.NewReader(pngBytes(t, quadImage(64, 32))), Limits{MaxPixels: 64*32 - 1})
	wantKey(t, err, KeyDimensions)
	if _, err = Process(bytes.NewReader(pngBytes(t, quadImage(64, 32))), Limits{MaxPixels: 64 * 32}); err != nil {
		t.Errorf("at the pixel limit: %v", err)
	}
}

func TestFit(t *testing.T) {
	for _, c := range []struct{ w, h, edge, ww, wh int }{
		{100, 50, 320, 100, 50},
		{4000, 3000, 2048, 2048, 1536},
		{3000, 4000, 2048, 1536, 2048},
		{2048, 2048, 2048, 2048, 2048},
		{10000, 1, 320, 320, 1},
	} {
		if w, h := fit(c.w, c.h, c.edge); w != c.ww || h != c.wh {
			t.Errorf("fit(%d,%d,%d) = %d,%d, want %d,%d", c.w, c.h, c.edge, w, h, c.ww, c.wh)
		}
	}
}

// BenchmarkProcess12MP processes a 4000×3000 JPEG, a typical phone photo.
func BenchmarkProcess12MP(b *testing.B) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, quadImage(4000, 3000), &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	in := buf.Bytes()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(bytes.NewReader(in), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
