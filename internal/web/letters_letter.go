package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/region"
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

func actsOf(u *auth.Principal, l letters.Letter) letterActs {
	t := letterTarget(l)
	var a letterActs
	if l.Status == letters.StatusIssued {
		a.SignUnit = u.Can(auth.LetterSignUnit, t) && !l.HasSigned(letters.PartyUnit)
		if u.Can(auth.LetterSign, t) {
			a.SignStreet = !l.HasSigned(letters.PartyStreet)
			a.Scan = true
		}
		a.Remind = u.Can(auth.LetterIssue, t)
	}
	a.Withdraw = (l.Status == letters.StatusDraft || l.Status == letters.StatusIssued) && u.Can(auth.LetterIssue, t)
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

// loadLetter reads the letter named in the path for the user; one they may
// not read is not found.
func (s *Server) loadLetter(w http.ResponseWriter, r *http.Request) (letters.Letter, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return letters.Letter{}, false
	}
	l, err := s.app.DB.Letter(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !userOf(r).Can(auth.LetterRead, letterTarget(l))) {
		s.notFound(w, r)
		return l, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return l, false
	}
	return l, true
}

// letterPageData loads what the letter page shows.
func (s *Server) letterPageData(r *http.Request, l letters.Letter) (letterPage, error) {
	ctx := r.Context()
	data := letterPage{Page: s.page(r, "letter.title"), L: l, Body: letterBody(l), Acts: actsOf(userOf(r), l),
		MaxScanMB: letters.MaxScanBytes >> 20, StreetName: s.streetName(r, l.UnitRegion), Back: r.URL.Path}
	data.Title = l.UnitName + " · " + l.Title
	if g, err := s.app.DB.Region(ctx, l.UnitRegion); err == nil {
		data.GridName = g.Name
		if c, err := s.app.DB.Region(ctx, g.Parent); err == nil {
			data.CommunityName = c.Name
		}
	}
	breaches, err := s.app.DB.LetterBreaches(ctx, l)
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
	l, ok := s.loadLetter(w, r)
	if !ok {
		return
	}
	data, err := s.letterPageData(r, l)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "letter", data)
}

// letterFailed shows the letter again, as it now stands, with the error of
// a failed form beside its fields: 403 when the user may not, 409 when the
// letter's state does not allow it, 413 for a file too large, 422 for a field.
func (s *Server) letterFailed(w http.ResponseWriter, r *http.Request, open string, form letterForm, err error) {
	e := apperr.As(err)
	switch e.Code {
	case apperr.NotFound:
		s.notFound(w, r)
		return
	case apperr.Internal:
		s.serverError(w, r, err)
		return
	}
	id, _ := pathID(r, "id")
	l, lerr := s.app.DB.Letter(r.Context(), id)
	if lerr != nil {
		s.serverError(w, r, lerr)
		return
	}
	data, derr := s.letterPageData(r, l)
	if derr != nil {
		s.serverError(w, r, derr)
		return
	}
	data.withError(printer(r), err)
	if e.Msg.Key == "err.invalid" {
		// Name the fields at the top too, so that none goes unseen on a small screen.
		data.Error = printer(r).Error(err)
	}
	data.Open, data.Form = open, form
	s.render(w, r, statusFor(err), "letter", data)
}

// maxSignatureBody bounds a signing form: the largest scan and the fields around it.
const maxSignatureBody = letters.MaxScanBytes + 64<<10

// formFile returns the one non-empty file of a multipart field, or nil.
func formFile(r *http.Request, field string) *multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size > 0 || fh.Filename != "" {
			return fh
		}
	}
	return nil
}

// readChecked reads an uploaded file within max bytes and checks its content.
func readChecked(fh *multipart.FileHeader, max int64, field string, check func([]byte) (letters.File, error)) (letters.File, error) {
	f, err := fh.Open()
	if err != nil {
		return letters.File{}, err
	}
	defer f.Close()
	data, err := letters.ReadUpload(f, max, field)
	if err != nil {
		return letters.File{}, err
	}
	return check(data)
}

// maxSigner is the longest signer's name the letters accept.
const maxSigner = 30

