package letters

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/testutil/qrtest"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pad returns a transparent 300×100 signature pad with n pixels of a stroke in c.
func pad(t *testing.T, n int, c color.Color) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 300, 100))
	for i := 0; i < n; i++ {
		img.Set(10+i%280, 50+(i/280)%40, c)
	}
	return encodePNG(t, img)
}

// minimalPDF builds a one-page PDF with a correct cross-reference table.
func minimalPDF(xrefShift int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref+xrefShift)
	return b.Bytes()
}

// pngHeader is the start of a PNG claiming w×h pixels: enough for DecodeConfig.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte{0, 0, 0, 13, 'I', 'H', 'D', 'R', byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w), byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h), 8, 2, 0, 0, 0}
	crc := crc32.ChecksumIEEE(ihdr[4:])
	return append(append([]byte("\x89PNG\r\n\x1a\n"), ihdr...), byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
}

func jpegBytes(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, h/2, color.Black)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckSignature(t *testing.T) {
	white := image.NewRGBA(image.Rect(0, 0, 300, 100))
	for i := range white.Pix {
		white.Pix[i] = 0xff
	}
	for _, tc := range []struct {
		name string
		data []byte
		key  string
		code apperr.Code
	}{
		{name: "OK", data: pad(t, 400, color.Black)},
		{name: "OKBlueInk", data: pad(t, 200, color.RGBA{20, 40, 160, 255})},
		{name: "ErrTransparentOnly", data: pad(t, 0, color.Black), key: "err.letter.empty_signature"},
		{name: "ErrWhiteOnly", data: encodePNG(t, white), key: "err.letter.empty_signature"},
		{name: "ErrFaintDots", data: pad(t, MinInk-1, color.Black), key: "err.letter.empty_signature"},
		{name: "ErrInvisibleInk", data: pad(t, 400, color.NRGBA{0, 0, 0, 10}), key: "err.letter.empty_signature"},
		{name: "ErrJPEG", data: jpegBytes(t, 300, 100), key: "err.letter.signature_type"},
		{name: "ErrText", data: []byte("not an image"), key: "err.letter.signature_type"},
		{name: "ErrTruncated", data: pad(t, 400, color.Black)[:80], key: "err.photo_corrupt"},
		{name: "ErrTooLarge", data: make([]byte, MaxSignatureBytes+1), key: "err.file_too_large", code: apperr.TooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := CheckSignature(tc.data)
			if tc.key == "" {
				if err != nil || f.Format != "png" || len(f.SHA256) != 64 || f.ContentType() != "image/png" {
					t.Fatalf("CheckSignature = %+v, %v", f.Format, err)
				}
				return
			}
			if m, ok := apperr.As(err).Fields["signature"]; !ok || m.Key != tc.key {
				t.Fatalf("CheckSignature = %v, want %s on signature", err, tc.key)
			}
			if tc.code != "" && !apperr.Is(err, tc.code) {
				t.Fatalf("code %s, want %s", apperr.As(err).Code, tc.code)
			}
		})
	}
}

