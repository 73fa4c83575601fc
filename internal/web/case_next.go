package web

import (
	"net/http"
	"slices"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// The case page shows the one or two actions most likely next as buttons
// and the rest behind "more actions" (issue 16).

// likelyNext lists, per status, the actions usually taken next, most likely first.
var likelyNext = map[cases.Status][]cases.Action{
	cases.StatusReported: {cases.ActionAssign, cases.ActionFile},
	cases.StatusFiled:    {cases.ActionAssign},
	cases.StatusAssigned: {cases.ActionHandle, cases.ActionSupervise},
	cases.StatusHandled:  {cases.ActionVerify},
}

// Primary lists the one or two actions of the page shown first: the likely
// next ones the user may take, else the first action allowed (not a comment).
func (p casePage) Primary() []cases.Action {
	var out []cases.Action
	for _, a := range likelyNext[p.Case.Status] {
		if slices.Contains(p.Actions, a) && len(out) < 2 {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		for _, a := range p.Actions {
			if a != cases.ActionComment {
				return []cases.Action{a}
			}
		}
	}
	return out
}

// ActClass is the class of action a's form: shown first, or behind "more".
// A form that came back with an error is always shown.
func (p casePage) ActClass(a string) string {
	if p.Open == a || slices.Contains(p.Primary(), cases.Action(a)) {
		return "act act-primary"
	}
	return "act act-more"
}

// HasMore reports whether some allowed action sits behind "more actions".
func (p casePage) HasMore() bool {
	for _, a := range p.Actions {
		if p.ActClass(string(a)) == "act act-more" {
			return true
		}
	}
	return false
}

// assignPeople offers the active leaders and patrollers of the holding
// region and the regions inside it, by name with their role and region,
// as assignees ("person:ID") of the assign form.
func (s *Server) assignPeople(r *http.Request, held string) ([]option, error) {
	ctx := r.Context()
	p := printer(r)
	names, err := s.app.DB.RegionNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []option
	seen := map[int64]bool{}
	for _, role := range []people.Role{people.Leader, people.Patroller} {
		list, _, err := s.app.DB.People(ctx, store.PeopleFilter{All: true, Region: held, Role: string(role), Page: store.Page{Page: 1, Size: 200}})
		if err != nil {
			return nil, err
		}
		for _, person := range list {
			if !person.Active || seen[person.ID] {
				continue
			}
			seen[person.ID] = true
			where := ""
			for _, as := range person.Roles {
				if as.Role == role && region.Contains(held, as.Region) {
					where = names[as.Region]
					break
				}
			}
			out = append(out, option{cases.AssigneeRef("person", person.ID), p.T("ux.assign.person") + " · " + person.Name + "（" + p.T("role."+string(role)) + " " + where + "）"})
		}
	}
	return out, nil
}

// caseExtras are what the case page shows beside the case (issue 16): the
// flag of a position set by hand and how the deadline was computed.
type caseExtras struct {
	PositionManual bool
	DeadlineHow    string
}

// caseExtrasOf works out the extras of case c.
func (s *Server) caseExtrasOf(r *http.Request, c cases.Case) caseExtras {
	ctx := r.Context()
	p := printer(r)
	var out caseExtras
	if flags, err := s.app.DB.CaseFlags(ctx, c.ID); err == nil {
		out.PositionManual = slices.Contains(flags, store.FlagManualPosition)
	}
	if c.Deadline.IsZero() || c.DeadlineFrom.IsZero() {
		return out
	}
	cat, err := s.app.DB.Category(ctx, c.Category)
	if err != nil {
		return out
	}
	l, step := cat.Handle, "handle"
	switch c.Status {
	case cases.StatusReported, cases.StatusFiled:
		l, step = cat.File, "file"
	case cases.StatusHandled:
		l, step = cat.Verify, "verify"
	}
	cal, err := s.app.Cases.Calendar(ctx)
	if err != nil {
		return out
	}
	from := c.DeadlineFrom.In(s.app.Loc).Format("2006-01-02 15:04")
	if want, err := l.Deadline(cal, c.DeadlineFrom); err == nil && want.Equal(c.Deadline) {
		out.DeadlineHow = p.T("ux.deadline.computed", p.T("ux.deadline.step."+step), l.N, p.T("ux.deadline.unit."+l.Unit), from)
	} else {
		out.DeadlineHow = p.T("ux.deadline.set", from)
	}
	return out
}
