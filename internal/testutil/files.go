package testutil

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"testing"
)

// File is a file of a multipart form.
type File struct {
	Field, Name string
	Content     []byte
}

// Multipart encodes fields and files as a multipart form; it returns the
// body and its content type.
func Multipart(fields map[string][]string, files ...File) (io.Reader, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile(f.Field, f.Name)
		fw.Write(f.Content)
	}
	mw.Close()
	return &body, mw.FormDataContentType()
}

// PNG is a small valid photo, w×h, with a diagonal stroke of colour c:
// photos of different sizes or colours have different ids (the hash of
// their content).
func PNG(tb testing.TB, w, h int, c color.Color) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, c)
	}
	return encodePNG(tb, img)
}

// Signature is a drawn signature: a 300×100 transparent pad with a stroke,
// or a blank pad without ink.
func Signature(tb testing.TB, ink bool) []byte {
	tb.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 300, 100))
	if ink {
		for x := 20; x < 280; x++ {
			for d := 0; d < 3; d++ {
				img.Set(x, 50+(x%40-20)+d, color.Black)
			}
		}
	}
	return encodePNG(tb, img)
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// PDF is a small, well-formed one-page PDF, as a scanned letter would be.
func PDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"}
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 4\n0000000000 65535 f \n")
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}
