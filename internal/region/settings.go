package region

import (
	"regexp"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Settings are what may differ from one street to another in one
// deployment, set on a street or, as the default of its streets, on a
// district. An empty prefix or a negative number means "not set here": the
// district's value, else the server's configuration, applies.
type Settings struct {
	Region     string // a street or a district
	CasePrefix string // letters that start case numbers, e.g. XG
	// GraceMinutes is how long a community case may be overdue before it climbs to the street.
	GraceMinutes int
	// InspectWeekday is the day of the weekly inspection, 1 (Monday) … 7 (Sunday).
	InspectWeekday int
	UpdatedAt      time.Time
}

// Unset is a Settings of region that sets nothing.
func Unset(region string) Settings {
	return Settings{Region: region, GraceMinutes: -1, InspectWeekday: -1}
}

// MaxGraceMinutes bounds the escalation grace: thirty days.
const MaxGraceMinutes = 30 * 24 * 60

var casePrefixRe = regexp.MustCompile(`^[A-Z]{1,6}$`)

// Validate returns the field errors of s: a street or district code, a
// prefix of one to six capital letters, a grace of at most thirty days, a
// weekday 1 to 7 (each unless unset).
func (s Settings) Validate() error {
	f := apperr.Fields{}
	if l := LevelOf(s.Region); l != Street && l != District {
		f.Add("region", "err.invalid_choice")
	}
	if s.CasePrefix != "" && !casePrefixRe.MatchString(s.CasePrefix) {
		f.Add("case_prefix", "err.scale_prefix")
	}
	if s.GraceMinutes < -1 || s.GraceMinutes > MaxGraceMinutes {
		f.Add("grace_minutes", "err.scale_grace")
	}
	// A street's own inspection day is set with its inspectors (package
	// inspectsvc); here only the district's default.
	if s.InspectWeekday < -1 || s.InspectWeekday == 0 || s.InspectWeekday > 7 || s.InspectWeekday > 0 && LevelOf(s.Region) != District {
		f.Add("inspect_weekday", "err.invalid_choice")
	}
	return f.Err()
}

// Effective is the settings that apply in one street, every value resolved.
type Effective struct {
	CasePrefix     string
	Grace          time.Duration
	InspectWeekday int // 0 when neither the street nor its district sets one
}

// Resolve applies street over district over the defaults; either may be the zero Settings.
func Resolve(street, district Settings, prefix string, grace time.Duration) Effective {
	e := Effective{CasePrefix: prefix, Grace: grace}
	for _, s := range []Settings{district, street} {
		if s.Region == "" {
			continue
		}
		if s.CasePrefix != "" {
			e.CasePrefix = s.CasePrefix
		}
		if s.GraceMinutes >= 0 {
			e.Grace = time.Duration(s.GraceMinutes) * time.Minute
		}
		if s.InspectWeekday > 0 {
			e.InspectWeekday = s.InspectWeekday
		}
	}
	return e
}
