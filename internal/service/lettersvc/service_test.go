package lettersvc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/testutil"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// person is a demo person as the service sees them.
type person struct {
	p   *auth.Principal
	who store.Actor
}

func principal(t *testing.T, a *app.App, username string) person {
	p, who := testutil.As(t, a, username)
	return person{p, who}
}

func fieldKey(err error, field string) string { return apperr.As(err).Fields[field].Key }

// TestLetters walks a year of letters through the service: issuing in
// scope, signing, scans, withdrawal, lists, coverage, reminders, archiving
// and renewal, on both databases.
func TestLetters(t *testing.T) {
	testutil.EachApp(t, func(t *testing.T, a *app.App) {
		s, db, ctx := a.LetterSvc, a.DB, context.Background()
		admin, street, comm1, unit01, inspector := principal(t, a, "admin"), principal(t, a, "street"), principal(t, a, "community1"),
			principal(t, a, "unit01"), principal(t, a, "inspector")
		const year = 2026
		comm0 := storetest.ActiveUnits(t, db, demo.CommunityCode(0))
		streetUnits := storetest.ActiveUnits(t, db, demo.StreetCode)
		other := storetest.ActiveUnits(t, db, demo.CommunityCode(1))
		school := unit01.p.Roles[0].UnitID
		if len(comm0) < 3 || len(streetUnits) < 60 || school == 0 {
			t.Fatalf("demo units: %d in the community, %d in the street, unit01's %d", len(comm0), len(streetUnits), school)
		}

		// Issue to a community: every active unit there, in one go, audited per letter.
		res, err := s.Issue(ctx, comm1.who, comm1.p, lettersvc.IssueInput{Year: year, Region: demo.CommunityCode(0)})
		if err != nil || res.Issued != len(comm0) || res.Skipped != 0 || len(res.IDs) != len(comm0) {
			t.Fatalf("issue = %+v, %v; want %d", res, err, len(comm0))
		}
		if n := storetest.AuditCount(t, db, "letter", ""); n != len(comm0) {
			t.Fatalf("%d audit rows for %d letters", n, len(comm0))
		}
		// Issuing again skips them all.
		res, err = s.Issue(ctx, comm1.who, comm1.p, lettersvc.IssueInput{Year: year, Region: demo.CommunityCode(0)})
		if err != nil || res.Issued != 0 || res.Skipped != len(comm0) {
			t.Fatalf("re-issue = %+v, %v", res, err)
		}
		// Chosen units: an unknown one refuses the whole request, and so does
		// one outside the issuer's scope, with the same answer.
		before := storetest.AuditCount(t, db, "letter", "")
		_, unknown := s.Issue(ctx, admin.who, admin.p, lettersvc.IssueInput{Year: year, UnitIDs: []int64{other[0], 999999}})
		_, outside := s.Issue(ctx, comm1.who, comm1.p, lettersvc.IssueInput{Year: year, UnitIDs: []int64{other[0]}})
		for _, err := range []error{unknown, outside} {
			if fieldKey(err, "unit_ids") != "err.letter.unit_unknown" || apperr.As(err).Code != apperr.Invalid {
				t.Fatalf("unknown or unseen unit: %v", err)
			}
		}
		_, unknownRegion := s.Issue(ctx, admin.who, admin.p, lettersvc.IssueInput{Year: year, Region: "620502004099000"})
		_, outsideRegion := s.Issue(ctx, comm1.who, comm1.p, lettersvc.IssueInput{Year: year, Region: demo.CommunityCode(1)})
		_, aboveRegion := s.Issue(ctx, comm1.who, comm1.p, lettersvc.IssueInput{Year: year, Region: demo.StreetCode})
		for _, err := range []error{unknownRegion, outsideRegion, aboveRegion} {
			if fieldKey(err, "region") != "err.region_unknown" || apperr.As(err).Code != apperr.Invalid {
				t.Fatalf("unknown or unseen region: %v", err)
			}
		}
		if _, err := s.Issue(ctx, inspector.who, inspector.p, lettersvc.IssueInput{Year: year, Region: demo.CommunityCode(0)}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the inspector issues: %v", err)
		}
		if n := storetest.AuditCount(t, db, "letter", ""); n != before {
			t.Fatal("a refused issue wrote letters")
		}
		list, _ := db.LetterTemplates(ctx, year)
		_, err = s.Issue(ctx, admin.who, admin.p, lettersvc.IssueInput{Year: 2025, TemplateID: list[0].ID, UnitIDs: other[:1]})
		if fieldKey(err, "template_id") != "err.letter.template_year" {
			t.Fatalf("template of another year: %v", err)
		}
		_, err = s.Issue(ctx, admin.who, admin.p, lettersvc.IssueInput{Year: year, TemplateID: 999999, UnitIDs: other[:1]})
		if fieldKey(err, "template_id") != "err.letter.template_unknown" {
			t.Fatalf("unknown template: %v", err)
		}
		res, err = s.Issue(ctx, admin.who, admin.p, lettersvc.IssueInput{UnitIDs: []int64{school, other[1]}, TemplateID: list[0].ID})
		if err != nil || res.Issued != 2 {
			t.Fatalf("issue chosen = %+v, %v", res, err)
		}

		// The letter: text rendered for its unit, hashed, with a verification code.
		l, err := s.Get(ctx, unit01.p, res.IDs[0])
		if err != nil || l.UnitID != school || l.Status != letters.StatusIssued || l.SHA256 != letters.Hash(l.Text) || !strings.Contains(l.Text, l.UnitName) ||
			!strings.HasPrefix(l.Text, "西关街道2026年度") || len(l.Clauses) != 8 || l.IssuedAt.IsZero() || !letters.ValidVerifyCode(l.VerifyCode) {
			t.Fatalf("letter = %+v, %v", l, err)
		}
		if _, err := s.Get(ctx, comm1.p, l.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("community1 reads 市三中's letter: %v", err)
		}
		if acts := s.Allowed(unit01.p, l); len(acts) != 1 || acts[0] != letters.ActionSignUnit {
			t.Fatalf("unit01 may %v", acts)
		}

		// Sign: the unit, then the street → signed, text and hash unchanged.
		if _, err := s.Sign(ctx, unit01.who, unit01.p, l.ID, lettersvc.Signing{Party: letters.PartyStreet, Signature: bytes.NewReader(testutil.Signature(t, true))}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("unit01 signs for the street: %v", err)
		}
		if _, err := s.Sign(ctx, unit01.who, unit01.p, l.ID, lettersvc.Signing{Party: letters.PartyUnit, Signature: bytes.NewReader(testutil.Signature(t, false))}); fieldKey(err, "signature") != "err.letter.empty_signature" {
			t.Fatalf("a blank pad: %v", err)
		}
		if _, err := s.Sign(ctx, unit01.who, unit01.p, l.ID, lettersvc.Signing{Party: letters.PartyUnit, Signature: bytes.NewReader(testutil.Signature(t, true)), Name: strings.Repeat("名", 31)}); fieldKey(err, "name") != "err.too_long" {
			t.Fatalf("a long name: %v", err)
		}
		l1, err := s.Sign(ctx, unit01.who, unit01.p, l.ID, lettersvc.Signing{Party: letters.PartyUnit, Signature: bytes.NewReader(testutil.Signature(t, true)), Name: " 王伟 "})
		if err != nil || l1.Status != letters.StatusIssued || len(l1.Signatures) != 1 || l1.Signatures[0].Signer != "王伟" || l1.Signatures[0].SignerID != unit01.p.PersonID {
			t.Fatalf("unit signs = %+v, %v", l1.Signatures, err)
		}
		if _, err := s.Sign(ctx, unit01.who, unit01.p, l.ID, lettersvc.Signing{Party: letters.PartyUnit, Signature: bytes.NewReader(testutil.Signature(t, true))}); !errors.Is(err, letters.ErrPartySigned) {
			t.Fatalf("unit signs twice: %v", err)
		}
		// Without a name, the signer is the person signing.
		l2, err := s.Sign(ctx, street.who, street.p, l.ID, lettersvc.Signing{Party: letters.PartyStreet, Signature: bytes.NewReader(testutil.Signature(t, true))})
		if err != nil || l2.Status != letters.StatusSigned || l2.SignedAt.IsZero() || len(l2.Signatures) != 2 || l2.Signatures[1].Signer != street.p.Name {
			t.Fatalf("street signs = %+v, %v", l2.Status, err)
		}
		if l2.SHA256 != l.SHA256 || l2.Text != l.Text || l2.Signatures[0].SHA256 != l.SHA256 || l2.Signatures[1].Format != "png" {
			t.Fatal("signing changed the text or did not record the hash")
		}
		// Signing a signed letter is a conflict, a scan included; so is withdrawing it.
		if _, err := s.Sign(ctx, admin.who, admin.p, l.ID, lettersvc.Signing{Scan: bytes.NewReader(testutil.PDF())}); !errors.Is(err, letters.ErrSigned) || !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a scan of a signed letter: %v", err)
		}
		if _, err := s.Withdraw(ctx, admin.who, admin.p, l.ID, "x"); !errors.Is(err, letters.ErrSigned) {
			t.Fatalf("withdrawing a signed letter: %v", err)
		}
		// A scan signs for both at once.
		scanned, err := s.Sign(ctx, admin.who, admin.p, res.IDs[1], lettersvc.Signing{Scan: bytes.NewReader(testutil.PDF())})
		if err != nil || scanned.Status != letters.StatusSigned || scanned.Signatures[0].Party != letters.PartyBoth || scanned.Signatures[0].Signer != admin.p.Name {
			t.Fatalf("scan = %+v, %v", scanned.Status, err)
		}
		// The public check by code: state and hash; a draft, a wrong code or an id is not found.
		pub, err := s.Verify(ctx, l2.VerifyCode)
		if err != nil || pub != (letters.Public{Unit: l.UnitName, Year: year, Status: letters.StatusSigned, SHA256: l.SHA256}) {
			t.Fatalf("Verify = %+v, %v", pub, err)
		}
		for _, code := range []string{strconv.FormatInt(l.ID, 10), letters.NewVerifyCode(), strings.ToLower(l2.VerifyCode), "", "../" + l2.VerifyCode} {
			if _, err := s.Verify(ctx, code); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Verify(%q) = %v, want not found", code, err)
			}
		}

		// Withdraw: issuers only, with a reason; a withdrawn letter cannot be signed; the unit can get a new one.
		w := comm0[0]
		wl, _, err := s.UnitLetter(ctx, comm1.p, w, year)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Withdraw(ctx, inspector.who, inspector.p, wl.ID, "搬迁"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the inspector withdraws: %v", err)
		}
		if _, err := s.Withdraw(ctx, comm1.who, comm1.p, wl.ID, " "); fieldKey(err, "note") != "err.required" {
			t.Fatalf("withdraw without a reason: %v", err)
		}
		wd, err := s.Withdraw(ctx, comm1.who, comm1.p, wl.ID, "单位已搬离")
		if err != nil || wd.Status != letters.StatusWithdrawn || wd.Note != "单位已搬离" {
			t.Fatalf("withdraw = %+v, %v", wd, err)
		}
		if _, err := s.Sign(ctx, street.who, street.p, wl.ID, lettersvc.Signing{Party: letters.PartyStreet, Signature: bytes.NewReader(testutil.Signature(t, true))}); !errors.Is(err, letters.ErrWithdrawn) {
			t.Fatalf("signing a withdrawn letter: %v", err)
		}
		if pub, err := s.Verify(ctx, wd.VerifyCode); err != nil || pub.Status != letters.StatusWithdrawn {
			t.Fatalf("Verify a withdrawn letter = %+v, %v", pub, err)
		}
		if res, err := s.Issue(ctx, comm1.who, comm1.p, lettersvc.IssueInput{Year: year, UnitIDs: []int64{w}}); err != nil || res.Issued != 1 {
			t.Fatalf("re-issue after withdrawal = %+v, %v", res, err)
		}
		cur, _, err := s.UnitLetter(ctx, comm1.p, w, year)
		if err != nil || cur.ID == wl.ID || cur.Status != letters.StatusIssued {
			t.Fatalf("current letter = %d %s, %v", cur.ID, cur.Status, err)
		}
		// Sign one letter of community 0 for the coverage below.
		c0, _, _ := s.UnitLetter(ctx, comm1.p, comm0[1], year)
		if _, err := s.Sign(ctx, street.who, street.p, c0.ID, lettersvc.Signing{Scan: bytes.NewReader(testutil.PDF()), Name: "张三"}); err != nil {
			t.Fatal(err)
		}

		// Lists: scoped and filtered, with totals.
		for _, tc := range []struct {
			name string
			who  person
			q    lettersvc.Query
			want int
		}{
			{"All", admin, lettersvc.Query{Year: year}, len(comm0) + 3},
			{"Signed", admin, lettersvc.Query{Year: year, Status: letters.StatusSigned}, 3},
			{"Withdrawn", admin, lettersvc.Query{Status: letters.StatusWithdrawn}, 1},
			{"Community", admin, lettersvc.Query{Year: year, Region: demo.CommunityCode(0)}, len(comm0) + 1},
			{"OwnCommunity", comm1, lettersvc.Query{Year: year}, len(comm0) + 1},
			{"ScopeAndRegionDisjoint", comm1, lettersvc.Query{Region: demo.CommunityCode(1)}, 0},
			{"UnitContact", unit01, lettersvc.Query{}, 1},
			{"OtherYear", admin, lettersvc.Query{Year: 2025}, 0},
		} {
			t.Run("List"+tc.name, func(t *testing.T) {
				items, total, err := s.List(ctx, tc.who.p, tc.q)
				if err != nil || total != tc.want || len(items) != min(total, 20) {
					t.Fatalf("List = %d items, total %d, %v; want %d", len(items), total, err, tc.want)
				}
			})
		}
		if _, _, err := s.List(ctx, principal(t, a, "patrol01").p, lettersvc.Query{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a patroller lists letters: %v", err)
		}

		// Coverage adds up: by community and by kind to the total, the total to the active units.
		cov, err := s.Coverage(ctx, street.p, year, "")
		if err != nil {
			t.Fatal(err)
		}
		if cov.Total.Signed != 3 || cov.Total.Issued != len(comm0)+2-3 || cov.Total.Total() != len(streetUnits) ||
			cov.Total.NotIssued != len(streetUnits)-len(comm0)-2 {
			t.Fatalf("coverage total = %+v (street %d, community %d)", cov.Total, len(streetUnits), len(comm0))
		}
		sum := func(cs []store.CoverageCount) (s store.CoverageCount) {
			for _, c := range cs {
				s.Signed, s.Issued, s.NotIssued = s.Signed+c.Signed, s.Issued+c.Issued, s.NotIssued+c.NotIssued
			}
			return s
		}
		if s := sum(cov.Communities); s.Signed != cov.Total.Signed || s.Issued != cov.Total.Issued || s.NotIssued != cov.Total.NotIssued || len(cov.Communities) != 6 {
			t.Fatalf("communities %+v do not add up to %+v", cov.Communities, cov.Total)
		}
		if s := sum(cov.Kinds); s.Signed != cov.Total.Signed || s.Issued != cov.Total.Issued || s.NotIssued != cov.Total.NotIssued {
			t.Fatalf("kinds %+v do not add up to %+v", cov.Kinds, cov.Total)
		}
		first := cov.Communities[0]
		if first.Key != demo.CommunityCode(0) || first.Name != demo.Communities[0] || first.NotIssued != 0 || first.Signed != 1 {
			t.Fatalf("community 0 = %+v", first)
		}
		scoped, err := s.Coverage(ctx, comm1.p, year, demo.StreetCode) // narrowed to community1's own community
		if err != nil || scoped.Total.Total() != len(comm0) || len(scoped.Communities) != 1 || scoped.Total.Signed != 1 {
			t.Fatalf("community1's coverage of the street = %+v, %v", scoped.Total, err)
		}
		if _, err := s.Coverage(ctx, comm1.p, year, demo.CommunityCode(1)); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("coverage of another community: %v", err)
		}
		if _, err := s.Coverage(ctx, unit01.p, year, ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a unit contact's coverage: %v", err)
		}
		// The units not yet signed: issued and unsigned plus not issued, with what one may do.
		uns, total, err := s.Unsigned(ctx, street.p, year, "", "", store.Page{Size: 100})
		if err != nil || total != cov.Total.Issued+cov.Total.NotIssued || len(uns) != total {
			t.Fatalf("unsigned = %d (%d), %v; want %d", total, len(uns), err, cov.Total.Issued+cov.Total.NotIssued)
		}
		for _, u := range uns {
			if u.CanRemind != (u.Status == letters.StatusIssued) || u.CanIssue != (u.LetterID == 0) {
				t.Fatalf("the street's actions on %+v", u)
			}
		}
		if _, issuedOnly, _ := s.Unsigned(ctx, street.p, year, "", letters.BucketIssued, store.Page{}); issuedOnly != cov.Total.Issued {
			t.Fatalf("issued unsigned = %d, want %d", issuedOnly, cov.Total.Issued)
		}
		if _, _, err := s.Unsigned(ctx, street.p, year, "", "nope", store.Page{}); fieldKey(err, "bucket") != "err.invalid_choice" {
			t.Fatalf("a bad bucket: %v", err)
		}

		// Reminders go to the unit's contacts' inboxes.
		contacts, _ := db.UnitContacts(ctx, w)
		r, err := s.Remind(ctx, comm1.who, comm1.p, cur.ID)
		if err != nil || r.People != len(contacts) || len(contacts) == 0 {
			t.Fatalf("remind = %+v, %v (contacts %v)", r, err, contacts)
		}
		items, _, _ := db.Inbox(ctx, contacts[0], false, store.Page{})
		if len(items) != 1 || items[0].Kind != string(notify.LetterReminder) || !strings.Contains(items[0].Args, fmt.Sprintf(`"letter":%d`, cur.ID)) {
			t.Fatalf("inbox = %+v", items)
		}
		if _, err := s.Remind(ctx, street.who, street.p, l.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("reminding a signed letter: %v", err)
		}
		if _, err := s.Remind(ctx, comm1.who, comm1.p, l.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("reminding a letter outside one's scope: %v", err)
		}
		if _, err := s.RemindAll(ctx, comm1.who, comm1.p, year, demo.CommunityCode(1)); fieldKey(err, "region") != "err.region_unknown" {
			t.Fatalf("reminding all outside one's scope: %v", err)
		}
		if _, err := s.RemindAll(ctx, unit01.who, unit01.p, year, ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a unit contact reminds all: %v", err)
		}
		all, err := s.RemindAll(ctx, comm1.who, comm1.p, year, "")
		if err != nil || all.Letters != len(comm0)-1 {
			t.Fatalf("remind all = %+v, %v; want %d letters", all, err, len(comm0)-1)
		}

		// Archiving: nothing in December; the signed letters once the year is over.
		if n, err := s.Archive(ctx, time.Date(year, 12, 31, 23, 0, 0, 0, a.Loc)); err != nil || n != 0 {
			t.Fatalf("archived %d in December, %v", n, err)
		}
		if n, err := s.Archive(ctx, time.Date(year+1, 1, 1, 9, 0, 0, 0, a.Loc)); err != nil || n != 3 {
			t.Fatalf("archived %d, %v", n, err)
		}
		if ar, _ := db.Letter(ctx, l.ID); ar.Status != letters.StatusArchived || ar.SHA256 != l.SHA256 {
			t.Fatalf("archived letter = %s", ar.Status)
		}
		if n, _ := s.Archive(ctx, time.Date(year+1, 1, 2, 9, 0, 0, 0, a.Loc)); n != 0 {
			t.Fatalf("archived %d again", n)
		}

		// Renewal copies last year's list: every unit with an issued, signed or archived letter.
		if _, err := s.Renew(ctx, comm1.who, comm1.p, lettersvc.RenewInput{Year: year + 1, Region: demo.CommunityCode(1)}); fieldKey(err, "region") != "err.region_unknown" {
			t.Fatalf("renewing outside one's scope: %v", err)
		}
		if _, err := s.Renew(ctx, admin.who, admin.p, lettersvc.RenewInput{Year: 2000}); fieldKey(err, "year") != "err.out_of_range" {
			t.Fatalf("renewing for 2000: %v", err)
		}
		renewed, err := s.Renew(ctx, admin.who, admin.p, lettersvc.RenewInput{Year: year + 1})
		if err != nil || renewed.Issued != len(comm0)+2 {
			t.Fatalf("renew = %+v, %v; want %d", renewed, err, len(comm0)+2)
		}
		if nl, _ := db.Letter(ctx, renewed.IDs[0]); nl.Year != year+1 || !strings.Contains(nl.Text, "2027年") {
			t.Fatalf("renewed letter = %d %q", nl.Year, nl.Title)
		}
		if again, _ := s.Renew(ctx, admin.who, admin.p, lettersvc.RenewInput{Year: year + 1}); again.Issued != 0 || again.Skipped != len(comm0)+2 {
			t.Fatalf("renewing twice = %+v", again)
		}
	})
}

