package letters

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder
	_ "image/png"  // registers the PNG decoder
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/photo"
)

// Limits of the uploaded files.
const (
	MaxScanBytes      = 20 << 20   // a scanned paper copy: 20 MB
	MaxSignatureBytes = 2 << 20    // a drawn signature: 2 MB
	MaxScanPixels     = 60_000_000 // an A4 page at 600 dpi is about 35 megapixels
	MaxSignatureEdge  = 4000       // pixels, either side of a drawn signature
	// MaxSignaturePixels bounds a drawn signature's area: it is decoded to
	// count its ink (4 bytes a pixel). A full-width pad on a phone at three
	// device pixels per CSS pixel is about 1 megapixel.
	MaxSignaturePixels = 4_000_000
	// MaxSignatureDecode bounds the memory decoding a signature may take
	// (photo.Header.DecodeBytes): an 8-bit RGBA PNG at the pixel limit
	// takes 16 MB; 16-bit or interlaced ones of that size are refused.
	MaxSignatureDecode = 32 << 20
	// MaxScanEdge and MaxAspect bound a scan's or signature's sides and
	// shape (an A3 page at 600 dpi is 7,016 × 9,921 pixels).
	MaxScanEdge = 20_000
	MaxAspect   = 50
	// MinInk is how many inked pixels a drawn signature needs: a stroke of a
	// few millimetres. Fewer is a blank pad.
	MinInk = 30
)

// File is an accepted upload: its bytes, format (png, jpeg or pdf) and SHA-256.
type File struct {
	Data   []byte
	Format string
	SHA256 string
}

// ContentType returns the file's MIME type.
func (f File) ContentType() string { return ContentType(f.Format) }

// ContentType returns the MIME type of a format.
func ContentType(format string) string {
	switch format {
	case "pdf":
		return "application/pdf"
	case "jpeg":
		return "image/jpeg"
	case "png":
		return "image/png"
	}
	return "application/octet-stream"
}

// Disposition returns the Content-Disposition header a stored file of the
// letter with id is served with. A PDF is always an attachment, saved and
// not shown: a PDF viewer in the browser runs the JavaScript and forms a
// file may carry, and the scans come from outside. Images are shown inline.
func Disposition(format string, letterID int64) string {
	if format == "pdf" {
		return `attachment; filename="letter-` + strconv.FormatInt(letterID, 10) + `.pdf"`
	}
	return "inline"
}

func newFile(data []byte, format string) File {
	sum := sha256.Sum256(data)
	return File{Data: data, Format: format, SHA256: hex.EncodeToString(sum[:])}
}

// ReadUpload reads at most max bytes from r; more is a TooLarge error on
// field naming the limit in MB.
func ReadUpload(r io.Reader, max int64, field string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("letters: read upload: %w", err)
	}
	if int64(len(data)) > max {
		return nil, TooLarge(field, max)
	}
	return data, nil
}

// TooLarge is the error for a file over max bytes on field: TooLarge
// (HTTP 413) with err.file_too_large naming the limit in MB.
func TooLarge(field string, max int64) error {
	mb := int((max + 1<<20 - 1) >> 20)
	return &apperr.Error{Code: apperr.TooLarge, Msg: apperr.Msg{Key: "err.file_too_large", Args: []any{mb}},
		Fields: map[string]apperr.Msg{field: {Key: "err.file_too_large", Args: []any{mb}}}}
}