// letterSign takes a signature drawn on the page's pad (field signature, a
// PNG, with party unit or street and the signer's name) or the scan of the
// signed paper copy (field scan: PDF, JPEG or PNG, for both parties), then
// goes back to the letter. The checks run in the API's order: 404 unreadable,
// 403 not the signer's side, 409 the letter's state, then the fields and file.
func (s *Server) letterSign(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignatureBody)
	perr := r.ParseMultipartForm(1 << 20)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	u := userOf(r)
	l, ok := s.loadLetter(w, r)
	if !ok {
		return
	}
	party := letters.Party(r.PostFormValue("party"))
	form := letterForm{Name: strings.TrimSpace(r.PostFormValue("name"))}
	open := "scan"
	if party.Valid() {
		open = "sign_" + string(party)
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
	sig, scan := formFile(r, "signature"), formFile(r, "scan")
	kind := letters.KindDrawn
	switch {
	case scan != nil && sig != nil:
		s.letterFailed(w, r, "scan", form, apperr.Field("scan", "err.letter.one_file"))
		return
	case scan != nil || (sig == nil && party == ""):
		kind, party, open = letters.KindScan, letters.PartyBoth, "scan"
	case !party.Valid():
		s.letterFailed(w, r, open, form, apperr.Field("party", "err.invalid_choice"))
		return
	}
	action := auth.LetterSign
	if party == letters.PartyUnit {
		action = auth.LetterSignUnit
	}
	if !u.Can(action, letterTarget(l)) {
		s.letterFailed(w, r, open, form, apperr.ErrForbidden)
		return
	}
	if err := letters.CheckSignable(l, kind, party); err != nil {
		s.letterFailed(w, r, open, form, err)
		return
	}
	errs := apperr.Fields{}
	var file letters.File
	var ferr error
	if kind == letters.KindScan {
		if scan == nil {
			errs.Add("scan", "err.required")
		} else {
			file, ferr = readChecked(scan, letters.MaxScanBytes, "scan", letters.CheckScan)
		}
		if form.Name == "" {
			form.Name = u.Name
		}
	} else {
		if sig == nil {
			errs.Add("signature", "err.letter.empty_signature")
		} else {
			file, ferr = readChecked(sig, letters.MaxSignatureBytes, "signature", letters.CheckSignature)
		}
		switch n := len([]rune(form.Name)); {
		case n == 0:
			errs.Add("signer", "err.required")
		case n > maxSigner:
			errs.Add("signer", "err.too_long", maxSigner)
		}
	}
	if ferr != nil {
		e := apperr.As(ferr)
		if e.Code != apperr.Invalid || len(e.Fields) == 0 {
			s.letterFailed(w, r, open, form, ferr)
			return
		}
		for f, m := range e.Fields {
			errs.Add(f, m.Key, m.Args...)
		}
	}
	if err := errs.Err(); err != nil {
		s.letterFailed(w, r, open, form, err)
		return
	}
	if err := s.app.Letters.Put(file); err != nil {
		s.serverError(w, r, err)
		return
	}
	_, err := s.app.DB.SignLetter(r.Context(), s.actor(r), l.ID, letters.Signature{Party: party, Kind: kind, FileID: file.SHA256,
		Format: file.Format, SignerID: u.PersonID, Signer: form.Name}, len(file.Data))
	if err != nil {
		if e := apperr.As(err); e.Fields["name"].Key != "" {
			e.Fields["signer"] = e.Fields["name"]
			delete(e.Fields, "name")
		}
		s.letterFailed(w, r, open, form, err)
		return
	}
	if kind == letters.KindScan {
		setFlash(w, "flash.letter_scanned")
	} else {
		setFlash(w, "flash.letter_signed")
	}
	http.Redirect(w, r, letterURL(l.ID), http.StatusSeeOther)
}

// letterWithdraw takes back a draft or issued letter with a reason.
func (s *Server) letterWithdraw(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLetter(w, r)
	if !ok {
		return
	}
	form := letterForm{Note: r.PostFormValue("note")}
	if !userOf(r).Can(auth.LetterIssue, letterTarget(l)) {
		s.letterFailed(w, r, "withdraw", form, apperr.ErrForbidden)
		return
	}
	if _, err := s.app.DB.WithdrawLetter(r.Context(), s.actor(r), l.ID, form.Note); err != nil {
		s.letterFailed(w, r, "withdraw", form, err)
		return
	}
	setFlash(w, "flash.letter_withdrawn")
	http.Redirect(w, r, letterURL(l.ID), http.StatusSeeOther)
}

// letterRemind sends the unit's contacts an inbox reminder to sign, then
// goes back to the page the button was on.
func (s *Server) letterRemind(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLetter(w, r)
	if !ok {
		return
	}
	if !userOf(r).Can(auth.LetterIssue, letterTarget(l)) {
		s.letterFailed(w, r, "", letterForm{}, apperr.ErrForbidden)
		return
	}
	if _, err := s.app.DB.RemindLetter(r.Context(), s.actor(r), l.ID); err != nil {
		s.letterFailed(w, r, "", letterForm{}, err)
		return
	}
	setFlash(w, "flash.letter_reminded")
	http.Redirect(w, r, backTo(r, letterURL(l.ID)), http.StatusSeeOther)
}

// letterFile serves a signature image or scan of a letter the user may read.
func (s *Server) letterFile(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLetter(w, r)
	if !ok {
		return
	}
	id := r.PathValue("file")
	format := ""
	for _, sg := range l.Signatures {
		if sg.FileID == id {
			format = sg.Format
		}
	}
	if format == "" {
		s.notFound(w, r)
		return
	}
	f, err := s.app.Letters.Open(id)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", letters.ContentType(format))
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("Content-Disposition", letters.Disposition(format, l.ID))
	http.ServeContent(w, r, "", time.Time{}, f)
}

// baseURL is the server's public address: the configured one, else the request's.
func (s *Server) baseURL(r *http.Request) string {
	if b := strings.TrimRight(s.app.Cfg.BaseURL, "/"); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type letterPrintPage struct {
	letterPage
	VerifyURL string
	QR        template.URL // the QR code of VerifyURL, a PNG data URL
}

// letterPrint serves the A4 portrait print view: both parties, the text,
// the signatures with their dates, a seal area for each party and the QR
// code of the public verification page.
func (s *Server) letterPrint(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLetter(w, r)
	if !ok {
		return
	}
	lp, err := s.letterPageData(r, l)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	lp.Title = l.Title
	data := letterPrintPage{letterPage: lp, VerifyURL: s.baseURL(r) + letters.VerifyPath(l.ID)}
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

// verifyLetter is the public check of a printed letter (no sign-in): the
// unit, the year, the state and the hash of the text, and nothing about
// people. Drafts are not shown.
func (s *Server) verifyLetter(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	l, err := s.app.DB.Letter(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && l.Status == letters.StatusDraft) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "verify_letter", verifyLetterPage{Page: s.page(r, "letter.verify.title"), Unit: l.UnitName, Year: l.Year,
		Status: l.Status, SHA256: l.SHA256})
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
	return sigForm{LetterID: p.L.ID, Party: party, Name: p.SignerName(open), NameErr: p.FieldErr(open, "signer"), SigErr: p.FieldErr(open, "signature")}
}