// TestTemplates: only district admins edit templates; texts are checked; versions go up.
func TestTemplates(t *testing.T) {
	testutil.EachApp(t, func(t *testing.T, a *app.App) {
		s, ctx := a.LetterSvc, context.Background()
		admin, street := principal(t, a, "admin"), principal(t, a, "street")
		site := letters.Template{Year: 2026, Kind: "site", Title: " {street}{year}年度工地扬尘防治责任书 ", Clauses: []letters.Clause{{Text: "施工扬尘防控", Categories: []string{"08004", " 08004"}}}}
		if _, err := s.SaveTemplate(ctx, street.who, street.p, site); !apperr.Is(err, apperr.Forbidden) || apperr.As(err).Msg.Key != "err.letter.forbidden" {
			t.Fatalf("a street leader adds a template: %v", err)
		}
		before := storetest.AuditCount(t, a.DB, "letter_template", "")
		for _, tc := range []struct {
			name, field, key string
			t                letters.Template
		}{
			{"ErrUnknownCategory", "clauses", "err.letter.category_unknown", letters.Template{Year: 2026, Title: "t", Clauses: []letters.Clause{{Text: "x", Categories: []string{"Z999"}}}}},
			{"ErrUnknownVariable", "title", "err.letter.unknown_variable", letters.Template{Year: 2026, Title: "{mayor}", Clauses: []letters.Clause{{Text: "x"}}}},
			{"ErrKind", "kind", "err.unit_kind", letters.Template{Year: 2026, Kind: "farm", Title: "t", Clauses: []letters.Clause{{Text: "x"}}}},
			{"ErrNoClauses", "clauses", "err.required", letters.Template{Year: 2026, Title: "t"}},
		} {
			if _, err := s.SaveTemplate(ctx, admin.who, admin.p, tc.t); fieldKey(err, tc.field) != tc.key {
				t.Errorf("%s: %v, want %s on %s", tc.name, err, tc.key, tc.field)
			}
		}
		if n := storetest.AuditCount(t, a.DB, "letter_template", ""); n != before {
			t.Fatalf("audit rows %d → %d after refused templates", before, n)
		}
		saved, err := s.SaveTemplate(ctx, admin.who, admin.p, site)
		if err != nil || saved.ID == 0 || saved.Version != 1 || saved.Title != "{street}{year}年度工地扬尘防治责任书" || len(saved.Clauses[0].Categories) != 1 {
			t.Fatalf("add = %+v, %v", saved, err)
		}
		saved.Term = "至{year}年底。"
		changed, err := s.SaveTemplate(ctx, admin.who, admin.p, saved)
		if err != nil || changed.Version != 2 {
			t.Fatalf("change = %+v, %v", changed, err)
		}
		if _, err := s.SaveTemplate(ctx, admin.who, admin.p, saved); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a stale change: %v", err)
		}
		if got, err := s.Template(ctx, principal(t, a, "inspector").p, saved.ID); err != nil || got.Version != 2 {
			t.Fatalf("the inspector reads it: %+v, %v", got, err)
		}
		if _, err := s.Template(ctx, principal(t, a, "patrol01").p, saved.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a patroller reads it: %v", err)
		}
		if !s.CanEditTemplates(admin.p) || s.CanEditTemplates(street.p) {
			t.Error("CanEditTemplates is wrong")
		}
	})
}
