package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// scriptedPDF is a well-formed PDF that runs JavaScript when opened.
func scriptedPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	objs := []string{"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"}
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 5\n0000000000 65535 f \n")
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

// TestLetterScanPDFAttachment: the letter page serves a scanned PDF as an
// attachment (a browser saves it rather than run its script in our
// origin) and a scanned image inline.
func TestLetterScanPDFAttachment(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	ctx := context.Background()
	year := srv.App.Cases.Now().In(srv.App.Loc).Year()
	admin := newBrowserAs(t, srv.URL, "admin")
	street := newBrowserAs(t, srv.URL, "street")
	comm := demo.CommunityCode(0)
	if status, _, _ := admin.post("/letters/issue", url.Values{"year": {strconv.Itoa(year)}, "region": {comm}}); status != http.StatusSeeOther {
		t.Fatalf("issue: %d", status)
	}
	list, _, err := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: year, Region: comm, Page: store.Page{Size: 2}})
	if err != nil || len(list) < 2 {
		t.Fatalf("letters: %d, %v", len(list), err)
	}
	for i, f := range []struct {
		name, file  string
		data        []byte
		ctype, disp string
	}{
		{"PDF", "scan.pdf", scriptedPDF(), "application/pdf", fmt.Sprintf(`attachment; filename="letter-%d.pdf"`, list[0].ID)},
		{"PNG", "scan.png", ledgerPNG(t), "image/png", "inline"},
	} {
		id := list[i].ID
		if status, body, _ := street.postMultipart(fmt.Sprintf("/letters/%d/signatures", id), nil, "scan", f.file, f.data); status != http.StatusSeeOther {
			t.Fatalf("%s scan: %d %s", f.name, status, body)
		}
		l, err := srv.App.DB.Letter(ctx, id)
		if err != nil || len(l.Signatures) != 1 {
			t.Fatalf("%s: %d signatures, %v", f.name, len(l.Signatures), err)
		}
		resp, _ := street.getResp(fmt.Sprintf("/letters/%d/files/%s", id, l.Signatures[0].FileID), nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != f.ctype || resp.Header.Get("Content-Disposition") != f.disp {
			t.Errorf("%s: %d %q %q, want %s %q", f.name, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), f.ctype, f.disp)
		}
	}
}
