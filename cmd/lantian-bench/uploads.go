package main

// Photo upload benchmark (security issue #8):
//
//	go run ./cmd/lantian-bench uploads -db /tmp/bench-uploads.db -clients 20 -n 400
//	go run ./cmd/lantian-bench uploads -url http://127.0.0.1:8080 -pid 12345 -clients 20 -n 400
//
// clients upload the worst photos they can through
// POST /api/v1/cases/{number}/photos, round robin: the largest images the
// limits still accept and decode (a 30-megapixel RGBA PNG of 117 KB, near
// the memory one photo may take; a 12-megapixel one, of which two fit the
// budget at once; a 50-megapixel phone-sized JPEG of 1 MB) and bombs refused from their header (a 50,000,000×1 PNG of 48 KB,
// a 48-megapixel progressive 4:4:4 JPEG header, a 16,383² WebP header).
// Each file is made unique per upload (a text chunk or comment), so that
// every upload is decoded. Without -url the server runs in this process
// and its peak resident memory (VmHWM, reset after setup), peak heap and
// the decode gate's peak are reported; with -url and -pid, the VmHWM of
// that process.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/photo/phototest"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// uploadFile is one kind of file the clients send.
type uploadFile struct {
	name   string
	data   []byte
	unique func(base []byte, i int) []byte // a variant with other bytes, the same image
	want   int                             // the status expected
}

// pngVariant adds a tEXt chunk before IEND.
func pngVariant(base []byte, i int) []byte {
	n := len(base) - 12 // IEND is the last 12 bytes
	out := append([]byte{}, base[:n]...)
	out = append(out, phototest.PNGChunk("tEXt", []byte("n\x00"+strconv.Itoa(i)))...)
	return append(out, base[n:]...)
}

// jpegVariant adds a comment segment after SOI.
func jpegVariant(base []byte, i int) []byte {
	out := append([]byte{0xFF, 0xD8}, phototest.JPEGSegment(0xFE, []byte(strconv.Itoa(i)))...)
	return append(out, base[2:]...)
}

func worstUploads() []uploadFile {
	return []uploadFile{
		{"png-rgba-6000x5000", phototest.PNG(6000, 5000, 6), pngVariant, http.StatusCreated},
		{"png-rgba-4000x3000", phototest.PNG(4000, 3000, 6), pngVariant, http.StatusCreated},
		{"jpeg-8160x6120", phototest.JPEG(8160, 6120), jpegVariant, http.StatusCreated},
		{"png-50000000x1", phototest.PNG(50_000_000, 1, 0), pngVariant, http.StatusUnprocessableEntity},
		{"jpeg-progressive-444-8000x6000", phototest.JPEGHeader(8000, 6000, true, []byte{0x11, 0x11, 0x11}), jpegVariant, http.StatusUnprocessableEntity},
		{"webp-16383x16383", phototest.WebPLossyHeader(16383, 16383), nil, http.StatusUnprocessableEntity},
	}
}

