package letters

import (
	qrcode "github.com/skip2/go-qrcode"
)

// QRSize is the least edge of the QR code image in pixels: about 2.5 cm when
// printed at 300 dpi, large enough for a phone camera at arm's length.
const QRSize = 300

// QRPNG returns a PNG QR code of url (error correction level M, with the
// standard quiet zone). Every module is the same whole number of pixels
// (the edge is QRSize or a little more): modules stretched to fill exactly
// QRSize come out one pixel wider here and there, which some decoders
// misread as a broken finder pattern.
func QRPNG(url string) ([]byte, error) {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	modules := len(q.Bitmap())
	return q.PNG(-((QRSize + modules - 1) / modules))
}

// VerifyPath is the path of the public verification page of the letter
// whose verification code is code; the print view's QR code links to it
// under the server's base URL.
func VerifyPath(code string) string { return "/verify/letters/" + code }

// VerifyAPIPath is the public API's check of the letter whose verification code is code.
func VerifyAPIPath(code string) string { return "/api/v1/letters/verify/" + code }
