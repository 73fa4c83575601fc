package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
)

// One letter: its page with the text, the signatures and the forms of what
// the user may do (sign on screen, upload the signed scan, withdraw, remind),
// the signature files, the A4 print view with its QR code, and the public
// verification page the QR code links to.

// letterActs are what the user may do with a letter now.
type letterActs struct {
	SignUnit   bool // sign on screen for the unit
	SignStreet bool // counter-sign on screen for the street office
	Scan       bool // upload the signed paper copy (for both parties)
	Withdraw   bool
	Remind     bool
}

// Any reports whether the user may do anything.
func (a letterActs) Any() bool { return a.SignUnit || a.SignStreet || a.Scan || a.Withdraw || a.Remind }

// actsOf turns what the letters' rules allow u to do to l now into the page's forms.
func (s *Server) actsOf(u *auth.Principal, l letters.Letter) letterActs {
	var a letterActs
	for _, act := range s.app.LetterSvc.Allowed(u, l) {
		switch act {
		case letters.ActionSignUnit:
			a.SignUnit = true
		case letters.ActionSignStreet:
			a.SignStreet = true
		case letters.ActionScan:
			a.Scan = true
		case letters.ActionRemind:
			a.Remind = true
		case letters.ActionWithdraw:
			a.Withdraw = true
		}
	}
	return a
}

// sigView is a signature as the pages show it.
type sigView struct {
	letters.Signature
	URL   string
	Image bool // shown as an image (a PDF scan is a link)
}

// letterClause is a numbered clause with its breaches this year.
type letterClause struct {
	N          int
	Text       string
	Categories []string
	Breaches   int
}

// letterForm is what the user typed into a letter's forms, kept when the
// page comes back with an error.
type letterForm struct {
	Name string
	Note string
}

type letterPage struct {
	Page
	L             letters.Letter
	Body          string // the text after the title
	StreetName    string
	CommunityName string
	GridName      string
	Clauses       []letterClause
	Breached      int // the breaches of all clauses this year
	UnitSig       *sigView
	StreetSig     *sigView
	ScanSig       *sigView
	Acts          letterActs
	Open          string // the form that came back: sign_unit, sign_street, scan or withdraw
	Form          letterForm
	MaxScanMB     int
	Back          string
}

// FieldErr returns the error of field when form is the one that came back.
func (p letterPage) FieldErr(form, field string) string {
	if p.Open != form {
		return ""
	}
	return p.Fields[field]
}

// SignerName is the name the signature form of party starts with.
func (p letterPage) SignerName(form string) string {
	if p.Open == form {
		return p.Form.Name
	}
	return p.User.Name
}

// letterBody returns a letter's text without its title line.
func letterBody(l letters.Letter) string {
	return strings.TrimLeft(strings.TrimPrefix(l.Text, l.Title), "\n")
}

// sigViews sorts a letter's signatures by party, with the URLs of their files.
func sigViews(l letters.Letter) (unitSig, streetSig, scan *sigView) {
	for _, sg := range l.Signatures {
		v := &sigView{Signature: sg, URL: letterURL(l.ID) + "/files/" + sg.FileID, Image: sg.Format != "pdf"}
		switch sg.Party {
		case letters.PartyUnit:
			unitSig = v
		case letters.PartyStreet:
			streetSig = v
		case letters.PartyBoth:
			scan = v
		}
	}
	return
}

// streetName names the street office of a unit's grid.
func (s *Server) streetName(r *http.Request, grid string) string {
	if rg, err := s.app.DB.Region(r.Context(), region.AncestorAt(grid, region.Street)); err == nil {
		return rg.Name
	}
	return ""
}

// letterPageOf loads the letter named in the path for the user and what
// its page shows, or answers: one they may not read is not found.
func (s *Server) letterPageOf(w http.ResponseWriter, r *http.Request) (letterPage, bool) {
	var data letterPage
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return data, false
	}
	l, err := s.app.LetterSvc.Get(r.Context(), userOf(r), id)
	if err == nil {
		data, err = s.letterPageData(r, l)
	}
	return data, s.loaded(w, r, err)
}

