package letters

import (
	qrcode "github.com/skip2/go-qrcode"
)

// QRSize is the edge of the QR code image in pixels: about 2.5 cm when
// printed at 300 dpi, large enough for a phone camera at arm's length.
const QRSize = 300

// QRPNG returns a PNG QR code of url (error correction level M, with the
// standard quiet zone), for the print view.
func QRPNG(url string) ([]byte, error) {
	return qrcode.Encode(url, qrcode.Medium, QRSize)
}

// VerifyPath is the path of the public verification page of the letter
// whose verification code is code; the print view's QR code links to it
// under the server's base URL.
func VerifyPath(code string) string { return "/verify/letters/" + code }

// VerifyAPIPath is the public API's check of the letter whose verification code is code.
func VerifyAPIPath(code string) string { return "/api/v1/letters/verify/" + code }
