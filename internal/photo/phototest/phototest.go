// Package phototest makes image files for tests and load benchmarks of
// uploads: headers that claim whatever the caller asks (decompression bombs
// with no pixel data behind them) and real, valid files that are as large
// in pixels as they are small in bytes (the worst an uploader can send
// that the limits still accept).
package phototest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
)

// PNGSignature starts every PNG file.
const PNGSignature = "\x89PNG\r\n\x1a\n"

// PNGChunk encodes one PNG chunk with its CRC.
func PNGChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

func ihdr(w, h uint32, depth, colorType, interlace byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, w)
	b = binary.BigEndian.AppendUint32(b, h)
	return append(b, depth, colorType, 0, 0, interlace)
}

// PNGHeader is a PNG whose IHDR declares w×h pixels of the given bit depth,
// colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA) and
// interlace method, followed by an empty IDAT and IEND: a header and no
// pixels.
func PNGHeader(w, h uint32, depth, colorType, interlace byte) []byte {
	b := append([]byte(PNGSignature), PNGChunk("IHDR", ihdr(w, h, depth, colorType, interlace))...)
	b = append(b, PNGChunk("IDAT", nil)...)
	return append(b, PNGChunk("IEND", nil)...)
}

// PNG is a real, valid, non-interlaced w×h PNG with 8 bits per sample of
// colour type 0 (grey) or 6 (RGBA) whose pixels are all zero, compressed as
// far as zlib goes: 50,000,000×1 grey takes 48 KB, 6,000×5,000 RGBA 117 KB.
func PNG(w, h int, colorType byte) []byte {
	bpp := 1
	if colorType == 6 {
		bpp = 4
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+min(w*bpp, 1<<20))
	for y := 0; y < h; y++ {
		for left := 1 + w*bpp; left > 0; left -= len(row) {
			zw.Write(row[:min(left, len(row))])
		}
	}
	zw.Close()
	b := append([]byte(PNGSignature), PNGChunk("IHDR", ihdr(uint32(w), uint32(h), 8, colorType, 0))...)
	b = append(b, PNGChunk("IDAT", z.Bytes())...)
	return append(b, PNGChunk("IEND", nil)...)
}

// JPEGSegment is one JPEG marker segment with its body.
func JPEGSegment(marker byte, body []byte) []byte {
	b := []byte{0xFF, marker}
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)+2))
	return append(b, body...)
}

// JPEGHeader is SOI, the given segments, a frame header (SOF0, or SOF2 when
// progressive) declaring w×h with one component per sampling factor given
// (0x22 is 2×2: {0x22, 0x11, 0x11} is 4:2:0), and EOI: a header and no scan.
func JPEGHeader(w, h int, progressive bool, sampling []byte, segments ...[]byte) []byte {
	b := []byte{0xFF, 0xD8}
	for _, s := range segments {
		b = append(b, s...)
	}
	sof := byte(0xC0)
	if progressive {
		sof = 0xC2
	}
	body := []byte{8}
	body = binary.BigEndian.AppendUint16(body, uint16(h))
	body = binary.BigEndian.AppendUint16(body, uint16(w))
	body = append(body, byte(len(sampling)))
	for i, f := range sampling {
		body = append(body, byte(i+1), f, 0)
	}
	b = append(b, JPEGSegment(sof, body)...)
	return append(b, 0xFF, 0xD9)
}

// JPEG is a real baseline 4:2:0 JPEG of w×h mid-grey pixels: 8,160×6,120
// (a 50-megapixel phone photo's size) takes about 1 MB.
func JPEG(w, h int) []byte {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range m.Y {
		m.Y[i] = 128
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = 128, 128
	}
	var b bytes.Buffer
	jpeg.Encode(&b, m, &jpeg.Options{Quality: 50})
	return b.Bytes()
}

// RIFFChunk encodes one RIFF chunk, padded to an even length.
func RIFFChunk(id string, data []byte) []byte {
	b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// WebP wraps chunks in a RIFF WEBP container.
func WebP(chunks ...[]byte) []byte {
	var body []byte
	for _, c := range chunks {
		body = append(body, c...)
	}
	b := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	b = append(b, "WEBP"...)
	return append(b, body...)
}

// WebPLosslessHeader is a lossless (VP8L) WebP header declaring w×h (each 1..16384).
func WebPLosslessHeader(w, h int) []byte {
	body := []byte{0x2F}
	body = binary.LittleEndian.AppendUint32(body, uint32(w-1)|uint32(h-1)<<14)
	return WebP(RIFFChunk("VP8L", append(body, 0, 0, 0)))
}

// WebPLossyHeader is a lossy (VP8) WebP key-frame header declaring w×h (each < 16384).
func WebPLossyHeader(w, h int) []byte {
	body := []byte{0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A}
	body = binary.LittleEndian.AppendUint16(body, uint16(w))
	body = binary.LittleEndian.AppendUint16(body, uint16(h))
	return WebP(RIFFChunk("VP8 ", append(body, make([]byte, 16)...)))
}
