package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestHomeTodo: the leader's home lists the case waiting for assignment,
// linked to the ledger filtered to it; the patroller's lists it once
// assigned to their grid.
func TestHomeTodo(t *testing.T) { testutil.Each(t, testHomeTodo) }

func testHomeTodo(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	p, who := testutil.As(t, srv.App, "patrol01")
	c, _, err := srv.App.Cases.Report(ctx, who, p, casesvc.Report{Input: cases.Input{ClientID: "3b1c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01",
		Category: "06010", Description: "待派遣的垃圾", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassEscalated}})
	if err != nil {
		t.Fatal(err)
	}
	leader, lwho := testutil.As(t, srv.App, "community1")
	if c, err = srv.App.Cases.Act(ctx, lwho, leader, c.Number, casesvc.Action{Action: cases.ActionFile, Version: ptr(1)}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv.URL)
	b.login("community1")
	_, home := b.get("/")
	m := regexp.MustCompile(`<a class="todo-item todo-to_assign" href="([^"]+)"><b class="todo-count">(\d+)</b>`).FindStringSubmatch(home)
	if m == nil || m[2] != "1" {
		t.Fatalf("home lacks one case to assign\n%s", home)
	}
	_, list := b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	if !strings.Contains(list, c.Number) || !strings.Contains(list, `id="case-total"`) {
		t.Fatalf("the to-assign link does not list %s", c.Number)
	}
	if strings.Contains(home, "todo-to_file") {
		t.Error("a filed case still counted as to file")
	}
	if _, err = srv.App.Cases.Act(ctx, lwho, leader, c.Number, casesvc.Action{Action: cases.ActionAssign, Version: ptr(c.Version),
		Assignee: &casesvc.Assignee{Region: demo.GridCode(0, 0)}}); err != nil {
		t.Fatal(err)
	}
	pb := newBrowser(t, srv.URL)
	pb.login("patrol02")
	if _, home = pb.get("/"); !strings.Contains(home, "todo-to_handle") {
		t.Fatalf("patroller's home lacks the case assigned to the grid\n%s", home)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		b.pageIn("/", lang, rawKey)
	}
}
