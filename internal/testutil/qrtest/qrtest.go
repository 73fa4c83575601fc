// Package qrtest reads QR codes back in tests.
package qrtest

import (
	"image"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// Decode reads the QR code in img with an independent decoder (gozxing).
// gozxing's finder-pattern search misses about one perfect, printed-size
// code in two hundred (it depends on the text; a phone's camera decoder
// reads them all), so a code the search misses is read again as a pure
// barcode (the whole image is the code and its quiet zone), which still
// decodes every module from the pixels.
func Decode(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		res, err = zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
	}
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
