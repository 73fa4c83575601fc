// Package lettersvc is the responsibility letters' service: issuing and
// renewing the year's letters, signing (on screen or by a scan), withdrawals,
// reminders, the year-end archiving, the templates, the lists and coverage,
// and the public verification by code. Pages and API call the same methods,
// so the same request gets the same answer through either door.
//
// Each method takes the acting principal, builds its scope filter, loads
// what the request names — a letter outside the caller's scope is not found
// (404); a unit or region named in a body that the caller may not act on is
// as unknown (422 naming the field) as one that does not exist, so that no
// answer reveals what lies outside one's scope — asks package letters'
// rules, and writes in one transaction through store primitives, audited
// and notifying through tx.Notify.
package lettersvc

import (
	"context"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// Service runs the responsibility letters.
type Service struct {
	DB    *store.DB
	Files *letters.FileStore // signature images and scans
	Loc   *time.Location     // the office's time zone: years begin and end in it
	Now   func() time.Time
}

// New returns the service over db, keeping signature files in files.
func New(db *store.DB, files *letters.FileStore, loc *time.Location) *Service {
	return &Service{DB: db, Files: files, Loc: loc, Now: time.Now}
}

// ThisYear is the current year in the office's time zone.
func (s *Service) ThisYear() int { return s.Now().In(s.Loc).Year() }

// target is where a letter's permissions are checked: its unit and the unit's grid.
func target(l letters.Letter) auth.Target { return auth.Target{Region: l.UnitRegion, UnitID: l.UnitID} }

// unitTarget is where a unit's letters' permissions are checked.
func unitTarget(u unit.Unit) auth.Target { return auth.Target{Region: u.Region, UnitID: u.ID} }

// relations describes p for the rules, relative to a letter's (or unit's) target t.
func relations(p *auth.Principal, t auth.Target) letters.Relation {
	var r letters.Relation
	if p.Can(auth.LetterSignUnit, t) {
		r |= letters.Contact
	}
	if p.Can(auth.LetterIssue, t) {
		r |= letters.Issuer
	}
	if p.Can(auth.LetterSign, t) {
		r |= letters.Signer
	}
	if p.Can(auth.LetterTemplate, auth.Target{}) {
		r |= letters.Editor
	}
	return r
}

// CanRead reports whether p may see letter l.
func CanRead(p *auth.Principal, l letters.Letter) bool { return p.Can(auth.LetterRead, target(l)) }

// Allowed lists what p may do to l now, in the rules' order (the letter
// page's forms and the API's "actions").
func (s *Service) Allowed(p *auth.Principal, l letters.Letter) []letters.Action {
	return letters.Allowed(relations(p, target(l)), l)
}

// CanReadAny reports whether p reads letters anywhere (the menu, the list).
func (s *Service) CanReadAny(p *auth.Principal) bool { return p.CanSomewhere(auth.LetterRead) }

// CanIssue reports whether p issues letters anywhere (the issue and renew forms).
func (s *Service) CanIssue(p *auth.Principal) bool { return p.CanSomewhere(auth.LetterIssue) }

// CanEditTemplates reports whether p edits the templates.
func (s *Service) CanEditTemplates(p *auth.Principal) bool {
	return letters.Decide(relations(p, auth.Target{}), letters.Letter{}, letters.ActionEditTemplates) == nil
}

// Get returns a letter p may read, with its text and signatures; any other is not found.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (letters.Letter, error) {
	l, err := s.DB.Letter(ctx, id)
	if err != nil {
		return letters.Letter{}, err
	}
	if !CanRead(p, l) {
		return letters.Letter{}, apperr.ErrNotFound
	}
	return l, nil
}

// Breaches counts, per clause of a letter read with Get, this year's cases breaching it.
func (s *Service) Breaches(ctx context.Context, l letters.Letter) ([]int, error) {
	return s.DB.LetterBreaches(ctx, l)
}

