// Package people holds the street's people — officials, grid leaders,
// patrollers, volunteers and unit contacts — their roles, and passwords.
package people

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Role is what a person does; each assignment binds a role to a region or unit.
type Role string

// The roles of DESIGN.md §2.
const (
	Admin       Role = "admin"
	Leader      Role = "leader"
	Inspector   Role = "inspector"
	Patroller   Role = "patroller"
	Volunteer   Role = "volunteer"
	UnitContact Role = "unit_contact"
)

// Roles lists every role in display order.
var Roles = []Role{Admin, Leader, Inspector, Patroller, Volunteer, UnitContact}

// Assignment binds a role to a region subtree (or, for unit contacts, a unit).
type Assignment struct {
	ID       int64  `json:"id"`
	PersonID int64  `json:"-"`
	Role     Role   `json:"role"`
	Region   string `json:"region,omitempty"`
	UnitID   int64  `json:"unit_id,omitempty"`
}

// Person is someone who signs in.
type Person struct {
	ID        int64
	Username  string
	Name      string
	Mobile    string
	Active    bool
	Roles     []Assignment
	CreatedAt time.Time
	UpdatedAt time.Time
}

var (
	mobileRe   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRe = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}$`)
	usernameRe = regexp.MustCompile(`^[a-z][a-z0-9_.-]{2,31}$`)
)

// ValidMobile reports whether s is an 11-digit mainland mobile number.
func ValidMobile(s string) bool { return mobileRe.MatchString(s) }

// ValidPhone accepts a mainland mobile or a landline with its area code (0938-8212345).
func ValidPhone(s string) bool { return mobileRe.MatchString(s) || landlineRe.MatchString(s) }

// MaskMobile shows a mobile as 138****5678; other strings are masked but for their last four characters.
func MaskMobile(s string) string {
	if ValidMobile(s) {
		return s[:3] + "****" + s[7:]
	}
	if len(s) > 4 {
		return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
	}
	return s
}

// Normalize trims fields and lower-cases the username.
func (p *Person) Normalize() {
	p.Username = strings.ToLower(strings.TrimSpace(p.Username))
	p.Name = strings.TrimSpace(p.Name)
	p.Mobile = strings.TrimSpace(strings.ReplaceAll(p.Mobile, " ", ""))
	p.Mobile = strings.TrimPrefix(p.Mobile, "+86")
}

// Validate checks the person's own fields (not the roles).
func (p *Person) Validate() error {
	f := apperr.Fields{}
	if !usernameRe.MatchString(p.Username) {
		f.Add("username", "err.username")
	}
	switch n := utf8.RuneCountInString(p.Name); {
	case n == 0:
		f.Add("name", "err.required")
	case n > 30:
		f.Add("name", "err.too_long", 30)
	}
	if p.Mobile != "" && !ValidMobile(p.Mobile) {
		f.Add("mobile", "err.mobile")
	}
	return f.Err()
}

// ValidateAssignment checks that a role is known and bound to the right kind of scope.
func ValidateAssignment(a Assignment, validRegion func(string) bool) error {
	f := apperr.Fields{}
	switch {
	case !slices.Contains(Roles, a.Role):
		f.Add("role", "err.invalid_choice")
	case a.Role == UnitContact:
		if a.UnitID <= 0 {
			f.Add("unit_id", "err.required")
		}
	case a.Region == "":
		f.Add("region", "err.required")
	case !validRegion(a.Region):
		f.Add("region", "err.region_unknown")
	}
	return f.Err()
}

// HasRole reports whether the person holds role anywhere.
func (p *Person) HasRole(r Role) bool {
	return slices.ContainsFunc(p.Roles, func(a Assignment) bool { return a.Role == r })
}