// vmHWM returns the peak resident memory of pid ("self" for this process) in bytes.
func vmHWM(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetHWM resets the peak resident memory of pid (Linux: clear_refs 5).
func resetHWM(pid string) {
	os.WriteFile("/proc/"+pid+"/clear_refs", []byte("5"), 0)
}

// uploadsBench runs the upload benchmark; url "" serves the API in this process.
func uploadsBench(ctx context.Context, dsn, url, pid, user, password string, n, clients int) error {
	files := worstUploads()
	base, hc := url, &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	inProcess := url == ""
	if inProcess {
		dir, err := os.MkdirTemp("", "lantian-bench-uploads-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg := config.Default()
		cfg.DB, cfg.Data = dsn, dir
		loc, _ := cfg.Validate()
		db, err := store.Open(ctx, dsn, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := demo.Seed(ctx, db); err != nil {
			return err
		}
		a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
		if err != nil {
			return err
		}
		var stop func()
		base, hc, stop, err = serveAPI(a, clients)
		if err != nil {
			return err
		}
		defer stop()
		pid = "self"
	}
	if password == "" {
		password = demo.Password
	}
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	resp, err := hc.Post(base+"/api/v1/tokens", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	var tok struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.Token == "" {
		return fmt.Errorf("sign in as %s: %s", user, resp.Status)
	}
	c := &client{base: base, token: tok.Token, http: hc}

	// Cases to attach to: each takes casesvc.MaxPhotos photos a step.
	accepted := 0
	for i := 0; i < n; i++ {
		if files[i%len(files)].want == http.StatusCreated {
			accepted++
		}
	}
	perCase := casesvc.MaxPhotos
	numbers := make([]string, (accepted+perCase-1)/perCase+1)
	run := time.Now().UnixNano()
	for i := range numbers {
		body := fmt.Sprintf(`{"client_id":"%08x-%04x-4000-8000-%012x","category":"06010","description":"照片上传基准","lat":34.5725,"lon":105.7025,"class":"escalated"}`,
			uint32(run), i, uint64(run)&0xffffffffffff)
		req, _ := http.NewRequest("POST", base+"/api/v1/cases", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var out struct{ Number string }
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if out.Number == "" {
			return fmt.Errorf("create case: %s", resp.Status)
		}
		numbers[i] = out.Number
	}

	// Bodies are made before the clock starts.
	type job struct {
		kind   int
		path   string
		ctype  string
		body   []byte
		status int
		took   time.Duration
	}
	jobs := make([]job, n)
	slot := 0
	for i := range jobs {
		k := i % len(files)
		f := files[k]
		data := f.data
		if f.unique != nil {
			data = f.unique(f.data, i)
		}
		number := numbers[0]
		if f.want == http.StatusCreated {
			number = numbers[slot/perCase]
			slot++
		}
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("photo", f.name)
		fw.Write(data)
		mw.Close()
		jobs[i] = job{kind: k, path: "/api/v1/cases/" + number + "/photos", ctype: mw.FormDataContentType(), body: b.Bytes()}
	}

	// Give back what setting up took (making a 50-megapixel JPEG, seeding),
	// so that the peak is the run's.
	debug.FreeOSMemory()
	resetHWM(pid)
	hwm0 := vmHWM(pid)
	var peakHeap, peakSys atomic.Uint64
	stopSampling := make(chan struct{})
	if inProcess {
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-stopSampling:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peakHeap.Load() {
						peakHeap.Store(ms.HeapInuse)
					}
					if ms.Sys > peakSys.Load() {
						peakSys.Store(ms.Sys)
					}
				}
			}
		}()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				j := &jobs[i]
				req, _ := http.NewRequest("POST", base+j.path, bytes.NewReader(j.body))
				req.Header.Set("Authorization", "Bearer "+c.token)
				req.Header.Set("Content-Type", j.ctype)
				t := time.Now()
				resp, err := hc.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					j.status = resp.StatusCode
				}
				j.took = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopSampling)
	hwm := vmHWM(pid)

	fmt.Printf("%d uploads from %d clients in %v (%.1f/s)\n", n, clients, elapsed.Round(10*time.Millisecond), float64(n)/elapsed.Seconds())
	for k, f := range files {
		var lat []time.Duration
		statuses := map[int]int{}
		for _, j := range jobs {
			if j.kind == k {
				lat = append(lat, j.took)
				statuses[j.status]++
			}
		}
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		fmt.Printf("  %-32s %7d KB  %3d sent, status %v (want %d), p50 %v, p99 %v, max %v\n", f.name, len(f.data)>>10, len(lat), statuses, f.want,
			lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	}
	if pid != "" {
		fmt.Printf("peak resident memory (VmHWM) %d MB (%d MB before the run)\n", hwm>>20, hwm0>>20)
	}
	if inProcess {
		fmt.Printf("peak heap in use %d MB, peak from the OS (Sys) %d MB, decode gate peak %d of %d MB\n",
			peakHeap.Load()>>20, peakSys.Load()>>20, photo.DefaultGate.Peak()>>20, photo.DefaultGate.Budget()>>20)
	}
	return nil
}