// UnitLetter returns the current letter of a unit for year with its clause
// breaches: NotFound when it has none or p may not read it.
func (s *Service) UnitLetter(ctx context.Context, p *auth.Principal, unitID int64, year int) (letters.Letter, []int, error) {
	l, b, err := s.DB.UnitLetter(ctx, unitID, year)
	if err != nil {
		return letters.Letter{}, nil, err
	}
	if !CanRead(p, l) {
		return letters.Letter{}, nil, apperr.ErrNotFound
	}
	return l, b, nil
}

// File opens a signature image or scan of a letter p may read, with its
// format; a file that is not one of the letter's is not found.
func (s *Service) File(ctx context.Context, p *auth.Principal, id int64, fileID string) (*os.File, string, error) {
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, "", err
	}
	i := slices.IndexFunc(l.Signatures, func(sg letters.Signature) bool { return sg.FileID == fileID })
	if i < 0 {
		return nil, "", apperr.ErrNotFound
	}
	f, err := s.Files.Open(fileID)
	if err != nil {
		return nil, "", apperr.Wrap(err, apperr.NotFound, "err.not_found")
	}
	return f, l.Signatures[i].Format, nil
}

// Verify is the public check of a printed letter by the code of its QR
// code: the unit, year, state and hash. A malformed or unknown code, and a
// draft, are not found — and a letter's id is never a code.
func (s *Service) Verify(ctx context.Context, code string) (letters.Public, error) {
	if !letters.ValidVerifyCode(code) {
		return letters.Public{}, apperr.ErrNotFound
	}
	l, err := s.DB.LetterByCode(ctx, code)
	if err != nil {
		return letters.Public{}, err
	}
	pub, ok := l.Public()
	if !ok {
		return letters.Public{}, apperr.ErrNotFound
	}
	return pub, nil
}

// ---- Lists ----

// Query is the letters list's filter as people give it: the query
// parameters of GET /api/v1/letters and of the letters page.
type Query struct {
	Year   int // 0 for every year
	Region string
	Status letters.Status
	Kind   unit.Kind
	UnitID int64
	Page   store.Page
}

// ParseQuery reads the list's filter from a URL query (year, region,
// status, kind, unit; page and page_size are the caller's). A value that
// does not parse is left out of the query and reported as a field error
// named after its parameter, so that a page can show the rest.
func ParseQuery(q url.Values, defYear int) (Query, error) {
	v := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	errs := apperr.Fields{}
	out := Query{}
	y, err := letters.ParseYear(v("year"), defYear)
	if err != nil {
		errs.Add("year", "err.out_of_range")
	}
	out.Year = y
	if r := v("region"); r != "" {
		if region.ValidCode(r) {
			out.Region = r
		} else {
			errs.Add("region", "err.region_code")
		}
	}
	if st := letters.Status(v("status")); st != "" {
		if st.Valid() {
			out.Status = st
		} else {
			errs.Add("status", "err.invalid_choice")
		}
	}
	if k := unit.Kind(v("kind")); k != "" {
		if slices.Contains(unit.Kinds, k) {
			out.Kind = k
		} else {
			errs.Add("kind", "err.invalid_choice")
		}
	}
	if u := v("unit"); u != "" {
		id, err := strconv.ParseInt(u, 10, 64)
		if err != nil || id <= 0 {
			errs.Add("unit", "err.format")
		} else {
			out.UnitID = id
		}
	}
	return out, errs.Err()
}

// Filter is the store filter of the letters p may read, narrowed by q.
func Filter(p *auth.Principal, q Query) store.LetterFilter {
	return store.LetterFilter{All: p.Can(auth.LetterRead, auth.Target{}), Roots: p.Scopes(auth.LetterRead),
		UnitIDs: p.UnitScopes(auth.LetterRead), Year: q.Year, Region: q.Region, Status: string(q.Status), Kind: string(q.Kind),
		UnitID: q.UnitID, Page: q.Page}
}

// List returns a page of the letters p may read that match q, newest
// first, with the total; 403 for someone who reads no letters anywhere.
func (s *Service) List(ctx context.Context, p *auth.Principal, q Query) ([]letters.Letter, int, error) {
	if !s.CanReadAny(p) {
		return nil, 0, apperr.ErrForbidden
	}
	return s.DB.Letters(ctx, Filter(p, q))
}