// CheckSignature accepts a drawn signature: a PNG by content, at most
// MaxSignatureBytes, MaxSignatureEdge pixels a side, MaxSignaturePixels,
// MaxAspect and MaxSignatureDecode, all read from the header before
// decoding, with at least MinInk inked pixels (opaque enough and darker
// than paper). A blank or transparent-only image is
// err.letter.empty_signature. The decode waits its turn at photo.DefaultGate,
// with the photos: memory is one budget for the whole process.
func CheckSignature(data []byte) (File, error) {
	if len(data) > MaxSignatureBytes {
		return File{}, TooLarge("signature", MaxSignatureBytes)
	}
	h, err := photo.ReadHeader(bytes.NewReader(data))
	var pe *photo.Error
	switch {
	case errors.As(err, &pe) && pe.Key == photo.KeyCorrupt:
		return File{}, pe.FieldErr("signature")
	case err != nil || h.Format != "png":
		return File{}, apperr.Field("signature", "err.letter.signature_type")
	}
	if err := h.CheckSize(MaxSignaturePixels, MaxSignatureEdge, MaxAspect); errors.As(err, &pe) {
		return File{}, pe.FieldErr("signature")
	}
	if h.DecodeBytes > MaxSignatureDecode {
		return File{}, apperr.Field("signature", photo.KeyMemory)
	}
	release, err := photo.DefaultGate.Acquire(context.Background(), int64(len(data))+h.DecodeBytes)
	if err != nil {
		if errors.As(err, &pe) {
			return File{}, pe.FieldErr("signature")
		}
		return File{}, err
	}
	defer release()
	img, err := decode(data)
	if err != nil {
		return File{}, apperr.Field("signature", "err.photo_corrupt")
	}
	if b := img.Bounds(); b.Dx() != h.Width || b.Dy() != h.Height {
		return File{}, apperr.Field("signature", "err.photo_corrupt")
	}
	if Ink(img) < MinInk {
		return File{}, apperr.Field("signature", "err.letter.empty_signature")
	}
	return newFile(data, "png"), nil
}

// Ink counts the inked pixels of a signature image: at least a quarter
// opaque, and darker than light paper once laid on white.
func Ink(img image.Image) int {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA() // premultiplied, 0..0xffff
			if a < 0x4000 {
				continue
			}
			// Composite over white: c + (1-a)·white.
			w := 0xffff - a
			lum := (299*(r+w) + 587*(g+w) + 114*(bl+w)) / 1000
			if lum < 0xc000 {
				n++
			}
		}
	}
	return n
}

// decode decodes an image, turning a decoder panic into an error.
func decode(data []byte) (m image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("decoder panic: %v", r)
		}
	}()
	m, _, err = image.Decode(bytes.NewReader(data))
	return m, err
}

