package cases

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

var now = time.Date(2026, 11, 28, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// base is a minor case held at the community, reported by patroller 101,
// assigned to a unit whose contact 201 recorded the last handling, and
// overdue by an hour.
func base(s Status) Snapshot {
	return Snapshot{
		Number: "XG-20261128-0001", Category: "08004", Lat: 34.58, Lon: 105.72, ReportedAt: now.Add(-48 * time.Hour),
		Status: s, Class: ClassEscalated, Severity: SeverityMinor, Level: LevelCommunity, Version: 7,
		ReporterID: 101, Assignee: "unit:9", HandledBy: 201, Deadline: now.Add(-time.Hour),
	}
}

// actors relative to base: the caller passes only grants whose region contains the case.
var actors = map[string]Actor{
	"admin":     {ID: 1, Grants: []Grant{{RoleAdmin, LevelStreet}}},
	"street":    {ID: 2, Grants: []Grant{{RoleLeader, LevelStreet}}},
	"community": {ID: 3, Grants: []Grant{{RoleLeader, LevelCommunity}}},
	"grid":      {ID: 4, Grants: []Grant{{RoleLeader, LevelGrid}}},
	"outsider":  {ID: 5}, // a leader of another community: no grant in scope
	"inspector": {ID: 6, Grants: []Grant{{RoleInspector, LevelStreet}}},
	"reporter":  {ID: 101, Grants: []Grant{{RolePatroller, LevelGrid}}},
	"patroller": {ID: 102, Grants: []Grant{{RolePatroller, LevelGrid}}},
	"assignee":  {ID: 201, Assignee: true},
	"volunteer": {ID: 301, Grants: []Grant{{RoleVolunteer, LevelGrid}}},
	"system":    {System: true},
	"public":    {},
	"resident":  {Resident: true},
}

const (
	F = "403"   // ErrForbidden
	S = "state" // ErrState
)

// row gives the outcome for each status in Statuses order:
// reported, filed, rejected, assigned, handled, closed.
type row [6]string

func TestTable(t *testing.T) {
	leaders := []string{"admin", "street", "community"}
	tests := []struct {
		action Action
		passed bool
		by     []string
		want   row // for the actors in by; every other actor gets F throughout
	}{
		{ActionFile, true, leaders, row{"filed", S, S, S, S, S}},
		{ActionReject, true, leaders, row{"rejected", "rejected", S, S, S, S}},
		{ActionAssign, true, leaders, row{"assigned", "assigned", S, "assigned", S, S}},
		{ActionEscalate, true, append(leaders, "system"), row{"reported", "filed", S, "assigned", S, S}},
		{ActionReturn, true, leaders, row{"reported", "filed", S, "assigned", S, S}},
		{ActionHandle, true, []string{"admin", "assignee"}, row{S, S, S, "handled", S, S}},
		{ActionVerify, true, []string{"admin", "street", "community", "inspector", "reporter"}, row{S, S, S, S, "closed", S}},
		{ActionVerify, false, []string{"admin", "street", "community", "inspector", "reporter"}, row{S, S, S, S, "assigned", S}},
		{ActionReopen, true, []string{"admin", "street", "community", "inspector"}, row{S, S, "filed", S, S, "assigned"}},
		{ActionMerge, true, leaders, row{"rejected", "rejected", S, "rejected", S, S}},
		{ActionComment, true, []string{"admin", "street", "community", "grid", "inspector", "reporter", "patroller", "assignee"},
			row{"reported", "filed", "rejected", "assigned", "handled", "closed"}},
		{ActionSupervise, true, []string{"admin", "street", "inspector"}, row{"reported", "filed", S, "assigned", S, S}},
		{ActionFeedback, true, []string{"resident"}, row{"reported", "filed", "rejected", "assigned", "handled", "closed"}},
		{ActionReview, false, []string{"resident"}, row{S, S, S, S, S, "filed"}},
	}
	for _, tc := range tests {
		for name, actor := range actors {
			want := row{F, F, F, F, F, F}
			if slices.Contains(tc.by, name) {
				want = tc.want
			}
			for i, s := range Statuses {
				c := base(s)
				req := Request{Action: tc.action, Version: c.Version, Passed: tc.passed, Into: "XG-20261128-0002", Assignee: "person:77"}
				tr, err := Decide(actor, c, req, now)
				got := string(tr.To)
				switch {
				case errors.Is(err, ErrForbidden):
					got = F
				case errors.Is(err, ErrState):
					got = S
				case err != nil:
					got = err.Error()
				}
				if got != want[i] {
					t.Errorf("%s %s (passed=%v) on %s: got %s, want %s", name, tc.action, tc.passed, s, got, want[i])
					continue
				}
				if err != nil {
					continue
				}
				checkEffects(t, name, c, req, tr)
			}
		}
	}
}

// checkEffects checks what a transition changes beside the status.
func checkEffects(t *testing.T, name string, c Snapshot, req Request, tr Transition) {
	t.Helper()
	a := tr.After
	wantLevel, wantVersion, wantRework := c.Level, c.Version+1, c.Rework
	wantMerged, wantAssignee, wantHandledBy := c.MergedInto, c.Assignee, c.HandledBy
	switch req.Action {
	case ActionReview:
		wantRework++
		wantHandledBy = 0
	case ActionComment, ActionSupervise, ActionFeedback:
		wantVersion = c.Version
		if !tr.Log {
			t.Errorf("%s %s: not a log entry", name, req.Action)
		}
	case ActionEscalate:
		wantLevel = LevelStreet
	case ActionReturn:
		wantLevel = LevelGrid
	case ActionVerify:
		if !req.Passed {
			wantRework++
		}
	case ActionMerge:
		wantMerged = req.Into
	case ActionAssign:
		wantAssignee = req.Assignee
	case ActionHandle:
		wantHandledBy = actors[name].ID
	}
	if a.Level != wantLevel || a.Version != wantVersion || a.Rework != wantRework || a.MergedInto != wantMerged ||
		a.Assignee != wantAssignee || a.HandledBy != wantHandledBy || a.Status != tr.To || tr.From != c.Status {
		t.Errorf("%s %s on %s: after = %+v", name, req.Action, c.Status, a)
	}
	if e := tr.Entry("n"); e.Action != req.Action || e.Status != tr.To || e.Level != a.Level || e.Note != "n" || !e.At.Equal(now) || e.ActorID != actors[name].ID || e.System != actors[name].System {
		t.Errorf("%s %s: entry %+v", name, req.Action, e)
	}
}

func TestTableIntegrity(t *testing.T) {
	decidable := []Action{ActionFile, ActionReject, ActionAssign, ActionEscalate, ActionReturn, ActionHandle, ActionVerify, ActionReopen, ActionMerge, ActionComment, ActionSupervise, ActionFeedback, ActionReview}
	rs := Rules()
	if len(rs) != len(decidable) {
		t.Errorf("%d rules for %d actions", len(rs), len(decidable))
	}
	for _, a := range decidable {
		n := 0
		for _, r := range rs {
			if r.Action == a {
				n++
				if r.By == 0 || len(r.From) == 0 {
					t.Errorf("rule %s allows nobody or no status", a)
				}
				for _, s := range r.From {
					if !s.Valid() {
						t.Errorf("rule %s: bad status %q", a, s)
					}
				}
			}
		}
		if n != 1 {
			t.Errorf("action %s has %d rules, want 1", a, n)
		}
	}
	for _, a := range []Action{ActionReport, ActionClose, "delete"} {
		if _, err := Decide(actors["admin"], base(StatusReported), Request{Action: a, Version: 7}, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("Decide(%s) = %v, want ErrInvalid", a, err)
		}
	}
}

func TestDecideErrors(t *testing.T) {
	future := base(StatusAssigned)
	future.Deadline = now.Add(time.Hour)
	noDeadline := base(StatusAssigned)
	noDeadline.Deadline = time.Time{}
	street := base(StatusFiled)
	street.Level = LevelStreet
	grid := base(StatusFiled)
	grid.Level = LevelGrid
	major := street
	major.Severity = SeverityMajor
	handledByLeader := base(StatusHandled)
	handledByLeader.HandledBy = 3

	tests := []struct {
		name  string
		actor string
		c     Snapshot
		req   Request
		kind  error
		key   string
	}{
		{"forbidden before stale", "volunteer", base(StatusReported), Request{Action: ActionFile, Version: 6}, ErrForbidden, "err.case.forbidden"},
		{"forbidden before invalid", "grid", base(StatusReported), Request{Action: ActionMerge, Version: 7}, ErrForbidden, "err.case.forbidden"},
		{"stale before state", "admin", base(StatusClosed), Request{Action: ActionFile, Version: 6}, ErrStale, "err.case.stale"},
		{"stale", "community", base(StatusReported), Request{Action: ActionFile, Version: 8}, ErrStale, "err.case.stale"},
		{"missing version is stale", "community", base(StatusReported), Request{Action: ActionFile}, ErrStale, "err.case.stale"},
		{"stale comment", "reporter", base(StatusReported), Request{Action: ActionComment, Version: 6}, ErrStale, "err.case.stale"},
		{"verify own handling", "community", handledByLeader, Request{Action: ActionVerify, Version: 7, Passed: true}, ErrForbidden, "err.case.verify_own"},
		{"merge without target", "community", base(StatusFiled), Request{Action: ActionMerge, Version: 7}, ErrInvalid, "err.case.merge_into"},
		{"merge into itself", "community", base(StatusFiled), Request{Action: ActionMerge, Version: 7, Into: "XG-20261128-0001"}, ErrInvalid, "err.case.merge_into"},
		{"assign without assignee", "community", base(StatusFiled), Request{Action: ActionAssign, Version: 7}, ErrInvalid, "err.case.assignee"},
		{"past deadline", "community", base(StatusFiled), Request{Action: ActionAssign, Version: 7, Assignee: "x", Deadline: now}, ErrInvalid, "err.case.deadline_past"},
		{"escalate above street", "admin", street, Request{Action: ActionEscalate, Version: 7}, ErrState, "err.case.top_level"},
		{"return below grid", "community", grid, Request{Action: ActionReturn, Version: 7}, ErrState, "err.case.bottom_level"},
		{"return major", "street", major, Request{Action: ActionReturn, Version: 7}, ErrState, "err.case.major_at_street"},
		{"supervise before deadline", "inspector", future, Request{Action: ActionSupervise, Version: 7}, ErrState, "err.case.not_overdue"},
		{"supervise without deadline", "inspector", noDeadline, Request{Action: ActionSupervise, Version: 7}, ErrState, "err.case.not_overdue"},
		{"wrong state", "community", base(StatusClosed), Request{Action: ActionAssign, Version: 7, Assignee: "x"}, ErrState, "err.case.state"},
		{"same-level leader may not supervise", "street", street, Request{Action: ActionSupervise, Version: 7}, ErrForbidden, "err.case.forbidden"},
		{"street leader of a street case files", "street", street, Request{Action: ActionReject, Version: 7}, nil, ""},
		{"grid leader cannot file a community case", "grid", base(StatusReported), Request{Action: ActionFile, Version: 7}, ErrForbidden, "err.case.forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decide(actors[tc.actor], tc.c, tc.req, now)
			if tc.kind == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var e *apperr.Error
			if !errors.Is(err, tc.kind) || !errors.As(err, &e) || e.Msg.Key != tc.key {
				t.Fatalf("err = %v, want %v with key %s", err, tc.kind, tc.key)
			}
		})
	}
}

