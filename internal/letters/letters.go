// Package letters holds the target-management responsibility letter
// (目标管理责任书) that the street signs with each of its units every year:
// templates with numbered clauses and variables, the exact rendered text and
// its SHA-256, the letter's states (draft → issued → signed → archived, or
// withdrawn with a reason), signing by drawn signatures or a scanned paper
// copy, the content checks of those files, a content-addressed file store,
// the QR code of the print view with its random verification code, and the
// count of clause breaches. The rule table (rules.go: who may do what to a
// letter in which state, Decide/Allowed) and the issuing rules (issue.go:
// years, skipped units, representative, template, whom to remind, when to
// archive) are what the letters service (internal/service/lettersvc) runs.
// It is pure apart from FileStore and the random source of NewVerifyCode:
// the store persists what these functions return, the web and API layers
// translate their message keys.
package letters

import (
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Status is where a letter stands.
type Status string

// The states of a letter.
const (
	StatusDraft     Status = "draft"     // prepared, not yet given to the unit
	StatusIssued    Status = "issued"    // given to the unit, waiting for signatures
	StatusSigned    Status = "signed"    // both parties signed, or a signed scan is on file
	StatusArchived  Status = "archived"  // a signed letter whose year is over
	StatusWithdrawn Status = "withdrawn" // taken back before signing, with a reason
)

// Statuses lists every status in order.
var Statuses = []Status{StatusDraft, StatusIssued, StatusSigned, StatusArchived, StatusWithdrawn}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Final reports whether the letter's text can no longer change: it is
// signed, archived or withdrawn.
func (s Status) Final() bool {
	return s == StatusSigned || s == StatusArchived || s == StatusWithdrawn
}

// Coverage buckets: how a unit stands for a year.
const (
	BucketSigned    = "signed"     // signed or archived
	BucketIssued    = "issued"     // issued and not yet signed
	BucketNotIssued = "not_issued" // no letter, only a draft, or only withdrawn ones
)

// Bucket returns the coverage bucket of a unit whose letter for the year is
// in status s ("" when it has none).
func Bucket(s Status) string {
	switch s {
	case StatusSigned, StatusArchived:
		return BucketSigned
	case StatusIssued:
		return BucketIssued
	}
	return BucketNotIssued
}

// Party is who a signature is for.
type Party string

// The parties: the unit (乙方) and the street office (甲方); a scan of the
// signed paper copy is for both.
const (
	PartyUnit   Party = "unit"
	PartyStreet Party = "street"
	PartyBoth   Party = "both"
)

// Valid reports whether p is a party that draws a signature (unit or street).
func (p Party) Valid() bool { return p == PartyUnit || p == PartyStreet }

// SignatureKind is how a letter was signed.
type SignatureKind string

// The kinds of signature.
const (
	KindDrawn SignatureKind = "drawn" // a signature drawn on screen, stored as a PNG
	KindScan  SignatureKind = "scan"  // a scan of the signed paper copy (PDF, JPEG or PNG)
)

// Signature is one party's signature (or the scan for both) as stored with
// the letter: the file, who signed, when, and the SHA-256 of the text signed.
type Signature struct {
	Party    Party
	Kind     SignatureKind
	FileID   string // the file's SHA-256, its id in a FileStore
	Format   string // png, jpeg or pdf
	SignerID int64  // the signed-in person who recorded it
	Signer   string // the name of the person who signed
	SHA256   string // the letter text's hash when signed
	At       time.Time
}

// Letter is one unit's letter for one year.
type Letter struct {
	ID              int64
	UnitID          int64
	Year            int
	TemplateID      int64
	TemplateVersion int
	Status          Status
	Title           string
	Text            string // the exact rendered text, title included
	SHA256          string // of Text
	Clauses         []Clause
	Representative  string
	Note            string // the reason of a withdrawal
	IssuedAt        time.Time
	SignedAt        time.Time
	WithdrawnAt     time.Time
	ArchivedAt      time.Time
	RemindedAt      time.Time
	Version         int // starts at 1, +1 on every change
	Signatures      []Signature
	// VerifyCode is the random code of the public verification page (see
	// NewVerifyCode); "" until the letter is stored.
	VerifyCode string

	// Of the unit, for lists (not stored with the letter).
	UnitName   string
	UnitKind   string
	UnitRegion string
	UnitStatus string
}

// HasSigned reports whether party p's signature is on file (a scan counts for both).
func (l Letter) HasSigned(p Party) bool {
	return slices.ContainsFunc(l.Signatures, func(s Signature) bool { return s.Party == p || s.Party == PartyBoth })
}

// Complete reports whether the letter has what makes it signed: both
// parties' signatures, or a scan.
func (l Letter) Complete() bool { return l.HasSigned(PartyUnit) && l.HasSigned(PartyStreet) }

// The errors of the state changes; all are conflicts (HTTP 409).
var (
	ErrState       = apperr.New(apperr.Conflict, "err.letter.state")
	ErrSigned      = apperr.New(apperr.Conflict, "err.letter.signed")
	ErrWithdrawn   = apperr.New(apperr.Conflict, "err.letter.withdrawn")
	ErrPartySigned = apperr.New(apperr.Conflict, "err.letter.party_signed")
)

// stateErr explains why a letter in status s cannot be signed or changed.
func stateErr(s Status) error {
	switch s {
	case StatusSigned, StatusArchived:
		return ErrSigned
	case StatusWithdrawn:
		return ErrWithdrawn
	}
	return ErrState
}

// New returns a draft letter with t rendered for v. It refuses a template
// with an unknown variable.
func New(t Template, unitID int64, v Vars) (Letter, error) {
	text, err := Render(t, v)
	if err != nil {
		return Letter{}, err
	}
	return Letter{UnitID: unitID, Year: t.Year, TemplateID: t.ID, TemplateVersion: t.Version, Status: StatusDraft,
		Title: substitute(t.Title, v), Text: text, SHA256: Hash(text), Clauses: slices.Clone(t.Clauses),
		Representative: strings.TrimSpace(v[VarRepresentative]), Version: 1}, nil
}

// Issue gives a draft letter to the unit.
func Issue(l Letter, at time.Time) (Letter, error) {
	if l.Status != StatusDraft {
		return l, stateErr(l.Status)
	}
	l.Status, l.IssuedAt = StatusIssued, at
	l.Version++
	return l, nil
}

// Revise replaces the text of a letter nobody has signed yet (a draft, or
// an issued letter without signatures), with its title and clauses.
func Revise(l Letter, title, text string, clauses []Clause) (Letter, error) {
	if l.Status.Final() {
		return l, stateErr(l.Status)
	}
	if len(l.Signatures) > 0 {
		return l, ErrPartySigned
	}
	l.Title, l.Text, l.SHA256, l.Clauses = title, text, Hash(text), slices.Clone(clauses)
	l.Version++
	return l, nil
}

// Withdraw takes back a draft or issued letter; the reason is required.
func Withdraw(l Letter, note string, at time.Time) (Letter, error) {
	if l.Status != StatusDraft && l.Status != StatusIssued {
		return l, stateErr(l.Status)
	}
	note = strings.TrimSpace(note)
	switch n := len([]rune(note)); {
	case n == 0:
		return l, apperr.Field("note", "err.required")
	case n > 500:
		return l, apperr.Field("note", "err.too_long", 500)
	}
	l.Status, l.Note, l.WithdrawnAt = StatusWithdrawn, note, at
	l.Version++
	return l, nil
}

// Sign adds a signature to an issued letter: a drawn one for the unit or the
// street, or a scan (Kind KindScan, which is for both parties). The letter
// becomes signed once it is Complete; its text and hash never change. It
// refuses a letter that is not issued (ErrSigned for a signed or archived
// one, ErrWithdrawn, ErrState for a draft) and a party that has signed
// already (ErrPartySigned). The signature records the text's hash.
func Sign(l Letter, s Signature) (Letter, error) {
	if l.Status != StatusIssued {
		return l, stateErr(l.Status)
	}
	switch s.Kind {
	case KindScan:
		s.Party = PartyBoth
	case KindDrawn:
		if !s.Party.Valid() {
			return l, apperr.Field("party", "err.invalid_choice")
		}
		if l.HasSigned(s.Party) {
			return l, ErrPartySigned
		}
	default:
		return l, apperr.Field("signature", "err.required")
	}
	if s.FileID == "" {
		return l, apperr.Field("signature", "err.required")
	}
	s.Signer = strings.TrimSpace(s.Signer)
	switch n := len([]rune(s.Signer)); {
	case n == 0:
		return l, apperr.Field("name", "err.required")
	case n > 30:
		return l, apperr.Field("name", "err.too_long", 30)
	}
	s.SHA256 = l.SHA256
	l.Signatures = append(slices.Clone(l.Signatures), s)
	if l.Complete() {
		l.Status, l.SignedAt = StatusSigned, s.At
	}
	l.Version++
	return l, nil
}

// CheckSignable reports, before any file is read, whether a signature of
// kind for party could be added to l now: the conflicts of Sign, without
// the signature itself.
func CheckSignable(l Letter, kind SignatureKind, party Party) error {
	if l.Status != StatusIssued {
		return stateErr(l.Status)
	}
	if kind == KindDrawn && party.Valid() && l.HasSigned(party) {
		return ErrPartySigned
	}
	return nil
}

// Archive files a signed letter away once its year is over.
func Archive(l Letter, at time.Time) (Letter, error) {
	if l.Status != StatusSigned {
		return l, stateErr(l.Status)
	}
	l.Status, l.ArchivedAt = StatusArchived, at
	l.Version++
	return l, nil
}

// Breaches counts, per clause, the cases that breach it: counts holds the
// number of cases per category code and parents each category's parent, so
// that a clause tagged with a parent code ("08") covers its children. A case
// counts once per clause however many of the clause's tags match it.
func Breaches(clauses []Clause, counts map[string]int, parents map[string]string) []int {
	out := make([]int, len(clauses))
	for i, c := range clauses {
		for code, n := range counts {
			if slices.Contains(c.Categories, code) || (parents[code] != "" && slices.Contains(c.Categories, parents[code])) {
				out[i] += n
			}
		}
	}
	return out
}
