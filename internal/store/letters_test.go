package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// fieldKey returns the message key of err's field, or "".
func fieldKey(err error, field string) string { return apperr.As(err).Fields[field].Key }

func TestLetterTemplates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		actor := store.Actor{ID: 1, Name: "admin"}
		// A fresh install has the 2026 default with the seed's clauses, tagged.
		list, err := db.LetterTemplates(ctx, 2026)
		if err != nil || len(list) != 1 {
			t.Fatalf("2026 templates = %d, %v; want the one default", len(list), err)
		}
		def := list[0]
		if def.Kind != "" || def.Version != 1 || len(def.Clauses) != 8 || len(def.StreetDuties) == 0 || len(def.UnitDuties) == 0 || def.Term == "" {
			t.Fatalf("default template = %+v, want for all kinds, version 1, 8 clauses, both parties' duties and a term", def)
		}
		tags := map[string]string{}
		for _, c := range def.Clauses {
			tags[c.Text[:strings.Index(c.Text, "：")]] = strings.Join(c.Categories, " ")
		}
		for name, want := range map[string]string{"禁止燃放烟花爆竹": "L001", "宣传环保法律法规": "", "施工扬尘防控": "08004 08007 08008 08012 08011",
			"禁止露天焚烧": "06020", "油烟净化设施": "06027 06029", "使用清洁能源": "L002", "配合巡查督查": "", "参加月末综合整治": "L005 L006 06010"} {
			if got, ok := tags[name]; !ok || got != want {
				t.Errorf("clause %s tagged %q (present %v), want %q", name, got, ok, want)
			}
		}
		text, err := letters.Render(def, letters.NewVars("华天集团", 2026, "张伟", "西关街道"))
		if err != nil || !strings.HasPrefix(text, "西关街道2026年度大气污染防治目标管理责任书\n\n") || !strings.Contains(text, "华天集团（以下简称乙方）") {
			t.Fatalf("default renders %q, %v; want the street's title and 华天集团 as party B", text, err)
		}

		// Bad templates are refused and nothing is written.
		before := auditCount(t, db, "letter_template", "")
		for _, tc := range []struct {
			name, field, key string
			t                letters.Template
		}{
			{"ErrUnknownCategory", "clauses", "err.letter.category_unknown", letters.Template{Year: 2026, Title: "t", Clauses: []letters.Clause{{Text: "x", Categories: []string{"Z999"}}}}},
			{"ErrUnknownVariable", "title", "err.letter.unknown_variable", letters.Template{Year: 2026, Title: "{mayor}", Clauses: []letters.Clause{{Text: "x"}}}},
			{"ErrKind", "kind", "err.unit_kind", letters.Template{Year: 2026, Kind: "farm", Title: "t", Clauses: []letters.Clause{{Text: "x"}}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := db.CreateLetterTemplate(ctx, actor, &tc.t); fieldKey(err, tc.field) != tc.key {
					t.Fatalf("CreateLetterTemplate = %v, want %s on %s", err, tc.key, tc.field)
				}
			})
		}
		if n := auditCount(t, db, "letter_template", ""); n != before {
			t.Fatalf("audit rows %d → %d after refused templates, want no change", before, n)
		}

		// A kind's own template; edits bump the version; a stale edit is a conflict.
		site := def
		site.ID, site.Kind, site.Title = 0, "site", "{year}年度施工工地扬尘防治责任书"
		if err := db.CreateLetterTemplate(ctx, actor, &site); err != nil || site.Version != 1 {
			t.Fatalf("create = %v, version %d; want version 1", err, site.Version)
		}
		site.Term = "至{year}年底。"
		if err := db.UpdateLetterTemplate(ctx, actor, &site); err != nil || site.Version != 2 {
			t.Fatalf("update = %v, version %d; want version 2", err, site.Version)
		}
		stale := site
		stale.Version = 1
		if err := db.UpdateLetterTemplate(ctx, actor, &stale); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale update = %v, want a conflict", err)
		}
		if got, _ := db.LetterTemplate(ctx, site.ID); got.Version != 2 || got.Term != "至{year}年底。" {
			t.Fatalf("stored = %+v, want version 2 with the new term", got)
		}
		if n := auditCount(t, db, "letter_template", itoa(site.ID)); n != 2 {
			t.Fatalf("%d audit rows for the site template, want 2", n)
		}
		// A new year starts from the latest year's templates.
		next, err := db.EnsureLetterTemplates(ctx, actor, 2027)
		if err != nil || len(next) != 2 || next[0].Year != 2027 || next[0].Version != 1 {
			t.Fatalf("2027 = %+v, %v; want the two templates copied at version 1", next, err)
		}
		again, _ := db.EnsureLetterTemplates(ctx, actor, 2027)
		if len(again) != 2 {
			t.Fatalf("ensuring twice made %d templates, want still 2", len(again))
		}
	})
}

