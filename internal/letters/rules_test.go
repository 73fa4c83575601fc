package letters

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/unit"
)

// ruleActors are people as the service describes them relative to one
// letter's unit: their relations.
var ruleActors = map[string]Relation{
	"contact":   Contact,                  // the unit's contact
	"community": Issuer,                   // a leader of the unit's community
	"street":    Issuer | Signer,          // a leader of the street
	"admin":     Issuer | Signer | Editor, // an admin of the district
	"system":    System,                   // the background job
	"nobody":    0,                        // an inspector, a patroller, a leader elsewhere
}

// ruleStates are the states a letter (or a unit's current letter) can be in.
var ruleStates = []string{"none", "draft", "issued", "unit_signed", "street_signed", "signed", "archived", "withdrawn"}

// letterIn returns a letter in state s.
func letterIn(s string) Letter {
	sig := func(p Party) Signature { return Signature{Party: p, Kind: KindDrawn, FileID: "f", Signer: "x"} }
	l := Letter{ID: 9, UnitID: 7, Year: 2026}
	switch s {
	case "none":
		l.Status = StatusNone
	case "draft":
		l.Status = StatusDraft
	case "issued":
		l.Status = StatusIssued
	case "unit_signed":
		l.Status, l.Signatures = StatusIssued, []Signature{sig(PartyUnit)}
	case "street_signed":
		l.Status, l.Signatures = StatusIssued, []Signature{sig(PartyStreet)}
	case "signed":
		l.Status, l.Signatures = StatusSigned, []Signature{sig(PartyUnit), sig(PartyStreet)}
	case "archived":
		l.Status, l.Signatures = StatusArchived, []Signature{sig(PartyUnit), sig(PartyStreet)}
	case "withdrawn":
		l.Status = StatusWithdrawn
	}
	return l
}

const (
	ok  = "ok"
	f   = "403"    // forbidden
	st  = "state"  // the letter's state: ErrState, ErrSigned or ErrWithdrawn
	ps  = "party"  // ErrPartySigned
	has = "exists" // the unit has a current letter
)

// TestRuleTable checks every action for every actor in every state against
// the table as the issue states it.
func TestRuleTable(t *testing.T) {
	// Outcomes in ruleStates order: none, draft, issued, unit_signed, street_signed, signed, archived, withdrawn.
	type row [8]string
	issuers := []string{"community", "street", "admin"}
	signers := []string{"street", "admin"}
	tests := []struct {
		action Action
		by     []string
		want   row // for the actors in by; everyone else gets f throughout
	}{
		{ActionIssue, issuers, row{ok, has, has, has, has, has, has, ok}},
		{ActionRenew, issuers, row{ok, has, has, has, has, has, has, ok}},
		{ActionSignUnit, []string{"contact"}, row{st, st, ok, ps, ok, st, st, st}},
		{ActionSignStreet, signers, row{st, st, ok, ok, ps, st, st, st}},
		{ActionScan, signers, row{st, st, ok, ok, ok, st, st, st}},
		{ActionRemind, issuers, row{st, st, ok, ok, ok, st, st, st}},
		{ActionWithdraw, issuers, row{st, ok, ok, ok, ok, st, st, st}},
		{ActionArchive, []string{"system"}, row{st, st, st, st, st, ok, st, st}},
		{ActionEditTemplates, []string{"admin"}, row{ok, ok, ok, ok, ok, ok, ok, ok}},
	}
	if len(tests) != len(Actions) {
		t.Fatalf("the test covers %d actions of %d", len(tests), len(Actions))
	}
	for _, tc := range tests {
		for name, rel := range ruleActors {
			want := row{f, f, f, f, f, f, f, f}
			if slices.Contains(tc.by, name) {
				want = tc.want
			}
			for i, s := range ruleStates {
				err := Decide(rel, letterIn(s), tc.action)
				got := ok
				switch {
				case err == nil:
				case errors.Is(err, ErrForbidden) && apperr.Is(err, apperr.Forbidden):
					got = f
				case errors.Is(err, ErrPartySigned):
					got = ps
				case errors.Is(err, ErrState), errors.Is(err, ErrSigned), errors.Is(err, ErrWithdrawn):
					got = st
				case apperr.As(err).Msg.Key == "err.letter.exists" && apperr.Is(err, apperr.Conflict):
					got = has
				default:
					got = err.Error()
				}
				if got != want[i] {
					t.Errorf("%s %s on a %s letter: %s, want %s", name, tc.action, s, got, want[i])
				}
			}
		}
	}
}

