// Package peoplesvc is the people service: who may see and edit whom, adding
// people with their roles, changing their details and passwords, giving and
// taking roles. Pages and API both call it, so both answer alike.
package peoplesvc

import (
	"context"
	"crypto/rand"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Service runs people and their roles.
type Service struct {
	DB *store.DB
}

// New returns the service over db.
func New(db *store.DB) *Service { return &Service{DB: db} }

// Targets lists where a person's roles lie (a unit contact's: the unit's
// grid), for auth.Principal.CanOnPerson and the masking of their mobile.
func (s *Service) Targets(ctx context.Context, p people.Person) ([]auth.Target, error) {
	var out []auth.Target
	for _, as := range p.Roles {
		t, err := s.roleTarget(ctx, as)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// roleTarget is where one role lies.
func (s *Service) roleTarget(ctx context.Context, as people.Assignment) (auth.Target, error) {
	if as.Role != people.UnitContact {
		return auth.Target{Region: as.Region}, nil
	}
	un, err := s.DB.Unit(ctx, as.UnitID)
	if err != nil {
		return auth.Target{}, err
	}
	return auth.Target{Region: un.Region}, nil
}

// Get returns a person p may read; 404 otherwise.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (people.Person, error) {
	person, err := s.DB.Person(ctx, id)
	if err != nil {
		return person, err
	}
	targets, err := s.Targets(ctx, person)
	if err != nil {
		return person, err
	}
	if !p.CanOnPerson(auth.PersonRead, targets) {
		return people.Person{}, apperr.ErrNotFound
	}
	return person, nil
}

// editable returns a person p may edit: 404 when p may not see them, 403
// when some of their roles lie outside p's scope (a community leader may
// not touch someone who is also the district's admin).
func (s *Service) editable(ctx context.Context, p *auth.Principal, id int64) (people.Person, error) {
	person, err := s.Get(ctx, p, id)
	if err != nil {
		return person, err
	}
	targets, err := s.Targets(ctx, person)
	if err != nil {
		return person, err
	}
	if !p.CanOnPerson(auth.PersonEdit, targets) {
		return person, apperr.ErrForbidden
	}
	return person, nil
}

// CanEdit reports whether p may edit person (for the page's forms).
func (s *Service) CanEdit(ctx context.Context, p *auth.Principal, person people.Person) bool {
	targets, err := s.Targets(ctx, person)
	return err == nil && p.CanOnPerson(auth.PersonEdit, targets)
}

// CanGrant reports whether p may give or take away role as.
func (s *Service) CanGrant(ctx context.Context, p *auth.Principal, as people.Assignment) bool {
	t, err := s.roleTarget(ctx, as)
	return err == nil && p.CanGrant(as.Role, t)
}

// grantable checks a role p wants to give: valid, its unit known (422 on
// unit_id), and in p's scope (403 naming the region).
func (s *Service) grantable(ctx context.Context, p *auth.Principal, as people.Assignment) (people.Assignment, error) {
	as.Region = strings.TrimSpace(as.Region)
	if as.Role == people.UnitContact {
		as.Region = ""
		if as.UnitID <= 0 {
			return as, apperr.Field("unit_id", "err.required")
		}
	}
	if err := people.ValidateAssignment(as, region.ValidCode); err != nil {
		return as, err
	}
	t, err := s.roleTarget(ctx, as)
	if apperr.Is(err, apperr.NotFound) {
		return as, apperr.Field("unit_id", "err.unit_unknown")
	}
	if err != nil {
		return as, err
	}
	if !p.CanGrant(as.Role, t) {
		return as, &apperr.Error{Code: apperr.Forbidden, Msg: apperr.Msg{Key: "err.forbidden"}, Fields: map[string]apperr.Msg{"region": {Key: "err.out_of_scope"}}}
	}
	return as, nil
}

// NewPerson is a person to add, with their first password and roles.
type NewPerson struct {
	Username, Name, Mobile, Password string
	Active                           bool
	Roles                            []people.Assignment
}

// Create adds a person with roles p may give. Only a district-wide admin
// may add someone with no role (whom only they could then see).
func (s *Service) Create(ctx context.Context, who store.Actor, p *auth.Principal, in NewPerson) (people.Person, error) {
	if !p.CanSomewhere(auth.PersonEdit) {
		return people.Person{}, apperr.ErrForbidden
	}
	person := people.Person{Username: in.Username, Name: in.Name, Mobile: in.Mobile, Active: in.Active}
	person.Normalize()
	f := apperr.Fields{}
	if err := person.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if err := people.ValidatePassword("password", in.Password, person.Username, person.Mobile); err != nil {
		m := apperr.As(err).Fields["password"]
		f.Add("password", m.Key, m.Args...)
	}
	if len(in.Roles) == 0 && !p.Can(auth.PersonEdit, auth.Target{}) {
		f.Add("roles", "err.required")
	}
	if err := f.Err(); err != nil {
		return person, err
	}
	for _, as := range in.Roles {
		as, err := s.grantable(ctx, p, as)
		if err != nil {
			return person, err
		}
		person.Roles = append(person.Roles, as)
	}
	hash, err := people.HashPassword(in.Password)
	if err != nil {
		return person, err
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.CreatePerson(ctx, &person, hash) })
	return person, err
}

// Change is an edit of a person: the fields that are set change.
type Change struct {
	Name, Mobile *string
	Active       *bool
	Password     *string
}

// Update changes a person's details (and password) in one transaction.
// Nobody may deactivate themselves.
func (s *Service) Update(ctx context.Context, who store.Actor, p *auth.Principal, id int64, ch Change) (people.Person, error) {
	person, err := s.editable(ctx, p, id)
	if err != nil {
		return person, err
	}
	if ch.Name != nil {
		person.Name = *ch.Name
	}
	if ch.Mobile != nil {
		person.Mobile = *ch.Mobile
	}
	if ch.Active != nil {
		if !*ch.Active && person.ID == p.PersonID {
			return person, apperr.Field("active", "err.deactivate_self")
		}
		person.Active = *ch.Active
	}
	person.Normalize()
	var hash string
	if ch.Password != nil {
		if err := people.ValidatePassword("password", *ch.Password, person.Username, person.Mobile); err != nil {
			return person, err
		}
		if hash, err = people.HashPassword(*ch.Password); err != nil {
			return person, err
		}
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.UpdatePerson(ctx, &person); err != nil {
			return err
		}
		if hash == "" {
			return nil
		}
		return tx.SetPassword(ctx, person.ID, hash, "")
	})
	return person, err
}

