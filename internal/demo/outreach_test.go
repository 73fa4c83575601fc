package demo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestSeedOutreach checks the demo's outreach on both databases: a bank of
// at least 40 valid questions covering the subjects of the issue, three past
// lectures with attendance, two past quizzes with winners, one quiz open
// now; the same now gives the same records, and a second run adds nothing.
func TestSeedOutreach(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, loc)
	var first string
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, db); err != nil {
			t.Fatal(err)
		}
		n, err := demo.SeedOutreach(ctx, db, loc, now)
		if err != nil || n == 0 {
			t.Fatalf("SeedOutreach = %d, %v", n, err)
		}
		if again, err := demo.SeedOutreach(ctx, db, loc, now); err != nil || again != 0 {
			t.Fatalf("second SeedOutreach = %d, %v", again, err)
		}
		qs, total, err := db.Questions(ctx, store.QuestionFilter{Page: store.Page{Size: 100}})
		if err != nil || total < 40 {
			t.Fatalf("bank: %d questions, %v", total, err)
		}
		kinds := map[outreach.Kind]int{}
		for _, q := range qs {
			kinds[q.Kind]++
			if err := q.Validate(); err != nil {
				t.Errorf("question %d %q: %v", q.ID, q.Text, err)
			}
		}
		if kinds[outreach.Single] == 0 || kinds[outreach.Multiple] == 0 || kinds[outreach.TrueFalse] == 0 {
			t.Errorf("kinds %v", kinds)
		}
		tags, err := db.QuestionTags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, tc := range tags {
			have[tc.Tag] = true
		}
		for _, want := range []string{"扬尘", "烟花爆竹", "重污染天气", "清洁取暖", "机动车", "举报渠道"} {
			if !have[want] {
				t.Errorf("no question tagged %s", want)
			}
		}
		all := store.OutreachScope{All: true}
		lectures, nl, err := db.Lectures(ctx, store.LectureFilter{Scope: all})
		if err != nil || nl != 3 {
			t.Fatalf("lectures: %d, %v", nl, err)
		}
		for _, l := range lectures {
			if !l.EndsAt.Before(now) || l.Attendance < 20 {
				t.Errorf("lecture %q: ends %v, %d attended", l.Title, l.EndsAt, l.Attendance)
			}
		}
		quizzes, nq, err := db.Quizzes(ctx, store.QuizFilter{Scope: all})
		if err != nil || nq != 3 {
			t.Fatalf("quizzes: %d, %v", nq, err)
		}
		open, past := 0, 0
		for _, z := range quizzes {
			switch z.State(now) {
			case outreach.Open:
				open++
			case outreach.Closed:
				past++
				board, subm, err := db.Leaderboard(ctx, z.ID, store.Page{Size: 10})
				if err != nil || subm < 10 || len(board) == 0 || board[0].Rank != 1 {
					t.Errorf("quiz %q: %d submitted, %v", z.Title, subm, err)
				}
			}
		}
		if open != 1 || past != 2 {
			t.Errorf("%d open and %d past quizzes, want 1 and 2", open, past)
		}
		tally, err := db.OutreachTally(ctx, store.TallyFilter{Scope: all, Now: now})
		if err != nil || tally.Lectures != 3 || tally.Quizzes != 3 || tally.Attendance < 60 || len(tally.Units) == 0 {
			t.Fatalf("tally %+v, %v", tally, err)
		}
		sig := fmt.Sprintf("%d/%d/%d/%d/%v", n, tally.Attendance, tally.Entries, tally.Submitted, lectures[0].Code)
		if first == "" {
			first = sig
		} else if sig != first {
			t.Errorf("backends differ: %s vs %s", sig, first)
		}
	})
}