// TestRuleStateErrors: the conflict says why — signed, withdrawn, or not issued.
func TestRuleStateErrors(t *testing.T) {
	for _, tc := range []struct {
		state  string
		action Action
		rel    Relation
		want   error
	}{
		{"signed", ActionSignStreet, Signer, ErrSigned},
		{"archived", ActionScan, Signer, ErrSigned},
		{"signed", ActionWithdraw, Issuer, ErrSigned},
		{"withdrawn", ActionSignUnit, Contact, ErrWithdrawn},
		{"withdrawn", ActionRemind, Issuer, ErrWithdrawn},
		{"draft", ActionSignUnit, Contact, ErrState},
		{"issued", ActionArchive, System, ErrState},
		{"unit_signed", ActionSignUnit, Contact, ErrPartySigned},
	} {
		if err := Decide(tc.rel, letterIn(tc.state), tc.action); !errors.Is(err, tc.want) || !apperr.Is(err, apperr.Conflict) {
			t.Errorf("%s on a %s letter: %v, want %v", tc.action, tc.state, err, tc.want)
		}
	}
	// Forbidden comes before the state: a stranger learns nothing of it.
	if err := Decide(Contact, letterIn("signed"), ActionWithdraw); !errors.Is(err, ErrForbidden) || apperr.As(err).Msg.Key != "err.letter.forbidden" {
		t.Errorf("a contact withdrawing a signed letter: %v", err)
	}
	if err := Decide(Issuer|Signer|Contact|Editor|System, letterIn("issued"), "delete"); !errors.Is(err, ErrAction) || apperr.As(err).Fields["action"].Key != "err.invalid_choice" {
		t.Errorf("an unknown action: %v", err)
	}
}

func TestAllowed(t *testing.T) {
	for _, tc := range []struct {
		who, state string
		want       []Action
	}{
		{"contact", "issued", []Action{ActionSignUnit}},
		{"contact", "unit_signed", nil},
		{"community", "issued", []Action{ActionRemind, ActionWithdraw}},
		{"street", "issued", []Action{ActionSignStreet, ActionScan, ActionRemind, ActionWithdraw}},
		{"street", "street_signed", []Action{ActionScan, ActionRemind, ActionWithdraw}},
		{"admin", "signed", nil},
		{"admin", "draft", []Action{ActionWithdraw}},
		{"system", "signed", []Action{ActionArchive}},
		{"nobody", "issued", nil},
	} {
		if got := Allowed(ruleActors[tc.who], letterIn(tc.state)); !slices.Equal(got, tc.want) {
			t.Errorf("%s on a %s letter may %v, want %v", tc.who, tc.state, got, tc.want)
		}
	}
}

func TestRuleTableIntegrity(t *testing.T) {
	rs := Rules()
	for _, a := range Actions {
		n := 0
		for _, r := range rs {
			if r.Action != a {
				continue
			}
			n++
			if r.By == 0 || (len(r.From) == 0 && !r.Templates) {
				t.Errorf("rule %s allows nobody or no state", a)
			}
			for _, s := range r.From {
				if s != StatusNone && !s.Valid() {
					t.Errorf("rule %s: bad status %q", a, s)
				}
			}
		}
		if n != 1 {
			t.Errorf("action %s has %d rules, want 1", a, n)
		}
	}
	if len(rs) != len(Actions) {
		t.Errorf("%d rules for %d actions", len(rs), len(Actions))
	}
	for _, tc := range []struct {
		kind  SignatureKind
		party Party
		want  Action
	}{{KindScan, PartyBoth, ActionScan}, {KindScan, "", ActionScan}, {KindDrawn, PartyUnit, ActionSignUnit}, {KindDrawn, PartyStreet, ActionSignStreet}, {KindDrawn, "both", ""}} {
		if got := SignAction(tc.kind, tc.party); got != tc.want {
			t.Errorf("SignAction(%s, %s) = %q, want %q", tc.kind, tc.party, got, tc.want)
		}
	}
	if s := (Issuer | Signer).String(); s != "issuer|signer" {
		t.Errorf("relations read %q", s)
	}
}

