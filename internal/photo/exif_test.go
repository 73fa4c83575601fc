package photo

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

func TestReadEXIFSouthWest(t *testing.T) {
	tb := tiffBuilder{binary.LittleEndian}
	info, err := readEXIF(tb.build(nil, nil, []tEntry{
		tb.ascii(tagGPSLatRef, "S"),
		tb.rationals(tagGPSLat, [2]uint32{33, 1}, [2]uint32{5130, 100}, [2]uint32{0, 1}),
		tb.ascii(tagGPSLonRef, "W"),
		tb.rationals(tagGPSLon, [2]uint32{70, 1}, [2]uint32{39, 1}, [2]uint32{0, 0}),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if info.Lat == nil || info.Lon == nil || math.Abs(*info.Lat+33.855) > 1e-9 || math.Abs(*info.Lon+70.65) > 1e-9 {
		t.Errorf("got %v %v, want -33.855 -70.65", deref(info.Lat), deref(info.Lon))
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestReadEXIFRejectsBadGPS(t *testing.T) {
	tb := tiffBuilder{binary.BigEndian}
	one := [2]uint32{1, 1}
	for name, gps := range map[string][]tEntry{
		"no fix (0,0)": {tb.ascii(tagGPSLatRef, "N"), tb.rationals(tagGPSLat, [2]uint32{0, 1}, [2]uint32{0, 1}, [2]uint32{0, 1}),
			tb.ascii(tagGPSLonRef, "E"), tb.rationals(tagGPSLon, [2]uint32{0, 1}, [2]uint32{0, 1}, [2]uint32{0, 1})},
		"latitude 95": {tb.ascii(tagGPSLatRef, "N"), tb.rationals(tagGPSLat, [2]uint32{95, 1}, one, one),
			tb.ascii(tagGPSLonRef, "E"), tb.rationals(tagGPSLon, one, one, one)},
		"no reference": {tb.rationals(tagGPSLat, one, one, one), tb.ascii(tagGPSLonRef, "E"), tb.rationals(tagGPSLon, one, one, one)},
		"zero denominator": {tb.ascii(tagGPSLatRef, "N"), tb.rationals(tagGPSLat, [2]uint32{34, 0}, one, one),
			tb.ascii(tagGPSLonRef, "E"), tb.rationals(tagGPSLon, one, one, one)},
		"latitude only": {tb.ascii(tagGPSLatRef, "N"), tb.rationals(tagGPSLat, one, one, one)},
	} {
		info, err := readEXIF(tb.build(nil, nil, gps))
		if err != nil || info.Lat != nil || info.Lon != nil {
			t.Errorf("%s: got %v %v %v, want no position", name, deref(info.Lat), deref(info.Lon), err)
		}
	}
}

func TestReadEXIFHostile(t *testing.T) {
	le := binary.LittleEndian
	// Two IFDs pointing at each other through the next-IFD link (which makes
	// github.com/rwcarlsen/goexif loop forever), and IFD0's Exif pointer
	// pointing at IFD0 itself.
	b := []byte("II*\x00")
	b = le.AppendUint32(b, 8)
	b = le.AppendUint16(b, 2)
	b = append(b, tEntryBytes(le, tagOrientation, typeShort, 1, 3)...)
	b = append(b, tEntryBytes(le, tagExifIFD, typeLong, 1, 8)...)
	b = le.AppendUint32(b, 38)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, 8)

	done := make(chan exifInfo, 1)
	go func() { info, _ := readEXIF(b); done <- info }()
	select {
	case info := <-done:
		if info.Orientation != 3 {
			t.Errorf("orientation %d, want 3", info.Orientation)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readEXIF does not return on an IFD cycle")
	}

	// Offsets and counts past the end, a count that overflows 32 bits
	// when multiplied by the type size, and truncations of a good block:
	// no panic, nothing invented.
	bad := [][]byte{
		nil, []byte("II*\x00"), []byte("MM\x00*\xff\xff\xff\xff"),
		append(le.AppendUint32([]byte("II*\x00"), 8), 0xff, 0xff),
		append(append(le.AppendUint32([]byte("II*\x00"), 8), 1, 0), tEntryBytes(le, tagGPSIFD, typeRational, 0x40000000, 0)...),
	}
	good := cameraEXIF(binary.BigEndian)
	for n := range good {
		bad = append(bad, good[:n])
	}
	for _, in := range bad {
		info, _ := readEXIF(in)
		if info.Lat != nil && (*info.Lat != 34.58 || *info.Lon != 105.72) {
			t.Errorf("invented a position %v,%v from %x", *info.Lat, *info.Lon, in)
		}
	}
}

func tEntryBytes(bo order, tag, typ uint16, count, val uint32) []byte {
	b := bo.AppendUint16(nil, tag)
	b = bo.AppendUint16(b, typ)
	b = bo.AppendUint32(b, count)
	return bo.AppendUint32(b, val)
}

func FuzzReadEXIF(f *testing.F) {
	f.Add(cameraEXIF(binary.BigEndian))
	f.Add(cameraEXIF(binary.LittleEndian))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, _ := readEXIF(b)
		if info.Orientation < 0 || info.Orientation > 8 {
			t.Fatalf("orientation %d", info.Orientation)
		}
		for _, v := range []*float64{info.Lat, info.Lon} {
			if v != nil && (math.IsNaN(*v) || math.Abs(*v) > 180) {
				t.Fatalf("coordinate %v", *v)
			}
		}
		for _, format := range []string{"jpeg", "png", "webp"} {
			exifBlock(b, format)
		}
	})
}

func TestExifBlockSkipsXMP(t *testing.T) {
	// An APP1 holding XMP before the APP1 holding EXIF, as many phones write.
	xmp := []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>")
	seg := append([]byte{0xFF, 0xE1}, binary.BigEndian.AppendUint16(nil, uint16(len(xmp)+2))...)
	seg = append(seg, xmp...)
	jpg := withAPP1(t, jpegBytes(t, quadImage(8, 8)), cameraEXIF(binary.BigEndian))
	in := append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
	blk := jpegEXIF(in)
	if blk == nil {
		t.Fatal("EXIF after an XMP segment not found")
	}
	if info, err := readEXIF(blk); err != nil || info.Orientation != 6 {
		t.Errorf("got %+v %v", info, err)
	}
}
