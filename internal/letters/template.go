package letters

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/unit"
)

// The variables a template may use, written {name} in any of its texts.
const (
	VarUnit           = "unit"           // the unit's name
	VarYear           = "year"           // the letter's year, e.g. 2026
	VarRepresentative = "representative" // the unit's representative who signs
	VarStreet         = "street"         // the street office's name
)

// Variables lists every variable a template may use.
var Variables = []string{VarUnit, VarYear, VarRepresentative, VarStreet}

// Blank stands in for a variable with no value (a representative not yet
// known): a line to fill in by hand on paper.
const Blank = "＿＿＿＿＿＿"

// Limits of a template's texts, in characters.
const (
	MaxTitle      = 100
	MaxPreamble   = 2000
	MaxClause     = 500
	MaxClauses    = 30
	MaxDuties     = 20
	MaxTerm       = 500
	MaxCategories = 20
)

// Clause is one numbered obligation of a letter, tagged with the case
// categories that breach it (a case about the unit in one of them counts
// against the clause).
type Clause struct {
	Text       string   `json:"text"`
	Categories []string `json:"categories"`
}

// Template is a year's letter for one unit kind ("" for every kind that has
// no template of its own). Version starts at 1 and grows by one on every
// edit; letters keep the text they were issued with.
type Template struct {
	ID           int64
	Year         int
	Kind         string // a unit kind, or "" for all kinds
	Title        string
	Preamble     string
	Clauses      []Clause
	StreetDuties []string // what the street office (甲方) undertakes
	UnitDuties   []string // what the unit (乙方) undertakes
	Term         string   // how long the letter runs
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Vars are the values of the variables, by name (see Variables).
type Vars map[string]string

// NewVars returns the variables for one unit's letter.
func NewVars(unitName string, year int, representative, street string) Vars {
	return Vars{VarUnit: unitName, VarYear: strconv.Itoa(year), VarRepresentative: representative, VarStreet: street}
}

// placeholder matches {name}; anything else in braces is text.
var placeholder = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// unknownVariable returns the first variable in s that is not one of Variables.
func unknownVariable(s string) string {
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(Variables, m[1]) {
			return m[1]
		}
	}
	return ""
}

// clean trims s and turns CR LF and CR into LF.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(strings.ReplaceAll(s, "\r", "\n"))
}

// Normalize trims every text, drops empty clauses and duties, and
// upper-cases and de-duplicates category codes.
func (t *Template) Normalize() {
	t.Kind = strings.TrimSpace(t.Kind)
	t.Title, t.Preamble, t.Term = clean(t.Title), clean(t.Preamble), clean(t.Term)
	var cs []Clause
	for _, c := range t.Clauses {
		c.Text = clean(c.Text)
		if c.Text == "" {
			continue
		}
		var cats []string
		for _, code := range c.Categories {
			code = strings.ToUpper(strings.TrimSpace(code))
			if code != "" && !slices.Contains(cats, code) {
				cats = append(cats, code)
			}
		}
		c.Categories = cats
		cs = append(cs, c)
	}
	t.Clauses = cs
	t.StreetDuties, t.UnitDuties = cleanList(t.StreetDuties), cleanList(t.UnitDuties)
}

