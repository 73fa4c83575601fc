package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestCaseListTotalLowerBound: past 10,000 matching cases the list's total
// is 10,000 and says it is a lower bound, unless the tally holds it; below,
// it is exact and says so.
// (SQLite only: it inserts 10,000 cases.)
func TestCaseListTotalLowerBound(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	err := srv.App.DB.Write(ctx, store.Actor{Name: "test"}, func(tx *store.Tx) error {
		for i := 0; i < store.TotalCap+5; i++ {
			status := cases.StatusClosed
			if i < 7 {
				status = cases.StatusReported
			}
			c := cases.Case{ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Description: "测试", Region: demo.GridCode(i%6, i%5),
				Source: cases.SourcePatrol, Day: at.Format("2006-01-02")}
			c.Category, c.Lat, c.Lon, c.ReportedAt, c.Status, c.Class = "06010", 34.58, 105.72, at, status, cases.ClassEscalated
			c.Severity, c.Level, c.Held, c.UpdatedAt, c.Version = cases.SeverityMinor, 3, demo.CommunityCode(0), at, 1
			if err := tx.InsertCaseHistory(ctx, "T", &c, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	api := srv.API(t)
	var out struct {
		Total      int  `json:"total"`
		LowerBound bool `json:"total_lower_bound"`
	}
	body := api.Expect("admin", "GET", "/api/v1/cases?page_size=1", "", http.StatusOK)
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Total != store.TotalCap || !out.LowerBound {
		t.Fatalf("all cases: %+v (%v), want total %d as a lower bound", out, err, store.TotalCap)
	}
	body = api.Expect("admin", "GET", "/api/v1/cases?page_size=1&status=reported", "", http.StatusOK)
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.LowerBound || out.Total < 7 || out.Total > 100 {
		t.Fatalf("reported cases: %+v (%v), want an exact small total", out, err)
	}
	// The street leader's cases come from the tally: exact past 10,000 too,
	// and the same as a count of the rows.
	var want int
	if err := srv.App.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE street = $1`, demo.StreetCode).Scan(&want); err != nil {
		t.Fatal(err)
	}
	body = api.Expect("street", "GET", "/api/v1/cases?page_size=1", "", http.StatusOK)
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.LowerBound || out.Total != want || want <= store.TotalCap {
		t.Fatalf("the street's cases: %+v (%v), want exactly %d (more than %d)", out, err, want, store.TotalCap)
	}
	// A filter the tally does not hold (a date range) is counted, up to the cap.
	body = api.Expect("street", "GET", "/api/v1/cases?page_size=1&from=2026-04-01&to=2026-05-31", "", http.StatusOK)
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Total != store.TotalCap || !out.LowerBound {
		t.Fatalf("the street's cases in April and May: %+v (%v), want %d as a lower bound", out, err, store.TotalCap)
	}
}
