package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestPatrolPlanPage: a community leader sets a grid's plan; bad windows are
// field errors; a patroller may read it but not change it; other communities get 404.
func TestPatrolPlanPage(t *testing.T) { testutil.Each(t, testPatrolPlanPage) }

func testPatrolPlanPage(t *testing.T, srv *testutil.Server) {
	grid := demo.GridCode(0, 0)
	c := newBrowserAs(t, srv.URL, "community1")
	if st, page := c.get("/patrols/plan?grid=" + grid); st != 200 || !strings.Contains(page, `id="plan-default"`) || !strings.Contains(page, "08:00-12:00, 14:00-18:00") {
		t.Fatalf("default plan page: status %d, want 200 showing the default windows 08:00-12:00, 14:00-18:00", st)
	}
	form := url.Values{"grid": {grid}, "per_day": {"3"}, "windows": {"07:00-9:00"}}
	if st, page, _ := c.post("/patrols/plan", form); st != http.StatusUnprocessableEntity || !strings.Contains(page, "field-error") {
		t.Fatalf("bad window: status %d, want 422 with a field error", st)
	}
	form.Set("windows", "07:00-10:00, 13:00-16:00，18:00-20:00")
	form.Set("weekends", "1")
	if st, _, loc := c.post("/patrols/plan", form); st != http.StatusSeeOther || !strings.Contains(loc, grid) {
		t.Fatalf("save plan: status %d → %q, want 303 back to the grid's plan", st, loc)
	}
	plan, err := srv.App.DB.PatrolPlan(context.Background(), grid)
	if err != nil || !plan.Stored || plan.PerDay != 3 || len(plan.Windows) != 3 || !plan.Weekends {
		t.Fatalf("stored plan %+v, %v; want 3 a day in 3 windows, weekends included", plan, err)
	}
	p := newBrowserAs(t, srv.URL, "patrol01")
	if st, page := p.get("/patrols/plan?grid=" + grid); st != 200 || strings.Contains(page, `id="plan-save"`) {
		t.Fatalf("patroller reads the plan: status %d, want 200 without the save button", st)
	}
	if st, _, _ := p.post("/patrols/plan", form); st != http.StatusForbidden {
		t.Fatalf("patroller saves the plan: status %d, want 403", st)
	}
	if st, _ := newBrowserAs(t, srv.URL, "community2").get("/patrols/plan?grid=" + grid); st != http.StatusNotFound {
		t.Fatalf("another community reads the plan: status %d, want 404", st)
	}
}