// letterPageData loads what the letter page shows.
func (s *Server) letterPageData(r *http.Request, l letters.Letter) (letterPage, error) {
	ctx := r.Context()
	data := letterPage{Page: s.page(r, "letter.title"), L: l, Body: letterBody(l), Acts: s.actsOf(userOf(r), l),
		MaxScanMB: letters.MaxScanBytes >> 20, StreetName: s.streetName(r, l.UnitRegion), Back: r.URL.Path}
	data.Title = l.UnitName + " · " + l.Title
	if g, err := s.app.DB.Region(ctx, l.UnitRegion); err == nil {
		data.GridName = g.Name
		if c, err := s.app.DB.Region(ctx, g.Parent); err == nil {
			data.CommunityName = c.Name
		}
	}
	breaches, err := s.app.LetterSvc.Breaches(ctx, l)
	if err != nil {
		return data, err
	}
	for i, c := range l.Clauses {
		lc := letterClause{N: i + 1, Text: c.Text, Categories: c.Categories}
		if i < len(breaches) {
			lc.Breaches = breaches[i]
			data.Breached += lc.Breaches
		}
		data.Clauses = append(data.Clauses, lc)
	}
	data.UnitSig, data.StreetSig, data.ScanSig = sigViews(l)
	return data, nil
}

// letterDetail shows one letter.
func (s *Server) letterDetail(w http.ResponseWriter, r *http.Request) {
	if data, ok := s.letterPageOf(w, r); ok {
		s.render(w, r, http.StatusOK, "letter", data)
	}
}

// letterFailed shows the letter again, as it now stands, with the error of
// a failed form beside its fields: 403 when the user may not, 409 when the
// letter's state does not allow it, 413 for a file too large, 422 for a field.
func (s *Server) letterFailed(w http.ResponseWriter, r *http.Request, open string, form letterForm, err error) {
	formFailed(s, w, r, "letter", err, s.letterPageOf, func(d *letterPage) *Page {
		d.Open, d.Form = open, form
		return &d.Page
	})
}

// maxSignatureBody bounds a signing form: the largest scan and the fields around it.
const maxSignatureBody = letters.MaxScanBytes + 64<<10

// formFile returns the one non-empty file of a multipart field, or nil.
func formFile(r *http.Request, field string) *multipart.FileHeader {
	if files := uploads(r, field); len(files) > 0 {
		return files[0]
	}
	return nil
}

// letterSign takes a signature drawn on the page's pad (field signature, a
// PNG, with party unit or street and the signer's name, the user's own when
// left empty) or the scan of the signed paper copy (field scan: PDF, JPEG or
// PNG, for both parties), then goes back to the letter. The checks are the
// letters service's, in its order, as through the API.
func (s *Server) letterSign(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignatureBody)
	perr := r.ParseMultipartForm(1 << 20)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	in := lettersvc.Signing{Party: letters.Party(r.PostFormValue("party")), Name: r.PostFormValue("name")}
	form := letterForm{Name: strings.TrimSpace(in.Name)}
	open := "scan"
	if in.Party.Valid() {
		open = "sign_" + string(in.Party)
	}
	if perr != nil {
		var mbe *http.MaxBytesError
		if errors.As(perr, &mbe) {
			s.letterFailed(w, r, "scan", form, letters.TooLarge("scan", letters.MaxScanBytes))
			return
		}
		s.letterFailed(w, r, open, form, apperr.Field("signature", "err.required"))
		return
	}
	for field, dst := range map[string]*io.Reader{"signature": &in.Signature, "scan": &in.Scan} {
		fh := formFile(r, field)
		if fh == nil {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		defer f.Close()
		*dst = f
	}
	if in.Scan != nil {
		open = "scan"
	}
	l, err := s.app.LetterSvc.Sign(r.Context(), s.actor(r), userOf(r), id, in)
	if err != nil {
		s.letterFailed(w, r, open, form, err)
		return
	}
	if l.Signatures[len(l.Signatures)-1].Kind == letters.KindScan {
		setFlash(w, "flash.letter_scanned")
	} else {
		setFlash(w, "flash.letter_signed")
	}
	http.Redirect(w, r, letterURL(l.ID), http.StatusSeeOther)
}

