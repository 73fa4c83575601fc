package api

import (
	"bytes"
	"errors"
	"io"
	"math"
	"mime/multipart"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
)

// Fuzz targets for what the API decodes from untrusted bodies, without a
// database: the JSON decoder and the pure checks behind each endpoint
// (the domain Validate functions), and the multipart reader of photo
// uploads up to the photo's header. Seeds live in testdata/fuzz/<target>;
// scripts/fuzz.sh runs each target for a minute.

var (
	fuzzLoc = time.FixedZone("CST", 8*3600)
	fuzzNow = time.Date(2026, 11, 28, 16, 0, 0, 0, fuzzLoc)
	fuzzAPI = &API{app: &app.App{Loc: fuzzLoc}}
)

// decodeBody runs the API's JSON decoder over body.
func decodeBody(body []byte, v any) error {
	r := httptest.NewRequest("POST", "/api/v1/x", bytes.NewReader(body))
	return decode(httptest.NewRecorder(), r, v)
}

// checkErr fails unless err is one the API answers with a translated
// message: not internal, its message and field keys in the catalogs, each
// field with a label.
func checkErr(t *testing.T, err error) {
	t.Helper()
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		t.Fatalf("internal error (a 500) for bad input: %v", err)
	}
	if !locale.Has("zh-CN", e.Msg.Key) {
		t.Fatalf("message key %q not in the catalog (%v)", e.Msg.Key, err)
	}
	for f, m := range e.Fields {
		checkField(t, f, m.Key)
	}
}

func checkField(t *testing.T, field, key string) {
	t.Helper()
	if !locale.Has("zh-CN", key) || !locale.Has("zh-CN", "field."+field) {
		t.Fatalf("field %q with key %q: not both in the catalog", field, key)
	}
}

// checkValid checks a domain Validate result: nil, or an error the API can word.
func checkValid(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		checkErr(t, err)
	}
}

// checkCase runs a case body through what the API does before the ledger.
func checkCase(t *testing.T, in caseInput) {
	rep, err := fuzzAPI.report(in)
	if err != nil {
		checkErr(t, err)
		return
	}
	checkValid(t, rep.Input.Validate())
}

