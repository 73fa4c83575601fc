package lettersvc

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
)

// MaxSigner is the longest signer's name a signature takes.
const MaxSigner = 30

// Signing is a signature as sent: a drawn one (Signature, a PNG, for Party
// unit or street) or the scan of the signed paper copy (Scan: PDF, JPEG or
// PNG, for both parties). Name is who signed; empty, it is the caller's name.
type Signing struct {
	Party     letters.Party
	Signature io.Reader // nil when none was sent
	Scan      io.Reader // nil when none was sent
	Name      string
}

// kind returns what the signing is and the field its file came in, or the
// field error of a request that is neither one drawn signature nor one scan.
func (in Signing) kind() (letters.SignatureKind, letters.Party, error) {
	switch {
	case in.Signature != nil && in.Scan != nil:
		return "", "", apperr.Field("scan", "err.letter.one_file")
	case in.Scan != nil:
		return letters.KindScan, letters.PartyBoth, nil
	case in.Signature == nil && in.Party == "":
		return "", "", apperr.Field("scan", "err.required")
	case !in.Party.Valid():
		return "", "", apperr.Field("party", "err.invalid_choice")
	case in.Signature == nil:
		return "", "", apperr.Field("signature", "err.required")
	}
	return letters.KindDrawn, in.Party, nil
}

// Sign records a signature on letter id. The checks run in this order: 404
// when p may not read the letter; 422 for a request that is neither one
// drawn signature for a valid party nor one scan; 403 when p may not sign
// for that side; 409 when the letter's state does not allow it (signed,
// withdrawn, not issued, this party signed); then the signer's name and the
// file's content (413 too large, 422 not a signature or scan). The file goes
// to the file store, then the signature and the letter's new state are
// written in one transaction, audited as "sign" (or "scan").
func (s *Service) Sign(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in Signing) (letters.Letter, error) {
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return l, err
	}
	kind, party, err := in.kind()
	if err != nil {
		return l, err
	}
	if err := letters.Decide(relations(p, target(l)), l, letters.SignAction(kind, party)); err != nil {
		return l, err
	}
	errs := apperr.Fields{}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = strings.TrimSpace(p.Name)
	}
	if n := len([]rune(name)); n > MaxSigner {
		errs.Add("name", "err.too_long", MaxSigner)
	}
	var file letters.File
	var ferr error
	if kind == letters.KindScan {
		file, ferr = readChecked(in.Scan, letters.MaxScanBytes, "scan", letters.CheckScan)
	} else {
		file, ferr = readChecked(in.Signature, letters.MaxSignatureBytes, "signature", letters.CheckSignature)
	}
	if ferr != nil {
		// A file's field error joins the name's; anything else (too large, unreadable) stands alone.
		e := apperr.As(ferr)
		if e.Code != apperr.Invalid || len(e.Fields) == 0 {
			return l, ferr
		}
		for f, m := range e.Fields {
			errs.Add(f, m.Key, m.Args...)
		}
	}
	if err := errs.Err(); err != nil {
		return l, err
	}
	if err := s.Files.Put(file); err != nil {
		return l, err
	}
	sig := letters.Signature{Party: party, Kind: kind, FileID: file.SHA256, Format: file.Format, SignerID: p.PersonID, Signer: name, At: s.Now()}
	var out letters.Letter
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		cur, err := tx.Letter(ctx, id)
		if err != nil {
			return err
		}
		// Decide again on the letter as it is now: someone may have signed meanwhile.
		if err := letters.Decide(relations(p, target(cur)), cur, letters.SignAction(kind, party)); err != nil {
			return err
		}
		after, err := letters.Sign(cur, sig)
		if err != nil {
			return err
		}
		if err := tx.InsertLetterSignature(ctx, cur.ID, after.Signatures[len(after.Signatures)-1], len(file.Data)); err != nil {
			return err
		}
		action := "sign"
		if kind == letters.KindScan {
			action = "scan"
		}
		if err := tx.UpdateLetter(ctx, cur, after, action); err != nil {
			return err
		}
		out, err = tx.Letter(ctx, id)
		return err
	})
	return out, err
}

// readChecked reads an upload within max bytes and checks its content.
func readChecked(r io.Reader, max int64, field string, check func([]byte) (letters.File, error)) (letters.File, error) {
	data, err := letters.ReadUpload(r, max, field)
	if err != nil {
		return letters.File{}, err
	}
	return check(data)
}

// Withdraw takes back a draft or issued letter with a reason (note), audited:
// 404 unreadable, 403 not an issuer there, 409 signed or withdrawn, 422 no reason.
func (s *Service) Withdraw(ctx context.Context, who store.Actor, p *auth.Principal, id int64, note string) (letters.Letter, error) {
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return l, err
	}
	if err := letters.Decide(relations(p, target(l)), l, letters.ActionWithdraw); err != nil {
		return l, err
	}
	var out letters.Letter
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		cur, err := tx.Letter(ctx, id)
		if err != nil {
			return err
		}
		if err := letters.Decide(relations(p, target(cur)), cur, letters.ActionWithdraw); err != nil {
			return err
		}
		after, err := letters.Withdraw(cur, note, s.Now())
		if err != nil {
			return err
		}
		if err := tx.UpdateLetter(ctx, cur, after, "withdraw"); err != nil {
			return err
		}
		out, err = tx.Letter(ctx, id)
		return err
	})
	return out, err
}