// letterWithdraw takes back a draft or issued letter with a reason.
func (s *Server) letterWithdraw(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	form := letterForm{Note: r.PostFormValue("note")}
	if _, err := s.app.LetterSvc.Withdraw(r.Context(), s.actor(r), userOf(r), id, form.Note); err != nil {
		s.letterFailed(w, r, "withdraw", form, err)
		return
	}
	setFlash(w, "flash.letter_withdrawn")
	http.Redirect(w, r, letterURL(id), http.StatusSeeOther)
}

// letterRemind sends the unit's contacts an inbox reminder to sign, then
// goes back to the page the button was on.
func (s *Server) letterRemind(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := s.app.LetterSvc.Remind(r.Context(), s.actor(r), userOf(r), id); err != nil {
		s.letterFailed(w, r, "", letterForm{}, err)
		return
	}
	setFlash(w, "flash.letter_reminded")
	http.Redirect(w, r, backTo(r, letterURL(id)), http.StatusSeeOther)
}

// letterFile serves a signature image or scan of a letter the user may read.
func (s *Server) letterFile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f, format, err := s.app.LetterSvc.File(r.Context(), userOf(r), id, r.PathValue("file"))
	if !s.loaded(w, r, err) {
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", letters.ContentType(format))
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("Content-Disposition", letters.Disposition(format, id))
	http.ServeContent(w, r, "", time.Time{}, f)
}

// baseURL is the server's public address (config.PublicURL).
func (s *Server) baseURL(r *http.Request) string { return s.app.Cfg.PublicURL(r) }

type letterPrintPage struct {
	letterPage
	VerifyURL string
	QR        template.URL // the QR code of VerifyURL, a PNG data URL
}

// letterPrint serves the A4 portrait print view: both parties, the text,
// the signatures with their dates, a seal area for each party and the QR
// code of the public verification page.
func (s *Server) letterPrint(w http.ResponseWriter, r *http.Request) {
	lp, ok := s.letterPageOf(w, r)
	if !ok {
		return
	}
	lp.Title = lp.L.Title
	data := letterPrintPage{letterPage: lp, VerifyURL: s.baseURL(r) + letters.VerifyPath(lp.L.VerifyCode)}
	png, err := letters.QRPNG(data.VerifyURL)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	s.render(w, r, http.StatusOK, "letter_print", data)
}

type verifyLetterPage struct {
	Page
	Unit   string
	Year   int
	Status letters.Status
	SHA256 string
}

// verifyLetter is the public check of a printed letter (no sign-in) by the
// random code its QR code carries (GET /verify/letters/{code}): the unit,
// the year, the state and the hash of the text, and nothing about people.
// Drafts, unknown codes and letter ids are not found.
func (s *Server) verifyLetter(w http.ResponseWriter, r *http.Request) {
	pub, err := s.app.LetterSvc.Verify(r.Context(), r.PathValue("code"))
	if !s.loaded(w, r, err) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "verify_letter", verifyLetterPage{Page: s.page(r, "letter.verify.title"), Unit: pub.Unit, Year: pub.Year,
		Status: pub.Status, SHA256: pub.SHA256})
}

// sigForm is what the on-screen signing form of one party needs.
type sigForm struct {
	LetterID int64
	Party    string
	Name     string
	NameErr  string
	SigErr   string
}

// SigForm returns the signing form of party (unit or street).
func (p letterPage) SigForm(party string) sigForm {
	open := "sign_" + party
	return sigForm{LetterID: p.L.ID, Party: party, Name: p.SignerName(open), NameErr: p.FieldErr(open, "name"), SigErr: p.FieldErr(open, "signature")}
}
