package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestAuditForPeople: the audit page names who did what to which record,
// with the changes in words and no raw JSON or epoch milliseconds.
func TestAuditForPeople(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	ctx := context.Background()
	p, who := testutil.As(t, srv.App, "patrol01")
	c, _, err := srv.App.Cases.Report(ctx, who, p, casesvc.Report{Input: cases.Input{ClientID: "7b1c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01",
		Category: "06010", Description: "审计", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassEscalated}})
	if err != nil {
		t.Fatal(err)
	}
	leader, lwho := testutil.As(t, srv.App, "community1")
	if _, err := srv.App.Cases.Act(ctx, lwho, leader, c.Number, casesvc.Action{Action: cases.ActionFile, Version: ptr(1)}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv.URL)
	b.login("admin")
	_, page := b.get("/audit?entity=case&entity_id=" + c.Number)
	for _, want := range []string{`href="/cases/` + c.Number + `"`, "立案", "网格长", "状态", `待立案</span> → <span class="after">已立案`, `id="actor"`} {
		if !strings.Contains(page, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	for _, bad := range []string{`{&#34;`, `{"status"`, "deadline", "sign-in"} {
		if strings.Contains(page, bad) {
			t.Errorf("audit page shows %q", bad)
		}
	}
	b.pageIn("/audit", "zh-CN", rawKey)
	b.pageIn("/audit", "en", rawKey)
}
