package letters

import (
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/unit"
)

// The years letters may be for.
const (
	MinYear = 2000
	MaxYear = 2100
)

// ParseYear reads a year typed in a form or a query: def when empty, else a
// number from MinYear to MaxYear (a field error on "year" otherwise).
func ParseYear(s string, def int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < MinYear || y > MaxYear {
		return def, apperr.Field("year", "err.out_of_range")
	}
	return y, nil
}

// IssueYear works out the year letters are issued for: the year asked; when
// none, the chosen template's (t, nil when none was chosen), else thisYear.
// A year out of range is a field error on "year"; a template of another
// year one on "template_id".
func IssueYear(year, thisYear int, t *Template) (int, error) {
	if year != 0 && (year < MinYear || year > MaxYear) {
		return 0, apperr.Field("year", "err.out_of_range")
	}
	switch {
	case t != nil && year == 0:
		year = t.Year
	case year == 0:
		year = thisYear
	}
	if t != nil && t.Year != year {
		return 0, apperr.Field("template_id", "err.letter.template_year", t.Year)
	}
	if year < MinYear || year > MaxYear {
		return 0, apperr.Field("year", "err.out_of_range")
	}
	return year, nil
}

// RenewYear works out the year a renewal issues letters for: the year asked,
// else thisYear; the year before it must be one letters can exist for.
func RenewYear(year, thisYear int) (int, error) {
	if year == 0 {
		year = thisYear
	}
	if year <= MinYear || year > MaxYear {
		return 0, apperr.Field("year", "err.out_of_range")
	}
	return year, nil
}

// Skip reports whether issuing or renewing passes a unit by (and counts it
// as skipped): the unit is closed, or it already holds a current letter for
// the year — current is that letter's status, StatusNone when it has none;
// a withdrawn letter does not count.
func Skip(u unit.Unit, current Status) bool {
	return u.Status != unit.Active || (current != StatusNone && current != StatusWithdrawn)
}

// Representative is who is named to sign for a unit: its first contact
// ("" when it has none, which the letter shows as Blank, a line to fill in).
func Representative(u unit.Unit) string {
	if len(u.Contacts) == 0 {
		return ""
	}
	return strings.TrimSpace(u.Contacts[0].Name)
}

// ForUnit returns u's issued letter for year: the template for its kind
// among the year's templates (see Pick) rendered for the unit, its
// representative and the street office's name, issued at. A year without a
// template for the unit is a field error on "year".
func ForUnit(templates []Template, u unit.Unit, year int, street string, at time.Time) (Letter, error) {
	t, ok := Pick(templates, string(u.Kind))
	if !ok {
		return Letter{}, apperr.Field("year", "err.letter.no_template", year)
	}
	l, err := New(t, u.ID, NewVars(u.Name, year, Representative(u), street))
	if err != nil {
		return Letter{}, err
	}
	return Issue(l, at)
}

// ToRemind picks, among letters, those whose unit's contacts a reminder
// goes to: issued (so not yet signed, nor withdrawn) letters of units that
// are still active. A letter whose unit's status is unknown ("") counts as active.
func ToRemind(ls []Letter) []Letter {
	var out []Letter
	for _, l := range ls {
		if l.Status == StatusIssued && (l.UnitStatus == "" || l.UnitStatus == unit.Active) {
			out = append(out, l)
		}
	}
	return out
}

// ArchiveYear is the year whose signed letters are archived at now: the
// year before now's, in now's time zone.
func ArchiveYear(now time.Time) int { return now.Year() - 1 }

// ArchiveDue reports whether l is due for archiving at now: it is signed and
// its year is over (in now's time zone).
func ArchiveDue(l Letter, now time.Time) bool {
	return l.Status == StatusSigned && l.Year < now.Year()
}
