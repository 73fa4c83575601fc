// Package importer loads units and people from spreadsheets (XLSX or CSV with
// Chinese headers) and regions from GeoJSON. Every import runs in two steps:
// a Parse function is the dry run, reading the whole file, checking every row
// against the same rules the real write applies (and against the database),
// and returning a Report that names each bad row and column; Apply then
// writes the file — all of it, or only its valid rows when the user chooses so
// — in one audited transaction, so that nothing is ever half-written.
package importer

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Kind is what a file holds.
type Kind string

// The three kinds of import (the `lantian import` subcommands).
const (
	Units   Kind = "units"
	People  Kind = "people"
	Regions Kind = "regions"
)

// DefaultMaxRows caps the data rows (or GeoJSON features) of one file when
// Options.MaxRows is zero; a street has hundreds of units, a city tens of thousands.
const DefaultMaxRows = 50000

// Options carries what a dry run needs from its caller.
type Options struct {
	// Allowed reports whether the importing user may act on a region code (a
	// grid, a role's region, a unit's grid, or the region being imported);
	// nil allows every region.
	Allowed func(regionCode string) bool
	// Index finds a unit's grid from its coordinates; nil builds one from the
	// database's polygons.
	Index *region.Index
	// MaxRows caps the data rows; 0 means DefaultMaxRows.
	MaxRows int
	// MaxPoints caps the points of a regions file; 0 means MaxGeoJSONPoints.
	MaxPoints int
}

func (o Options) allowed(code string) bool { return o.Allowed == nil || o.Allowed(code) }

func (o Options) maxPoints() int {
	if o.MaxPoints > 0 {
		return o.MaxPoints
	}
	return MaxGeoJSONPoints
}

func (o Options) maxRows() int {
	if o.MaxRows > 0 {
		return o.MaxRows
	}
	return DefaultMaxRows
}

// Problem is one thing wrong with one row of a file.
type Problem struct {
	// Row is the 1-based row number as a spreadsheet shows it, the header
	// being row 1 (blank rows count, as in Excel); for GeoJSON it is the
	// 1-based number of the feature.
	Row int `json:"row"`
	// Column is the column's header text as written in the file (the
	// canonical Chinese header when the file lacks the column); for GeoJSON
	// the property name, or "geometry".
	Column string `json:"column"`
	// Field is our name for the field, e.g. "credit_code".
	Field string `json:"field"`
	// Key is the message key of the reason; Args are its arguments.
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
}

// Report is the outcome of a dry run.
type Report struct {
	Kind Kind `json:"kind"`
	// Rows counts the data rows (blank rows and the header excluded) or features.
	Rows int `json:"rows"`
	// Valid counts the rows that would be written.
	Valid    int       `json:"valid"`
	Problems []Problem `json:"problems"`
}

// OK reports whether the file has no problems at all.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(row int, column, field, key string, args ...any) {
	r.Problems = append(r.Problems, Problem{Row: row, Column: column, Field: field, Key: key, Args: args})
}

// sortProblems orders problems by row, keeping each row's column order.
func (r *Report) sortProblems() {
	sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Row < r.Problems[j].Row })
}

// Parsed is a checked file, ready for Apply. Its Report says what is wrong.
type Parsed struct {
	Report  Report
	units   []unitRow
	people  []*personRec
	regions []regionRow
}

// Kind returns what the file holds.
func (p *Parsed) Kind() Kind { return p.Report.Kind }

// Credential is a password the import generated, to be handed to its owner.
type Credential struct {
	Row      int    `json:"row"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// Result says what Apply wrote.
type Result struct {
	Created int `json:"created"`
	Updated int `json:"updated"` // regions only
	// Unchanged counts stored regions the file repeats as they are (not rewritten, not audited).
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"` // invalid rows left out
	// Passwords lists the generated initial passwords (people imports only).
	// Show them once to the admin; they are stored only as hashes.
	Passwords []Credential `json:"passwords,omitempty"`
}

// Apply writes a parsed file in one transaction, every record audited as
// actor. When the file has problems and onlyValid is false it writes nothing
// and returns an Invalid error (import.has_problems); with onlyValid it writes
// the valid rows only. A failure on any row (say, a credit code another user
// stored since the dry run) rolls back the whole import and returns an error
// naming the row (import.row_failed) with the row's field messages.
//
// After a regions import the caller rebuilds its region.Index.
func Apply(ctx context.Context, db *store.DB, actor store.Actor, p *Parsed, onlyValid bool) (*Result, error) {
	if p == nil {
		return nil, errors.New("importer: nil Parsed")
	}
	if n := len(p.Report.Problems); n > 0 && !onlyValid {
		return nil, apperr.New(apperr.Invalid, "import.has_problems", n)
	}
	res := &Result{Skipped: p.Report.Rows - p.Report.Valid}
	var err error
	switch p.Report.Kind {
	case Units:
		err = applyUnits(ctx, db, actor, p, res)
	case People:
		err = applyPeople(ctx, db, actor, p, res)
	case Regions:
		err = applyRegions(ctx, db, actor, p, res)
	default:
		err = fmt.Errorf("importer: unknown kind %q", p.Report.Kind)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// rowErr names the row that failed during Apply, keeping its field messages.
func rowErr(row int, err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		return &apperr.Error{Code: ae.Code, Msg: apperr.Msg{Key: "import.row_failed", Args: []any{row}}, Fields: ae.Fields, Err: err}
	}
	return fmt.Errorf("import row %d: %w", row, err)
}