// CheckScan accepts a scanned paper copy by its content: a PDF (see
// checkPDF), or a JPEG or PNG image whose header decodes, of at most
// MaxScanPixels, MaxScanEdge a side and MaxAspect, and that is whole (it
// ends with its end marker), all within MaxScanBytes. The pixels are not decoded: a 20 MB scan can hold hundreds
// of megabytes of them, and the file is kept as it came. Anything else is
// err.letter.scan_type on field "scan"; a damaged file err.photo_corrupt.
func CheckScan(data []byte) (File, error) {
	if len(data) > MaxScanBytes {
		return File{}, TooLarge("scan", MaxScanBytes)
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		if err := checkPDF(data); err != nil {
			e := apperr.As(apperr.Field("scan", "err.photo_corrupt"))
			e.Err = err
			return File{}, e
		}
		return newFile(data, "pdf"), nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	switch {
	case errors.Is(err, image.ErrFormat) || (err == nil && format != "jpeg" && format != "png"):
		return File{}, apperr.Field("scan", "err.letter.scan_type")
	case err != nil:
		return File{}, apperr.Field("scan", "err.photo_corrupt")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return File{}, apperr.Field("scan", "err.photo_corrupt")
	}
	hdr := photo.Header{Width: cfg.Width, Height: cfg.Height}
	if err := hdr.CheckSize(MaxScanPixels, MaxScanEdge, MaxAspect); err != nil {
		var pe *photo.Error
		if errors.As(err, &pe) {
			return File{}, pe.FieldErr("scan")
		}
		return File{}, err
	}
	if !imageComplete(data, format) {
		return File{}, apperr.Field("scan", "err.photo_corrupt")
	}
	return newFile(data, format), nil
}

// imageComplete reports whether a JPEG ends with its EOI marker or a PNG
// with its IEND chunk, allowing the padding some scanners add after it.
func imageComplete(data []byte, format string) bool {
	tail := data[max(0, len(data)-4096):]
	switch format {
	case "jpeg":
		tail = bytes.TrimRight(tail, "\x00\r\n\t ")
		return bytes.HasSuffix(tail, []byte{0xff, 0xd9})
	case "png":
		i := bytes.LastIndex(tail, []byte("IEND"))
		return i >= 4 && bytes.Equal(tail[i-4:i], []byte{0, 0, 0, 0}) && len(tail) >= i+8
	}
	return false
}

var (
	pdfHeader    = regexp.MustCompile(`^%PDF-[12]\.[0-9]`)
	pdfStartXref = regexp.MustCompile(`startxref\s+([0-9]{1,10})\s+%%EOF\s*$`)
	pdfXrefAt    = regexp.MustCompile(`^\s*(xref|[0-9]+\s+[0-9]+\s+obj)`)
	pdfObj       = regexp.MustCompile(`[0-9]+\s+[0-9]+\s+obj`)
)

// checkPDF checks a PDF's minimal structure: the %PDF-x.y header, at least
// one indirect object, and a trailer ending in "startxref N %%EOF" whose
// offset N points at a cross-reference table or stream within the file.
func checkPDF(data []byte) error {
	if !pdfHeader.Match(data) {
		return errors.New("pdf: bad header")
	}
	if !pdfObj.Match(data) {
		return errors.New("pdf: no object")
	}
	tail := data[max(0, len(data)-2048):]
	m := pdfStartXref.FindSubmatch(tail)
	if m == nil {
		return errors.New("pdf: no startxref trailer")
	}
	off, err := strconv.Atoi(string(m[1]))
	if err != nil || off <= 0 || off >= len(data) {
		return errors.New("pdf: startxref out of range")
	}
	if !pdfXrefAt.Match(data[off:min(len(data), off+64)]) {
		return errors.New("pdf: startxref points at no cross-reference")
	}
	return nil
}

// FileStore keeps signature images and scans under a data folder,
// addressed by the SHA-256 of their bytes:
//
//	<dir>/letters/ab/cd/<sha256>
//
// The format is kept by the caller (the database). Files appear whole or
// not at all; putting the same content twice keeps the first.
type FileStore struct {
	root string
}

// NewFileStore returns a store writing under dir/letters.
func NewFileStore(dir string) *FileStore {
	return &FileStore{root: filepath.Join(dir, "letters")}
}

// ErrInvalidID is returned by Open for an id that is not 64 lowercase hex
// characters; it matches os.ErrNotExist.
var ErrInvalidID = fmt.Errorf("letters: invalid file id: %w", os.ErrNotExist)

// ValidFileID reports whether id has the form of a file id: 64 lowercase hex characters.
func ValidFileID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *FileStore) path(id string) string {
	return filepath.Join(s.root, id[0:2], id[2:4], id)
}

// Put writes f under its hash, through a synced temporary file renamed into place.
func (s *FileStore) Put(f File) error {
	if !ValidFileID(f.SHA256) || len(f.Data) == 0 {
		return ErrInvalidID
	}
	path := s.path(f.SHA256)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == int64(len(f.Data)) {
		return nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("letters: put: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("letters: put: %w", err)
	}
	name := tmp.Name()
	_, err = tmp.Write(f.Data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("letters: put: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Open opens the file with id; a malformed id gives ErrInvalidID, a missing
// file an error matching os.ErrNotExist.
func (s *FileStore) Open(id string) (*os.File, error) {
	if !ValidFileID(id) {
		return nil, ErrInvalidID
	}
	return os.Open(s.path(id))
}
