package outreachsvc_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// benchQuiz builds a demo street with its outreach and an open quiz of 10
// questions drawn from the bank; the public limit is lifted.
func benchQuiz(b *testing.B) (*app.App, outreachsvc.QuizView) {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, "sqlite")
	if _, err := demo.Seed(ctx, db); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.Data = b.TempDir()
	loc, _ := cfg.Validate()
	a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.SeedOutreach(ctx, db, loc, time.Now()); err != nil {
		b.Fatal(err)
	}
	a.Outreach.Public = nil
	p, _, err := db.Credentials(ctx, "street")
	if err != nil {
		b.Fatal(err)
	}
	org := principalOf(p.ID, p.Username, p.Roles)
	z, err := a.Outreach.CreateQuiz(ctx, store.Actor{ID: p.ID, Name: p.Username}, org, outreachsvc.QuizInput{Title: "压测竞答",
		Draw: &outreachsvc.Draw{Count: 10}, TimeLimit: 10 * time.Minute, OpensAt: time.Now().Add(-time.Minute), ClosesAt: time.Now().Add(24 * time.Hour),
		Prizes: []int{1, 2, 3}})
	if err != nil {
		b.Fatal(err)
	}
	return a, z
}

// BenchmarkEntryAndSubmit is one resident's whole go on SQLite: the entry
// (layout dealt, written, audited) and the submission (checked, scored,
// written, audited, ranked), each answer chosen at random.
func BenchmarkEntryAndSubmit(b *testing.B) {
	a, z := benchQuiz(b)
	ctx := context.Background()
	who := store.Actor{Name: "public", IP: "10.9.0.1"}
	i := 0
	for b.Loop() {
		i++
		v, err := a.Outreach.StartEntry(ctx, who, z.Code, outreach.Person{Name: "居民", Region: demo.CommunityCode(i % 6), Mobile: fmt.Sprintf("13%09d", i)})
		if err != nil {
			b.Fatal(err)
		}
		given := map[int64][]int{}
		for _, q := range v.Questions {
			given[q.ID] = []int{i % max(1, len(q.Options))}
		}
		if _, err := a.Outreach.Submit(ctx, who, z.Code, v.Token, given); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLeaderboard reads the projector's top 10 over 5,000 submitted entries.
func BenchmarkLeaderboard(b *testing.B) {
	a, z := benchQuiz(b)
	ctx := context.Background()
	err := a.DB.Write(ctx, store.System, func(tx *store.Tx) error {
		for i := range 5000 {
			e := outreach.Entry{QuizID: z.ID, Name: "居民", Region: demo.CommunityCode(i % 6), Mobile: fmt.Sprintf("13%09d", i),
				Layout: outreach.NewLayout(z.Questions, func(int) int { return 0 }), StartedAt: time.Now(), Deadline: time.Now().Add(10 * time.Minute), Max: 10}
			if err := tx.InsertEntry(ctx, &e, fmt.Sprintf("bench-%d", i)); err != nil {
				return err
			}
			e.Score, e.Taken, e.Answers = i%11, time.Duration(60+i%500)*time.Second, map[int64][]int{}
			e.SubmittedAt = e.StartedAt.Add(e.Taken)
			if err := tx.SubmitEntry(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	p, _, _ := a.DB.Credentials(ctx, "inspector")
	insp := principalOf(p.ID, p.Username, p.Roles)
	for b.Loop() {
		board, err := a.Outreach.Leaderboard(ctx, insp, z.ID, 10)
		if err != nil || len(board.Rows) != 10 {
			b.Fatalf("%d rows, %v", len(board.Rows), err)
		}
	}
}