// TestIssueRules: the years, which units are skipped, whom a letter names,
// which template it takes, whom a reminder goes to and when a letter is archived.
func TestIssueRules(t *testing.T) {
	t2026 := &Template{ID: 3, Year: 2026}
	for _, tc := range []struct {
		name       string
		year, this int
		t          *Template
		want       int
		field, key string
	}{
		{"OKThisYear", 0, 2026, nil, 2026, "", ""},
		{"OKAsked", 2027, 2026, nil, 2027, "", ""},
		{"OKTemplateYear", 0, 2030, t2026, 2026, "", ""},
		{"OKTemplateSameYear", 2026, 2030, t2026, 2026, "", ""},
		{"ErrTemplateOtherYear", 2025, 2026, t2026, 0, "template_id", "err.letter.template_year"},
		{"ErrYearLow", 1990, 2026, nil, 0, "year", "err.out_of_range"},
		{"ErrYearHigh", 2101, 2026, t2026, 0, "year", "err.out_of_range"},
	} {
		y, err := IssueYear(tc.year, tc.this, tc.t)
		if tc.key != "" {
			if apperr.As(err).Fields[tc.field].Key != tc.key {
				t.Errorf("IssueYear %s: %v, want %s on %s", tc.name, err, tc.key, tc.field)
			}
			continue
		}
		if err != nil || y != tc.want {
			t.Errorf("IssueYear %s = %d, %v; want %d", tc.name, y, err, tc.want)
		}
	}
	for _, tc := range []struct {
		year, want int
		bad        bool
	}{{0, 2026, false}, {2027, 2027, false}, {2001, 2001, false}, {2000, 0, true}, {2101, 0, true}, {-5, 0, true}} {
		y, err := RenewYear(tc.year, 2026)
		if tc.bad != (err != nil) || (!tc.bad && y != tc.want) || (tc.bad && apperr.As(err).Fields["year"].Key != "err.out_of_range") {
			t.Errorf("RenewYear(%d) = %d, %v", tc.year, y, err)
		}
	}
	for _, tc := range []struct {
		in   string
		want int
		bad  bool
	}{{"", 2026, false}, {" 2027 ", 2027, false}, {"1999", 0, true}, {"二〇二六", 0, true}, {"2101", 0, true}} {
		y, err := ParseYear(tc.in, 2026)
		if tc.bad != (err != nil) || (!tc.bad && y != tc.want) {
			t.Errorf("ParseYear(%q) = %d, %v", tc.in, y, err)
		}
	}

	active, closed := unit.Unit{ID: 1, Status: unit.Active}, unit.Unit{ID: 2, Status: unit.Closed}
	for _, tc := range []struct {
		u    unit.Unit
		cur  Status
		skip bool
	}{
		{active, StatusNone, false}, {active, StatusWithdrawn, false}, {active, StatusIssued, true}, {active, StatusDraft, true},
		{active, StatusSigned, true}, {active, StatusArchived, true}, {closed, StatusNone, true}, {closed, StatusWithdrawn, true},
	} {
		if got := Skip(tc.u, tc.cur); got != tc.skip {
			t.Errorf("Skip(%s unit, %q) = %v", tc.u.Status, tc.cur, got)
		}
	}

	withContacts := unit.Unit{ID: 5, Name: "华天集团", Kind: unit.Kind("site"), Status: unit.Active, Contacts: []unit.Contact{{Name: " 张伟 "}, {Name: "李娜"}}}
	if r := Representative(withContacts); r != "张伟" {
		t.Errorf("Representative = %q, want the first contact", r)
	}
	if r := Representative(unit.Unit{}); r != "" {
		t.Errorf("Representative of a unit without contacts = %q", r)
	}
	all, site := tmpl(), tmpl()
	all.ID, site.ID, site.Kind, site.Title = 3, 4, "site", "{year}年度工地责任书"
	l, err := ForUnit([]Template{all, site}, withContacts, 2026, "西关街道", at)
	if err != nil || l.TemplateID != 4 || l.Status != StatusIssued || !l.IssuedAt.Equal(at) || l.Representative != "张伟" ||
		l.Title != "2026年度工地责任书" || l.SHA256 != Hash(l.Text) || l.UnitID != 5 {
		t.Fatalf("ForUnit = %+v, %v", l, err)
	}
	if l, err := ForUnit([]Template{all, site}, unit.Unit{ID: 6, Name: "某校", Kind: "school", Status: unit.Active}, 2026, "西关街道", at); err != nil ||
		l.TemplateID != 3 || !strings.Contains(l.Text, Blank) {
		t.Fatalf("ForUnit for a school without contacts = template %d, %v (a blank for the representative expected)", l.TemplateID, err)
	}
	if _, err := ForUnit(nil, withContacts, 2026, "西关街道", at); apperr.As(err).Fields["year"].Key != "err.letter.no_template" {
		t.Fatalf("ForUnit without templates: %v", err)
	}

	ls := []Letter{
		{ID: 1, Status: StatusIssued, UnitStatus: unit.Active},
		{ID: 2, Status: StatusIssued, UnitStatus: unit.Closed},
		{ID: 3, Status: StatusSigned, UnitStatus: unit.Active},
		{ID: 4, Status: StatusDraft, UnitStatus: unit.Active},
		{ID: 5, Status: StatusWithdrawn, UnitStatus: unit.Active},
		{ID: 6, Status: StatusIssued, Signatures: []Signature{{Party: PartyUnit}}, UnitStatus: unit.Active},
	}
	var ids []int64
	for _, l := range ToRemind(ls) {
		ids = append(ids, l.ID)
	}
	if !slices.Equal(ids, []int64{1, 6}) {
		t.Errorf("ToRemind picks %v, want [1 6]", ids)
	}

	jan := time.Date(2027, 1, 1, 0, 30, 0, 0, at.Location())
	if y := ArchiveYear(jan); y != 2026 {
		t.Errorf("ArchiveYear(%v) = %d", jan, y)
	}
	for _, tc := range []struct {
		l    Letter
		now  time.Time
		want bool
	}{
		{Letter{Year: 2026, Status: StatusSigned}, jan, true},
		{Letter{Year: 2026, Status: StatusSigned}, jan.Add(-time.Hour), false},
		{Letter{Year: 2026, Status: StatusIssued}, jan, false},
		{Letter{Year: 2025, Status: StatusArchived}, jan, false},
	} {
		if got := ArchiveDue(tc.l, tc.now); got != tc.want {
			t.Errorf("ArchiveDue(%d %s, %v) = %v", tc.l.Year, tc.l.Status, tc.now, got)
		}
	}
}

