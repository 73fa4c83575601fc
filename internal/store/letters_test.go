package store_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/unit"
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
			t.Fatalf("2026 templates = %d, %v", len(list), err)
		}
		def := list[0]
		if def.Kind != "" || def.Version != 1 || len(def.Clauses) != 8 || len(def.StreetDuties) == 0 || len(def.UnitDuties) == 0 || def.Term == "" {
			t.Fatalf("default template = %+v", def)
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
			t.Fatalf("default renders %q, %v", text, err)
		}

		// Clauses tagged with unknown categories are refused and nothing is written.
		before := storetest.AuditCount(t, db, "letter_template", "")
		bad := letters.Template{Year: 2026, Title: "t", Clauses: []letters.Clause{{Text: "x", Categories: []string{"08004", "Z999"}}}}
		if err := db.Write(ctx, actor, func(tx *store.Tx) error { return tx.InsertLetterTemplate(ctx, &bad) }); fieldKey(err, "clauses") != "err.letter.category_unknown" {
			t.Fatalf("InsertLetterTemplate with Z999 = %v", err)
		}
		if n := storetest.AuditCount(t, db, "letter_template", ""); n != before {
			t.Fatalf("audit rows %d → %d after a refused template", before, n)
		}

		// A kind's own template; edits bump the version; a stale edit is a conflict.
		site := def
		site.ID, site.Kind, site.Title = 0, "site", "{year}年度施工工地扬尘防治责任书"
		write := func(fn func(tx *store.Tx) error) error { return db.Write(ctx, actor, fn) }
		if err := write(func(tx *store.Tx) error { return tx.InsertLetterTemplate(ctx, &site) }); err != nil || site.Version != 1 {
			t.Fatalf("create = %v, version %d", err, site.Version)
		}
		site.Term = "至{year}年底。"
		if err := write(func(tx *store.Tx) error { return tx.UpdateLetterTemplate(ctx, &site) }); err != nil || site.Version != 2 {
			t.Fatalf("update = %v, version %d", err, site.Version)
		}
		stale := site
		stale.Version = 1
		if err := write(func(tx *store.Tx) error { return tx.UpdateLetterTemplate(ctx, &stale) }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale update = %v", err)
		}
		missing := site
		missing.ID = 999999
		if err := write(func(tx *store.Tx) error { return tx.UpdateLetterTemplate(ctx, &missing) }); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("update of a missing template = %v", err)
		}
		if got, _ := db.LetterTemplate(ctx, site.ID); got.Version != 2 || got.Term != "至{year}年底。" {
			t.Fatalf("stored = %+v", got)
		}
		if n := storetest.AuditCount(t, db, "letter_template", itoa(site.ID)); n != 2 {
			t.Fatalf("%d audit rows for the site template, want 2", n)
		}
		// A new year starts from the latest year's templates.
		next, err := db.EnsureLetterTemplates(ctx, actor, 2027)
		if err != nil || len(next) != 2 || next[0].Year != 2027 || next[0].Version != 1 {
			t.Fatalf("2027 = %+v, %v", next, err)
		}
		again, _ := db.EnsureLetterTemplates(ctx, actor, 2027)
		if len(again) != 2 {
			t.Fatalf("ensuring twice made %d templates", len(again))
		}
	})
}

