package inspectsvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

func principal(t *testing.T, db *store.DB, username string) (*auth.Principal, store.Actor) {
	t.Helper()
	p, _, err := db.Credentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}, store.Actor{ID: p.ID, Name: p.Username}
}

func fullMarks(in inspect.Inspection, patrol float64) []inspect.Score {
	var out []inspect.Score
	for _, it := range in.Items {
		v := float64(it.Max)
		if it.Key == "patrol" {
			v = patrol
		}
		out = append(out, inspect.Score{Key: it.Key, Score: v})
	}
	return out
}

// TestWeek runs a week of the street on both databases: moving and
// cancelling need reasons and a planned state; the street's leaders hear of
// the week once, when its last inspection is closed or cancelled; a
// correction replaces the score it corrects in the summary and the trend.
func TestWeek(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			s, db := srv.App.Inspect, srv.App.DB
			ctx := context.Background()
			loc := srv.App.Loc
			s.Now = func() time.Time { return time.Date(2026, 9, 14, 9, 0, 0, 0, loc) } // a Monday
			street, streetWho := principal(t, db, "street")
			insp, inspWho := principal(t, db, "inspector")
			made, err := s.Schedule(ctx, streetWho, street, "2026-09-14", "2026-09-20")
			if err != nil || len(made) != 6 || made[0].Date != "2026-09-18" {
				t.Fatalf("schedule: %d made, %v", len(made), err)
			}
			if _, err := s.Move(ctx, streetWho, street, made[5].ID, "2026-09-17", " "); apperr.As(err).Fields["reason"].Key == "" {
				t.Errorf("move without a reason: %v", err)
			}
			if _, err := s.Move(ctx, streetWho, street, made[5].ID, "2026-09-17", "区里周五开会"); err != nil {
				t.Fatalf("move: %v", err)
			}
			if _, err := s.Cancel(ctx, inspWho, insp, made[4].ID, "雨天"); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("an inspector cancels: %v, want 403", err)
			}
			if _, err := s.Cancel(ctx, streetWho, street, made[4].ID, "社区换届"); err != nil {
				t.Fatalf("cancel: %v", err)
			}
			weekMessages := func() int {
				items, _, err := db.Inbox(ctx, street.PersonID, false, store.Page{Size: 100})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, it := range items {
					if it.Kind == "inspection_week" {
						n++
					}
				}
				return n
			}
			for i, in := range made[:4] {
				if _, err := s.Score(ctx, inspWho, insp, in.ID, fullMarks(in, 20)); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Close(ctx, inspWho, insp, in.ID); err != nil {
					t.Fatal(err)
				}
				if n := weekMessages(); n != 0 {
					t.Fatalf("after %d of 6 the street has %d week messages, want 0", i+1, n)
				}
			}
			last := made[5]
			if _, err := s.Move(ctx, streetWho, street, made[0].ID, "2026-09-16", "x"); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("moving a closed inspection: %v, want 409", err)
			}
			if _, err := s.Score(ctx, inspWho, insp, last.ID, fullMarks(last, 16)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Close(ctx, inspWho, insp, last.ID); err != nil {
				t.Fatal(err)
			}
			if n := weekMessages(); n != 1 {
				t.Fatalf("after the week's last the street has %d week messages, want 1", n)
			}
			// A correction of the last one: 16 becomes 19.
			c, err := s.Correct(ctx, inspWho, insp, last.ID)
			if err != nil || c.Corrects != last.ID || c.Status != inspect.StatusOpen {
				t.Fatalf("correct: %+v %v", c, err)
			}
			if _, err := s.Score(ctx, inspWho, insp, c.ID, []inspect.Score{{Key: "patrol", Score: 19, Note: "补交了巡查记录"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Close(ctx, inspWho, insp, c.ID); err != nil {
				t.Fatal(err)
			}
			if n := weekMessages(); n != 1 {
				t.Errorf("the correction sent the week again: %d messages", n)
			}
			w, err := s.WeekSummary(ctx, street, "", "2026-09-16")
			if err != nil || len(w.Rows) != 6 {
				t.Fatalf("week: %d rows, %v", len(w.Rows), err)
			}
			row := w.Rows[5]
			if row.Inspection == nil || row.Inspection.ID != c.ID || *row.Inspection.Score != 99 || len(row.Lost) != 1 || len(row.Trend) != 1 || row.Trend[0].Score != 99 {
				t.Errorf("community 6's row: %+v, want the correction's 99 with one item lost", row)
			}
			if r := w.Rows[4]; r.Inspection == nil || r.Inspection.Status != inspect.StatusCancelled {
				t.Errorf("community 5's row: %+v, want the cancelled inspection", r.Inspection)
			}
			if v, err := s.Get(ctx, street, last.ID); err != nil || v.CorrectedBy != c.ID {
				t.Errorf("the corrected record does not point at its correction: %d, %v", v.CorrectedBy, err)
			}
			// A community's leader reads only their own.
			comm, _ := principal(t, db, "community1")
			if _, err := s.Get(ctx, comm, made[3].ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("community1 reads community 4's inspection: %v, want 404", err)
			}
			if _, err := s.WeekSummary(ctx, comm, demo.CommunityCode(3), "2026-09-16"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("community1 reads community 4's week: %v, want 404", err)
			}
		})
	}
}
