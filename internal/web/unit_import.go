package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/importer"
)

// MaxImport is the largest spreadsheet the import page accepts.
const MaxImport = 20 << 20

type importProblem struct {
	Row     int
	Column  string
	Message string
}

type importPage struct {
	Page
	Kind      string
	Headers   []string
	Checked   bool
	Token     string
	Summary   string
	Problems  []importProblem
	CanAll    bool
	CanValid  bool
	Done      string
	Passwords []importer.Credential
}

var tokenRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// importDir holds uploaded files between the check and the import; files older than a day are removed.
func (s *Server) importDir() string { return filepath.Join(s.app.Cfg.Data, "imports") }

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, status int, data importPage) {
	if data.Kind == "" {
		data.Kind = string(importer.Units)
	}
	data.Headers = importer.UnitHeaders()
	if data.Kind == string(importer.People) {
		data.Headers = importer.PersonHeaders()
	}
	s.render(w, r, status, "unit_import", data)
}

func (s *Server) unitImportForm(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).CanSomewhere(auth.UnitImport) {
		s.forbidden(w, r)
		return
	}
	kind := r.URL.Query().Get("kind")
	if kind != string(importer.People) {
		kind = string(importer.Units)
	}
	s.importPage(w, r, http.StatusOK, importPage{Page: s.page(r, "import.title"), Kind: kind})
}

// unitImport checks an uploaded file (step "check") or imports a checked one
// (step "all" or "valid", naming the upload by its token).
func (s *Server) unitImport(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.UnitImport) {
		s.forbidden(w, r)
		return
	}
	p := printer(r)
	data := importPage{Page: s.page(r, "import.title")}
	// fail shows the form again with err (a plain 500 for an internal one).
	fail := func(err error) {
		if apperr.As(err).Code == apperr.Internal {
			s.serverError(w, r, err)
			return
		}
		data.withError(p, err)
		s.importPage(w, r, statusFor(err), data)
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxImport+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		key := "import.file_unreadable"
		if errors.As(err, &mbe) {
			key = "import.file_too_large"
		}
		fail(apperr.Field("file", key, MaxImport>>20))
		return
	}
	data.Kind = r.FormValue("kind")
	if data.Kind != string(importer.People) {
		data.Kind = string(importer.Units)
	}
	step, token := r.FormValue("step"), r.FormValue("token")
	var content []byte
	if step == "check" || step == "" {
		f, _, err := r.FormFile("file")
		if err != nil {
			fail(apperr.Field("file", "err.required"))
			return
		}
		content, err = io.ReadAll(f)
		f.Close()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if token, err = s.saveUpload(content); err != nil {
			s.serverError(w, r, err)
			return
		}
	} else {
		if !tokenRe.MatchString(token) {
			s.notFound(w, r)
			return
		}
		var err error
		if content, err = os.ReadFile(filepath.Join(s.importDir(), token)); err != nil {
			fail(apperr.Field("file", "err.required"))
			return
		}
	}
	roots := u.Scopes(auth.UnitImport)
	opts := importer.Options{Index: s.app.Index, Allowed: func(code string) bool { return app.InRoots(roots, code) }}
	parse := importer.ParseUnits
	if data.Kind == string(importer.People) {
		parse = importer.ParsePeople
	}
	parsed, err := parse(r.Context(), s.app.DB, bytes.NewReader(content), opts)
	if err != nil {
		fail(err)
		return
	}
	rep := parsed.Report
	data.Checked, data.Token = true, token
	data.Summary = p.T("import.summary", rep.Rows, rep.Valid, len(rep.Problems))
	for _, pr := range rep.Problems {
		data.Problems = append(data.Problems, importProblem{Row: pr.Row, Column: pr.Column, Message: p.T(pr.Key, pr.Args...)})
	}
	data.CanAll = rep.OK() && rep.Valid > 0
	data.CanValid = !rep.OK() && rep.Valid > 0
	if step == "all" || step == "valid" {
		res, err := importer.Apply(r.Context(), s.app.DB, s.actor(r), parsed, step == "valid")
		if err != nil {
			fail(err)
			return
		}
		os.Remove(filepath.Join(s.importDir(), token))
		data.Checked, data.CanAll, data.CanValid = false, false, false
		data.Done = p.T("import.done", res.Created+res.Updated)
		data.Passwords = res.Passwords
	}
	s.importPage(w, r, http.StatusOK, data)
}

// saveUpload keeps an uploaded file for the import step and clears old ones.
func (s *Server) saveUpload(content []byte) (string, error) {
	dir := s.importDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if old, err := os.ReadDir(dir); err == nil {
		for _, e := range old {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	// Through a temporary file renamed into place: the next step may reach
	// another server sharing this folder, which must never read half a file.
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(content)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, token))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return token, err
}
