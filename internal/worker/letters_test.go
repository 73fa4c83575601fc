package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/testutil"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/worker"
)

// TestArchiveLetters: in January, last year's signed letters are archived; this year's stay.
func TestArchiveLetters(t *testing.T) {
	ctx := context.Background()
	a := testutil.NewApp(t, "sqlite")
	db, loc := a.DB, a.Loc
	if _, err := demo.SeedLetters(ctx, db, a.Letters, time.Date(2026, 6, 1, 10, 0, 0, 0, loc)); err != nil {
		t.Fatal(err)
	}
	signed := func() int {
		_, n, err := db.Letters(ctx, store.LetterFilter{All: true, Year: 2026, Status: "signed"})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := signed()
	if before == 0 {
		t.Fatal("the demo has no signed letters")
	}
	if n, err := worker.ArchiveLetters(ctx, a, time.Date(2026, 12, 31, 23, 0, 0, 0, loc)); err != nil || n != 0 {
		t.Fatalf("archived %d in December (%v)", n, err)
	}
	n, err := worker.ArchiveLetters(ctx, a, time.Date(2027, 1, 1, 9, 0, 0, 0, loc))
	if err != nil || n != before || signed() != 0 {
		t.Fatalf("archived %d of %d (%v); %d still signed", n, before, err, signed())
	}
	if n, _ := worker.ArchiveLetters(ctx, a, time.Date(2027, 1, 2, 9, 0, 0, 0, loc)); n != 0 {
		t.Fatalf("archived %d again", n)
	}
}