func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = clean(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var categoryCode = regexp.MustCompile(`^[0-9A-Z]{1,8}$`)

// Validate checks every field and returns the field errors together; an
// unknown variable is reported on the field that uses it. Whether the
// category codes exist is checked by the store.
func (t Template) Validate() error {
	f := apperr.Fields{}
	if t.Year < 2000 || t.Year > 2100 {
		f.Add("year", "err.out_of_range")
	}
	if t.Kind != "" && !slices.Contains(unit.Kinds, unit.Kind(t.Kind)) {
		f.Add("kind", "err.unit_kind")
	}
	text := func(field, s string, required bool, limit int) {
		switch n := len([]rune(s)); {
		case n == 0 && required:
			f.Add(field, "err.required")
		case n > limit:
			f.Add(field, "err.too_long", limit)
		}
		if v := unknownVariable(s); v != "" {
			f.Add(field, "err.letter.unknown_variable", v)
		}
	}
	text("title", t.Title, true, MaxTitle)
	text("preamble", t.Preamble, false, MaxPreamble)
	text("term", t.Term, false, MaxTerm)
	switch {
	case len(t.Clauses) == 0:
		f.Add("clauses", "err.required")
	case len(t.Clauses) > MaxClauses:
		f.Add("clauses", "err.too_many_items", MaxClauses)
	}
	for _, c := range t.Clauses {
		text("clauses", c.Text, true, MaxClause)
		if len(c.Categories) > MaxCategories {
			f.Add("clauses", "err.too_many_items", MaxCategories)
		}
		for _, code := range c.Categories {
			if !categoryCode.MatchString(code) {
				f.Add("clauses", "err.case.category_unknown")
			}
		}
	}
	for field, list := range map[string][]string{"street_duties": t.StreetDuties, "unit_duties": t.UnitDuties} {
		if len(list) > MaxDuties {
			f.Add(field, "err.too_many_items", MaxDuties)
		}
		for _, s := range list {
			text(field, s, false, MaxClause)
		}
	}
	return f.Err()
}

// Section headings of the rendered text. The letter is a document in the
// office's language (zh-CN) whatever the reader's interface language, so
// its fixed words are part of the text that is signed and hashed.
var headings = []string{"责任条款", "甲方职责", "乙方职责", "责任期限"}

var numerals = []string{"一", "二", "三", "四", "五"}

// Render returns the exact text of a letter: the title, a blank line, then
// the preamble and the numbered sections (clauses, the street's duties, the
// unit's duties, the term), each present only when the template has it,
// with every variable replaced. A variable with no value becomes Blank. It
// refuses a template using an unknown variable with a field error
// err.letter.unknown_variable naming it, and renders nothing.
func Render(t Template, v Vars) (string, error) {
	if err := checkVariables(t); err != nil {
		return "", err
	}
	sub := func(s string) string { return substitute(s, v) }
	var b strings.Builder
	b.WriteString(sub(t.Title))
	if t.Preamble != "" {
		b.WriteString("\n\n")
		b.WriteString(sub(t.Preamble))
	}
	section := 0
	list := func(heading string, items []string) {
		if len(items) == 0 {
			return
		}
		b.WriteString("\n\n" + numerals[section] + "、" + heading)
		section++
		for i, s := range items {
			b.WriteString("\n" + strconv.Itoa(i+1) + ". " + sub(s))
		}
	}
	clauses := make([]string, len(t.Clauses))
	for i, c := range t.Clauses {
		clauses[i] = c.Text
	}
	list(headings[0], clauses)
	list(headings[1], t.StreetDuties)
	list(headings[2], t.UnitDuties)
	if t.Term != "" {
		b.WriteString("\n\n" + numerals[section] + "、" + headings[3] + "\n" + sub(t.Term))
	}
	return b.String(), nil
}

// checkVariables returns a field error for the first unknown variable, in
// the order the texts are rendered.
func checkVariables(t Template) error {
	clauses := make([]string, len(t.Clauses))
	for i, c := range t.Clauses {
		clauses[i] = c.Text
	}
	for _, c := range []struct {
		field string
		texts []string
	}{
		{"title", []string{t.Title}}, {"preamble", []string{t.Preamble}}, {"clauses", clauses},
		{"street_duties", t.StreetDuties}, {"unit_duties", t.UnitDuties}, {"term", []string{t.Term}},
	} {
		for _, s := range c.texts {
			if name := unknownVariable(s); name != "" {
				return apperr.Field(c.field, "err.letter.unknown_variable", name)
			}
		}
	}
	return nil
}

// substitute replaces every variable of s by its value, or Blank.
func substitute(s string, v Vars) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if val := strings.TrimSpace(v[m[1:len(m)-1]]); val != "" {
			return val
		}
		return Blank
	})
}

// Title renders the template's title alone (for lists); unknown variables
// are replaced by Blank like missing ones (Render refuses them).
func Title(t Template, v Vars) string { return substitute(t.Title, v) }

// Hash returns the lowercase hex SHA-256 of a letter's text (its UTF-8 bytes).
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Pick returns the template for a unit of kind among a year's templates:
// the newest one for that kind, else the newest for all kinds; ok is false
// when there is neither.
func Pick(templates []Template, kind string) (Template, bool) {
	var best Template
	found := false
	for _, t := range templates {
		switch {
		case t.Kind == kind && kind != "" && (!found || best.Kind != kind || t.ID > best.ID):
			best, found = t, true
		case t.Kind == "" && (!found || (best.Kind == "" && t.ID > best.ID)):
			best, found = t, true
		}
	}
	return best, found
}