// TestVerifyCode: codes are long, URL-safe, distinct; drafts are never shown publicly.
func TestVerifyCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewVerifyCode()
		if len(c) < 16 || !ValidVerifyCode(c) || seen[c] {
			t.Fatalf("code %q: too short, malformed or repeated", c)
		}
		seen[c] = true
	}
	for _, c := range []string{"", "7", "12345", "ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNOP/", "../../etc/passwd0000", "ABCDEFGHIJKLMNOP?x=1"} {
		if ValidVerifyCode(c) {
			t.Errorf("ValidVerifyCode(%q) = true", c)
		}
	}
	if !ValidVerifyCode("0123456789abcdef0123456789abcdef") || !ValidVerifyCode("ABCDEFGHIJKLMNOP") {
		t.Error("a migrated hex code or a 16-character code is refused")
	}
	l := Letter{UnitName: "华天集团", Year: 2026, Status: StatusSigned, SHA256: "ab", Representative: "张伟"}
	if p, ok := l.Public(); !ok || p != (Public{Unit: "华天集团", Year: 2026, Status: StatusSigned, SHA256: "ab"}) {
		t.Errorf("Public = %+v, %v", p, ok)
	}
	l.Status = StatusDraft
	if _, ok := l.Public(); ok {
		t.Error("a draft is shown publicly")
	}
}
