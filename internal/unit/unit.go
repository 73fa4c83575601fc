// Package unit holds the organisations of a street — enterprises,
// institutions, property companies, residential courtyards and the rest —
// that sign letters, are patrolled and are assessed.
package unit

import (
	"slices"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
)

// Kind is the sort of organisation.
type Kind string

// Kinds lists every unit kind, in display order.
var Kinds = []Kind{"enterprise", "institution", "property", "courtyard", "school", "site", "restaurant", "shop", "other"}

// RiskTags lists the pollution risks a unit can carry, in display order.
var RiskTags = []string{"dust", "fumes", "coal", "burning", "fireworks", "vehicles", "waste", "boiler"}

// Status of a unit: closed units keep their history but take no new work.
const (
	Active = "active"
	Closed = "closed"
)

// Contact is a person to call at the unit.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Unit is one organisation.
type Unit struct {
	ID         int64
	Name       string
	Kind       Kind
	CreditCode string
	Address    string
	Lat, Lon   float64 // 0,0 when unknown
	Region     string  // grid code
	Contacts   []Contact
	Tags       []string
	Status     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// HasLocation reports whether the unit has coordinates.
func (u Unit) HasLocation() bool { return u.Lat != 0 || u.Lon != 0 }

// Normalize trims text fields and upper-cases the credit code.
func (u *Unit) Normalize() {
	u.Name = strings.TrimSpace(u.Name)
	u.Address = strings.TrimSpace(u.Address)
	u.CreditCode = strings.ToUpper(strings.TrimSpace(u.CreditCode))
	u.Region = strings.TrimSpace(u.Region)
	for i := range u.Contacts {
		u.Contacts[i].Name = strings.TrimSpace(u.Contacts[i].Name)
		u.Contacts[i].Phone = strings.TrimSpace(u.Contacts[i].Phone)
	}
	var tags []string
	for _, t := range u.Tags {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	u.Tags = tags
	if u.Status == "" {
		u.Status = Active
	}
}

// Validate checks every field and returns the field errors together.
// The region is checked against the store by the caller.
func (u *Unit) Validate() error {
	f := apperr.Fields{}
	switch n := len([]rune(u.Name)); {
	case n == 0:
		f.Add("name", "err.required")
	case n > 100:
		f.Add("name", "err.too_long", 100)
	}
	if !slices.Contains(Kinds, u.Kind) {
		f.Add("kind", "err.unit_kind")
	}
	if u.CreditCode == "" {
		if u.Kind != "courtyard" {
			f.Add("credit_code", "err.required")
		}
	} else if err := CheckCreditCode(u.CreditCode); err != nil {
		f.Add("credit_code", err.Error())
	}
	if len([]rune(u.Address)) > 200 {
		f.Add("address", "err.too_long", 200)
	}
	if u.HasLocation() && !region.ValidPoint(u.Lat, u.Lon) {
		f.Add("lat", "err.coords")
	}
	if len(u.Contacts) > 5 {
		f.Add("contacts", "err.too_many_items", 5)
	}
	for _, c := range u.Contacts {
		if c.Name == "" && c.Phone == "" {
			continue
		}
		if c.Name == "" || len([]rune(c.Name)) > 30 {
			f.Add("contact_name", "err.required")
		}
		if !people.ValidPhone(c.Phone) {
			f.Add("contact_phone", "err.phone")
		}
	}
	for _, t := range u.Tags {
		if !slices.Contains(RiskTags, t) {
			f.Add("tags", "err.unit_tag", t)
		}
	}
	if u.Status != Active && u.Status != Closed {
		f.Add("status", "err.invalid_choice")
	}
	return f.Err()
}
