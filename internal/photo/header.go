package photo

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Header is what an image says about itself before its pixels: read by
// ReadHeader from the container and frame headers only, so that a file can
// be refused before a single pixel buffer is allocated.
type Header struct {
	// Format is "jpeg", "png" or "webp".
	Format string
	// Width and Height are the frame's, in pixels.
	Width, Height int
	// DecodeBytes is an upper bound of the memory the decoders this package
	// uses (image/jpeg, image/png, golang.org/x/image/webp) allocate for
	// this file: the decoded image and their working buffers. It depends on
	// more than the pixel count: a progressive JPEG keeps 4 bytes of
	// coefficients per sample on top of the image, a 16-bit PNG takes 8
	// bytes a pixel and an interlaced one twice that, a lossless WebP may
	// declare thousands of Huffman tables.
	DecodeBytes int64
}

// errHeader is the cause of KeyCorrupt errors from ReadHeader.
var errHeader = errors.New("photo: malformed image header")

// ReadHeader reads the header of a JPEG, PNG or WebP image from r,
// recognising the format by its leading bytes, never by a name or a
// declared type. It reads as a stream and allocates a few kilobytes
// whatever the file: a PNG up to its first IDAT chunk, a WebP up to its
// frame header, a JPEG through all its marker segments (skipping the
// entropy-coded data) because markers after the first scan still change
// what the decoder allocates. An unknown format is a KeyType error; a
// damaged or unsupported header a KeyCorrupt error.
func ReadHeader(r io.Reader) (Header, error) {
	br := bufio.NewReaderSize(r, 4096)
	magic, err := br.Peek(12)
	if err != nil && len(magic) < 3 {
		return Header{}, newError(KeyType, fmt.Errorf("photo: %d bytes", len(magic)))
	}
	var h Header
	switch {
	case len(magic) >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF:
		h, err = jpegHeader(br)
	case len(magic) >= 8 && string(magic[:8]) == pngSignature:
		h, err = pngHeader(br)
	case len(magic) >= 12 && string(magic[:4]) == "RIFF" && string(magic[8:12]) == "WEBP":
		h, err = webpHeader(br)
	default:
		return Header{}, newError(KeyType, errors.New("photo: not a JPEG, PNG or WebP file"))
	}
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: truncated", errHeader)
		}
		var pe *Error
		if errors.As(err, &pe) {
			return Header{}, err
		}
		return Header{}, newError(KeyCorrupt, err)
	}
	if h.Width <= 0 || h.Height <= 0 {
		return Header{}, newError(KeyCorrupt, fmt.Errorf("%w: dimensions %dx%d", errHeader, h.Width, h.Height))
	}
	return h, nil
}

// CheckSize applies the pixel limits: at most maxPixels in all, at most
// maxEdge pixels a side and a long side at most maxAspect times the short
// one (zero skips a limit). Each failure is its own *Error: KeyDimensions
// (megapixels), KeyEdge (pixels) or KeyAspect (ratio).
func (h Header) CheckSize(maxPixels int64, maxEdge, maxAspect int) error {
	dims := fmt.Errorf("dimensions %dx%d", h.Width, h.Height)
	w, s := int64(max(h.Width, h.Height)), int64(min(h.Width, h.Height))
	switch {
	case maxEdge > 0 && w > int64(maxEdge):
		return newError(KeyEdge, dims, maxEdge)
	case maxPixels > 0 && w*s > maxPixels:
		return newError(KeyDimensions, dims, int(maxPixels/1_000_000))
	case maxAspect > 0 && w > s*int64(maxAspect):
		return newError(KeyAspect, dims, maxAspect)
	}
	return nil
}

