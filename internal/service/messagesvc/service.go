// Package messagesvc is the work group's service: notices with receipts,
// the feed, outbound channels and their outbox, people's delivery settings,
// and the scheduled summaries (the 18:00 digest, the weekly unsigned
// letters). Pages and API both call it; it asks package messages to decide,
// writes through the store in one transaction per change, and tells people
// through tx.Notify (inbox, outbox and e-mail in that same transaction) and
// tx.Signal (their live streams, once committed).
package messagesvc

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/service"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Service runs the work group.
type Service struct {
	DB    *store.DB
	Loc   *time.Location
	Now   func() time.Time
	Cal   *service.Calendar
	Cases *casesvc.Service // for sharing a case to the feed: its reading rules
	// Patrols judges the day's patrols for the digest.
	Patrols *patrolsvc.Service
	Photos  *photo.Store // the feed's photos
	Files   *FileStore   // notices' attachments
}

// New returns the service over db, keeping attachments under dataDir.
func New(db *store.DB, loc *time.Location, cal *service.Calendar, cs *casesvc.Service, patrols *patrolsvc.Service, photos *photo.Store, dataDir string) *Service {
	return &Service{DB: db, Loc: loc, Now: time.Now, Cal: cal, Cases: cs, Patrols: patrols, Photos: photos, Files: NewFileStore(dataDir)}
}

// today is the local date now.
func (s *Service) today() string { return s.Now().In(s.Loc).Format("2006-01-02") }

// firstScope is p's first scope for action a in code order (where a notice
// sent to named people belongs), or "" when none.
func firstScope(p *auth.Principal, a auth.Action) string {
	sc := p.Scopes(a)
	if len(sc) == 0 {
		return ""
	}
	sort.Strings(sc)
	return sc[0]
}

// FileStore keeps notices' attachments on disk under the SHA-256 of their bytes.
type FileStore struct{ dir string }

// NewFileStore returns a store under dataDir/notices.
func NewFileStore(dataDir string) *FileStore {
	return &FileStore{dir: filepath.Join(dataDir, "notices")}
}

var fileID = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (fs *FileStore) path(id string) string { return filepath.Join(fs.dir, id[:2], id) }

// Put stores data (once per content) and returns its id.
func (fs *FileStore) Put(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	p := fs.path(id)
	if _, err := os.Stat(p); err == nil {
		return id, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return id, nil
}

// Open opens a stored file.
func (fs *FileStore) Open(id string) (io.ReadSeekCloser, error) {
	if !fileID.MatchString(id) {
		return nil, apperr.ErrNotFound
	}
	f, err := os.Open(fs.path(id))
	if os.IsNotExist(err) {
		return nil, apperr.ErrNotFound
	}
	return f, err
}

// readAll reads at most max bytes of r; more is TooLarge naming field.
func readAll(r io.Reader, max int64, field string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("messagesvc: read upload: %w", err)
	}
	if int64(len(data)) > max {
		mb := int(max >> 20)
		return nil, &apperr.Error{Code: apperr.TooLarge, Msg: apperr.Msg{Key: "err.messages.file_large", Args: []any{mb}},
			Fields: map[string]apperr.Msg{field: {Key: "err.messages.file_large", Args: []any{mb}}}}
	}
	return data, nil
}

// photoErr turns a photo package error into the field error on field.
func photoErr(err error, field string) error {
	var pe *photo.Error
	if errors.As(err, &pe) {
		e := pe.AppErr()
		e.Fields = map[string]apperr.Msg{field: e.Msg}
		if pe.Key == photo.KeyTooLarge {
			e.Code = apperr.TooLarge
		}
		return e
	}
	return err
}

// parseID reads a positive id.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

func trimmed(s string) string { return strings.TrimSpace(s) }
