package casesvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/testutil"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/store"
)

// TestEscalationAndOverdue runs the background jobs with a clock moved past
// deadlines: an overdue community case climbs to the street, the system is
// on the timeline, and the street's leader is told once.
func TestEscalationAndOverdue(t *testing.T) {
	testutil.EachApp(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		c, start := mondayReport(t, a, "5b0c0a52-6f7e-4c43-8d1c-3a1e2b7f9001")
		if c.Level != 3 || c.Held != demo.CommunityCode(0) {
			t.Fatalf("held at %d %s", c.Level, c.Held)
		}
		// Filing limit: 4 working hours from Monday 10:00 → Monday 16:00 (the 12:00–14:00 break does not count).
		if want := time.Date(2026, 11, 23, 16, 0, 0, 0, a.Loc); !c.Deadline.Equal(want) {
			t.Fatalf("deadline %v, want %v", c.Deadline.In(a.Loc), want)
		}
		// Before the deadline nothing moves.
		if n, err := a.Cases.EscalateDue(ctx); err != nil || n != 0 {
			t.Fatalf("EscalateDue early = %d, %v", n, err)
		}
		// Past the deadline: overdue notice, but within the 4 h grace no escalation.
		a.Cases.Now = func() time.Time { return start.Add(7 * time.Hour) }
		if n, err := a.Cases.NoticeOverdue(ctx); err != nil || n != 1 {
			t.Fatalf("NoticeOverdue = %d, %v", n, err)
		}
		if n, _ := a.Cases.NoticeOverdue(ctx); n != 0 {
			t.Fatal("overdue notice sent twice")
		}
		if n, _ := a.Cases.EscalateDue(ctx); n != 0 {
			t.Fatal("escalated within the grace")
		}
		// Past the grace: up to the street, by the system.
		a.Cases.Now = func() time.Time { return start.Add(11 * time.Hour) }
		if n, err := a.Cases.EscalateDue(ctx); err != nil || n != 1 {
			t.Fatalf("EscalateDue = %d, %v", n, err)
		}
		got, err := a.DB.CaseByNumber(ctx, c.Number)
		if err != nil {
			t.Fatal(err)
		}
		last := got.Timeline[len(got.Timeline)-1]
		if got.Level != 2 || got.Held != demo.StreetCode || last.Action != cases.ActionEscalate || last.ActorName != "system" {
			t.Fatalf("after escalation: level %d held %s last %+v", got.Level, got.Held, last)
		}
		street, _ := testutil.As(t, a, "street")
		items, _, err := a.DB.Inbox(ctx, street.PersonID, false, store.Page{})
		if err != nil || len(items) == 0 || items[0].Kind != "escalated" || items[0].Number != c.Number {
			t.Fatalf("street leader's inbox: %+v %v", items, err)
		}
		// A stale action is refused with a conflict.
		v := got.Version - 1
		cl, whoL := testutil.As(t, a, "street")
		_, err = a.Cases.Act(ctx, whoL, cl, c.Number, casesvc.Action{Action: cases.ActionFile, Version: &v})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale file: %v", err)
		}
		// The community leader no longer holds it: filing it is forbidden now.
		comm, whoC := testutil.As(t, a, "community1")
		v = got.Version
		_, err = a.Cases.Act(ctx, whoC, comm, c.Number, casesvc.Action{Action: cases.ActionFile, Version: &v})
		if !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("community files a street case: %v", err)
		}
		if _, err := a.Cases.Act(ctx, whoL, cl, c.Number, casesvc.Action{Action: cases.ActionFile, Version: &v}); err != nil {
			t.Fatalf("street files: %v", err)
		}
	})
}

// TestMajorGoesToStreet checks that a major case starts at the street.
func TestMajorGoesToStreet(t *testing.T) {
	a := testutil.NewApp(t, "sqlite")
	ctx := context.Background()
	p, who := testutil.As(t, a, "patrol03")
	c, _, err := a.Cases.Report(ctx, who, p, casesvc.Report{Input: cases.Input{ClientID: "5b0c0a52-6f7e-4c43-8d1c-3a1e2b7f9002",
		Category: "08004", Description: "工地扬尘严重", Lat: 34.5745, Lon: 105.7025, Class: cases.ClassEscalated}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Severity != cases.SeverityMajor || c.Level != 2 || c.Held != demo.StreetCode {
		t.Fatalf("major case held at %d %s (%s)", c.Level, c.Held, c.Severity)
	}
}

// TestRuleMessageReachesUser checks that the rules' own message key survives
// the service: a leader who handled a case is told why they may not verify it.
func TestRuleMessageReachesUser(t *testing.T) {
	a := testutil.NewApp(t, "sqlite")
	ctx := context.Background()
	c, _ := mondayReport(t, a, "5b0c0a52-6f7e-4c43-8d1c-3a1e2b7f9003")
	var err error
	comm, whoC := testutil.As(t, a, "community1")
	step := func(in casesvc.Action) (cases.Case, error) {
		v := c.Version
		in.Version = &v
		return a.Cases.Act(ctx, whoC, comm, c.Number, in)
	}
	if c, err = step(casesvc.Action{Action: cases.ActionAssign, Assignee: &casesvc.Assignee{Region: demo.CommunityCode(0)}}); err != nil {
		t.Fatalf("assign to the community: %v", err)
	}
	if c, err = step(casesvc.Action{Action: cases.ActionHandle, Note: "已清理"}); err != nil {
		t.Fatalf("handle: %v", err)
	}
	passed := true
	_, err = step(casesvc.Action{Action: cases.ActionVerify, Passed: &passed})
	if e := apperr.As(err); e.Code != apperr.Forbidden || e.Msg.Key != "err.case.verify_own" {
		t.Fatalf("verifying one's own handling: %v, want forbidden with err.case.verify_own", err)
	}
}

// mondayReport stops the services' clock at Monday 2026-11-23 10:00 in
// Tianshui, a working day, and has patrol01 report exposed rubbish in grid 1
// of community 1 under clientID; it returns the case and that time.
func mondayReport(t *testing.T, a *app.App, clientID string) (cases.Case, time.Time) {
	t.Helper()
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, a.Loc)
	a.Cases.Now = func() time.Time { return start }
	p, who := testutil.As(t, a, "patrol01")
	c, created, err := a.Cases.Report(context.Background(), who, p, casesvc.Report{Input: cases.Input{ClientID: clientID,
		Category: "06010", Description: "暴露垃圾", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassEscalated}})
	if err != nil || !created {
		t.Fatalf("Report: %v %v", created, err)
	}
	return c, start
}
