package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"time"
)

// A small EXIF reader for the three things Lantian needs: Orientation, the
// GPS position and DateTimeOriginal. It follows only the fixed pointers from
// IFD0 to the Exif and GPS sub-IFDs (never the next-IFD chain), checks every
// offset against the buffer and so cannot loop or over-allocate on a crafted
// file. (github.com/rwcarlsen/goexif loops forever on a TIFF whose IFD chain
// points back at itself through a second IFD, which a public upload must not
// allow.)

// exifInfo is what readEXIF extracts; zero values mean "absent".
type exifInfo struct {
	Orientation int    // 1..8, 0 when absent or invalid
	DateTime    string // DateTimeOriginal as written, e.g. "2026:11:28 10:15:00"
	Offset      string // OffsetTimeOriginal, e.g. "+08:00"
	Lat, Lon    *float64
}

// TIFF tags read.
const (
	tagOrientation  = 0x0112
	tagExifIFD      = 0x8769
	tagGPSIFD       = 0x8825
	tagDateTimeOrig = 0x9003
	tagOffsetOrig   = 0x9011
	tagGPSLatRef    = 0x0001
	tagGPSLat       = 0x0002
	tagGPSLonRef    = 0x0003
	tagGPSLon       = 0x0004
)

// TIFF field types used.
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeUndefined = 7
)

var typeSize = map[uint16]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}

var errEXIF = errors.New("photo: malformed EXIF")

// maxIFDEntries bounds one IFD; real ones have a few dozen entries.
const maxIFDEntries = 1000

type tiffReader struct {
	b  []byte
	bo binary.ByteOrder
}

type ifdEntry struct {
	typ   uint16
	count uint32
	val   []byte // the value bytes, bounds-checked
}

// exifBlock finds the TIFF structure holding EXIF in a JPEG (APP1 "Exif"),
// PNG (eXIf chunk) or WebP (EXIF chunk) file; nil when there is none.
func exifBlock(data []byte, format string) []byte {
	switch format {
	case "jpeg":
		return jpegEXIF(data)
	case "png":
		return pngEXIF(data)
	case "webp":
		return webpEXIF(data)
	}
	return nil
}

