package web_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestCaseShowsClause: a case about a unit names the clause of the unit's
// letter that its category falls under, and links to the letter.
func TestCaseShowsClause(t *testing.T) { testutil.Each(t, testCaseShowsClause) }

func testCaseShowsClause(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	units, _, err := srv.App.DB.Units(ctx, store.UnitFilter{Roots: []string{demo.StreetCode}, Kind: "restaurant", Page: store.Page{Size: 1}})
	if err != nil || len(units) == 0 {
		t.Fatalf("no restaurant: %v, want one in the demo street", err)
	}
	u := units[0]
	year := time.Now().In(srv.App.Loc).Year()
	p, _, _ := srv.App.DB.Credentials(ctx, "street")
	pr := &auth.Principal{PersonID: p.ID, Username: p.Username, Roles: p.Roles}
	if _, err := srv.App.LetterSvc.Issue(ctx, store.Actor{ID: p.ID, Name: p.Username}, pr, lettersvc.IssueInput{Year: year, UnitIDs: []int64{u.ID}}); err != nil {
		t.Fatal(err)
	}
	c, _, err := srv.App.Cases.Report(ctx, store.Actor{ID: p.ID, Name: p.Username}, pr, casesvc.Report{UnitID: u.ID, Input: cases.Input{
		ClientID: "7a1c1d3e-1111-4222-8333-444455556666", Category: "06027", Description: "油烟直排", Lat: u.Lat, Lon: u.Lon, Class: cases.ClassEscalated}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowserAs(t, srv.URL, "street")
	_, page := b.get("/cases/" + c.Number)
	m := regexp.MustCompile(`id="case-clause"><a href="/letters/(\d+)">第(\d+)条</a>([^<]*)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the case page names no clause of %s's letter, want #case-clause linking to the letter", u.Name)
	}
	if !regexp.MustCompile(`油烟`).MatchString(m[3]) {
		t.Errorf("clause %s reads %q, want the fumes clause", m[2], m[3])
	}
	_ = fmt.Sprint
}
