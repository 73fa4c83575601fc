package api

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
	"github.com/lantian-org/lantian/internal/store"
)

// The responsibility letters' endpoints parse, call the letters service
// (App.LetterSvc) and encode; the pages call the same methods.

// ---- JSON shapes ----

type clauseJSON struct {
	N          int      `json:"n"`
	Text       string   `json:"text"`
	Categories []string `json:"categories"`
	Breaches   *int     `json:"breaches,omitempty"`
}

type signatureJSON struct {
	Party  string `json:"party"`
	Kind   string `json:"kind"`
	Signer string `json:"signer"`
	At     string `json:"at"`
	SHA256 string `json:"sha256"`
	Format string `json:"format"`
	URL    string `json:"url"`
}

type letterJSON struct {
	ID              int64   `json:"id"`
	UnitID          int64   `json:"unit_id"`
	Unit            string  `json:"unit"`
	UnitKind        string  `json:"unit_kind"`
	Region          string  `json:"region"`
	Year            int     `json:"year"`
	Status          string  `json:"status"`
	SHA256          string  `json:"sha256"`
	Title           string  `json:"title"`
	TemplateID      int64   `json:"template_id"`
	TemplateVersion int     `json:"template_version"`
	Representative  string  `json:"representative,omitempty"`
	Note            string  `json:"note,omitempty"`
	IssuedAt        *string `json:"issued_at"`
	SignedAt        *string `json:"signed_at"`
	WithdrawnAt     *string `json:"withdrawn_at"`
	RemindedAt      *string `json:"reminded_at"`
	Version         int     `json:"version"`
	VerifyURL       string  `json:"verify_url"`
	Text            string  `json:"text,omitempty"`
	// Of one letter only (nil in lists).
	Clauses    *[]clauseJSON    `json:"clauses,omitempty"`
	Signatures *[]signatureJSON `json:"signatures,omitempty"`
	Parties    *partiesJSON     `json:"parties,omitempty"`
	Actions    *[]string        `json:"actions,omitempty"`
}

type partiesJSON struct {
	Unit   bool `json:"unit"`
	Street bool `json:"street"`
}

func (a *API) rfcPtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := a.rfc(t)
	return &s
}

// toLetterJSON shapes a letter; full adds its text, clauses (with breaches
// when given), signatures and the actions p may take.
func (a *API) toLetterJSON(r *http.Request, p *auth.Principal, l letters.Letter, full bool, breaches []int) letterJSON {
	out := letterJSON{ID: l.ID, UnitID: l.UnitID, Unit: l.UnitName, UnitKind: l.UnitKind, Region: l.UnitRegion, Year: l.Year,
		Status: string(l.Status), SHA256: l.SHA256, Title: l.Title, TemplateID: l.TemplateID, TemplateVersion: l.TemplateVersion,
		Representative: l.Representative, Note: l.Note, IssuedAt: a.rfcPtr(l.IssuedAt), SignedAt: a.rfcPtr(l.SignedAt),
		WithdrawnAt: a.rfcPtr(l.WithdrawnAt), RemindedAt: a.rfcPtr(l.RemindedAt), Version: l.Version,
		VerifyURL: a.app.Cfg.PublicURL(r) + letters.VerifyPath(l.VerifyCode)}
	if !full {
		return out
	}
	out.Text = l.Text
	clauses := []clauseJSON{}
	for i, c := range l.Clauses {
		cj := clauseJSON{N: i + 1, Text: c.Text, Categories: c.Categories}
		if cj.Categories == nil {
			cj.Categories = []string{}
		}
		if i < len(breaches) {
			n := breaches[i]
			cj.Breaches = &n
		}
		clauses = append(clauses, cj)
	}
	sigs := []signatureJSON{}
	for _, s := range l.Signatures {
		sigs = append(sigs, signatureJSON{Party: string(s.Party), Kind: string(s.Kind), Signer: s.Signer,
			At: a.rfc(s.At), SHA256: s.SHA256, Format: s.Format, URL: "/api/v1/letters/" + strconv.FormatInt(l.ID, 10) + "/files/" + s.FileID})
	}
	actions := []string{}
	for _, act := range a.app.LetterSvc.Allowed(p, l) {
		actions = append(actions, string(act))
	}
	out.Clauses, out.Signatures, out.Actions = &clauses, &sigs, &actions
	out.Parties = &partiesJSON{Unit: l.HasSigned(letters.PartyUnit), Street: l.HasSigned(letters.PartyStreet)}
	return out
}