// activeUnits returns the ids of the active units under a region.
func activeUnits(t *testing.T, db *store.DB, region string) []int64 {
	t.Helper()
	var ids []int64
	for page := 1; ; page++ {
		list, total, err := db.Units(context.Background(), store.UnitFilter{Roots: []string{demo.DistrictCode}, Region: region, Status: "active", Page: store.Page{Page: page, Size: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			ids = append(ids, u.ID)
		}
		if len(ids) >= total {
			return ids
		}
	}
}

func signature(p letters.Party, who string) letters.Signature {
	return letters.Signature{Party: p, Kind: letters.KindDrawn, FileID: letters.Hash(who), Format: "png", SignerID: 1, Signer: who}
}

// TestLetters takes letters through their life: issue, sign (on the pad and
// by scan), withdraw and re-issue, list, count coverage, remind, archive and renew.
func TestLetters(t *testing.T) { storetest.Each(t, testLetters) }

func testLetters(t *testing.T, db *store.DB) {
	seeded(t, db)
	j := &lettersLife{db: db, actor: store.Actor{ID: 1, Name: "admin"}, year: 2026,
		comm0: activeUnits(t, db, demo.CommunityCode(0)), street: activeUnits(t, db, demo.StreetCode)}
	if len(j.comm0) < 3 || len(j.street) < 60 {
		t.Fatalf("demo units: %d in the community, %d in the street; want at least 3 and 60", len(j.comm0), len(j.street))
	}
	// Each of these needs the letters as the ones before left them.
	for _, step := range []struct {
		name string
		run  func(*testing.T)
	}{{"issue", j.issue}, {"sign", j.sign}, {"withdraw", j.withdraw}} {
		if !t.Run(step.name, step.run) {
			return
		}
	}
	t.Run("lists", j.lists)
	t.Run("coverage", j.coverage)
	t.Run("reminders", j.reminders)
	t.Run("archive and renew", j.archiveAndRenew)
}

// lettersLife is what the steps of TestLetters hand on.
type lettersLife struct {
	db            *store.DB
	actor         store.Actor
	year          int
	comm0, street []int64        // active units of community 0 and of the street
	other         []int64        // active units of community 1, two of which get letters
	chosen        []int64        // the letters issued to those two
	l             letters.Letter // the first of them, signed by both parties
	w             int64          // the unit whose letter is withdrawn and issued anew
	cur           letters.Letter // its new letter
}

// issue: to a community (once, then skipping), and to chosen units.
func (j *lettersLife) issue(t *testing.T) {
	ctx, db, actor, year, comm0 := context.Background(), j.db, j.actor, j.year, j.comm0
	// Issue to a community: every active unit there, in one go, audited per letter.
	res, err := db.IssueLetters(ctx, actor, store.IssueRequest{Year: year, Region: demo.CommunityCode(0)})
	if err != nil || res.Issued != len(comm0) || res.Skipped != 0 || len(res.IDs) != len(comm0) {
		t.Fatalf("issue = %+v, %v; want %d", res, err, len(comm0))
	}
	if n := auditCount(t, db, "letter", ""); n != len(comm0) {
		t.Fatalf("%d audit rows for %d letters, want one each", n, len(comm0))
	}
	// Issuing again skips them all.
	res, err = db.IssueLetters(ctx, actor, store.IssueRequest{Year: year, Region: demo.CommunityCode(0)})
	if err != nil || res.Issued != 0 || res.Skipped != len(comm0) {
		t.Fatalf("re-issue = %+v, %v; want all %d skipped", res, err, len(comm0))
	}
	// Chosen units: an unknown one refuses the whole request.
	before := auditCount(t, db, "letter", "")
	other := activeUnits(t, db, demo.CommunityCode(1))
	_, err = db.IssueLetters(ctx, actor, store.IssueRequest{Year: year, UnitIDs: []int64{other[0], 999999}})
	if fieldKey(err, "unit_ids") != "err.letter.unit_unknown" {
		t.Fatalf("unknown unit: %v, want err.letter.unit_unknown on unit_ids", err)
	}
	if n := auditCount(t, db, "letter", ""); n != before {
		t.Fatalf("a refused issue wrote letters: %d audit rows, want %d", auditCount(t, db, "letter", ""), before)
	}
	list, _ := db.LetterTemplates(ctx, year)
	_, err = db.IssueLetters(ctx, actor, store.IssueRequest{Year: 2025, TemplateID: list[0].ID, UnitIDs: other[:1]})
	if fieldKey(err, "template_id") != "err.letter.template_year" {
		t.Fatalf("template of another year: %v, want err.letter.template_year on template_id", err)
	}
	res, err = db.IssueLetters(ctx, actor, store.IssueRequest{Year: year, UnitIDs: other[:2], TemplateID: list[0].ID})
	if err != nil || res.Issued != 2 {
		t.Fatalf("issue chosen = %+v, %v; want 2 issued", res, err)
	}
	j.other, j.chosen = other, res.IDs
}

// sign: on the pad by the unit then the street, by scan; a signed letter
// takes no more signatures and cannot be withdrawn.
func (j *lettersLife) sign(t *testing.T) {
	ctx, db, actor := context.Background(), j.db, j.actor
	// The letter: text rendered for its unit, hashed.
	l, err := db.Letter(ctx, j.chosen[0])
	if err != nil || l.Status != letters.StatusIssued || l.SHA256 != letters.Hash(l.Text) || !strings.Contains(l.Text, l.UnitName) ||
		!strings.HasPrefix(l.Text, "西关街道2026年度") || len(l.Clauses) != 8 || l.IssuedAt.IsZero() || l.UnitRegion == "" {
		t.Fatalf("letter = %+v, %v; want issued, hashed, its unit named in the 2026 text with 8 clauses", l, err)
	}

	// Sign: unit then street → signed, text and hash unchanged.
	l1, err := db.SignLetter(ctx, actor, l.ID, signature(letters.PartyUnit, "王伟"), 1200)
	if err != nil || l1.Status != letters.StatusIssued || len(l1.Signatures) != 1 {
		t.Fatalf("unit signs = %v with %d signatures, %v; want issued with 1", l1.Status, len(l1.Signatures), err)
	}
	if _, err := db.SignLetter(ctx, actor, l.ID, signature(letters.PartyUnit, "王伟"), 1200); !errors.Is(err, letters.ErrPartySigned) {
		t.Fatalf("unit signs twice: %v, want letters.ErrPartySigned", err)
	}
	l2, err := db.SignLetter(ctx, actor, l.ID, signature(letters.PartyStreet, "李娜"), 900)
	if err != nil || l2.Status != letters.StatusSigned || l2.SignedAt.IsZero() || len(l2.Signatures) != 2 {
		t.Fatalf("street signs = %+v with %d signatures, %v; want signed with 2 and a time", l2.Status, len(l2.Signatures), err)
	}
	if l2.SHA256 != l.SHA256 || l2.Text != l.Text || l2.Signatures[0].SHA256 != l.SHA256 || l2.Signatures[1].Signer != "李娜" || l2.Signatures[1].Format != "png" {
		t.Fatal("signing changed the text or did not record the hash, want the text kept and its hash on each signature")
	}
	// Signing a signed letter is a conflict, a scan included; so is withdrawing it.
	for _, s := range []letters.Signature{signature(letters.PartyStreet, "x"), {Kind: letters.KindScan, FileID: letters.Hash("scan"), Format: "pdf", Signer: "x"}} {
		if _, err := db.SignLetter(ctx, actor, l.ID, s, 10); !errors.Is(err, letters.ErrSigned) || !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("signing a signed letter: %v, want letters.ErrSigned as a conflict", err)
		}
	}
	if _, err := db.WithdrawLetter(ctx, actor, l.ID, "x"); !errors.Is(err, letters.ErrSigned) {
		t.Fatalf("withdrawing a signed letter: %v, want letters.ErrSigned", err)
	}
	// A scan signs for both at once.
	scanned, err := db.SignLetter(ctx, actor, j.chosen[1], letters.Signature{Kind: letters.KindScan, FileID: letters.Hash("scan"), Format: "pdf", SignerID: 1, Signer: "李娜"}, 20000)
	if err != nil || scanned.Status != letters.StatusSigned || scanned.Signatures[0].Party != letters.PartyBoth {
		t.Fatalf("scan = %+v, %v; want signed by both parties at once", scanned.Status, err)
	}
	j.l = l
}

// withdraw: a reason is needed; a withdrawn letter cannot be signed; the unit can get a new one.
func (j *lettersLife) withdraw(t *testing.T) {
	ctx, db, actor, year, comm0 := context.Background(), j.db, j.actor, j.year, j.comm0
	w := comm0[0]
	wl, _, err := db.UnitLetter(ctx, w, year)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.WithdrawLetter(ctx, actor, wl.ID, " "); fieldKey(err, "note") != "err.required" {
		t.Fatalf("withdraw without a reason: %v, want err.required on note", err)
	}
	wd, err := db.WithdrawLetter(ctx, actor, wl.ID, "单位已搬离")
	if err != nil || wd.Status != letters.StatusWithdrawn || wd.Note != "单位已搬离" {
		t.Fatalf("withdraw = %+v, %v; want withdrawn with the reason", wd, err)
	}
	if _, err := db.SignLetter(ctx, actor, wl.ID, signature(letters.PartyUnit, "x"), 1); !errors.Is(err, letters.ErrWithdrawn) {
		t.Fatalf("signing a withdrawn letter: %v, want letters.ErrWithdrawn", err)
	}
	if res, err := db.IssueLetters(ctx, actor, store.IssueRequest{Year: year, UnitIDs: []int64{w}}); err != nil || res.Issued != 1 {
		t.Fatalf("re-issue after withdrawal = %+v, %v; want 1 issued", res, err)
	}
	// Its new letter is now its current one.
	cur, _, err := db.UnitLetter(ctx, w, year)
	if err != nil || cur.ID == wl.ID || cur.Status != letters.StatusIssued {
		t.Fatalf("current letter = %d %s, %v; want a new issued letter, not %d", cur.ID, cur.Status, err, wl.ID)
	}
	// Sign one letter of community 0 for the coverage below.
	c0, _, _ := db.UnitLetter(ctx, comm0[1], year)
	if _, err := db.SignLetter(ctx, actor, c0.ID, letters.Signature{Kind: letters.KindScan, FileID: letters.Hash("scan2"), Format: "jpeg", Signer: "张三"}, 1); err != nil {
		t.Fatal(err)
	}
	j.w, j.cur = w, cur
}

// lists: filters and totals.
func (j *lettersLife) lists(t *testing.T) {
	ctx, db, year, comm0, w := context.Background(), j.db, j.year, j.comm0, j.w
	for _, tc := range []struct {
		name string
		f    store.LetterFilter
		want int
	}{
		{"All", store.LetterFilter{All: true, Year: year}, len(comm0) + 3},
		{"Signed", store.LetterFilter{All: true, Year: year, Status: "signed"}, 3},
		{"Withdrawn", store.LetterFilter{All: true, Status: "withdrawn"}, 1},
		{"Community", store.LetterFilter{All: true, Year: year, Region: demo.CommunityCode(0)}, len(comm0) + 1},
		{"ScopedToOtherCommunity", store.LetterFilter{Roots: []string{demo.CommunityCode(1)}, Year: year}, 2},
		{"ScopeAndRegionDisjoint", store.LetterFilter{Roots: []string{demo.CommunityCode(1)}, Region: demo.CommunityCode(0)}, 0},
		{"UnitContact", store.LetterFilter{UnitIDs: []int64{w}}, 2},
		{"NoScope", store.LetterFilter{Year: year}, 0},
		{"OtherYear", store.LetterFilter{All: true, Year: 2025}, 0},
	} {
		t.Run("List"+tc.name, func(t *testing.T) {
			items, total, err := db.Letters(ctx, tc.f)
			if err != nil || total != tc.want || len(items) != min(total, 20) {
				t.Fatalf("Letters = %d items, total %d, %v; want %d", len(items), total, err, tc.want)
			}
		})
	}
}

// coverage adds up: by community and by kind to the total, the total to the
// active units; the units not yet signed are listed.
func (j *lettersLife) coverage(t *testing.T) {
	ctx, db, year, comm0, street, other := context.Background(), j.db, j.year, j.comm0, j.street, j.other
	cov, err := db.LetterCoverage(ctx, store.CoverageFilter{Year: year, All: true, Region: demo.StreetCode})
	if err != nil {
		t.Fatal(err)
	}
	if cov.Total.Signed != 3 || cov.Total.Issued != len(comm0)+2-3 || cov.Total.Total() != len(street) ||
		cov.Total.NotIssued != len(street)-len(comm0)-2 {
		t.Fatalf("coverage total = %+v (street %d, community %d); want 3 signed, %d issued, %d not issued",
			cov.Total, len(street), len(comm0), len(comm0)+2-3, len(street)-len(comm0)-2)
	}
	sum := func(cs []store.CoverageCount) (s store.CoverageCount) {
		for _, c := range cs {
			s.Signed, s.Issued, s.NotIssued = s.Signed+c.Signed, s.Issued+c.Issued, s.NotIssued+c.NotIssued
		}
		return s
	}
	if s := sum(cov.Communities); s.Signed != cov.Total.Signed || s.Issued != cov.Total.Issued || s.NotIssued != cov.Total.NotIssued || len(cov.Communities) != 6 {
		t.Fatalf("communities %+v do not add up to %+v, want six that do", cov.Communities, cov.Total)
	}
	if s := sum(cov.Kinds); s.Signed != cov.Total.Signed || s.Issued != cov.Total.Issued || s.NotIssued != cov.Total.NotIssued {
		t.Fatalf("kinds %+v do not add up to %+v, want them to", cov.Kinds, cov.Total)
	}
	first := cov.Communities[0]
	if first.Key != demo.CommunityCode(0) || first.Name != demo.Communities[0] || first.NotIssued != 0 || first.Signed != 1 {
		t.Fatalf("community 0 = %+v, want %s named %s first, all issued, 1 signed", first, demo.CommunityCode(0), demo.Communities[0])
	}
	scoped, _ := db.LetterCoverage(ctx, store.CoverageFilter{Year: year, Roots: []string{demo.CommunityCode(1)}})
	if scoped.Total.Total() != len(other) || len(scoped.Communities) != 1 || scoped.Total.Signed != 2 {
		t.Fatalf("scoped coverage = %+v, want community 1 alone: %d units, 2 signed", scoped, len(other))
	}
	// The units not yet signed: issued and unsigned plus not issued.
	uns, total, err := db.UnsignedLetterUnits(ctx, store.CoverageFilter{Year: year, All: true, Page: store.Page{Size: 100}})
	if err != nil || total != cov.Total.Issued+cov.Total.NotIssued || len(uns) != total {
		t.Fatalf("unsigned = %d (%d), %v; want %d", total, len(uns), err, cov.Total.Issued+cov.Total.NotIssued)
	}
	_, issuedOnly, _ := db.UnsignedLetterUnits(ctx, store.CoverageFilter{Year: year, All: true, Bucket: letters.BucketIssued})
	if issuedOnly != cov.Total.Issued {
		t.Fatalf("issued unsigned = %d, want %d", issuedOnly, cov.Total.Issued)
	}
}

// reminders go to the unit's contacts' inboxes.
func (j *lettersLife) reminders(t *testing.T) {
	ctx, db, actor, year, comm0, w, cur, l := context.Background(), j.db, j.actor, j.year, j.comm0, j.w, j.cur, j.l
	contacts, _ := db.UnitContacts(ctx, w)
	r, err := db.RemindLetter(ctx, actor, cur.ID)
	if err != nil || r.People != len(contacts) || len(contacts) == 0 {
		t.Fatalf("remind = %+v, %v (contacts %v); want each contact told", r, err, contacts)
	}
	items, _, _ := db.Inbox(ctx, contacts[0], false, store.Page{})
	if len(items) != 1 || items[0].Kind != string(notify.LetterReminder) || !strings.Contains(items[0].Args, fmt.Sprintf(`"letter":%d`, cur.ID)) {
		t.Fatalf("inbox = %+v", items)
	}
	if _, err := db.RemindLetter(ctx, actor, l.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("reminding a signed letter: %v, want a conflict", err)
	}
	all, err := db.RemindUnsigned(ctx, actor, store.CoverageFilter{Year: year, Roots: []string{demo.CommunityCode(0)}})
	if err != nil || all.Letters != len(comm0)-1 {
		t.Fatalf("remind all = %+v, %v; want %d letters", all, err, len(comm0)-1)
	}
}

// archiveAndRenew: archiving a year that is over; renewal copies its list.
func (j *lettersLife) archiveAndRenew(t *testing.T) {
	ctx, db, actor, year, comm0, l := context.Background(), j.db, j.actor, j.year, j.comm0, j.l
	// Archiving a year that is over.
	if n, err := db.ArchiveLetters(ctx, actor, year); err != nil || n != 3 {
		t.Fatalf("archived %d, %v; want the 3 signed letters", n, err)
	}
	if a, _ := db.Letter(ctx, l.ID); a.Status != letters.StatusArchived || a.SHA256 != l.SHA256 {
		t.Fatalf("archived letter = %s, want archived with its hash kept", a.Status)
	}

	// Renewal copies last year's list: every unit with an issued or signed letter.
	renewed, err := db.RenewLetters(ctx, actor, store.RenewRequest{Year: year + 1, Roots: []string{demo.DistrictCode}})
	if err != nil || renewed.Issued != len(comm0)+2 {
		t.Fatalf("renew = %+v, %v; want %d", renewed, err, len(comm0)+2)
	}
	if nl, _ := db.Letter(ctx, renewed.IDs[0]); nl.Year != year+1 || !strings.Contains(nl.Text, "2027年") {
		t.Fatalf("renewed letter = %d %q, want a %d letter whose text says 2027年", nl.Year, nl.Title, year+1)
	}
	if again, _ := db.RenewLetters(ctx, actor, store.RenewRequest{Year: year + 1, Roots: []string{demo.DistrictCode}}); again.Issued != 0 || again.Skipped != len(comm0)+2 {
		t.Fatalf("renewing twice = %+v, want nothing issued and %d skipped", again, len(comm0)+2)
	}
}

func TestLetterBreaches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		actor := store.Actor{ID: 1, Name: "admin"}
		u := activeUnits(t, db, demo.GridCode(0, 0))
		var id int64
		if len(u) > 0 {
			id = u[0]
		} else {
			id = activeUnits(t, db, demo.CommunityCode(0))[0]
		}
		un, _ := db.Unit(ctx, id)
		loc := time.FixedZone("CST", 8*3600)
		n := 0
		add := func(category string, day time.Time, status cases.Status) {
			n++
			c := cases.Case{Snapshot: cases.Snapshot{Category: category, Lat: un.Lat, Lon: un.Lon, ReportedAt: day, Status: status,
				Class: cases.ClassEscalated, Severity: cases.SeverityMinor, Level: 3, Version: 1},
				ClientID: fmt.Sprintf("breach-%d", n), Description: "测试", Region: un.Region, UnitID: id, Source: cases.SourcePatrol,
				Held: demo.CommunityCode(0), Day: day.Format("2006-01-02"), UpdatedAt: day}
			if err := db.Write(ctx, actor, func(tx *store.Tx) error { return tx.InsertCaseHistory(ctx, "XG", &c, nil) }); err != nil {
				t.Fatal(err)
			}
		}
		in := time.Date(2026, 5, 4, 10, 0, 0, 0, loc)
		add("L001", in, cases.StatusClosed)
		add("L001", in.AddDate(0, 1, 0), cases.StatusFiled)
		add("08004", in, cases.StatusAssigned)
		add("06010", in, cases.StatusClosed)
		add("L001", time.Date(2025, 12, 31, 23, 0, 0, 0, loc), cases.StatusClosed) // last year
		add("L001", in, cases.StatusRejected)                                      // invalid
		add("L999", in, cases.StatusClosed)                                        // on no clause
		if _, _, err := db.UnitLetter(ctx, id, 2026); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("no letter yet: %v, want not found", err)
		}
		if _, err := db.IssueLetters(ctx, actor, store.IssueRequest{Year: 2026, UnitIDs: []int64{id}}); err != nil {
			t.Fatal(err)
		}
		l, got, err := db.UnitLetter(ctx, id, 2026)
		if err != nil {
			t.Fatal(err)
		}
		// Clauses: fireworks, law, dust, burning, fumes, coal, patrols, clean-up.
		want := []int{2, 0, 1, 0, 0, 0, 0, 1}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(l.Clauses) != len(want) {
			t.Fatalf("breaches = %v, want %v", got, want)
		}
	})
}
