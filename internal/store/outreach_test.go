package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

const testRegion = "620502004001000"

// seedQuiz stores a quiz of two questions opening at t, with no region rows needed.
func seedQuiz(t *testing.T, db *store.DB, at time.Time) outreach.Quiz {
	t.Helper()
	ctx := context.Background()
	var z outreach.Quiz
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		var qs []outreach.QuizQuestion
		for i := range 2 {
			q := outreach.Question{Kind: outreach.TrueFalse, Text: fmt.Sprintf("题%d", i), Answer: []int{i % 2}, Tags: []string{"测试"}}
			if err := tx.InsertQuestion(ctx, &q); err != nil {
				return err
			}
			qs = append(qs, outreach.QuizQuestion{Question: q})
		}
		z = outreach.Quiz{Code: fmt.Sprintf("code%022d", at.UnixNano()%1e9), Title: "竞答", Region: testRegion, TimeLimit: 5 * time.Minute,
			OpensAt: at, ClosesAt: at.Add(time.Hour), Prizes: []int{1, 2}, Questions: qs}
		return tx.InsertQuiz(ctx, &z)
	})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestLeaderboardMatchesCompare checks on both databases that the SQL
// ranking is the domain's (score, then time taken, then submission) and
// that EntryRank agrees with the leaderboard, ties on score and time included.
func TestLeaderboardMatchesCompare(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		z := seedQuiz(t, db, at)
		rnd := rand.New(rand.NewPCG(7, 8))
		var entries []outreach.Entry
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			for i := range 40 {
				start := at.Add(time.Duration(rnd.IntN(600)) * time.Second)
				e := outreach.Entry{QuizID: z.ID, Name: fmt.Sprintf("居民%d", i), Region: testRegion, Mobile: fmt.Sprintf("1380000%04d", i),
					Layout: outreach.NewLayout(z.Questions, rnd.IntN), StartedAt: start, Deadline: start.Add(5 * time.Minute), Max: 2}
				if err := tx.InsertEntry(ctx, &e, fmt.Sprintf("hash-%d", i)); err != nil {
					return err
				}
				if i%7 == 6 {
					continue // never submitted: not ranked
				}
				// Few distinct scores and times, so that ties are common.
				e.Score = rnd.IntN(3)
				e.Taken = time.Duration(30+10*rnd.IntN(3)) * time.Second
				e.SubmittedAt = start.Add(e.Taken)
				e.Answers = map[int64][]int{}
				if err := tx.SubmitEntry(ctx, &e); err != nil {
					return err
				}
				entries = append(entries, e)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(entries, outreach.Compare)
		board, total, err := db.Leaderboard(ctx, z.ID, store.Page{})
		if err != nil || total != len(entries) || len(board) != len(entries) {
			t.Fatalf("leaderboard: %d of %d, %v", len(board), total, err)
		}
		for i, e := range board {
			if e.ID != entries[i].ID || e.Rank != i+1 {
				t.Fatalf("rank %d: entry %d (rank %d), want %d", i+1, e.ID, e.Rank, entries[i].ID)
			}
			rank, err := db.EntryRank(ctx, e)
			if err != nil || rank != i+1 {
				t.Fatalf("EntryRank of %d = %d, want %d (%v)", e.ID, rank, i+1, err)
			}
		}
		page2, _, err := db.Leaderboard(ctx, z.ID, store.Page{Page: 2, Size: 10})
		if err != nil || len(page2) != 10 || page2[0].Rank != 11 || page2[0].ID != entries[10].ID {
			t.Fatalf("second page %+v %v", page2, err)
		}
		// A second submission of the same entry is a conflict; a second entry for a mobile too.
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { e := board[0]; return tx.SubmitEntry(ctx, &e) })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second submission: %v", err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			e := outreach.Entry{QuizID: z.ID, Name: "重复", Region: testRegion, Mobile: "13800000000", StartedAt: at, Deadline: at}
			return tx.InsertEntry(ctx, &e, "hash-dup")
		})
		if e := apperr.As(err); e.Code != apperr.Conflict || e.Fields["mobile"].Key != "err.outreach.entered" {
			t.Fatalf("same mobile: %v", err)
		}
	})
}

// TestSignInUniqueness checks one sign-in per mobile and per phone for a
// lecture on both databases, and that another lecture takes the same mobile.
func TestSignInUniqueness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		var ids []int64
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			for i := range 2 {
				l := outreach.Lecture{Code: fmt.Sprintf("lecture%019d", i), Title: "讲座", VenueName: "室", Region: testRegion, Regions: []string{testRegion},
					StartsAt: at, EndsAt: at.Add(time.Hour), OpensAt: at, ClosesAt: at.Add(time.Hour)}
				if err := tx.InsertLecture(ctx, &l); err != nil {
					return err
				}
				ids = append(ids, l.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sign := func(lecture int64, mobile, device string) error {
			return db.Write(ctx, store.System, func(tx *store.Tx) error {
				return tx.InsertSignIn(ctx, &outreach.SignIn{LectureID: lecture, Name: "张三", Region: testRegion, Mobile: mobile, Device: device})
			})
		}
		for _, tc := range []struct {
			lecture        int64
			mobile, device string
			field          string // "" for accepted
		}{
			{ids[0], "13800001111", "d1", ""},
			{ids[0], "13800001111", "d2", "mobile"},
			{ids[0], "13800002222", "d1", "device"},
			{ids[0], "", "", ""}, // no mobile, no phone: a desk sign-in
			{ids[0], "", "", ""}, // and another
			{ids[1], "13800001111", "d1", ""},
		} {
			err := sign(tc.lecture, tc.mobile, tc.device)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("%+v: %v", tc, err)
				}
				continue
			}
			if e := apperr.As(err); e.Code != apperr.Conflict || e.Fields[tc.field].Key == "" {
				t.Fatalf("%+v: %v, want a conflict on %s", tc, err, tc.field)
			}
		}
		l, err := db.Lecture(ctx, ids[0])
		if err != nil || l.Attendance != 3 || !slices.Equal(l.Regions, []string{testRegion}) {
			t.Fatalf("lecture %+v %v", l, err)
		}
		by, err := db.AttendanceByRegion(ctx, ids[0])
		if err != nil || by[testRegion] != 3 {
			t.Fatalf("by region %v %v", by, err)
		}
	})
}