// ---- Reading ----

// readableLetter loads the letter of the path that p may read; any other is not found.
func (a *API) readableLetter(r *http.Request, p *auth.Principal) (letters.Letter, error) {
	id, err := pathID(r)
	if err != nil {
		return letters.Letter{}, err
	}
	return a.app.LetterSvc.Get(r.Context(), p, id)
}

// yearOf reads a year from the query (or def when absent).
func yearOf(v string, def int) (int, error) { return letters.ParseYear(v, def) }

func (a *API) listLetters(w http.ResponseWriter, r *http.Request) {
	q, err := lettersvc.ParseQuery(r.URL.Query(), 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q.Page = pageOf(r)
	p := userOf(r)
	list, total, err := a.app.LetterSvc.List(r.Context(), p, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeList(w, list, total, func(l letters.Letter) letterJSON { return a.toLetterJSON(r, p, l, false, nil) })
}

func (a *API) getLetter(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	l, err := a.readableLetter(r, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	breaches, err := a.app.LetterSvc.Breaches(r.Context(), l)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toLetterJSON(r, p, l, true, breaches))
}

// verifyLetter is the public check of a printed letter by the code its QR
// code carries (GET /api/v1/letters/verify/{code}): its unit, year, state
// and hash, and nothing about people. It is served from the wider pattern
// /api/v1/letters/{a}/{b} (see letterRoutes), so any other path of that
// shape — the old /api/v1/letters/{id}/verify among them — is not found,
// with or without a token.
func (a *API) verifyLetter(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("a") != "verify" {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	pub, err := a.app.LetterSvc.Verify(r.Context(), r.PathValue("b"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"unit": pub.Unit, "year": pub.Year, "status": pub.Status, "sha256": pub.SHA256})
}

// letterFile serves a signature image or scan of a letter p may read.
func (a *API) letterFile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f, format, err := a.app.LetterSvc.File(r.Context(), userOf(r), id, r.PathValue("file"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", letters.ContentType(format))
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", letters.Disposition(format, id))
	http.ServeContent(w, r, "", time.Time{}, f)
}

// letterQR serves the QR code linking to the letter's public verification page.
func (a *API) letterQR(w http.ResponseWriter, r *http.Request) {
	l, err := a.readableLetter(r, userOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	png, err := letters.QRPNG(a.app.Cfg.PublicURL(r) + letters.VerifyPath(l.VerifyCode))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(png)
}

// ---- Issuing, renewing, withdrawing ----

type issueInput struct {
	Year       int     `json:"year"`
	TemplateID int64   `json:"template_id"`
	Region     string  `json:"region"`
	UnitIDs    []int64 `json:"unit_ids"`
}

func (a *API) issueLetters(w http.ResponseWriter, r *http.Request) {
	var in issueInput
	if !a.decoded(w, r, &in) {
		return
	}
	res, err := a.app.LetterSvc.Issue(r.Context(), a.actor(r), userOf(r),
		lettersvc.IssueInput{Year: in.Year, TemplateID: in.TemplateID, Region: trimmed(in.Region), UnitIDs: in.UnitIDs})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeIssued(w, res)
}

func writeIssued(w http.ResponseWriter, res lettersvc.Issued) {
	status := http.StatusCreated
	if res.Issued == 0 {
		status = http.StatusOK
	}
	ids := res.IDs
	if ids == nil {
		ids = []int64{}
	}
	writeJSON(w, status, map[string]any{"issued": res.Issued, "skipped": res.Skipped, "ids": ids})
}

type renewInput struct {
	Year       int    `json:"year"`
	TemplateID int64  `json:"template_id"`
	Region     string `json:"region"`
}

// renewLetters issues a year's letters to last year's units, in the region
// given or everywhere the caller may issue.
func (a *API) renewLetters(w http.ResponseWriter, r *http.Request) {
	var in renewInput
	if !a.decoded(w, r, &in) {
		return
	}
	res, err := a.app.LetterSvc.Renew(r.Context(), a.actor(r), userOf(r),
		lettersvc.RenewInput{Year: in.Year, TemplateID: in.TemplateID, Region: trimmed(in.Region)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeIssued(w, res)
}

func (a *API) withdrawLetter(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Note string `json:"note"`
	}
	id, err := decodeAt(w, r, &in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	l, err := a.app.LetterSvc.Withdraw(r.Context(), a.actor(r), p, id, in.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toLetterJSON(r, p, l, true, nil))
}

// ---- Signing ----

// MaxSignatureUpload bounds a signing request's body: the largest scan plus the form around it.
const MaxSignatureUpload = letters.MaxScanBytes + 64<<10

// formFile opens the one file of a multipart field; nil when none was sent.
func formFile(form *multipart.Form, field string) (io.ReadCloser, error) {
	if form == nil || len(form.File[field]) == 0 {
		return nil, nil
	}
	return form.File[field][0].Open()
}

// signLetter takes a drawn signature (field signature, a PNG, with party
// unit or street) or a scan of the signed paper (field scan, PDF, JPEG or
// PNG, for both parties), with the signer's name (default: the caller's).
// The order of checks is the service's: 404 unreadable, 422 neither one
// signature nor one scan, 403 not the signer's side, 409 the letter's
// state, then the name and the file's content.
func (a *API) signLetter(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxSignatureUpload)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			a.fail(w, r, letters.TooLarge("scan", letters.MaxScanBytes))
			return
		}
		a.fail(w, r, apperr.Field("signature", "err.required"))
		return
	}
	defer r.MultipartForm.RemoveAll()
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := lettersvc.Signing{Party: letters.Party(r.FormValue("party")), Name: r.FormValue("name")}
	for field, dst := range map[string]*io.Reader{"signature": &in.Signature, "scan": &in.Scan} {
		f, err := formFile(r.MultipartForm, field)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if f != nil {
			defer f.Close()
			*dst = f
		}
	}
	p := userOf(r)
	l, err := a.app.LetterSvc.Sign(r.Context(), a.actor(r), p, id, in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toLetterJSON(r, p, l, true, nil))
}

// ---- Coverage and reminders ----

type countJSON struct {
	Code      string `json:"code,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Name      string `json:"name,omitempty"`
	Signed    int    `json:"signed"`
	Issued    int    `json:"issued"`
	NotIssued int    `json:"not_issued"`
	Units     int    `json:"units"`
}

func toCount(c store.CoverageCount) countJSON {
	return countJSON{Name: c.Name, Signed: c.Signed, Issued: c.Issued, NotIssued: c.NotIssued, Units: c.Total()}
}

func (a *API) letterCoverage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year, err := yearOf(q.Get("year"), 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cov, err := a.app.LetterSvc.Coverage(r.Context(), userOf(r), year, trimmed(q.Get("region")))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	comms, kinds := []countJSON{}, []countJSON{}
	for _, c := range cov.Communities {
		cj := toCount(c)
		cj.Code = c.Key
		comms = append(comms, cj)
	}
	for _, c := range cov.Kinds {
		cj := toCount(c)
		cj.Kind = c.Key
		kinds = append(kinds, cj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": cov.Year, "region": q.Get("region"), "total": toCount(cov.Total),
		"communities": comms, "kinds": kinds})
}

func (a *API) unsignedUnits(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year, err := yearOf(q.Get("year"), 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, total, err := a.app.LetterSvc.Unsigned(r.Context(), userOf(r), year, trimmed(q.Get("region")), q.Get("bucket"), pageOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := []map[string]any{}
	for _, u := range list {
		it := map[string]any{"unit_id": u.UnitID, "unit": u.Name, "kind": u.Kind, "region": u.Region, "bucket": u.Bucket,
			"letter_id": nil, "status": nil, "reminded_at": nil}
		if u.LetterID != 0 {
			it["letter_id"], it["status"] = u.LetterID, u.Status
		}
		if u.RemindedAt != 0 {
			it["reminded_at"] = a.rfc(time.UnixMilli(u.RemindedAt))
		}
		items = append(items, it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func (a *API) remindLetter(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.app.LetterSvc.Remind(r.Context(), a.actor(r), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"letters": res.Letters, "people": res.People})
}

// remindUnsigned reminds every issued, unsigned letter of a year in a region (or the caller's scope).
func (a *API) remindUnsigned(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Year   int    `json:"year"`
		Region string `json:"region"`
	}
	if !a.decoded(w, r, &in) {
		return
	}
	res, err := a.app.LetterSvc.RemindAll(r.Context(), a.actor(r), userOf(r), in.Year, trimmed(in.Region))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"letters": res.Letters, "people": res.People})
}

// ---- Templates ----

// templateJSON is a template as the API shows it: what templateInput sets,
// and what the server keeps.
type templateJSON struct {
	ID int64 `json:"id"`
	templateInput
	Variables []string `json:"variables"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

func (a *API) toTemplateJSON(t letters.Template) templateJSON {
	out := templateJSON{ID: t.ID, Variables: letters.Variables, CreatedAt: a.rfc(t.CreatedAt), UpdatedAt: a.rfc(t.UpdatedAt),
		templateInput: templateInput{Year: t.Year, Kind: t.Kind, Title: t.Title, Preamble: t.Preamble, Clauses: t.Clauses,
			StreetDuties: t.StreetDuties, UnitDuties: t.UnitDuties, Term: t.Term, Version: t.Version}}
	if out.Clauses == nil {
		out.Clauses = []letters.Clause{}
	}
	for i := range out.Clauses {
		if out.Clauses[i].Categories == nil {
			out.Clauses[i].Categories = []string{}
		}
	}
	if out.StreetDuties == nil {
		out.StreetDuties = []string{}
	}
	if out.UnitDuties == nil {
		out.UnitDuties = []string{}
	}
	return out
}

func (a *API) listLetterTemplates(w http.ResponseWriter, r *http.Request) {
	year, err := yearOf(r.URL.Query().Get("year"), 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.app.LetterSvc.Templates(r.Context(), userOf(r), year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := []templateJSON{}
	for _, t := range list {
		items = append(items, a.toTemplateJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) getLetterTemplate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.app.LetterSvc.Template(r.Context(), userOf(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toTemplateJSON(t))
}

// templateInput is the body of POST and PUT /api/v1/letter-templates.
type templateInput struct {
	Year         int              `json:"year"`
	Kind         string           `json:"kind"`
	Title        string           `json:"title"`
	Preamble     string           `json:"preamble"`
	Clauses      []letters.Clause `json:"clauses"`
	StreetDuties []string         `json:"street_duties"`
	UnitDuties   []string         `json:"unit_duties"`
	Term         string           `json:"term"`
	Version      int              `json:"version"`
}

func (in templateInput) template() letters.Template {
	return letters.Template{Year: in.Year, Kind: in.Kind, Title: in.Title, Preamble: in.Preamble, Clauses: in.Clauses,
		StreetDuties: in.StreetDuties, UnitDuties: in.UnitDuties, Term: in.Term, Version: in.Version}
}

func (a *API) createLetterTemplate(w http.ResponseWriter, r *http.Request) {
	var in templateInput
	if !a.decoded(w, r, &in) {
		return
	}
	t, err := a.app.LetterSvc.SaveTemplate(r.Context(), a.actor(r), userOf(r), in.template())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toTemplateJSON(t))
}

func (a *API) updateLetterTemplate(w http.ResponseWriter, r *http.Request) {
	var in templateInput
	id, err := decodeAt(w, r, &in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t := in.template()
	t.ID = id
	t, err = a.app.LetterSvc.SaveTemplate(r.Context(), a.actor(r), userOf(r), t)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toTemplateJSON(t))
}

// letterRoutes are the responsibility letters and their templates.
func (a *API) letterRoutes() []route {
	list := pageParams
	return []route{
		{Method: "GET", Path: "/api/v1/letters", Handler: a.listLetters, Summary: "Responsibility letters in my scope (a unit contact: their unit's)", Query: append([]string{"year", "region", "status", "kind", "unit"}, list...), Resp: "LetterList", Status: 200},
		{Method: "POST", Path: "/api/v1/letters/issue", Handler: a.issueLetters, Summary: "Issue letters to the active units of a region, or to chosen units, in one go; units with a letter that year are skipped (201 when any is issued)", Body: "LetterIssueInput", Resp: "LetterIssueResult", Status: 201},
		{Method: "POST", Path: "/api/v1/letters/renew", Handler: a.renewLetters, Summary: "Renew: issue a year's letters to the units that had one the year before", Body: "LetterRenewInput", Resp: "LetterIssueResult", Status: 201},
		{Method: "GET", Path: "/api/v1/letters/coverage", Handler: a.letterCoverage, Summary: "Signed, issued-unsigned and not issued, in total, by community and by unit kind", Query: []string{"year", "region"}, Resp: "LetterCoverage", Status: 200},
		{Method: "GET", Path: "/api/v1/letters/unsigned", Handler: a.unsignedUnits, Summary: "Active units that have not signed the year's letter (bucket issued or not_issued)", Query: append([]string{"year", "region", "bucket"}, list...), Resp: "UnsignedUnitList", Status: 200},
		{Method: "POST", Path: "/api/v1/letters/remind", Handler: a.remindUnsigned, Summary: "Remind the contacts of every issued, unsigned letter of a year in a region (inbox)", Body: "LetterRemindInput", Resp: "LetterReminded", Status: 200},
		{Method: "GET", Path: "/api/v1/letters/{id}", Handler: a.getLetter, Summary: "One letter with its exact text, clauses (with breaches this year), signatures and the actions I may take", Resp: "Letter", Status: 200},
		{Method: "POST", Path: "/api/v1/letters/{id}/withdraw", Handler: a.withdrawLetter, Summary: "Withdraw a draft or issued letter, with a reason (409 once signed)", Body: "LetterWithdrawInput", Resp: "Letter", Status: 200},
		{Method: "POST", Path: "/api/v1/letters/{id}/signatures", Handler: a.signLetter, Summary: "Sign: a drawn PNG (field signature, party unit|street) or a scan of the signed paper (field scan: PDF, JPEG or PNG, at most 20 MB; signs for both); 409 when signed or withdrawn", Body: "multipart:SignatureUpload", Resp: "Letter", Status: 201},
		{Method: "POST", Path: "/api/v1/letters/{id}/remind", Handler: a.remindLetter, Summary: "Remind the unit's contacts to sign (inbox)", Resp: "LetterReminded", Status: 200},
		{Method: "GET", Path: "/api/v1/letters/{id}/files/{file}", Handler: a.letterFile, Summary: "A signature image or scan of the letter", Resp: "file", Status: 200},
		{Method: "GET", Path: "/api/v1/letters/{id}/qr.png", Handler: a.letterQR, Summary: "QR code of the letter's public verification URL, for printing", Resp: "png", Status: 200},
		// Served from a wider pattern: /letters/verify/{code} and /letters/{id}/qr.png would overlap on /letters/verify/qr.png.
		{Method: "GET", Path: "/api/v1/letters/verify/{code}", Pattern: "/api/v1/letters/{a}/{b}", Handler: a.verifyLetter, Public: true, Summary: "Public check of a printed letter by the random code of its QR code: unit, year, status and hash, no personal data", Resp: "LetterVerify", Status: 200},
		{Method: "GET", Path: "/api/v1/letter-templates", Handler: a.listLetterTemplates, Summary: "Letter templates (of a year)", Query: []string{"year"}, Resp: "LetterTemplateList", Status: 200},
		{Method: "POST", Path: "/api/v1/letter-templates", Handler: a.createLetterTemplate, Summary: "Add a letter template (admins)", Body: "LetterTemplateInput", Resp: "LetterTemplate", Status: 201},
		{Method: "GET", Path: "/api/v1/letter-templates/{id}", Handler: a.getLetterTemplate, Summary: "One letter template", Resp: "LetterTemplate", Status: 200},
		{Method: "PUT", Path: "/api/v1/letter-templates/{id}", Handler: a.updateLetterTemplate, Summary: "Change a letter template (admins); its version goes up, issued letters keep their text", Body: "LetterTemplateInput", Resp: "LetterTemplate", Status: 200},
	}
}
