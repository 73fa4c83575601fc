package photo

import "image"

// orient returns m turned as EXIF orientation o asks (1..8), so that it
// displays upright; m itself is returned for 1 or any unknown value. For 5
// to 8 the width and height are swapped.
//
// The EXIF orientations, by where the stored 0th row and 0th column are
// meant to appear: 1 top/left (as stored), 2 top/right (mirrored), 3
// bottom/right (turned 180°), 4 bottom/left (flipped), 5 left/top
// (transposed), 6 right/top (turn 90° clockwise), 7 right/bottom
// (transversed), 8 left/bottom (turn 90° counter-clockwise).
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	d := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		row := d.Pix[y*d.Stride : y*d.Stride+4*dw]
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si := sy*m.Stride + 4*sx
			copy(row[4*x:4*x+4], m.Pix[si:si+4])
		}
	}
	return d
}
