package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"sort"
	"testing"
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	white = color.RGBA{255, 255, 255, 255}
)

// quadImage is w×h with four solid quadrants: red top-left, green
// top-right, blue bottom-left, white bottom-right.
func quadImage(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := white
			switch {
			case x < w/2 && y < h/2:
				c = red
			case y < h/2:
				c = green
			case x < w/2:
				c = blue
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func pngBytes(t *testing.T, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t *testing.T, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// near reports whether c is within a JPEG's error of want.
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, b uint8) bool {
		v := int(a>>8) - int(b)
		return v > -48 && v < 48
	}
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// quadrants returns the colour names at the centres of m's four quadrants,
// as "TL TR / BL BR" letters, e.g. "RG/BW"; '?' for none of them.
func quadrants(m image.Image) string {
	b := m.Bounds()
	name := func(x, y int) byte {
		c := m.At(x, y)
		for _, k := range []struct {
			n byte
			c color.RGBA
		}{{'R', red}, {'G', green}, {'B', blue}, {'W', white}} {
			if near(c, k.c) {
				return k.n
			}
		}
		return '?'
	}
	x1, x2 := b.Min.X+b.Dx()/4, b.Min.X+3*b.Dx()/4
	y1, y2 := b.Min.Y+b.Dy()/4, b.Min.Y+3*b.Dy()/4
	return string([]byte{name(x1, y1), name(x2, y1), '/', name(x1, y2), name(x2, y2)})
}

func decodeJPEG(t *testing.T, b []byte) image.Image {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output is not a JPEG: %v", err)
	}
	return m
}

func wantKey(t *testing.T, err error, key string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error with key %s", err, key)
	}
	if e.Key != key {
		t.Fatalf("key = %s (%v), want %s", e.Key, e, key)
	}
	return e
}

// A hand-written TIFF (EXIF) builder.

type tEntry struct {
	tag, typ uint16
	count    uint32
	val      []byte
}

// order is a byte order that can also append.
type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

type tiffBuilder struct{ bo order }

func (tb tiffBuilder) short(tag, v uint16) tEntry {
	return tEntry{tag, typeShort, 1, tb.bo.AppendUint16(nil, v)}
}

func (tb tiffBuilder) ascii(tag uint16, s string) tEntry {
	b := append([]byte(s), 0)
	return tEntry{tag, typeASCII, uint32(len(b)), b}
}

func (tb tiffBuilder) rationals(tag uint16, v ...[2]uint32) tEntry {
	var b []byte
	for _, r := range v {
		b = tb.bo.AppendUint32(b, r[0])
		b = tb.bo.AppendUint32(b, r[1])
	}
	return tEntry{tag, typeRational, uint32(len(v)), b}
}

// build lays out a TIFF: header, IFD0 (with pointers to the Exif and GPS
// IFDs when those are given), the Exif IFD, the GPS IFD, then the values
// longer than four bytes.
func (tb tiffBuilder) build(ifd0, exifIFD, gpsIFD []tEntry) []byte {
	ifd0 = append([]tEntry(nil), ifd0...)
	if exifIFD != nil {
		ifd0 = append(ifd0, tEntry{tagExifIFD, typeLong, 1, make([]byte, 4)})
	}
	if gpsIFD != nil {
		ifd0 = append(ifd0, tEntry{tagGPSIFD, typeLong, 1, make([]byte, 4)})
	}
	ifds := [][]tEntry{ifd0, exifIFD, gpsIFD}
	size := func(es []tEntry) int {
		if es == nil {
			return 0
		}
		return 2 + 12*len(es) + 4
	}
	offs := []int{8, 8 + size(ifd0), 8 + size(ifd0) + size(exifIFD)}
	dataOff := offs[2] + size(gpsIFD)
	for i, es := range ifds {
		sort.Slice(es, func(a, b int) bool { return es[a].tag < es[b].tag })
		for k := range es {
			switch es[k].tag {
			case tagExifIFD:
				if i == 0 {
					es[k].val = tb.bo.AppendUint32(nil, uint32(offs[1]))
				}
			case tagGPSIFD:
				if i == 0 {
					es[k].val = tb.bo.AppendUint32(nil, uint32(offs[2]))
				}
			}
		}
	}
	var out, data []byte
	if tb.bo == binary.LittleEndian {
		out = []byte("II*\x00")
	} else {
		out = []byte("MM\x00*")
	}
	out = tb.bo.AppendUint32(out, 8)
	for _, es := range ifds {
		if es == nil {
			continue
		}
		out = tb.bo.AppendUint16(out, uint16(len(es)))
		for _, e := range es {
			out = tb.bo.AppendUint16(out, e.tag)
			out = tb.bo.AppendUint16(out, e.typ)
			out = tb.bo.AppendUint32(out, e.count)
			if len(e.val) <= 4 {
				v := make([]byte, 4)
				copy(v, e.val)
				out = append(out, v...)
			} else {
				out = tb.bo.AppendUint32(out, uint32(dataOff+len(data)))
				data = append(data, e.val...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
		}
		out = tb.bo.AppendUint32(out, 0) // no next IFD
	}
	return append(out, data...)
}

// withAPP1 inserts an APP1 "Exif" segment holding tiff right after the SOI
// of a JPEG.
func withAPP1(t *testing.T, jpg, tiff []byte) []byte {
	t.Helper()
	body := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(body)+2))
	seg = append(seg, body...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// withEXIf inserts an eXIf chunk holding tiff right after a PNG's IHDR.
func withEXIf(p, tiff []byte) []byte {
	const ihdrEnd = 8 + 8 + 13 + 4
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, pngChunk("eXIf", tiff)...)
	return append(out, p[ihdrEnd:]...)
}