func FuzzCaseJSON(f *testing.F) {
	f.Add([]byte(`{"client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01","category":"06010","description":"巷口暴露垃圾","lat":34.5725,"lon":105.7025,"class":"escalated","severity":"minor"}`))
	f.Add([]byte(`{"client_id":"x","lat":1e400,"due":"2026-02-30"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in caseInput
		if err := decodeBody(body, &in); err != nil {
			checkErr(t, err)
			return
		}
		checkCase(t, in)
	})
}

// fuzzPatrol is the patrol that sync and track items are judged against.
var fuzzPatrol = patrol.Patrol{StartedAt: fuzzNow.Add(-2 * time.Hour)}

// checkPoints checks a track batch as opTrack does, then measures the good
// points as ending a patrol would.
func checkPoints(t *testing.T, pts []patrolsvc.TrackPoint) {
	if len(pts) > patrol.MaxBatch {
		return // refused whole (413)
	}
	var good []patrol.Point
	for _, tp := range pts {
		key := tp.Err
		if key == "" {
			key = patrol.CheckPoint(tp.Point, fuzzPatrol.StartedAt, fuzzPatrol.EndedAt, fuzzNow)
		}
		if key != "" {
			if !locale.Has("zh-CN", key) {
				t.Fatalf("point refused with %q, not in the catalog", key)
			}
			continue
		}
		good = append(good, tp.Point)
	}
	slices.SortStableFunc(good, func(a, b patrol.Point) int { return a.T.Compare(b.T) })
	a := patrol.Assess(fuzzPatrol.StartedAt, fuzzNow, good, func(lat, lon float64) bool { return lat > 34.5 })
	for _, v := range []float64{a.Length, a.MaxSpeed, a.Outside} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("assessment %+v of %d good points", a, len(good))
		}
	}
	if a.Outside > 1 || a.Points != len(good) {
		t.Fatalf("assessment %+v of %d good points", a, len(good))
	}
}

func FuzzTrackBatch(f *testing.F) {
	f.Add([]byte(`{"points":[{"t":"2026-11-28T15:00:00+08:00","lat":34.5725,"lon":105.7025,"acc":8},{"t":"2026-11-28T15:00:30+08:00","lat":34.5731,"lon":105.7029}]}`))
	f.Add([]byte(`{"points":[{"t":"2026-11-28T15:00:00Z","lat":91,"lon":0},{"t":"x"},{},1,null]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in trackInput
		if err := decodeBody(body, &in); err != nil {
			checkErr(t, err)
			return
		}
		checkPoints(t, readPoints(in.Points))
	})
}

func FuzzSyncJSON(f *testing.F) {
	f.Add([]byte(`{"items":[{"type":"patrol_start","id":"0b9d3c52-8f61-4c39-9a1e-2f6a1c7e5d40","grid":"620502004001001","started_at":"2026-11-28T15:00:00+08:00"},
		{"type":"track","patrol":"0b9d3c52-8f61-4c39-9a1e-2f6a1c7e5d40","points":[{"t":"2026-11-28T15:01:00+08:00","lat":34.5725,"lon":105.7025}]},
		{"type":"visit","patrol":"0b9d3c52-8f61-4c39-9a1e-2f6a1c7e5d40","id":"9a5c1e7b-2d4f-4b8a-8c3e-1f2a3b4c5d6e","site":{"unit_id":12},"t":"2026-11-28T15:05:00+08:00","lat":34.5726,"lon":105.7026},
		{"type":"record","patrol":"0b9d3c52-8f61-4c39-9a1e-2f6a1c7e5d40","id":"1a5c1e7b-2d4f-4b8a-8c3e-1f2a3b4c5d6e","kind":"promotion","t":"2026-11-28T15:06:00+08:00","households":12},
		{"type":"case","patrol":"0b9d3c52-8f61-4c39-9a1e-2f6a1c7e5d40","client_id":"8c4c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01","category":"06010","description":"垃圾","lat":34.5725,"lon":105.7025},
		{"type":"finding","patrol":"0b9d3c52-8f61-4c39-9a1e-2f6a1c7e5d40","case":"XG-20261128-0001"},
		{"type":"end","patrol":"0b9d3c52-8f61-4c39-9a1e-2f6a1c7e5d40","ended_at":"2026-11-28T15:40:00+08:00","summary":"正常"}]}`))
	f.Add([]byte(`{"items":[{"type":""},{"type":"nope"},{"type":"record","kind":"dispute"},{"type":"visit","site":"x"},7]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in syncInput
		if err := decodeBody(body, &in); err != nil {
			checkErr(t, err)
			return
		}
		if len(in.Items) > patrolsvc.MaxSyncItems {
			return // refused whole (413)
		}
		for _, raw := range in.Items {
			head, it := fuzzAPI.readItem(raw)
			if it.Err != nil {
				checkErr(t, it.Err)
				continue
			}
			switch head.Type {
			case patrolsvc.ItemStart:
				checkValid(t, it.Start.Validate(fuzzNow))
			case patrolsvc.ItemTrack:
				checkPoints(t, it.Track)
			case patrolsvc.ItemVisit:
				checkValid(t, it.Visit.Validate(fuzzPatrol, fuzzNow))
			case patrolsvc.ItemRecord:
				checkValid(t, it.Record.Validate(fuzzPatrol, fuzzNow))
			case patrolsvc.ItemCase:
				checkValid(t, it.Case.Input.Validate())
			case patrolsvc.ItemEnd:
				checkValid(t, it.End.Validate(fuzzPatrol, fuzzNow))
			}
		}
	})
}

// photoForm is a multipart body with one file part "photo" (and a step).
func photoForm(boundary string, content []byte) []byte {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary(boundary)
	mw.WriteField("step", "before")
	fw, _ := mw.CreateFormFile("photo", "photo.jpg")
	fw.Write(content)
	mw.Close()
	return b.Bytes()
}

// FuzzPhotoForm fuzzes the multipart reader of photo uploads (formPhoto)
// and the photo's header check that follows it.
func FuzzPhotoForm(f *testing.F) {
	f.Add("lantianboundary", photoForm("lantianboundary", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00")))
	f.Add("x", []byte("--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a\"\r\n\r\n\xff\xd8\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/cases/XG-20261128-0001/photos", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		file, err := formPhoto(httptest.NewRecorder(), r)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
		if err != nil {
			checkErr(t, err)
			return
		}
		defer file.Close()
		size, err := file.Seek(0, io.SeekEnd)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := file.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		h, err := photo.Check(file, size, photo.Limits{})
		var pe *photo.Error
		switch {
		case errors.As(err, &pe):
			checkErr(t, pe.FieldErr("photo"))
		case err != nil:
			t.Fatalf("not a photo error: %v", err)
		case h.Width <= 0 || h.Height <= 0 || int64(h.Width)*int64(h.Height) > photo.DefaultMaxPixels ||
			h.Memory(size) > photo.DefaultGate.Budget():
			t.Fatalf("accepted %+v", h)
		}
	})
}