// Reminded reports what a reminder did: letters reminded and people told.
type Reminded struct {
	Letters int
	People  int
}

// remind tells the contacts of l's unit to sign (inbox, kind
// letter_reminder), notes when, and audits it.
func remind(ctx context.Context, tx *store.Tx, l letters.Letter) (int, error) {
	n, err := tx.Notify(ctx, notify.Event{Kind: notify.LetterReminder, Record: notify.Record{Kind: "letter", ID: l.ID},
		Subject: notify.Subject{Unit: l.UnitID}, Args: map[string]any{"letter": l.ID, "year": l.Year, "unit": l.UnitName}})
	if err != nil {
		return 0, err
	}
	if err := tx.MarkLetterReminded(ctx, l.ID); err != nil {
		return 0, err
	}
	return n, tx.Audit(ctx, "letter", l.ID, "remind", nil, map[string]any{"notified": n})
}

// Remind tells the contacts of letter id's unit to sign it: 404 unreadable,
// 403 not an issuer there, 409 not an issued letter.
func (s *Service) Remind(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (Reminded, error) {
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return Reminded{}, err
	}
	if err := letters.Decide(relations(p, target(l)), l, letters.ActionRemind); err != nil {
		return Reminded{}, err
	}
	var out Reminded
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		cur, err := tx.Letter(ctx, id)
		if err != nil {
			return err
		}
		if err := letters.Decide(relations(p, target(cur)), cur, letters.ActionRemind); err != nil {
			return err
		}
		n, err := remind(ctx, tx, cur)
		out = Reminded{Letters: 1, People: n}
		return err
	})
	return out, err
}

// RemindAll reminds the units of every letter of year (0: this year) in
// region (or wherever p issues) that waits for signatures, as the rules
// choose them (issued letters of active units): 403 for who issues nowhere,
// 422 for a region p may not issue in, as for one that does not exist.
func (s *Service) RemindAll(ctx context.Context, who store.Actor, p *auth.Principal, year int, reg string) (Reminded, error) {
	if !s.CanIssue(p) {
		return Reminded{}, apperr.ErrForbidden
	}
	reg = strings.TrimSpace(reg)
	if year == 0 {
		year = s.ThisYear()
	}
	if year < letters.MinYear || year > letters.MaxYear {
		return Reminded{}, apperr.Field("year", "err.out_of_range")
	}
	if reg != "" {
		if err := s.checkRegion(ctx, p, reg); err != nil {
			return Reminded{}, err
		}
	}
	all, roots, err := p.Within(auth.LetterIssue, reg)
	if err != nil {
		return Reminded{}, err
	}
	if !all && len(roots) == 0 {
		return Reminded{}, apperr.ErrForbidden
	}
	f := store.CoverageFilter{Year: year, All: all, Roots: roots}
	var out Reminded
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		list, err := tx.UnsignedLetters(ctx, f)
		if err != nil {
			return err
		}
		for _, l := range letters.ToRemind(list) {
			if letters.Decide(relations(p, target(l)), l, letters.ActionRemind) != nil {
				continue
			}
			n, err := remind(ctx, tx, l)
			if err != nil {
				return err
			}
			out.Letters++
			out.People += n
		}
		return nil
	})
	return out, err
}

// CanRemindAll reports whether p may remind every unsigned letter of a
// region ("" for p's whole scope): the coverage panel's button.
func (s *Service) CanRemindAll(p *auth.Principal, reg string) bool {
	if reg != "" {
		return p.Can(auth.LetterIssue, auth.Target{Region: reg})
	}
	return len(p.Scopes(auth.LetterIssue)) > 0
}

// Archive files away, as the system, the signed letters of the year that
// ended before now (in the office's time zone), in one transaction with one
// audit row each, and returns how many. Running it again does nothing.
func (s *Service) Archive(ctx context.Context, now time.Time) (int, error) {
	now = now.In(s.Loc)
	n := 0
	err := s.DB.Write(ctx, store.System, func(tx *store.Tx) error {
		list, err := tx.LettersOfYear(ctx, letters.ArchiveYear(now), letters.StatusSigned)
		if err != nil {
			return err
		}
		for _, l := range list {
			if !letters.ArchiveDue(l, now) {
				continue
			}
			if err := letters.Decide(letters.System, l, letters.ActionArchive); err != nil {
				return err
			}
			after, err := letters.Archive(l, now)
			if err != nil {
				return err
			}
			if err := tx.UpdateLetter(ctx, l, after, "archive"); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
