package demo_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

func TestSeedLetters(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, loc)
	var first string // the letters of the first backend, to compare
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, db); err != nil {
			t.Fatal(err)
		}
		files := letters.NewFileStore(t.TempDir())
		n, err := demo.SeedLetters(ctx, db, files, now)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := demo.SeedLetters(ctx, db, files, now); err != nil || again != 0 {
			t.Fatalf("second SeedLetters = %d, %v", again, err)
		}
		cov, err := db.LetterCoverage(ctx, store.CoverageFilter{Year: 2026, All: true})
		if err != nil {
			t.Fatal(err)
		}
		// Most signed, some issued and unsigned, some not issued.
		if cov.Total.Signed < cov.Total.Total()*2/3 || cov.Total.Issued == 0 || cov.Total.NotIssued == 0 || n != cov.Total.Signed+cov.Total.Issued {
			t.Fatalf("demo coverage = %+v, %d letters", cov.Total, n)
		}
		list, total, err := db.Letters(ctx, store.LetterFilter{All: true, Year: 2026, Page: store.Page{Size: 100}})
		if err != nil || total != n {
			t.Fatalf("letters: %d, %v", total, err)
		}
		got := ""
		kinds := map[string]int{}
		breached, most := 0, 0
		for _, item := range list {
			l, err := db.Letter(ctx, item.ID)
			if err != nil {
				t.Fatal(err)
			}
			got += fmt.Sprintf("%s %s %s %d|", l.UnitName, l.Status, l.SHA256, len(l.Signatures))
			b, err := db.LetterBreaches(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range b {
				breached, most = breached+n, max(most, n)
			}
			if l.SHA256 != letters.Hash(l.Text) || l.IssuedAt.After(now) || l.IssuedAt.Year() != 2026 {
				t.Errorf("%s: hash or issue time wrong (%v)", l.UnitName, l.IssuedAt)
			}
			if l.Status == letters.StatusSigned && (!l.Complete() || l.SignedAt.After(now) || l.SignedAt.Before(l.IssuedAt)) {
				t.Errorf("%s: signed %v without both parties, or at the wrong time", l.UnitName, l.SignedAt)
			}
			for _, s := range l.Signatures {
				kinds[string(s.Kind)+"/"+string(s.Party)]++
				if s.SHA256 != l.SHA256 || s.Signer == "" || s.At.Before(l.IssuedAt) || s.At.After(now) {
					t.Errorf("%s: signature %+v", l.UnitName, s)
				}
				f, err := files.Open(s.FileID)
				if err != nil {
					t.Fatalf("%s: file %s: %v", l.UnitName, s.FileID, err)
				}
				data, _ := io.ReadAll(f)
				f.Close()
				check := letters.CheckSignature
				if s.Kind == letters.KindScan {
					check = letters.CheckScan
				}
				if _, err := check(data); err != nil {
					t.Errorf("%s: the %s file fails its own check: %v", l.UnitName, s.Kind, err)
				}
			}
		}
		if breached < 5 || most < 2 {
			t.Fatalf("clause breaches: %d in all, at most %d on one clause; want some units breaching a clause twice", breached, most)
		}
		if kinds["scan/both"] == 0 || kinds["drawn/unit"] <= kinds["drawn/street"] {
			t.Fatalf("signatures by kind: %v (want scans, and some letters signed by the unit only)", kinds)
		}
		// unit01's school is issued and waits for its signature.
		l1, _, err := db.UnitLetter(ctx, list[len(list)-1].UnitID, 2026)
		if err != nil || l1.Status != letters.StatusIssued || len(l1.Signatures) != 0 || !strings.Contains(l1.UnitName, "市三中") {
			t.Fatalf("the first unit's letter = %s with %d signatures, %v", l1.Status, len(l1.Signatures), err)
		}
		if first == "" {
			first = got
		} else if got != first {
			t.Fatal("the demo letters differ between runs")
		}
	})
}