// AddRole gives a person one more role. Like every edit of a person it
// needs all of their present roles in p's scope, and the new one too.
func (s *Service) AddRole(ctx context.Context, who store.Actor, p *auth.Principal, id int64, as people.Assignment) (people.Person, error) {
	person, err := s.editable(ctx, p, id)
	if err != nil {
		return person, err
	}
	as, err = s.grantable(ctx, p, as)
	if err != nil {
		return person, err
	}
	as.PersonID = person.ID
	if err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.AddRole(ctx, &as) }); err != nil {
		return person, err
	}
	person.Roles = append(person.Roles, as)
	return person, nil
}

// RemoveRole takes role roleID away from a person: 404 when they hold no
// such role, 403 when p may not grant it.
func (s *Service) RemoveRole(ctx context.Context, who store.Actor, p *auth.Principal, id, roleID int64) error {
	person, err := s.editable(ctx, p, id)
	if err != nil {
		return err
	}
	for _, as := range person.Roles {
		if as.ID != roleID {
			continue
		}
		if !s.CanGrant(ctx, p, as) {
			return apperr.ErrForbidden
		}
		return s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.RemoveRole(ctx, person.ID, roleID) })
	}
	return apperr.ErrNotFound
}

// ResetPassword gives a person a random temporary password, shown once to p
// to read out, and ends their sessions.
func (s *Service) ResetPassword(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (string, error) {
	person, err := s.editable(ctx, p, id)
	if err != nil {
		return "", err
	}
	pw := TempPassword()
	hash, err := people.HashPassword(pw)
	if err != nil {
		return "", err
	}
	return pw, s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.SetPassword(ctx, person.ID, hash, "") })
}

// TempPassword returns a random password that is easy to read out over the
// phone: letters and digits without look-alikes, long enough for the rules.
func TempPassword() string {
	const alpha = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, people.MinPasswordLen+2)
	rand.Read(b)
	for i := range b {
		b[i] = alpha[int(b[i])%len(alpha)]
	}
	return string(b)
}
