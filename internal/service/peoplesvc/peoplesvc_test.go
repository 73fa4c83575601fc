package peoplesvc_test

import (
	"context"
	"testing"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/service/peoplesvc"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestPeople: who may add and edit whom, and an edit that fails writes nothing.
func TestPeople(t *testing.T) {
	testutil.EachApp(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		comm, who := testutil.As(t, a, "community1")
		admin, _ := testutil.As(t, a, "admin")
		patroller := func(code string) []people.Assignment {
			return []people.Assignment{{Role: people.Patroller, Region: code}}
		}
		p, err := a.People.Create(ctx, who, comm, peoplesvc.NewPerson{Username: "p_new", Name: "新巡查员", Mobile: "13700001111",
			Password: "long-enough-1", Active: true, Roles: patroller(demo.GridCode(0, 2))})
		if err != nil || p.ID == 0 {
			t.Fatalf("create: %+v %v", p, err)
		}
		if _, err := a.People.Create(ctx, who, comm, peoplesvc.NewPerson{Username: "p_out", Name: "外人", Password: "long-enough-1",
			Active: true, Roles: patroller(demo.GridCode(2, 0))}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a role in another community: %v, want forbidden", err)
		}
		if _, err := a.People.Create(ctx, who, comm, peoplesvc.NewPerson{Username: "p_weak", Name: "弱", Password: "12345678",
			Active: true, Roles: patroller(demo.GridCode(0, 2))}); apperr.As(err).Fields["password"].Key == "" {
			t.Errorf("a weak password: %v, want a password field error", err)
		}
		// A change with a weak password changes nothing, the name included.
		name, weak := "改名", "password"
		if _, err := a.People.Update(ctx, who, comm, p.ID, peoplesvc.Change{Name: &name, Password: &weak}); apperr.As(err).Fields["password"].Key == "" {
			t.Fatalf("a weak new password: %v", err)
		}
		if got, _ := a.People.Get(ctx, comm, p.ID); got.Name != "新巡查员" {
			t.Errorf("after a refused change the name is %q, want it unchanged", got.Name)
		}
		// p_new becomes the district's admin too: community1 may no longer touch them.
		_, aw := testutil.As(t, a, "admin")
		if _, err := a.People.AddRole(ctx, aw, admin, p.ID, people.Assignment{Role: people.Admin, Region: demo.DistrictCode}); err != nil {
			t.Fatalf("the admin makes p_new an admin: %v", err)
		}
		if _, err := a.People.AddRole(ctx, who, comm, p.ID, people.Assignment{Role: people.Volunteer, Region: demo.CommunityCode(0)}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a community leader adds a role to someone who is also the district admin: %v, want forbidden", err)
		}
		if _, err := a.People.ResetPassword(ctx, who, comm, p.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a community leader resets the password of an admin: %v, want forbidden", err)
		}
		if _, err := a.People.Update(ctx, who, comm, comm.PersonID, peoplesvc.Change{Active: new(false)}); apperr.As(err).Fields["active"].Key != "err.deactivate_self" {
			t.Errorf("deactivating oneself: %v", err)
		}
		pw, err := a.People.ResetPassword(ctx, aw, admin, p.ID)
		if err != nil || len(pw) < people.MinPasswordLen {
			t.Fatalf("reset: %q %v", pw, err)
		}
		if _, hash, err := a.DB.Credentials(ctx, "p_new"); err != nil || !people.CheckPassword(hash, pw) {
			t.Errorf("the temporary password does not sign in: %v", err)
		}
		other, _ := testutil.As(t, a, "community2")
		if _, err := a.People.Get(ctx, other, p.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another community reads the new patroller: %v, want not found", err)
		}
	})
}