// Memory is an upper bound of the memory Process needs for this image
// when the file has size bytes: the file, the decoder's allocations, the
// display image (twice, when it is turned) and the thumbnail, and the
// resampler's rows and weights.
func (h Header) Memory(size int64) int64 {
	dw, dh := fit(h.Width, h.Height, DisplayEdge)
	tw, th := fit(dw, dh, ThumbEdge)
	out := 2*4*int64(dw)*int64(dh) + 4*int64(tw)*int64(th)
	scratch := 64*int64(h.Width+h.Height) + 1<<20 // weights, row ring, encoder buffers
	return size + h.DecodeBytes + out + scratch
}

// fixedDecodeBytes covers what a decoder allocates whatever the image's
// size: readers, tables, zlib's window.
const fixedDecodeBytes = 256 << 10

const pngSignature = "\x89PNG\r\n\x1a\n"

// pngHeader reads IHDR and the chunks up to the first IDAT (where tRNS, which
// turns a grey or RGB image into one with alpha, must be).
func pngHeader(br *bufio.Reader) (Header, error) {
	if _, err := br.Discard(len(pngSignature)); err != nil {
		return Header{}, err
	}
	var ch [8]byte
	if _, err := io.ReadFull(br, ch[:]); err != nil {
		return Header{}, err
	}
	if binary.BigEndian.Uint32(ch[:4]) != 13 || string(ch[4:]) != "IHDR" {
		return Header{}, fmt.Errorf("%w: PNG does not start with IHDR", errHeader)
	}
	var ihdr [13 + 4]byte // with the CRC
	if _, err := io.ReadFull(br, ihdr[:]); err != nil {
		return Header{}, err
	}
	w, h := binary.BigEndian.Uint32(ihdr[0:]), binary.BigEndian.Uint32(ihdr[4:])
	depth, ct, interlace := ihdr[8], ihdr[9], ihdr[12]
	if w == 0 || h == 0 || w > 1<<31-1 || h > 1<<31-1 {
		return Header{}, fmt.Errorf("%w: PNG dimensions %dx%d", errHeader, w, h)
	}
	if interlace > 1 {
		return Header{}, fmt.Errorf("%w: PNG interlace %d", errHeader, interlace)
	}
	var bitsPerPixel int // as stored, for the decoder's two row buffers
	switch {
	case ct == 0 && (depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16):
		bitsPerPixel = int(depth)
	case ct == 3 && (depth == 1 || depth == 2 || depth == 4 || depth == 8):
		bitsPerPixel = int(depth)
	case (ct == 2 || ct == 4 || ct == 6) && (depth == 8 || depth == 16):
		bitsPerPixel = int(depth) * map[byte]int{2: 3, 4: 2, 6: 4}[ct]
	default:
		return Header{}, fmt.Errorf("%w: PNG colour type %d depth %d", errHeader, ct, depth)
	}
	// Walk the chunks to the first IDAT, looking for tRNS.
	trns := false
	for {
		if _, err := io.ReadFull(br, ch[:]); err != nil {
			return Header{}, err
		}
		n, typ := binary.BigEndian.Uint32(ch[:4]), string(ch[4:])
		if n > 1<<31-1 {
			return Header{}, fmt.Errorf("%w: PNG chunk length", errHeader)
		}
		if typ == "IDAT" || typ == "IEND" {
			break // without IDAT the decoder fails before allocating
		}
		trns = trns || typ == "tRNS"
		if _, err := br.Discard(int(n) + 4); err != nil {
			return Header{}, err
		}
	}
	// What image/png allocates: Gray, Gray16, Paletted (1 or 2 bytes a pixel),
	// RGBA and NRGBA (4), RGBA64 and NRGBA64 (8); grey and RGB images with a
	// tRNS chunk become NRGBA or NRGBA64.
	var bpp int64
	switch {
	case ct == 3:
		bpp = 1
	case ct == 0 && !trns:
		bpp = int64(max(depth/8, 1))
	case depth == 16:
		bpp = 8
	default:
		bpp = 4
	}
	px := int64(w) * int64(h)
	img := bpp * px
	if interlace == 1 {
		img *= 2 // each of the seven passes is decoded into its own image first
	}
	rows := 2 * (int64(w)*int64(bitsPerPixel)/8 + 2)
	return Header{Format: "png", Width: int(w), Height: int(h), DecodeBytes: img + rows + fixedDecodeBytes}, nil
}

