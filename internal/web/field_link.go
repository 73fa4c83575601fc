package web

import (
	"net/http"

	"github.com/lantian-org/lantian/internal/letters"
)

// fieldQR serves a QR code of the field app's address (GET /m/qr.png), shown
// on the sign-in page and the home page so that a phone opens /m/ by its
// camera (issue 16). It uses the configured base URL, else the request's host.
func (s *Server) fieldQR(w http.ResponseWriter, r *http.Request) {
	png, err := letters.QRPNG(s.baseURL(r) + "/m/")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write(png)
}