func TestDecideEffects(t *testing.T) {
	// A leader of the district (level 1) is above the street: may supervise a street case.
	district := Actor{ID: 9, Grants: []Grant{{RoleLeader, 1}}}
	street := base(StatusAssigned)
	street.Level = LevelStreet
	if _, err := Decide(district, street, Request{Action: ActionSupervise, Version: 7}, now); err != nil {
		t.Errorf("district leader supervise: %v", err)
	}

	// The job escalates a grid case to the community.
	grid := base(StatusFiled)
	grid.Level = LevelGrid
	tr, err := Decide(Actor{System: true}, grid, Request{Action: ActionEscalate, Version: 7}, now)
	if err != nil || tr.After.Level != LevelCommunity || !tr.Entry("").System {
		t.Errorf("system escalate: %+v, %v", tr, err)
	}

	// Reopening a closed on-the-spot case (no assignee) files it.
	onspot := base(StatusClosed)
	onspot.Assignee = ""
	tr, err = Decide(actors["inspector"], onspot, Request{Action: ActionReopen, Version: 7, Deadline: now.Add(24 * time.Hour)}, now)
	if err != nil || tr.To != StatusFiled || !tr.After.Deadline.Equal(now.Add(24*time.Hour)) {
		t.Errorf("reopen on-the-spot: %+v, %v", tr, err)
	}

	// Reopening a merged duplicate files it and forgets the merge.
	merged := base(StatusRejected)
	merged.MergedInto = "XG-20261127-0003"
	tr, err = Decide(actors["community"], merged, Request{Action: ActionReopen, Version: 7}, now)
	if err != nil || tr.To != StatusFiled || tr.After.MergedInto != "" || tr.After.Version != 8 {
		t.Errorf("reopen merged: %+v, %v", tr, err)
	}

	// A failed verification twice counts two reworks and keeps the assignee.
	c := base(StatusHandled)
	for i := 1; i <= 2; i++ {
		tr, err = Decide(actors["reporter"], c, Request{Action: ActionVerify, Version: c.Version}, now)
		if err != nil || tr.To != StatusAssigned || tr.After.Rework != i || tr.After.Assignee != "unit:9" {
			t.Fatalf("verify failed #%d: %+v, %v", i, tr, err)
		}
		if tr, err = Decide(actors["assignee"], tr.After, Request{Action: ActionHandle, Version: tr.After.Version}, now); err != nil {
			t.Fatal(err)
		}
		c = tr.After
	}
	if c.Version != 11 || c.Status != StatusHandled {
		t.Errorf("after two rounds: %+v", c)
	}

	// The input snapshot is not modified.
	before := base(StatusFiled)
	if _, err := Decide(actors["admin"], before, Request{Action: ActionEscalate, Version: 7}, now); err != nil || before.Level != LevelCommunity {
		t.Errorf("snapshot modified: %+v, %v", before, err)
	}
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		actor string
		s     Status
		want  []Action
	}{
		{"community", StatusFiled, []Action{ActionReject, ActionAssign, ActionEscalate, ActionReturn, ActionMerge, ActionComment}},
		{"street", StatusAssigned, []Action{ActionAssign, ActionEscalate, ActionReturn, ActionMerge, ActionComment, ActionSupervise}},
		{"assignee", StatusAssigned, []Action{ActionHandle, ActionComment}},
		{"reporter", StatusHandled, []Action{ActionVerify, ActionComment}},
		{"assignee", StatusHandled, []Action{ActionComment}},
		{"inspector", StatusClosed, []Action{ActionReopen, ActionComment}},
		{"public", StatusReported, nil},
	}
	for _, tc := range tests {
		if got := Allowed(actors[tc.actor], base(tc.s), now); !slices.Equal(got, tc.want) {
			t.Errorf("Allowed(%s, %s) = %v, want %v", tc.actor, tc.s, got, tc.want)
		}
	}
}

func TestRelations(t *testing.T) {
	tests := []struct {
		actor string
		want  string
	}{
		{"street", "in-scope leader|upper leader|member"},
		{"community", "in-scope leader|member"},
		{"grid", "member"},
		{"reporter", "reporter|member"},
		{"assignee", "assignee"},
		{"volunteer", "none"},
		{"system", "system"},
	}
	for _, tc := range tests {
		if got := actors[tc.actor].Relations(base(StatusFiled)).String(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.actor, got, tc.want)
		}
	}
}
