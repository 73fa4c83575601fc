// Package photo checks and prepares the photos attached to cases: it reads
// an upload within a size limit, recognises JPEG, PNG and WebP by their
// content, refuses decompression bombs from the header before decoding
// (pixels, sides, shape and the memory the decoder would take), decodes no
// more images at once than a memory budget allows (Gate), reads the EXIF
// orientation, GPS position and time taken, and produces an upright display
// JPEG and a thumbnail that carry no metadata. Store keeps them on disk
// under the SHA-256 of the original bytes.
package photo

import (
	"bytes"
	"context"
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
	// DefaultMaxEdge bounds either side: a 200-megapixel phone sensor is
	// 16,320 pixels wide.
	DefaultMaxEdge = 20_000
	// DefaultMaxAspect bounds the long side over the short one: a phone
	// panorama is about 8:1. Together with the edge it stops a file like
	// 50,000,000×1, which is under the pixel limit but whose resampling
	// weights alone take most of a gigabyte.
	DefaultMaxAspect = 50
	DisplayEdge      = 2048 // long edge of the display image, in pixels
	ThumbEdge        = 320  // long edge of the thumbnail, in pixels
	DefaultQuality   = 85   // JPEG quality of both outputs
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
	// MaxEdge is the longest side accepted (default DefaultMaxEdge).
	MaxEdge int
	// MaxAspect is the largest ratio of the long side to the short one
	// (default DefaultMaxAspect).
	MaxAspect int
	// MaxMemory is the most memory one photo may need (Header.Memory);
	// default, and never more than, the gate's budget.
	MaxMemory int64
	// Gate bounds the decodes running at once (default DefaultGate).
	Gate *Gate
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
	if l.MaxEdge <= 0 {
		l.MaxEdge = DefaultMaxEdge
	}
	if l.MaxAspect <= 0 {
		l.MaxAspect = DefaultMaxAspect
	}
	if l.Gate == nil {
		l.Gate = DefaultGate
	}
	if l.MaxMemory <= 0 || l.MaxMemory > l.Gate.Budget() {
		l.MaxMemory = l.Gate.Budget()
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

// FormMemory is the memory to give http.Request.ParseMultipartForm for a
// form carrying photos: file parts beyond it go to temporary files, so that
// an upload waiting for a decode slot holds a file, not megabytes of heap.
const FormMemory = 256 << 10

// allowed lists the formats accepted, whatever other decoders the binary
// has registered.
var allowed = map[string]bool{"jpeg": true, "png": true, "webp": true}

// Check reads the header of an upload of size bytes from r and applies lim
// to it, without decoding: too large a file, not a JPEG/PNG/WebP by content,
// a damaged header, too many pixels, too long a side, too narrow a shape,
// or more memory than one photo may take to decode are each an *Error.
// Pages call it to answer about every photo of a form before anything is
// written; Process calls it before waiting for a decode slot.
func Check(r io.Reader, size int64, lim Limits) (Header, error) {
	lim = lim.withDefaults()
	if size > lim.MaxBytes {
		return Header{}, tooLarge(lim)
	}
	h, err := ReadHeader(r)
	if err != nil {
		return Header{}, err
	}
	if err := h.CheckSize(lim.MaxPixels, lim.MaxEdge, lim.MaxAspect); err != nil {
		return Header{}, err
	}
	if m := h.Memory(size); m > lim.MaxMemory {
		return Header{}, newError(KeyMemory, fmt.Errorf("%s %dx%d needs %d MB", h.Format, h.Width, h.Height, m>>20))
	}
	return h, nil
}

func tooLarge(lim Limits) *Error {
	return newError(KeyTooLarge, nil, int((lim.MaxBytes+(1<<20)-1)>>20))
}

// Process is ProcessContext without a deadline of its own: a wait for a
// decode slot ends only with the gate's MaxWait.
func Process(r io.Reader, lim Limits) (*Processed, error) {
	return ProcessContext(context.Background(), r, lim)
}

// ProcessContext reads one uploaded image from r and prepares it. The
// header is checked first (see Check), so that a file that cannot be
// accepted is refused at once whatever its size; then the upload waits for
// a slot of lim.Gate, reads at most lim.MaxBytes+1 bytes and is decoded.
// When r is an io.ReadSeeker (a multipart file is one) the header is read
// from it in place and the whole file only once a slot is held, so that
// uploads waiting their turn hold no more than a file handle. Errors that
// the user should see are *Error with one of the Key constants; a failure
// to read r, or ctx's end while waiting, is returned as it is (wrapped).
func ProcessContext(ctx context.Context, r io.Reader, lim Limits) (*Processed, error) {
	lim = lim.withDefaults()
	var (
		data []byte
		h    Header
		err  error
	)
	if rs, ok := r.(io.ReadSeeker); ok {
		start, err1 := rs.Seek(0, io.SeekCurrent)
		end, err2 := rs.Seek(0, io.SeekEnd)
		_, err3 := rs.Seek(start, io.SeekStart)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("photo: read upload: %w", err)
		}
		size := end - start
		if h, err = Check(rs, size, lim); err != nil {
			return nil, err
		}
		if _, err := rs.Seek(start, io.SeekStart); err != nil {
			return nil, fmt.Errorf("photo: read upload: %w", err)
		}
		release, err := lim.Gate.Acquire(ctx, h.Memory(size))
		if err != nil {
			return nil, err
		}
		defer release()
		if data, err = readAll(rs, lim); err != nil {
			return nil, err
		}
		// The bytes decoded must be the bytes checked.
		if again, err := ReadHeader(bytes.NewReader(data)); err != nil || again != h {
			return nil, newError(KeyCorrupt, fmt.Errorf("photo: header changed while waiting: %+v, %v", again, err))
		}
	} else {
		if data, err = readAll(r, lim); err != nil {
			return nil, err
		}
		if h, err = Check(bytes.NewReader(data), int64(len(data)), lim); err != nil {
			return nil, err
		}
		release, err := lim.Gate.Acquire(ctx, h.Memory(int64(len(data))))
		if err != nil {
			return nil, err
		}
		defer release()
	}
	return process(data, h, lim)
}

// readAll reads r whole, at most lim.MaxBytes.
func readAll(r io.Reader, lim Limits) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("photo: read upload: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, tooLarge(lim)
	}
	return data, nil
}

// process decodes data, whose header h was checked, and prepares its outputs.
func process(data []byte, h Header, lim Limits) (*Processed, error) {
	// The standard library's reading of the header must agree with ours:
	// the decoder allocates by its own reading.
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
	if format != h.Format || cfg.Width != h.Width || cfg.Height != h.Height {
		return nil, newError(KeyCorrupt, fmt.Errorf("header %s %dx%d, decoder reads %s %dx%d",
			h.Format, h.Width, h.Height, format, cfg.Width, cfg.Height))
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
	src = nil // the decoded original may be collected while the thumbnail is made
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
