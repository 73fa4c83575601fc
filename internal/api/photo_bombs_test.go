package api_test

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/photo/phototest"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestPhotoBombs is the contract of security issue #8 on
// POST /api/v1/cases/{number}/photos: an image whose header declares more
// than 50 megapixels, a side over 20,000 pixels, a shape beyond 50:1 or a
// decode heavier than one photo may take is refused with 422 and a
// localized message on the photo field, whatever its size in bytes, and
// without the server allocating more than a small fraction of what
// decoding it would take. Files are judged by content, never by name.
func TestPhotoBombs(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			c := srv.API(t)
			status, body := c.Do("patrol01", "POST", "/api/v1/cases", `{"client_id":"3b0f5c1e-8d1a-4c55-9c2e-6f1d2a7b8c90","category":"06010",
				"description":"照片炸弹测试","lat":34.5725,"lon":105.7025,"class":"escalated"}`)
			if status != 201 {
				t.Fatalf("report: %d %s", status, trunc(body))
			}
			number := decodeCase(t, body).Number
			c.Token("patrol01")

			for _, tc := range []struct {
				name, file string
				data       []byte
				want       string // in the photo field's message
			}{
				{"PNG50000000x1", "photo.png", phototest.PNG(50_000_000, 1, 0), "图片边长过大（最长 20000 像素）"},
				{"PNGOver50MP", "photo.png", phototest.PNGHeader(10000, 6000, 8, 2, 0), "图片尺寸过大（最多 50 百万像素）"},
				{"JPEG65535Square", "photo.jpg", phototest.JPEGHeader(65535, 65535, false, []byte{0x22, 0x11, 0x11}), "图片边长过大"},
				{"JPEGSideOver20000", "photo.jpg", phototest.JPEGHeader(20001, 1000, false, []byte{0x22, 0x11, 0x11}), "图片边长过大"},
				{"Narrow", "photo.png", phototest.PNGHeader(12000, 200, 8, 2, 0), "图片过于细长（长边最多为短边的 50 倍）"},
				{"ProgressiveJPEG", "photo.jpg", phototest.JPEGHeader(8000, 6000, true, []byte{0x11, 0x11, 0x11}), "图片解码所需内存过大"},
				{"LosslessWebP", "photo.webp", phototest.WebPLosslessHeader(5000, 5000), "图片解码所需内存过大"},
				{"TextNamedJPEG", "photo.jpg", []byte("just text, named like a photo"), "只能上传 JPEG、PNG 或 WebP 格式的图片"},
			} {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				before := ms.TotalAlloc
				status, body := upload(c, "patrol01", number, "", tc.file, tc.data)
				runtime.ReadMemStats(&ms)
				if status != 422 {
					t.Errorf("%s: %d, want 422\n%s", tc.name, status, trunc(body))
					continue
				}
				var out struct {
					Error struct {
						Code   string
						Fields map[string]string
					}
				}
				json.Unmarshal([]byte(body), &out)
				if out.Error.Code != "invalid" || !strings.Contains(out.Error.Fields["photo"], tc.want) {
					t.Errorf("%s: %s, want %q on photo", tc.name, trunc(body), tc.want)
				}
				// Client and server share this process: both together stay
				// far below the tens of megabytes any decode would take.
				if n := ms.TotalAlloc - before; n > 8<<20 {
					t.Errorf("%s: %d MB allocated to refuse it", tc.name, n>>20)
				}
			}

			// A real photo under any name is taken; none of the refused ones was.
			if status, body := upload(c, "patrol01", number, "", "scan.exe", pngBytes(t)); status != 201 {
				t.Fatalf("good photo: %d %s", status, trunc(body))
			}
			_, body = c.Do("patrol01", "GET", "/api/v1/cases/"+number, "")
			if got := len(decodeCase(t, body).Photos); got != 1 {
				t.Errorf("%d photos on the case, want the good one only", got)
			}
		})
	}
}
