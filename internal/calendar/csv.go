package calendar

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ParseCSV reads a schedule in the format of data/holidays-cn.csv: a header
// line "date,kind,name", then one listed date per line, such as
// "2026-10-10,workday,国庆节". A UTF-8 byte-order mark (as Excel writes) and
// spaces around fields are ignored. Errors name the line and the column.
func ParseCSV(r io.Reader) ([]Day, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // counted below, to name the line
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("calendar: line 1: empty file, want the header date,kind,name")
	}
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	want := []string{"date", "kind", "name"}
	if len(header) != len(want) {
		return nil, fmt.Errorf("calendar: line 1: header has %d columns, want date,kind,name", len(header))
	}
	for i, h := range header {
		if !strings.EqualFold(strings.TrimSpace(h), want[i]) {
			return nil, fmt.Errorf("calendar: line 1, column %d: header %q, want %q", i+1, h, want[i])
		}
	}
	var days []Day
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return days, nil
		}
		if err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 3 {
			return nil, fmt.Errorf("calendar: line %d: %d columns, want 3 (date,kind,name)", line, len(rec))
		}
		d := Day{Date: strings.TrimSpace(rec[0]), Kind: Kind(strings.TrimSpace(rec[1])), Name: strings.TrimSpace(rec[2])}
		if _, err := time.Parse(DateLayout, d.Date); err != nil {
			return nil, fmt.Errorf("calendar: line %d, column 1 (date): %q is not a date like 2026-10-01", line, d.Date)
		}
		if !d.Kind.Valid() {
			return nil, fmt.Errorf("calendar: line %d, column 2 (kind): %q is neither %q nor %q", line, d.Kind, Holiday, Workday)
		}
		if prev, dup := seen[d.Date]; dup {
			return nil, fmt.Errorf("calendar: line %d, column 1 (date): %s is already listed on line %d", line, d.Date, prev)
		}
		seen[d.Date] = line
		days = append(days, d)
	}
}

//go:embed holidays-cn.csv
var defaultCSV string

var defaultDays = sync.OnceValue(func() []Day {
	days, err := ParseCSV(strings.NewReader(defaultCSV))
	if err != nil {
		panic("calendar: embedded holidays-cn.csv: " + err.Error())
	}
	return days
})

// DefaultDays returns the embedded official schedule (holidays-cn.csv: the
// State Council's 2025 and 2026 arrangements), for seeding the database.
func DefaultDays() []Day { return append([]Day(nil), defaultDays()...) }

// Default returns a calendar of the embedded official schedule in loc with
// DefaultHours.
func Default(loc *time.Location) *Calendar {
	c, err := New(defaultDays(), loc)
	if err != nil {
		panic("calendar: embedded holidays-cn.csv: " + err.Error())
	}
	return c
}