// jpegEXIF walks the JPEG marker segments up to the start of scan and
// returns the body of the first APP1 segment that carries "Exif\0".
func jpegEXIF(b []byte) []byte {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil
		}
		m := b[i+1]
		if m == 0xFF { // fill byte
			i++
			continue
		}
		if m == 0xD9 || m == 0xDA { // EOI, SOS: no metadata after this
			return nil
		}
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) { // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		seg := b[i+4 : i+2+n]
		if m == 0xE1 && len(seg) > 6 && bytes.HasPrefix(seg, []byte("Exif\x00")) {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// pngEXIF returns the eXIf chunk of a PNG.
func pngEXIF(b []byte) []byte {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(b, []byte(sig)) {
		return nil
	}
	i := len(sig)
	for i+12 <= len(b) {
		n := uint64(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		end := uint64(i) + 8 + n + 4
		if end > uint64(len(b)) {
			return nil
		}
		switch typ {
		case "eXIf":
			return b[i+8 : i+8+int(n)]
		case "IEND":
			return nil
		}
		i = int(end)
	}
	return nil
}

// webpEXIF returns the EXIF chunk of an extended WebP (some writers put an
// "Exif\0\0" prefix before the TIFF header; it is skipped).
func webpEXIF(b []byte) []byte {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return nil
	}
	i := 12
	for i+8 <= len(b) {
		id := string(b[i : i+4])
		n := uint64(binary.LittleEndian.Uint32(b[i+4:]))
		if uint64(i)+8+n > uint64(len(b)) {
			return nil
		}
		if id == "EXIF" {
			c := b[i+8 : i+8+int(n)]
			if bytes.HasPrefix(c, []byte("Exif\x00\x00")) {
				c = c[6:]
			}
			return c
		}
		i += 8 + int(n) + int(n&1)
	}
	return nil
}

// readEXIF parses a TIFF structure. Fields that are missing or malformed
// are left out; an error means the header itself is unusable.
func readEXIF(b []byte) (exifInfo, error) {
	var info exifInfo
	if len(b) < 8 {
		return info, errEXIF
	}
	t := tiffReader{b: b}
	switch string(b[:4]) {
	case "II*\x00":
		t.bo = binary.LittleEndian
	case "MM\x00*":
		t.bo = binary.BigEndian
	default:
		return info, errEXIF
	}
	ifd0, err := t.ifd(t.bo.Uint32(b[4:]))
	if err != nil {
		return info, err
	}
	if e, ok := ifd0[tagOrientation]; ok {
		if v, ok := t.uint(e); ok && v >= 1 && v <= 8 {
			info.Orientation = int(v)
		}
	}
	if e, ok := ifd0[tagExifIFD]; ok {
		if off, ok := t.uint(e); ok {
			if sub, err := t.ifd(off); err == nil {
				info.DateTime = t.ascii(sub[tagDateTimeOrig])
				info.Offset = t.ascii(sub[tagOffsetOrig])
			}
		}
	}
	if e, ok := ifd0[tagGPSIFD]; ok {
		if off, ok := t.uint(e); ok {
			if gps, err := t.ifd(off); err == nil {
				info.Lat = t.coord(gps[tagGPSLat], gps[tagGPSLatRef], "N", "S", 90)
				info.Lon = t.coord(gps[tagGPSLon], gps[tagGPSLonRef], "E", "W", 180)
				if info.Lat == nil || info.Lon == nil || (*info.Lat == 0 && *info.Lon == 0) {
					// Half a position, or the 0,0 some phones write without a fix.
					info.Lat, info.Lon = nil, nil
				}
			}
		}
	}
	return info, nil
}

// ifd reads the directory at off into a map of its entries.
func (t tiffReader) ifd(off uint32) (map[uint16]ifdEntry, error) {
	o := uint64(off)
	if o < 8 || o+2 > uint64(len(t.b)) {
		return nil, errEXIF
	}
	n := uint64(t.bo.Uint16(t.b[o:]))
	if n > maxIFDEntries || o+2+12*n > uint64(len(t.b)) {
		return nil, errEXIF
	}
	m := make(map[uint16]ifdEntry, n)
	for k := uint64(0); k < n; k++ {
		p := o + 2 + 12*k
		tag := t.bo.Uint16(t.b[p:])
		typ := t.bo.Uint16(t.b[p+2:])
		count := t.bo.Uint32(t.b[p+4:])
		size, ok := typeSize[typ]
		if !ok || count == 0 {
			continue
		}
		total := size * uint64(count)
		var val []byte
		if total <= 4 {
			val = t.b[p+8 : p+8+total]
		} else {
			vo := uint64(t.bo.Uint32(t.b[p+8:]))
			if vo+total > uint64(len(t.b)) {
				continue
			}
			val = t.b[vo : vo+total]
		}
		if _, dup := m[tag]; !dup {
			m[tag] = ifdEntry{typ: typ, count: count, val: val}
		}
	}
	return m, nil
}

// uint returns the first value of a SHORT or LONG entry.
func (t tiffReader) uint(e ifdEntry) (uint32, bool) {
	switch e.typ {
	case typeShort:
		return uint32(t.bo.Uint16(e.val)), true
	case typeLong:
		return t.bo.Uint32(e.val), true
	}
	return 0, false
}

// ascii returns an ASCII (or UNDEFINED) entry as a string without the
// trailing NULs and spaces; "" when absent.
func (t tiffReader) ascii(e ifdEntry) string {
	if e.typ != typeASCII && e.typ != typeUndefined && e.typ != typeByte {
		return ""
	}
	s := string(e.val)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// coord converts a GPS degrees/minutes/seconds entry and its reference
// letter to signed decimal degrees; nil when missing or out of range.
func (t tiffReader) coord(e, ref ifdEntry, pos, neg string, max float64) *float64 {
	if e.typ != typeRational || e.count < 3 {
		return nil
	}
	var dms [3]float64
	for i := range dms {
		num := t.bo.Uint32(e.val[8*i:])
		den := t.bo.Uint32(e.val[8*i+4:])
		if den == 0 {
			if num != 0 {
				return nil
			}
			den = 1 // 0/0, written by some devices for an unused seconds field
		}
		dms[i] = float64(num) / float64(den)
	}
	if dms[1] >= 60 || dms[2] >= 60 {
		return nil
	}
	v := dms[0] + dms[1]/60 + dms[2]/3600
	switch strings.ToUpper(t.ascii(ref)) {
	case pos:
	case neg:
		v = -v
	default:
		return nil
	}
	if math.IsNaN(v) || v > max || v < -max {
		return nil
	}
	v = math.Round(v*1e7) / 1e7 // ≈ 1 cm; drops float noise from the rationals
	return &v
}

// exifTimeLayout is the EXIF date-time format.
const exifTimeLayout = "2006:01:02 15:04:05"

// takenAt parses DateTimeOriginal. The EXIF time is the camera's wall clock
// without a zone: it is read in OffsetTimeOriginal's zone when the camera
// wrote one, otherwise in loc.
func takenAt(dt, offset string, loc *time.Location) (time.Time, bool) {
	if dt == "" {
		return time.Time{}, false
	}
	if len(offset) == 6 && (offset[0] == '+' || offset[0] == '-') {
		if o, err := time.Parse("-07:00", offset); err == nil {
			_, secs := o.Zone()
			loc = time.FixedZone(offset, secs)
		}
	}
	t, err := time.ParseInLocation(exifTimeLayout, dt, loc)
	if err != nil || t.Year() < 1900 {
		return time.Time{}, false
	}
	return t, true
}