// JPEG markers.
const (
	mSOF0 = 0xC0 // baseline
	mSOF1 = 0xC1 // extended sequential, Huffman
	mSOF2 = 0xC2 // progressive, Huffman
	mDHT  = 0xC4
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mAPP0 = 0xE0
	mAPPE = 0xEE
)

type jpegComp struct{ id, h, v byte }

// jpegHeader walks every marker segment of a JPEG the way image/jpeg does,
// skipping the entropy-coded data after each SOS, and estimates what the
// decoder allocates: the component planes (rounded up to whole MCUs), a
// block of 64 int32 coefficients per 8×8 block of every component when the
// image is progressive, the interleaved CMYK copy of a four-component
// image and the RGBA copy of an RGB one.
func jpegHeader(br *bufio.Reader) (Header, error) {
	if _, err := br.Discard(2); err != nil { // SOI
		return Header{}, err
	}
	var (
		w, h        int
		comps       []jpegComp
		progressive bool
		jfif, adobe bool
		adobeXform  byte
		seg         [16]byte
		afterScan   bool // skipEntropy consumed the marker's 0xFF
	)
loop:
	for {
		// A marker: one or more 0xFF, then the code.
		if !afterScan {
			c, err := br.ReadByte()
			if err != nil {
				if err == io.EOF && comps != nil {
					break loop // the decoder fails on a file cut short; what it allocated is known
				}
				return Header{}, err
			}
			if c != 0xFF {
				return Header{}, fmt.Errorf("%w: JPEG marker expected", errHeader)
			}
		}
		afterScan = false
		m, err := br.ReadByte()
		for err == nil && m == 0xFF {
			m, err = br.ReadByte()
		}
		if err != nil {
			return Header{}, err
		}
		switch {
		case m == mEOI:
			break loop
		case m == mSOI || m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			continue // no length
		}
		var lb [2]byte
		if _, err := io.ReadFull(br, lb[:]); err != nil {
			return Header{}, err
		}
		n := int(binary.BigEndian.Uint16(lb[:])) - 2
		if n < 0 {
			return Header{}, fmt.Errorf("%w: JPEG segment length", errHeader)
		}
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF2:
			if comps != nil {
				return Header{}, fmt.Errorf("%w: multiple SOF markers", errHeader)
			}
			if n < 6 || n > 6+3*4 || (n-6)%3 != 0 {
				return Header{}, fmt.Errorf("%w: SOF length %d", errHeader, n)
			}
			var sof [6 + 3*4]byte
			if _, err := io.ReadFull(br, sof[:n]); err != nil {
				return Header{}, err
			}
			if sof[0] != 8 {
				return Header{}, fmt.Errorf("%w: JPEG precision %d", errHeader, sof[0])
			}
			h, w = int(sof[1])<<8|int(sof[2]), int(sof[3])<<8|int(sof[4])
			nc := int(sof[5])
			if nc != (n-6)/3 || (nc != 1 && nc != 3 && nc != 4) {
				return Header{}, fmt.Errorf("%w: JPEG components %d", errHeader, nc)
			}
			comps = make([]jpegComp, nc)
			for i := range comps {
				hv := sof[7+3*i]
				comps[i] = jpegComp{id: sof[6+3*i], h: hv >> 4, v: hv & 0x0F}
				if comps[i].h < 1 || comps[i].h > 4 || comps[i].v < 1 || comps[i].v > 4 {
					return Header{}, fmt.Errorf("%w: JPEG sampling factors", errHeader)
				}
			}
			if nc == 1 {
				comps[0].h, comps[0].v = 1, 1 // as image/jpeg: one component is never interleaved
			}
			progressive = m == mSOF2
			continue
		case m >= 0xC3 && m <= 0xCF && m != mDHT && m != 0xC8 && m != 0xCC:
			// Lossless, arithmetic and hierarchical frames: not decoded by image/jpeg.
			return Header{}, fmt.Errorf("%w: unsupported JPEG frame %#x", errHeader, m)
		case m == mAPP0 && n >= 5:
			if _, err := io.ReadFull(br, seg[:5]); err != nil {
				return Header{}, err
			}
			jfif = jfif || string(seg[:5]) == "JFIF\x00"
			n -= 5
		case m == mAPPE && n >= 12:
			if _, err := io.ReadFull(br, seg[:12]); err != nil {
				return Header{}, err
			}
			if string(seg[:5]) == "Adobe" {
				adobe, adobeXform = true, seg[11]
			}
			n -= 12
		}
		if _, err := br.Discard(n); err != nil {
			return Header{}, err
		}
		if m == mSOS {
			if err := skipEntropy(br); err != nil {
				if err == io.EOF && comps != nil {
					break loop
				}
				return Header{}, err
			}
			afterScan = true
		}
	}
	if comps == nil {
		return Header{}, fmt.Errorf("%w: JPEG without SOF", errHeader)
	}
	hmax, vmax := 1, 1
	for _, c := range comps {
		hmax, vmax = max(hmax, int(c.h)), max(vmax, int(c.v))
	}
	mxx, myy := int64((w+8*hmax-1)/(8*hmax)), int64((h+8*vmax-1)/(8*vmax))
	var planes, coeffs int64
	for _, c := range comps {
		samples := (8 * int64(c.h) * mxx) * (8 * int64(c.v) * myy)
		planes += samples
		if progressive {
			coeffs += 4 * samples // [64]int32 per 8×8 block
		}
	}
	px := int64(w) * int64(h)
	var convert int64
	switch {
	case len(comps) == 4:
		convert = 4 * px // the interleaved CMYK (or RGBA for YCCK) copy
	case len(comps) == 3 && !jfif && ((adobe && adobeXform == 0) ||
		(comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B')):
		convert = 4 * px // an RGB JPEG is returned as RGBA
	}
	return Header{Format: "jpeg", Width: w, Height: h, DecodeBytes: planes + coeffs + convert + fixedDecodeBytes}, nil
}

// skipEntropy reads past entropy-coded data up to the next marker: a 0xFF
// that is not stuffing (0xFF00) or a restart marker. It consumes that 0xFF
// and leaves the marker's code (or further fill bytes) to be read.
func skipEntropy(br *bufio.Reader) error {
	for {
		if _, err := br.ReadSlice(0xFF); err == bufio.ErrBufferFull {
			continue
		} else if err != nil {
			return err
		}
		next, err := br.Peek(1)
		if err != nil {
			return err
		}
		if c := next[0]; c != 0x00 && (c < 0xD0 || c > 0xD7) {
			return nil
		}
		br.Discard(1)
	}
}

// webpHeader reads the RIFF chunks of a WebP up to its frame: a simple
// lossy (VP8) or lossless (VP8L) file, or an extended one (VP8X) with an
// optional alpha chunk (ALPH) before a VP8 frame, or a VP8L frame.
func webpHeader(br *bufio.Reader) (Header, error) {
	if _, err := br.Discard(12); err != nil {
		return Header{}, err
	}
	var (
		ch                 [8]byte
		extended, hasAlpha bool
		canvasW, canvasH   int
		alphaLossless      bool
	)
	for {
		if _, err := io.ReadFull(br, ch[:]); err != nil {
			return Header{}, err
		}
		n := int64(binary.LittleEndian.Uint32(ch[4:]))
		pad := n & 1 // chunks are padded to an even length
		switch string(ch[:4]) {
		case "VP8X":
			if extended || n < 10 {
				return Header{}, fmt.Errorf("%w: WebP VP8X", errHeader)
			}
			var x [10]byte
			if _, err := io.ReadFull(br, x[:]); err != nil {
				return Header{}, err
			}
			extended = true
			hasAlpha = x[0]&0x10 != 0
			canvasW = 1 + (int(x[4]) | int(x[5])<<8 | int(x[6])<<16)
			canvasH = 1 + (int(x[7]) | int(x[8])<<8 | int(x[9])<<16)
			n -= 10
		case "ALPH":
			if !extended || n < 1 {
				return Header{}, fmt.Errorf("%w: WebP ALPH", errHeader)
			}
			c, err := br.ReadByte()
			if err != nil {
				return Header{}, err
			}
			alphaLossless = c&0x03 == 1
			n--
		case "VP8 ":
			var f [10]byte
			if _, err := io.ReadFull(br, f[:]); err != nil {
				return Header{}, err
			}
			if f[3] != 0x9D || f[4] != 0x01 || f[5] != 0x2A {
				return Header{}, fmt.Errorf("%w: VP8 start code", errHeader)
			}
			w := int(binary.LittleEndian.Uint16(f[6:]) & 0x3FFF)
			h := int(binary.LittleEndian.Uint16(f[8:]) & 0x3FFF)
			if extended && (w != canvasW || h != canvasH) {
				return Header{}, fmt.Errorf("%w: VP8 frame differs from its canvas", errHeader)
			}
			px := int64(w) * int64(h)
			mbs := int64((w+15)/16) * int64((h+15)/16)
			// YCbCr 4:2:0 in whole macroblocks, per-macroblock state, the
			// partitions read into memory (at most the file, bounded by
			// the caller).
			dec := mbs*384 + mbs*8 + fixedDecodeBytes
			if extended && hasAlpha {
				dec += px // the alpha plane
				if alphaLossless {
					dec += vp8lBytes(w, h)
				}
			}
			return Header{Format: "webp", Width: w, Height: h, DecodeBytes: dec}, nil
		case "VP8L":
			var f [5]byte
			if _, err := io.ReadFull(br, f[:]); err != nil {
				return Header{}, err
			}
			if f[0] != 0x2F {
				return Header{}, fmt.Errorf("%w: VP8L signature", errHeader)
			}
			bits := binary.LittleEndian.Uint32(f[1:])
			w, h := int(bits&0x3FFF)+1, int(bits>>14&0x3FFF)+1
			if extended && (w != canvasW || h != canvasH) {
				return Header{}, fmt.Errorf("%w: VP8L frame differs from its canvas", errHeader)
			}
			return Header{Format: "webp", Width: w, Height: h, DecodeBytes: vp8lBytes(w, h)}, nil
		default:
			if !extended {
				return Header{}, fmt.Errorf("%w: WebP chunk %q", errHeader, ch[:4])
			}
		}
		if n < 0 {
			return Header{}, fmt.Errorf("%w: WebP chunk length", errHeader)
		}
		if _, err := br.Discard(int(n + pad)); err != nil {
			return Header{}, err
		}
	}
}

// vp8lBytes bounds what golang.org/x/image/vp8l allocates for a w×h
// lossless image: the ARGB pixels and a second copy made by the
// colour-indexing transform (4 bytes a pixel each), and the Huffman groups.
// Their number is set by the file, up to 2,600 (libwebp's limit, which the
// decoder applies) and at most one per 4×4 tile; each group holds five trees
// of at most 2×2,328−1, 2×256−1 (three times) and 2×40−1 nodes of 8 bytes,
// with a 512-byte look-up table each: about 53 KB.
func vp8lBytes(w, h int) int64 {
	const groupBytes = (2*2328-1)*8 + 3*(2*256-1)*8 + (2*40-1)*8 + 5*(512+24)
	px := int64(w) * int64(h)
	tiles := int64((w+3)/4) * int64((h+3)/4)
	return 8*px + min(tiles, 2600)*groupBytes + fixedDecodeBytes
}
