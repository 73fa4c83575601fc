package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/photo/phototest"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// jsPDF is a well-formed PDF whose catalog runs JavaScript when opened,
// as a hostile "scan" would.
func jsPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
		"<< /S /JavaScript /JS (app.alert\\(document.cookie\\)) >>",
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
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// TestLetterFilesDisposition: a scanned PDF is served as an attachment, so
// that a browser saves it instead of running what it carries in our
// origin; a drawn signature (PNG) is shown inline. A signature whose
// header is too large is refused before it is decoded.
func TestLetterFilesDisposition(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			c := srv.API(t)
			s, b := c.Do("community1", "POST", "/api/v1/letters/issue", `{"year":2026,"region":"`+demo.CommunityCode(0)+`"}`)
			expect(t, "issue", s, b, 201, nil)
			var issued struct{ IDs []int64 }
			json.Unmarshal([]byte(b), &issued)
			if len(issued.IDs) < 2 {
				t.Fatalf("issued %s", b)
			}

			// Signature bombs: refused from the header, on the signature field.
			for name, bomb := range map[string][]byte{
				"Huge":    phototest.PNG(50_000_000, 1, 6),
				"Edge":    phototest.PNGHeader(5000, 500, 8, 6, 0),
				"Pixels":  phototest.PNGHeader(3000, 3000, 8, 6, 0),
				"Narrow":  phototest.PNGHeader(3000, 50, 8, 6, 0),
				"16Bit":   phototest.PNGHeader(1900, 1900, 16, 6, 1),
				"NotPNG":  phototest.JPEGHeader(300, 100, false, []byte{0x11}),
				"Garbage": []byte("\x89PNG\r\n\x1a\nnot really"),
			} {
				s, b = sign(c, "street", issued.IDs[0], "signature", bomb, "party", "street")
				expect(t, "signature "+name, s, b, 422, []string{`"signature":`})
			}

			s, b = sign(c, "admin", issued.IDs[0], "scan", jsPDF())
			expect(t, "PDF scan", s, b, 201, []string{`"kind":"scan"`})
			scanned := decodeLetter(t, b)
			s, b = sign(c, "street", issued.IDs[1], "signature", testutil.Signature(t, true), "party", "street")
			expect(t, "street signs", s, b, 201, nil)
			drawn := decodeLetter(t, b)

			for _, f := range []struct {
				url, ctype, disposition string
			}{
				{scanned.Signatures[0].URL, "application/pdf", fmt.Sprintf(`attachment; filename="letter-%d.pdf"`, issued.IDs[0])},
				{drawn.Signatures[0].URL, "image/png", "inline"},
			} {
				req, _ := http.NewRequest("GET", srv.URL+f.url, nil)
				req.Header.Set("Authorization", "Bearer "+c.Token("admin"))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != f.ctype || resp.Header.Get("Content-Disposition") != f.disposition ||
					!strings.Contains(resp.Header.Get("X-Content-Type-Options"), "nosniff") {
					t.Errorf("GET %s: %d %q %q, want %s served %q", f.url, resp.StatusCode, resp.Header.Get("Content-Type"),
						resp.Header.Get("Content-Disposition"), f.ctype, f.disposition)
				}
			}
		})
	}
}