// issueTo stores an issued letter for year to each unit of ids through the
// store's primitives, as the letters service does, and returns them.
func issueTo(t *testing.T, db *store.DB, year int, ids ...int64) []letters.Letter {
	t.Helper()
	ctx := context.Background()
	var out []letters.Letter
	err := db.Write(ctx, store.Actor{ID: 1, Name: "admin"}, func(tx *store.Tx) error {
		templates, err := tx.EnsureLetterTemplates(ctx, year)
		if err != nil {
			return err
		}
		units, err := tx.LetterUnits(ctx, ids)
		if err != nil {
			return err
		}
		for _, u := range units {
			l, err := letters.ForUnit(templates, u, year, "西关街道", time.Date(year, 3, 1, 9, 0, 0, 0, time.UTC))
			if err != nil {
				return err
			}
			if err := tx.InsertLetter(ctx, &l); err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	if err != nil || len(out) != len(ids) {
		t.Fatalf("issue to %v: %d letters, %v", ids, len(out), err)
	}
	return out
}

// TestLetterPrimitives: a stored letter comes back whole, with a
// verification code found by LetterByCode; a second current letter for the
// unit's year is refused; a signature's party signs once; the year's
// letters and the unsigned ones are found; versions guard updates.
func TestLetterPrimitives(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		actor := store.Actor{ID: 1, Name: "admin"}
		comm0 := storetest.ActiveUnits(t, db, demo.CommunityCode(0))
		ls := issueTo(t, db, 2026, comm0[:3]...)
		l, err := db.Letter(ctx, ls[0].ID)
		if err != nil || l.Status != letters.StatusIssued || l.SHA256 != letters.Hash(l.Text) || l.UnitRegion == "" || l.UnitStatus != "active" ||
			!letters.ValidVerifyCode(l.VerifyCode) || l.VerifyCode != ls[0].VerifyCode || len(l.Clauses) != 8 {
			t.Fatalf("letter = %+v, %v", l, err)
		}
		byCode, err := db.LetterByCode(ctx, l.VerifyCode)
		if err != nil || byCode.ID != l.ID || byCode.UnitName != l.UnitName || byCode.SHA256 != l.SHA256 {
			t.Fatalf("LetterByCode = %+v, %v", byCode, err)
		}
		for _, code := range []string{"", "1", strconv.FormatInt(l.ID, 10), letters.NewVerifyCode()} {
			if _, err := db.LetterByCode(ctx, code); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("LetterByCode(%q) = %v, want not found", code, err)
			}
		}
		if n := storetest.AuditCount(t, db, "letter", ""); n != 3 {
			t.Fatalf("%d audit rows for 3 letters", n)
		}
		// One current letter per unit and year; the same code twice is refused too.
		err = db.Write(ctx, actor, func(tx *store.Tx) error {
			dup := ls[0]
			dup.ID, dup.VerifyCode = 0, ""
			return tx.InsertLetter(ctx, &dup)
		})
		if !apperr.Is(err, apperr.Conflict) || apperr.As(err).Msg.Key != "err.letter.exists" {
			t.Fatalf("a second letter for the unit's year: %v", err)
		}
		err = db.Write(ctx, actor, func(tx *store.Tx) error {
			again := ls[0]
			again.ID, again.Year = 0, 2027
			return tx.InsertLetter(ctx, &again) // the same verification code
		})
		if err == nil || apperr.As(err).Code != apperr.Internal {
			t.Fatalf("a letter with another letter's verification code: %v", err)
		}
		// Signatures: once per party; the letter's version guards its update.
		sig := letters.Signature{Party: letters.PartyUnit, Kind: letters.KindDrawn, FileID: letters.Hash("u"), Format: "png", SignerID: 1, Signer: "王伟", At: time.Now()}
		err = db.Write(ctx, actor, func(tx *store.Tx) error {
			after, err := letters.Sign(l, sig)
			if err != nil {
				return err
			}
			if err := tx.InsertLetterSignature(ctx, l.ID, after.Signatures[0], 1200); err != nil {
				return err
			}
			return tx.UpdateLetter(ctx, l, after, "sign")
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, actor, func(tx *store.Tx) error { return tx.InsertLetterSignature(ctx, l.ID, sig, 1200) })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("the unit signs twice: %v", err)
		}
		err = db.Write(ctx, actor, func(tx *store.Tx) error { return tx.UpdateLetter(ctx, l, l, "sign") })
		if !apperr.Is(err, apperr.Conflict) || apperr.As(err).Msg.Key != "err.letter.stale" {
			t.Fatalf("an update from a stale version: %v", err)
		}
		signed, _ := db.Letter(ctx, l.ID)
		if len(signed.Signatures) != 1 || signed.Signatures[0].Signer != "王伟" || signed.Signatures[0].Format != "png" || signed.Version != l.Version+1 {
			t.Fatalf("after signing: %+v", signed)
		}
		// The year's letters by status, and those awaiting signatures in a scope.
		err = db.Write(ctx, actor, func(tx *store.Tx) error {
			issued, err := tx.LettersOfYear(ctx, 2026, letters.StatusIssued)
			if err != nil || len(issued) != 3 || issued[0].Text == "" {
				t.Errorf("LettersOfYear = %d, %v", len(issued), err)
			}
			un, err := tx.UnsignedLetters(ctx, store.CoverageFilter{Year: 2026, Roots: []string{demo.CommunityCode(0)}})
			if err != nil || len(un) != 3 {
				t.Errorf("UnsignedLetters in the community = %d, %v", len(un), err)
			}
			none, err := tx.UnsignedLetters(ctx, store.CoverageFilter{Year: 2026, Roots: []string{demo.CommunityCode(1)}})
			if err != nil || len(none) != 0 {
				t.Errorf("UnsignedLetters in another community = %d, %v", len(none), err)
			}
			cur, err := tx.CurrentLetters(ctx, 2026, []unit.Unit{{ID: comm0[0]}, {ID: comm0[3]}})
			if err != nil || len(cur) != 1 || cur[comm0[0]] != letters.StatusIssued {
				t.Errorf("CurrentLetters = %v, %v", cur, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The kind filter of the list.
		kind := ls[0].UnitKind
		if kind == "" {
			u, _ := db.Unit(ctx, ls[0].UnitID)
			kind = string(u.Kind)
		}
		items, total, err := db.Letters(ctx, store.LetterFilter{All: true, Year: 2026, Kind: kind})
		if err != nil || total == 0 || total > 3 {
			t.Fatalf("letters of kind %s = %d, %v", kind, total, err)
		}
		for _, it := range items {
			if it.UnitKind != kind {
				t.Errorf("kind filter %s lists a %s", kind, it.UnitKind)
			}
		}
	})
}

// TestLetterVerifyMigration: migration 0005 gives every letter stored before
// it a verification code of its own.
func TestLetterVerifyMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		ids := storetest.ActiveUnits(t, db, demo.CommunityCode(0))
		issueTo(t, db, 2026, ids...)
		// Undo the migration, as if these letters had been stored before it.
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			for _, q := range []string{`DROP INDEX letters_verify_code`, `ALTER TABLE letters DROP COLUMN verify_code`,
				`DELETE FROM schema_migrations WHERE version = '0005_letters_verify'`} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		list, total, err := db.Letters(ctx, store.LetterFilter{All: true, Page: store.Page{Size: 100}})
		if err != nil || total != len(ids) {
			t.Fatalf("letters after migrating: %d, %v", total, err)
		}
		seen := map[string]bool{}
		for _, l := range list {
			if !letters.ValidVerifyCode(l.VerifyCode) || len(l.VerifyCode) < 32 || seen[l.VerifyCode] {
				t.Fatalf("letter %d has code %q after migrating (malformed or repeated)", l.ID, l.VerifyCode)
			}
			seen[l.VerifyCode] = true
			if got, err := db.LetterByCode(ctx, l.VerifyCode); err != nil || got.ID != l.ID {
				t.Fatalf("LetterByCode(%s) = %d, %v", l.VerifyCode, got.ID, err)
			}
		}
		// New letters still get codes, and the index refuses a repeated one.
		more := storetest.ActiveUnits(t, db, demo.CommunityCode(1))
		if nl := issueTo(t, db, 2026, more[0]); seen[nl[0].VerifyCode] || !letters.ValidVerifyCode(nl[0].VerifyCode) {
			t.Fatalf("a new letter's code %q", nl[0].VerifyCode)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE letters SET verify_code = $1 WHERE id = $2`, list[0].VerifyCode, list[1].ID)
			return err
		})
		if err == nil {
			t.Fatal("two letters share a verification code")
		}
	})
}

func TestLetterBreaches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		actor := store.Actor{ID: 1, Name: "admin"}
		u := storetest.ActiveUnits(t, db, demo.GridCode(0, 0))
		var id int64
		if len(u) > 0 {
			id = u[0]
		} else {
			id = storetest.ActiveUnits(t, db, demo.CommunityCode(0))[0]
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
			t.Fatalf("no letter yet: %v", err)
		}
		issueTo(t, db, 2026, id)
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
