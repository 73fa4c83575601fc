package photo

import (
	"image"
	"image/color"
	"testing"
)

func TestResizeUniformStaysExact(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 301, 97))
	for i := 0; i < len(src.Pix); i += 4 {
		src.Pix[i], src.Pix[i+1], src.Pix[i+2], src.Pix[i+3] = 10, 120, 250, 255
	}
	for _, size := range [][2]int{{100, 32}, {301, 97}, {7, 3}, {1, 1}} {
		m := resize(src, size[0], size[1])
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				if c := m.RGBAAt(x, y); c != (color.RGBA{10, 120, 250, 255}) {
					t.Fatalf("%v: pixel %d,%d = %v", size, x, y, c)
				}
			}
		}
	}
}

func TestResizeAveragesFineDetail(t *testing.T) {
	// A one-pixel black and white checkerboard shrunk 3× must come out
	// mid-grey everywhere: point or bilinear sampling would give black,
	// white or moiré.
	src := image.NewGray(image.Rect(0, 0, 300, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 300; x++ {
			if (x+y)%2 == 0 {
				src.Pix[y*src.Stride+x] = 255
			}
		}
	}
	m := resize(src, 100, 100)
	for y := 0; y < 100; y++ {
		for x := 0; x < 100; x++ {
			if c := m.RGBAAt(x, y); c.R < 120 || c.R > 135 || c.G != c.R || c.B != c.R {
				t.Fatalf("pixel %d,%d = %v, want grey ≈127", x, y, c)
			}
		}
	}
}

func TestResizeSubImageAndYCbCr(t *testing.T) {
	// A sub-image with a non-zero origin; and a YCbCr source (the JPEG
	// decoder's type) of a known colour.
	full := quadImage(64, 64)
	sub := full.SubImage(image.Rect(32, 0, 64, 32)) // the green quadrant
	if c := resize(sub, 8, 8).RGBAAt(4, 4); c != green {
		t.Errorf("sub-image resized to %v, want green", c)
	}
	y, cb, cr := color.RGBToYCbCr(200, 30, 60)
	ycc := image.NewYCbCr(image.Rect(0, 0, 20, 10), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = y
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = cb, cr
	}
	r, g, b := color.YCbCrToRGB(y, cb, cr)
	if c := resize(ycc, 5, 3).RGBAAt(2, 1); c != (color.RGBA{r, g, b, 255}) {
		t.Errorf("YCbCr resized to %v, want %v", c, color.RGBA{r, g, b, 255})
	}
}