func TestCheckScan(t *testing.T) {
	pdf := minimalPDF(0)
	for _, tc := range []struct {
		name   string
		data   []byte
		format string
		key    string
	}{
		{name: "OKPDF", data: pdf, format: "pdf"},
		{name: "OKPDFWithTrailingNewlines", data: append(minimalPDF(0), "\r\n\r\n"...), format: "pdf"},
		{name: "OKJPEG", data: jpegBytes(t, 620, 877), format: "jpeg"},
		{name: "OKPNG", data: pad(t, 10, color.Black), format: "png"},
		{name: "ErrText", data: []byte("signed, honestly"), key: "err.letter.scan_type"},
		{name: "ErrGIF", data: []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), key: "err.letter.scan_type"},
		{name: "ErrHTMLCalledPDF", data: []byte("<html>%PDF-1.4</html>"), key: "err.letter.scan_type"},
		{name: "ErrPDFHeaderOnly", data: []byte("%PDF-1.7\n"), key: "err.photo_corrupt"},
		{name: "ErrPDFTruncated", data: pdf[:len(pdf)/2], key: "err.photo_corrupt"},
		{name: "ErrPDFBadOffset", data: minimalPDF(7), key: "err.photo_corrupt"},
		{name: "ErrPDFOffsetOutside", data: bytes.Replace(pdf, []byte("startxref\n"), []byte("startxref\n9"), 1), key: "err.photo_corrupt"},
		{name: "ErrJPEGTruncated", data: jpegBytes(t, 620, 877)[:300], key: "err.photo_corrupt"},
		{name: "ErrJPEGCutShort", data: func() []byte { b := jpegBytes(t, 620, 877); return b[:len(b)-40] }(), key: "err.photo_corrupt"},
		{name: "OKJPEGPadded", data: append(jpegBytes(t, 620, 877), 0, 0, 0), format: "jpeg"},
		{name: "ErrPNGCutShort", data: func() []byte { b := pad(t, 10, color.Black); return b[:len(b)-20] }(), key: "err.photo_corrupt"},
		{name: "ErrScanTooManyPixels", data: pngHeader(10000, 7000), key: "err.photo_dimensions"},
		{name: "ErrTooLarge", data: append(minimalPDF(0), make([]byte, MaxScanBytes)...), key: "err.file_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := CheckScan(tc.data)
			if tc.key == "" {
				if err != nil || f.Format != tc.format || f.SHA256 != Hash(string(tc.data)) {
					t.Fatalf("CheckScan = %q, %v; want %s", f.Format, err, tc.format)
				}
				return
			}
			if m, ok := apperr.As(err).Fields["scan"]; !ok || m.Key != tc.key {
				t.Fatalf("CheckScan = %v, want %s on scan", err, tc.key)
			}
		})
	}
}

func TestReadUpload(t *testing.T) {
	if _, err := ReadUpload(strings.NewReader(strings.Repeat("x", 11)), 10, "scan"); !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("11 bytes over a limit of 10: %v", err)
	}
	if b, err := ReadUpload(strings.NewReader("0123456789"), 10, "scan"); err != nil || len(b) != 10 {
		t.Fatalf("10 bytes: %v", err)
	}
}

func TestFileStore(t *testing.T) {
	s := NewFileStore(t.TempDir())
	f, err := CheckScan(minimalPDF(0))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := s.Put(f); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.Open(f.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, f.Data) {
		t.Fatal("stored bytes differ")
	}
	for _, id := range []string{"../../etc/passwd", strings.Repeat("A", 64), ""} {
		if _, err := s.Open(id); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Open(%q) = %v, want not-exist", id, err)
		}
	}
	if _, err := s.Open(strings.Repeat("0", 64)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if err := s.Put(File{Data: []byte("x"), SHA256: "nope"}); err == nil {
		t.Error("Put accepted a bad id")
	}
}

// TestQRPNG decodes the QR code back with an independent decoder (gozxing).
func TestQRPNG(t *testing.T) {
	for _, url := range []string{"https://lantian.example.cn" + VerifyPath(NewVerifyCode()), "http://127.0.0.1:8080/verify/letters/0123456789abcdef0123456789abcdef"} {
		b, err := QRPNG(url)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if dx := img.Bounds().Dx(); dx < QRSize || dx > QRSize*5/4 {
			t.Fatalf("QR image is %v", img.Bounds())
		}
		text, err := qrtest.Decode(img)
		if err != nil {
			t.Fatal(err)
		}
		if text != url {
			t.Fatalf("QR decodes to %q, want %q", text, url)
		}
	}
	if VerifyPath("ABCDEFGHIJKLMNOP") != "/verify/letters/ABCDEFGHIJKLMNOP" {
		t.Fatal(VerifyPath("ABCDEFGHIJKLMNOP"))
	}
}
