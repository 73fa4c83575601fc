// Package photo checks and prepares the photos attached to cases: it reads
// an upload within a size limit, recognises JPEG, PNG and WebP by their
// content, refuses decompression bombs before decoding, reads the EXIF
// orientation, GPS position and time taken, and produces an upright display
// JPEG and a thumbnail that carry no metadata. Store keeps them on disk
// under the SHA-256 of the original bytes.
package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // registers the PNG decoder
	"io"
	"time"

	_ "golang.org/x/image/webp" // registers the WebP decoder
)

// Defaults used for the zero fields of Limits.
const (
	DefaultMaxBytes  = 10 << 20   // 10 MB per upload
	DefaultMaxPixels = 50_000_000 // 50 megapixels
	DisplayEdge      = 2048       // long edge of the display image, in pixels
	ThumbEdge        = 320        // long edge of the thumbnail, in pixels
	DefaultQuality   = 85         // JPEG quality of both outputs
)

// defaultLocation is China Standard Time (UTC+8, no daylight saving), the
// zone of the streets Lantian serves; a fixed zone needs no tzdata.
var defaultLocation = time.FixedZone("CST", 8*3600)

// Limits bounds what Process accepts and says how to read its metadata.
// Zero fields take the defaults.
type Limits struct {
	// MaxBytes is the largest upload accepted (default DefaultMaxBytes).
	MaxBytes int64
	// MaxPixels is the largest width × height accepted, checked from the
	// header before any pixel is decoded (default DefaultMaxPixels).
	MaxPixels int64
	// Location is the zone in which an EXIF DateTimeOriginal, a wall-clock
	// time without zone, is read when the file does not state its offset
	// (default UTC+8, China Standard Time).
	Location *time.Location
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.Location == nil {
		l.Location = defaultLocation
	}
	return l
}

// Processed is an accepted photo: the display image and thumbnail to store
// and show, and what was learnt from the original.
type Processed struct {
	// Display is an upright JPEG, long edge at most DisplayEdge, no metadata.
	Display []byte
	// Thumb is an upright JPEG, long edge at most ThumbEdge, no metadata.
	Thumb []byte
	// Width and Height are the display image's, after orientation.
	Width, Height int
	// Format is the original's format: "jpeg", "png" or "webp".
	Format string
	// SHA256 is the lowercase hex SHA-256 of the original bytes, the
	// photo's content address and id in a Store.
	SHA256 string
	// Orientation is the EXIF orientation applied (1..8; 1 when absent).
	Orientation int
	// TakenRaw is the EXIF DateTimeOriginal as written by the camera
	// ("2026:11:28 10:15:00"), a local time without zone; "" when absent.
	TakenRaw string
	// Taken is TakenRaw read in Limits.Location (or the offset the file
	// states); nil when absent or unreadable.
	Taken *time.Time
	// Lat and Lon are the EXIF GPS position in WGS-84 decimal degrees,
	// negative for S and W; nil when absent.
	Lat, Lon *float64
}

// allowed lists the formats accepted, whatever other decoders the binary
// has registered.
var allowed = map[string]bool{"jpeg": true, "png": true, "webp": true}

// Process reads one uploaded image from r and prepares it. It reads at most
// lim.MaxBytes+1 bytes. Errors that the user should see are *Error with one
// of the Key constants: too large, not a JPEG/PNG/WebP by content, corrupt,
// or too many pixels; a failure to read r is returned as it is (wrapped).
func Process(r io.Reader, lim Limits) (*Processed, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("photo: read upload: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, newError(KeyTooLarge, nil, int((lim.MaxBytes+(1<<20)-1)>>20))
	}
	return process(data, lim)
}

func process(data []byte, lim Limits) (*Processed, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, newError(KeyType, err)
		}
		return nil, newError(KeyCorrupt, err)
	}
	if !allowed[format] {
		return nil, newError(KeyType, fmt.Errorf("format %q", format))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, newError(KeyCorrupt, fmt.Errorf("dimensions %dx%d", cfg.Width, cfg.Height))
	}
	if int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels {
		return nil, newError(KeyDimensions, fmt.Errorf("dimensions %dx%d", cfg.Width, cfg.Height),
			int(lim.MaxPixels/1_000_000))
	}

	src, err := decode(data)
	if err != nil {
		return nil, newError(KeyCorrupt, err)
	}
	if b := src.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, newError(KeyCorrupt, fmt.Errorf("decoded %v, header said %dx%d", b, cfg.Width, cfg.Height))
	}

	p := &Processed{Format: format, Orientation: 1}
	sum := sha256.Sum256(data)
	p.SHA256 = hex.EncodeToString(sum[:])

	if blk := exifBlock(data, format); blk != nil {
		if info, err := readEXIF(blk); err == nil {
			if info.Orientation != 0 {
				p.Orientation = info.Orientation
			}
			p.TakenRaw = info.DateTime
			if t, ok := takenAt(info.DateTime, info.Offset, lim.Location); ok {
				p.Taken = &t
			}
			p.Lat, p.Lon = info.Lat, info.Lon
		}
	}

	// Scale first, then turn: the long edge is the same either way, and
	// turning the smaller image needs less memory and time.
	disp := orient(scale(src, DisplayEdge), p.Orientation)
	p.Width, p.Height = disp.Bounds().Dx(), disp.Bounds().Dy()
	if p.Display, err = encodeJPEG(disp); err != nil {
		return nil, err
	}
	if p.Thumb, err = encodeJPEG(scale(disp, ThumbEdge)); err != nil {
		return nil, err
	}
	return p, nil
}

// decode decodes data, turning a decoder panic into an error.
func decode(data []byte) (m image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("decoder panic: %v", r)
		}
	}()
	m, _, err = image.Decode(bytes.NewReader(data))
	return m, err
}

// fit returns w×h shrunk, keeping the aspect ratio, so that its long edge
// is at most edge; images already small enough are kept as they are.
func fit(w, h, edge int) (int, int) {
	if w <= edge && h <= edge {
		return w, h
	}
	if w >= h {
		return edge, max(1, (h*edge+w/2)/w)
	}
	return max(1, (w*edge+h/2)/h), edge
}

// scale returns src as an opaque RGBA image at the origin whose long edge
// is at most edge (see resize).
func scale(src image.Image, edge int) *image.RGBA {
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy(), edge)
	return resize(src, w, h)
}

// encodeJPEG encodes m as a baseline JPEG. Go's encoder writes no APP
// segments, so the result carries no EXIF, XMP or ICC data.
func encodeJPEG(m image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: DefaultQuality}); err != nil {
		return nil, fmt.Errorf("photo: encode JPEG: %w", err)
	}
	return buf.Bytes(), nil
}
