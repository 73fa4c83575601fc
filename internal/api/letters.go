package api

import (
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

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

// baseURL is the server's public URL: the configured one, else the request's host.
func (a *API) baseURL(r *http.Request) string {
	if a.app.Cfg.BaseURL != "" {
		return a.app.Cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func letterTarget(l letters.Letter) auth.Target {
	return auth.Target{Region: l.UnitRegion, UnitID: l.UnitID}
}

// Letter actions a person may take now, for the pages' buttons.
const (
	actSignUnit   = "sign_unit"
	actSignStreet = "sign_street"
	actScan       = "scan"
	actWithdraw   = "withdraw"
	actRemind     = "remind"
)

func letterActions(p *auth.Principal, l letters.Letter) []string {
	t := letterTarget(l)
	var out []string
	if l.Status == letters.StatusIssued {
		if p.Can(auth.LetterSignUnit, t) && !l.HasSigned(letters.PartyUnit) {
			out = append(out, actSignUnit)
		}
		if p.Can(auth.LetterSign, t) {
			if !l.HasSigned(letters.PartyStreet) {
				out = append(out, actSignStreet)
			}
			out = append(out, actScan)
		}
		if p.Can(auth.LetterIssue, t) {
			out = append(out, actRemind)
		}
	}
	if (l.Status == letters.StatusDraft || l.Status == letters.StatusIssued) && p.Can(auth.LetterIssue, t) {
		out = append(out, actWithdraw)
	}
	return out
}

// toLetterJSON shapes a letter; full adds its text, clauses (with breaches
// when given), signatures and the actions p may take.
func (a *API) toLetterJSON(r *http.Request, p *auth.Principal, l letters.Letter, full bool, breaches []int) letterJSON {
	out := letterJSON{ID: l.ID, UnitID: l.UnitID, Unit: l.UnitName, UnitKind: l.UnitKind, Region: l.UnitRegion, Year: l.Year,
		Status: string(l.Status), SHA256: l.SHA256, Title: l.Title, TemplateID: l.TemplateID, TemplateVersion: l.TemplateVersion,
		Representative: l.Representative, Note: l.Note, IssuedAt: a.rfcPtr(l.IssuedAt), SignedAt: a.rfcPtr(l.SignedAt),
		WithdrawnAt: a.rfcPtr(l.WithdrawnAt), RemindedAt: a.rfcPtr(l.RemindedAt), Version: l.Version,
		VerifyURL: a.baseURL(r) + letters.VerifyPath(l.ID)}
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
	actions := letterActions(p, l)
	if actions == nil {
		actions = []string{}
	}
	out.Clauses, out.Signatures, out.Actions = &clauses, &sigs, &actions
	out.Parties = &partiesJSON{Unit: l.HasSigned(letters.PartyUnit), Street: l.HasSigned(letters.PartyStreet)}
	return out
}

// ---- Reading ----

// readableLetter loads a letter that p may read; any other is not found.
func (a *API) readableLetter(r *http.Request, p *auth.Principal) (letters.Letter, error) {
	id, err := pathID(r)
	if err != nil {
		return letters.Letter{}, err
	}
	l, err := a.app.DB.Letter(r.Context(), id)
	if err != nil {
		return l, err
	}
	if !p.Can(auth.LetterRead, letterTarget(l)) {
		return l, apperr.ErrNotFound
	}
	return l, nil
}

// thisYear is the current year in the office's time zone.
func (a *API) thisYear() int { return a.app.Ledger.Now().In(a.app.Loc).Year() }

// yearOf reads a year from the query (or def when absent).
func yearOf(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 2100 {
		return 0, apperr.Field("year", "err.out_of_range")
	}
	return y, nil
}

func (a *API) listLetters(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	q := r.URL.Query()
	f := store.LetterFilter{All: p.Can(auth.LetterRead, auth.Target{}), Roots: p.Scopes(auth.LetterRead),
		UnitIDs: p.UnitScopes(auth.LetterRead), Page: pageOf(r)}
	errs := apperr.Fields{}
	if v := q.Get("year"); v != "" {
		y, err := yearOf(v, 0)
		if err != nil {
			errs.Add("year", "err.out_of_range")
		}
		f.Year = y
	}
	if v := q.Get("region"); v != "" {
		if !region.ValidCode(v) {
			errs.Add("region", "err.region_code")
		}
		f.Region = v
	}
	if v := q.Get("status"); v != "" {
		if !letters.Status(v).Valid() {
			errs.Add("status", "err.invalid_choice")
		}
		f.Status = v
	}
	if v := q.Get("unit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs.Add("unit", "err.format")
		}
		f.UnitID = id
	}
	if err := errs.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	list, total, err := a.app.DB.Letters(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]letterJSON, 0, len(list))
	for _, l := range list {
		items = append(items, a.toLetterJSON(r, p, l, false, nil))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func (a *API) getLetter(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	l, err := a.readableLetter(r, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	breaches, err := a.app.DB.LetterBreaches(r.Context(), l)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toLetterJSON(r, p, l, true, breaches))
}

// verifyLetter is the public check of a printed letter: its unit, year,
// state and hash, and nothing about people. Drafts are not shown.
func (a *API) verifyLetter(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.app.DB.Letter(r.Context(), id)
	if err == nil && l.Status == letters.StatusDraft {
		err = apperr.ErrNotFound
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"unit": l.UnitName, "year": l.Year, "status": l.Status, "sha256": l.SHA256})
}

// letterFile serves a signature image or scan of a letter p may read.
func (a *API) letterFile(w http.ResponseWriter, r *http.Request) {
	p := userOf(r)
	l, err := a.readableLetter(r, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id := r.PathValue("file")
	format := ""
	for _, s := range l.Signatures {
		if s.FileID == id {
			format = s.Format
		}
	}
	if format == "" {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	f, err := a.app.Letters.Open(id)
	if err != nil {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", letters.ContentType(format))
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", letters.Disposition(format, l.ID))
	http.ServeContent(w, r, "", time.Time{}, f)
}

// letterQR serves the QR code linking to the letter's public verification page.
func (a *API) letterQR(w http.ResponseWriter, r *http.Request) {
	l, err := a.readableLetter(r, userOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	png, err := letters.QRPNG(a.baseURL(r) + letters.VerifyPath(l.ID))
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

// MaxIssueUnits bounds the units chosen in one issue.
const MaxIssueUnits = 1000

// checkRegion validates a region code from input and that it exists.
func (a *API) checkRegion(ctx context.Context, code string) error {
	if !region.ValidCode(code) {
		return apperr.Field("region", "err.region_code")
	}
	ok, err := a.app.DB.RegionExists(ctx, code)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Field("region", "err.region_unknown")
	}
	return nil
}

func (a *API) issueLetters(w http.ResponseWriter, r *http.Request) {
	var in issueInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	ctx := r.Context()
	in.Region = trimmed(in.Region)
	switch {
	case in.Region == "" && len(in.UnitIDs) == 0:
		a.fail(w, r, apperr.Field("region", "err.required"))
		return
	case in.Region != "" && len(in.UnitIDs) > 0:
		a.fail(w, r, apperr.Field("unit_ids", "err.letter.region_or_units"))
		return
	case len(in.UnitIDs) > MaxIssueUnits:
		a.fail(w, r, apperr.Field("unit_ids", "err.too_many_items", MaxIssueUnits))
		return
	}
	if in.Year == 0 && in.TemplateID == 0 {
		in.Year = a.thisYear()
	}
	if in.Year != 0 && (in.Year < 2000 || in.Year > 2100) {
		a.fail(w, r, apperr.Field("year", "err.out_of_range"))
		return
	}
	if in.Region != "" {
		if err := a.checkRegion(ctx, in.Region); err != nil {
			a.fail(w, r, err)
			return
		}
		if !p.Can(auth.LetterIssue, auth.Target{Region: in.Region}) {
			a.fail(w, r, apperr.ErrForbidden)
			return
		}
	}
	for _, id := range in.UnitIDs {
		u, err := a.app.DB.Unit(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			a.fail(w, r, apperr.Field("unit_ids", "err.letter.unit_unknown", id))
			return
		} else if err != nil {
			a.fail(w, r, err)
			return
		}
		if !p.Can(auth.LetterIssue, auth.Target{Region: u.Region, UnitID: u.ID}) {
			a.fail(w, r, apperr.ErrForbidden)
			return
		}
	}
	res, err := a.app.DB.IssueLetters(ctx, a.actor(r), store.IssueRequest{Year: in.Year, TemplateID: in.TemplateID, Region: in.Region, UnitIDs: in.UnitIDs})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeIssued(w, res)
}

func writeIssued(w http.ResponseWriter, res store.IssueResult) {
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

// renewLetters issues next year's letters to last year's units, in the
// region given or everywhere the caller may issue.
func (a *API) renewLetters(w http.ResponseWriter, r *http.Request) {
	var in renewInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	if in.Year == 0 {
		in.Year = a.thisYear()
	}
	if in.Year < 2001 || in.Year > 2100 {
		a.fail(w, r, apperr.Field("year", "err.out_of_range"))
		return
	}
	roots := p.Scopes(auth.LetterIssue)
	if in.Region = trimmed(in.Region); in.Region != "" {
		if err := a.checkRegion(r.Context(), in.Region); err != nil {
			a.fail(w, r, err)
			return
		}
		if !p.Can(auth.LetterIssue, auth.Target{Region: in.Region}) {
			a.fail(w, r, apperr.ErrForbidden)
			return
		}
		roots = []string{in.Region}
	}
	if len(roots) == 0 {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	res, err := a.app.DB.RenewLetters(r.Context(), a.actor(r), store.RenewRequest{Year: in.Year, TemplateID: in.TemplateID, Roots: roots})
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
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p := userOf(r)
	l, err := a.readableLetter(r, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !p.Can(auth.LetterIssue, letterTarget(l)) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	l, err = a.app.DB.WithdrawLetter(r.Context(), a.actor(r), l.ID, in.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toLetterJSON(r, p, l, true, nil))
}

// ---- Signing ----

// MaxSignatureUpload bounds a signing request's body: the largest scan plus the form around it.
const MaxSignatureUpload = letters.MaxScanBytes + 64<<10

// formFile returns the one file of a multipart field, or nil.
func formFile(form *multipart.Form, field string) *multipart.FileHeader {
	if form == nil || len(form.File[field]) == 0 {
		return nil
	}
	return form.File[field][0]
}

// signLetter takes a drawn signature (field signature, a PNG, with party
// unit or street) or a scan of the signed paper (field scan, PDF, JPEG or
// PNG, for both parties). The order of checks: 404 unreadable, 403 not the
// signer's side, 409 the letter's state, then the file's content.
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
	p := userOf(r)
	l, err := a.readableLetter(r, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sig, scan := formFile(r.MultipartForm, "signature"), formFile(r.MultipartForm, "scan")
	kind, party := letters.KindDrawn, letters.Party(r.FormValue("party"))
	switch {
	case sig == nil && scan == nil:
		a.fail(w, r, apperr.Field("signature", "err.required"))
		return
	case sig != nil && scan != nil:
		a.fail(w, r, apperr.Field("scan", "err.letter.one_file"))
		return
	case scan != nil:
		kind, party = letters.KindScan, letters.PartyBoth
	case !party.Valid():
		a.fail(w, r, apperr.Field("party", "err.invalid_choice"))
		return
	}
	action := auth.LetterSign
	if party == letters.PartyUnit {
		action = auth.LetterSignUnit
	}
	if !p.Can(action, letterTarget(l)) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	if err := letters.CheckSignable(l, kind, party); err != nil {
		a.fail(w, r, err)
		return
	}
	var file letters.File
	if kind == letters.KindScan {
		file, err = readChecked(scan, letters.MaxScanBytes, "scan", letters.CheckScan)
	} else {
		file, err = readChecked(sig, letters.MaxSignatureBytes, "signature", letters.CheckSignature)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.app.Letters.Put(file); err != nil {
		a.fail(w, r, err)
		return
	}
	signer := trimmed(r.FormValue("name"))
	if signer == "" {
		signer = p.Name
	}
	l, err = a.app.DB.SignLetter(r.Context(), a.actor(r), l.ID, letters.Signature{Party: party, Kind: kind, FileID: file.SHA256,
		Format: file.Format, SignerID: p.PersonID, Signer: signer}, len(file.Data))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toLetterJSON(r, p, l, true, nil))
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

// ---- Coverage and reminders ----

// coverageFilter reads year and region and limits them to where p may take
// action: a region outside it is not found; no scope at all is forbidden.
func (a *API) coverageFilter(r *http.Request, p *auth.Principal, action auth.Action, year, reg string) (store.CoverageFilter, error) {
	y, err := yearOf(year, a.thisYear())
	if err != nil {
		return store.CoverageFilter{}, err
	}
	f := store.CoverageFilter{Year: y, All: p.Can(action, auth.Target{}), Roots: p.Scopes(action), Page: pageOf(r)}
	if reg = trimmed(reg); reg != "" {
		if !region.ValidCode(reg) {
			return f, apperr.Field("region", "err.region_code")
		}
		if !p.Can(action, auth.Target{Region: reg}) {
			if len(f.Roots) == 0 {
				return f, apperr.ErrForbidden
			}
			return f, apperr.ErrNotFound
		}
		f.All, f.Roots = false, []string{reg}
	}
	if !f.All && len(f.Roots) == 0 {
		return f, apperr.ErrForbidden
	}
	return f, nil
}

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
	p := userOf(r)
	q := r.URL.Query()
	f, err := a.coverageFilter(r, p, auth.LetterRead, q.Get("year"), q.Get("region"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cov, err := a.app.DB.LetterCoverage(r.Context(), f)
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
	p := userOf(r)
	q := r.URL.Query()
	f, err := a.coverageFilter(r, p, auth.LetterRead, q.Get("year"), q.Get("region"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	switch b := q.Get("bucket"); b {
	case "", letters.BucketIssued, letters.BucketNotIssued:
		f.Bucket = b
	default:
		a.fail(w, r, apperr.Field("bucket", "err.invalid_choice"))
		return
	}
	list, total, err := a.app.DB.UnsignedLetterUnits(r.Context(), f)
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
	p := userOf(r)
	l, err := a.readableLetter(r, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !p.Can(auth.LetterIssue, letterTarget(l)) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	res, err := a.app.DB.RemindLetter(r.Context(), a.actor(r), l.ID)
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
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	year := ""
	if in.Year != 0 {
		year = strconv.Itoa(in.Year)
	}
	p := userOf(r)
	f, err := a.coverageFilter(r, p, auth.LetterIssue, year, in.Region)
	if apperr.Is(err, apperr.NotFound) {
		err = apperr.ErrForbidden // acting outside one's scope
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.app.DB.RemindUnsigned(r.Context(), a.actor(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"letters": res.Letters, "people": res.People})
}

// ---- Templates ----

type templateJSON struct {
	ID           int64            `json:"id"`
	Year         int              `json:"year"`
	Kind         string           `json:"kind"`
	Title        string           `json:"title"`
	Preamble     string           `json:"preamble"`
	Clauses      []letters.Clause `json:"clauses"`
	StreetDuties []string         `json:"street_duties"`
	UnitDuties   []string         `json:"unit_duties"`
	Term         string           `json:"term"`
	Version      int              `json:"version"`
	Variables    []string         `json:"variables"`
	CreatedAt    string           `json:"created_at"`
	UpdatedAt    string           `json:"updated_at"`
}

func (a *API) toTemplateJSON(t letters.Template) templateJSON {
	out := templateJSON{ID: t.ID, Year: t.Year, Kind: t.Kind, Title: t.Title, Preamble: t.Preamble, Clauses: t.Clauses,
		StreetDuties: t.StreetDuties, UnitDuties: t.UnitDuties, Term: t.Term, Version: t.Version, Variables: letters.Variables,
		CreatedAt: a.rfc(t.CreatedAt), UpdatedAt: a.rfc(t.UpdatedAt)}
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
	if !userOf(r).CanSomewhere(auth.LetterRead) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	year, err := yearOf(r.URL.Query().Get("year"), 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.app.DB.LetterTemplates(r.Context(), year)
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
	if !userOf(r).CanSomewhere(auth.LetterRead) {
		a.fail(w, r, apperr.ErrNotFound)
		return
	}
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.app.DB.LetterTemplate(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toTemplateJSON(t))
}

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
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if !userOf(r).Can(auth.LetterTemplate, auth.Target{}) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	t := in.template()
	if err := a.app.DB.CreateLetterTemplate(r.Context(), a.actor(r), &t); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.toTemplateJSON(t))
}

func (a *API) updateLetterTemplate(w http.ResponseWriter, r *http.Request) {
	var in templateInput
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if !userOf(r).Can(auth.LetterTemplate, auth.Target{}) {
		a.fail(w, r, apperr.ErrForbidden)
		return
	}
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t := in.template()
	t.ID = id
	if err := a.app.DB.UpdateLetterTemplate(r.Context(), a.actor(r), &t); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.toTemplateJSON(t))
}
