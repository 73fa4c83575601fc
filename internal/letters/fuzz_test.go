package letters

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/locale"
)

// checkFileErr fails unless err is a translated error on field.
func checkFileErr(t *testing.T, err error, field string) {
	t.Helper()
	e := apperr.As(err)
	m, ok := e.Fields[field]
	if e.Code == apperr.Internal || !ok || !locale.Has("zh-CN", m.Key) {
		t.Fatalf("error %v, want a translated error on %s", err, field)
	}
}

func strokePNG(n int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 120, 40))
	for i := 0; i < n; i++ {
		img.Set(5+i%110, 20+(i/110)%15, color.Black)
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// FuzzCheckSignature: a drawn signature is accepted (a PNG with ink) or
// refused with a message on the signature field; never a panic or a 500.
func FuzzCheckSignature(f *testing.F) {
	f.Add(strokePNG(200))
	f.Add(strokePNG(0))
	f.Add(minimalPDF(0))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := CheckSignature(data)
		if err != nil {
			checkFileErr(t, err, "signature")
			return
		}
		if file.Format != "png" || len(file.SHA256) != 64 || !bytes.Equal(file.Data, data) {
			t.Fatalf("accepted %s %s", file.Format, file.SHA256)
		}
	})
}

// FuzzCheckScan: a scan is a checked PDF, JPEG or PNG, or refused with a
// message on the scan field.
func FuzzCheckScan(f *testing.F) {
	f.Add(minimalPDF(0))
	f.Add(minimalPDF(7))
	f.Add(strokePNG(10))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := CheckScan(data)
		if err != nil {
			checkFileErr(t, err, "scan")
			return
		}
		if (file.Format != "pdf" && file.Format != "png" && file.Format != "jpeg") || ContentType(file.Format) == "application/octet-stream" {
			t.Fatalf("accepted %q", file.Format)
		}
	})
}
