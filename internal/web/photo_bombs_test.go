package web_test

import (
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/photo/phototest"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestPhotoBombsPages: the page forms that take photos — a patroller's
// report, the anonymous public report (three photos a report) and a
// case's photo upload — refuse an image whose header declares too many
// pixels, too long a side or too narrow a shape with 422 and the photo
// field's message, write nothing, and decode nothing to find out.
func TestPhotoBombsPages(t *testing.T) {
	bombs := []struct {
		name string
		data []byte
		want string
	}{
		{"PNG50000000x1", phototest.PNG(50_000_000, 1, 0), "图片边长过大（最长 20000 像素）"},
		{"JPEGOver50MP", phototest.JPEGHeader(9000, 6000, false, []byte{0x22, 0x11, 0x11}), "图片尺寸过大（最多 50 百万像素）"},
		{"Narrow", phototest.PNGHeader(6000, 100, 8, 6, 0), "图片过于细长"},
	}
	allocated := func(f func()) uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		f()
		runtime.ReadMemStats(&ms)
		return ms.TotalAlloc - before
	}
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			patrol := newBrowser(t, srv.URL)
			patrol.login("patrol01")
			anon := newBrowser(t, srv.URL)

			for _, b := range bombs {
				// The patroller's report, a good photo first.
				form := url.Values{"client_id": {patrol.reportFormID("/report")}, "category": {"06010"}, "description": {"巷口暴露垃圾"},
					"lat": {repLat}, "lon": {repLon}, "class": {"escalated"}}
				var status int
				var body string
				n := allocated(func() { status, body, _ = patrol.postPhotos("/report", form, reportPNG(t, 90), b.data) })
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, b.want) {
					t.Errorf("report with %s: %d, want 422 with %q", b.name, status, b.want)
				}
				if n > 16<<20 {
					t.Errorf("report with %s: %d MB allocated", b.name, n>>20)
				}

				// The public form.
				form = url.Values{"client_id": {anon.reportFormID("/public/report")}, "category": {"06020"}, "description": {"有人焚烧树叶"},
					"lat": {repLat}, "lon": {repLon}}
				n = allocated(func() { status, body, _ = anon.postPhotos("/public/report", form, b.data, b.data, b.data) })
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, b.want) {
					t.Errorf("public report with %s: %d, want 422 with %q", b.name, status, b.want)
				}
				if n > 16<<20 {
					t.Errorf("public report with %s: %d MB allocated", b.name, n>>20)
				}
			}
			if got := reportCount(t, srv); got != 0 {
				t.Fatalf("%d cases written from refused forms", got)
			}

			// A case's photo upload.
			form := url.Values{"client_id": {patrol.reportFormID("/report")}, "category": {"06010"}, "description": {"巷口暴露垃圾"},
				"lat": {repLat}, "lon": {repLon}, "class": {"escalated"}}
			status, body, loc := patrol.postPhotos("/report", form)
			number := reportNumber(t, status, loc, body)
			for _, b := range bombs {
				status, body, _ := patrol.postMultipart("/cases/"+number+"/photos", url.Values{"step": {"before"}}, "photo", "photo.jpg", b.data)
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, b.want) {
					t.Errorf("case photo %s: %d, want 422 with %q", b.name, status, b.want)
				}
			}
		})
	}
}
