package letters

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

var at = time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func tmpl() Template {
	return Template{ID: 3, Year: 2026, Title: "{street}{year}年度目标管理责任书",
		Preamble: "{street}办事处（甲方）与{unit}（乙方）签订本责任书。",
		Clauses: []Clause{
			{Text: "禁止燃放烟花爆竹。", Categories: []string{"L001"}},
			{Text: "宣传环保法律法规。"},
			{Text: "施工扬尘防控。", Categories: []string{"08"}},
		},
		StreetDuties: []string{"甲方指导服务。"},
		UnitDuties:   []string{"乙方确定{representative}为责任人。"},
		Term:         "自签订之日起至{year}年12月31日止。", Version: 4}
}

// errKey returns the message key of err, or of its one field error.
func errKey(err error) string {
	if err == nil {
		return ""
	}
	e := apperr.As(err)
	for _, m := range e.Fields {
		return m.Key
	}
	return e.Msg.Key
}

func TestRender(t *testing.T) {
	vars := NewVars("华天集团", 2026, "张伟", "西关街道")
	full := "西关街道2026年度目标管理责任书\n\n" +
		"西关街道办事处（甲方）与华天集团（乙方）签订本责任书。\n\n" +
		"一、责任条款\n1. 禁止燃放烟花爆竹。\n2. 宣传环保法律法规。\n3. 施工扬尘防控。\n\n" +
		"二、甲方职责\n1. 甲方指导服务。\n\n" +
		"三、乙方职责\n1. 乙方确定张伟为责任人。\n\n" +
		"四、责任期限\n自签订之日起至2026年12月31日止。"
	minimal := tmpl()
	minimal.Preamble, minimal.StreetDuties, minimal.UnitDuties = "", nil, nil
	unknownIn := func(field string) Template {
		t := tmpl()
		switch field {
		case "title":
			t.Title += "{Unit}"
		case "clauses":
			t.Clauses[2].Text += "{unit_name}"
		case "unit_duties":
			t.UnitDuties[0] += "{phone}"
		case "term":
			t.Term += "{date}"
		}
		return t
	}
	for _, tc := range []struct {
		name  string
		t     Template
		vars  Vars
		want  string
		field string // of the error
		arg   string // the unknown variable
	}{
		{name: "OK", t: tmpl(), vars: vars, want: full},
		{name: "OKMissingValueIsBlank", t: tmpl(), vars: NewVars("华天集团", 2026, "", "西关街道"), want: strings.Replace(full, "张伟", Blank, 1)},
		{name: "OKSectionsRenumbered", t: minimal, vars: vars,
			want: "西关街道2026年度目标管理责任书\n\n一、责任条款\n1. 禁止燃放烟花爆竹。\n2. 宣传环保法律法规。\n3. 施工扬尘防控。\n\n二、责任期限\n自签订之日起至2026年12月31日止。"},
		{name: "OKBracesThatAreNotVariables", t: Template{Title: "{ 1 } {}", Clauses: []Clause{{Text: "x"}}}, vars: vars, want: "{ 1 } {}\n\n一、责任条款\n1. x"},
		{name: "ErrUnknownInTitle", t: unknownIn("title"), vars: vars, field: "title", arg: "Unit"},
		{name: "ErrUnknownInClause", t: unknownIn("clauses"), vars: vars, field: "clauses", arg: "unit_name"},
		{name: "ErrUnknownInDuties", t: unknownIn("unit_duties"), vars: vars, field: "unit_duties", arg: "phone"},
		{name: "ErrUnknownInTerm", t: unknownIn("term"), vars: vars, field: "term", arg: "date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.t, tc.vars)
			if tc.field != "" {
				e := apperr.As(err)
				m, ok := e.Fields[tc.field]
				if err == nil || !ok || m.Key != "err.letter.unknown_variable" || len(m.Args) != 1 || m.Args[0] != tc.arg {
					t.Fatalf("Render error = %v, want err.letter.unknown_variable(%s) on %s", err, tc.arg, tc.field)
				}
				if got != "" {
					t.Fatalf("Render returned text with an error: %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Render =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestHash(t *testing.T) {
	// echo -n abc | sha256sum
	if got := Hash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Hash(abc) = %s", got)
	}
	text, _ := Render(tmpl(), NewVars("华天集团", 2026, "张伟", "西关街道"))
	l, err := New(tmpl(), 7, NewVars("华天集团", 2026, "张伟", "西关街道"))
	if err != nil || l.SHA256 != Hash(text) || l.Text != text || l.Title != "西关街道2026年度目标管理责任书" || l.TemplateVersion != 4 || l.Status != StatusDraft {
		t.Fatalf("New = %+v, %v", l, err)
	}
}

func TestValidate(t *testing.T) {
	with := func(f func(t *Template)) Template {
		t := tmpl()
		f(&t)
		t.Normalize()
		return t
	}
	for _, tc := range []struct {
		name  string
		t     Template
		field string
		key   string
	}{
		{name: "OK", t: with(func(t *Template) {})},
		{name: "OKKind", t: with(func(t *Template) { t.Kind = "site" })},
		{name: "OKNormalizeDropsEmptyClauses", t: with(func(t *Template) { t.Clauses = append(t.Clauses, Clause{Text: "  "}) })},
		{name: "ErrYear", t: with(func(t *Template) { t.Year = 1999 }), field: "year", key: "err.out_of_range"},
		{name: "ErrKind", t: with(func(t *Template) { t.Kind = "farm" }), field: "kind", key: "err.unit_kind"},
		{name: "ErrTitleRequired", t: with(func(t *Template) { t.Title = " " }), field: "title", key: "err.required"},
		{name: "ErrTitleLong", t: with(func(t *Template) { t.Title = strings.Repeat("责", MaxTitle+1) }), field: "title", key: "err.too_long"},
		{name: "ErrNoClauses", t: with(func(t *Template) { t.Clauses = nil }), field: "clauses", key: "err.required"},
		{name: "ErrCategoryCode", t: with(func(t *Template) { t.Clauses[0].Categories = []string{"x-1"} }), field: "clauses", key: "err.case.category_unknown"},
		{name: "ErrUnknownVariable", t: with(func(t *Template) { t.Preamble = "{mayor}" }), field: "preamble", key: "err.letter.unknown_variable"},
		{name: "ErrTooManyDuties", t: with(func(t *Template) { t.StreetDuties = strings.Split(strings.Repeat("a,", MaxDuties+1), ",") }), field: "street_duties", key: "err.too_many_items"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.t.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if m, ok := apperr.As(err).Fields[tc.field]; !ok || m.Key != tc.key {
				t.Fatalf("Validate = %v, want %s on %s", err, tc.key, tc.field)
			}
		})
	}
	n := tmpl()
	n.Clauses = append(n.Clauses, Clause{Text: " x\r\ny ", Categories: []string{" l001", "L001", ""}})
	n.Normalize()
	if c := n.Clauses[3]; c.Text != "x\ny" || len(c.Categories) != 1 || c.Categories[0] != "L001" {
		t.Fatalf("Normalize = %+v", c)
	}
}

func TestPick(t *testing.T) {
	all1 := Template{ID: 1}
	all2 := Template{ID: 2}
	site := Template{ID: 3, Kind: "site"}
	for _, tc := range []struct {
		name string
		list []Template
		kind string
		want int64
	}{
		{"OKKindFirst", []Template{all1, site, all2}, "site", 3},
		{"OKNewestForAll", []Template{all2, all1}, "shop", 2},
		{"ErrNone", []Template{site}, "shop", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Pick(tc.list, tc.kind)
			if got.ID != tc.want || ok != (tc.want != 0) {
				t.Fatalf("Pick = %d %v, want %d", got.ID, ok, tc.want)
			}
		})
	}
}

func issued(t *testing.T) Letter {
	l, err := New(tmpl(), 7, NewVars("华天集团", 2026, "张伟", "西关街道"))
	if err != nil {
		t.Fatal(err)
	}
	if l, err = Issue(l, at); err != nil {
		t.Fatal(err)
	}
	return l
}

func drawn(p Party) Signature {
	return Signature{Party: p, Kind: KindDrawn, FileID: strings.Repeat("a", 64), Format: "png", Signer: "张伟", At: at}
}

func TestSign(t *testing.T) {
	base := issued(t)
	unitSigned, _ := Sign(base, drawn(PartyUnit))
	signed, _ := Sign(unitSigned, drawn(PartyStreet))
	withdrawn, _ := Withdraw(base, "单位已注销", at)
	archived, _ := Archive(signed, at)
	draft, _ := New(tmpl(), 7, nil)
	scan := Signature{Kind: KindScan, FileID: strings.Repeat("b", 64), Format: "pdf", Signer: "李娜", At: at}
	for _, tc := range []struct {
		name   string
		l      Letter
		s      Signature
		status Status
		err    error  // a sentinel
		key    string // or a field error's key
	}{
		{name: "OKUnitFirst", l: base, s: drawn(PartyUnit), status: StatusIssued},
		{name: "OKStreetFirst", l: base, s: drawn(PartyStreet), status: StatusIssued},
		{name: "OKStreetCompletes", l: unitSigned, s: drawn(PartyStreet), status: StatusSigned},
		{name: "OKScanSignsForBoth", l: base, s: scan, status: StatusSigned},
		{name: "OKScanAfterOneParty", l: unitSigned, s: scan, status: StatusSigned},
		{name: "ErrSignedAgain", l: signed, s: drawn(PartyUnit), err: ErrSigned},
		{name: "ErrScanOnSigned", l: signed, s: scan, err: ErrSigned},
		{name: "ErrArchived", l: archived, s: scan, err: ErrSigned},
		{name: "ErrWithdrawn", l: withdrawn, s: drawn(PartyUnit), err: ErrWithdrawn},
		{name: "ErrDraft", l: draft, s: drawn(PartyUnit), err: ErrState},
		{name: "ErrPartyTwice", l: unitSigned, s: drawn(PartyUnit), err: ErrPartySigned},
		{name: "ErrParty", l: base, s: drawn("mayor"), key: "err.invalid_choice"},
		{name: "ErrNoFile", l: base, s: Signature{Kind: KindDrawn, Party: PartyUnit, Signer: "张伟"}, key: "err.required"},
		{name: "ErrNoSigner", l: base, s: Signature{Kind: KindDrawn, Party: PartyUnit, FileID: "x", Signer: " "}, key: "err.required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sign(tc.l, tc.s)
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) || !apperr.Is(err, apperr.Conflict) {
					t.Fatalf("Sign = %v, want %v", err, tc.err)
				}
				return
			case tc.key != "":
				if errKey(err) != tc.key {
					t.Fatalf("Sign = %v, want %s", err, tc.key)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if got.Status != tc.status {
				t.Fatalf("status %s, want %s", got.Status, tc.status)
			}
			if got.Text != tc.l.Text || got.SHA256 != tc.l.SHA256 || got.SHA256 != Hash(got.Text) {
				t.Fatal("signing changed the text or its hash")
			}
			last := got.Signatures[len(got.Signatures)-1]
			if last.SHA256 != got.SHA256 || len(tc.l.Signatures) != len(got.Signatures)-1 {
				t.Fatalf("signature %+v does not record the hash, or the input was changed", last)
			}
			if tc.s.Kind == KindScan && last.Party != PartyBoth {
				t.Fatalf("a scan is for %s, want both", last.Party)
			}
			if got.Status == StatusSigned && !got.SignedAt.Equal(at) {
				t.Fatal("signed without a time")
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	base := issued(t)
	draft, _ := New(tmpl(), 7, nil)
	unitSigned, _ := Sign(base, drawn(PartyUnit))
	signed, _ := Sign(unitSigned, drawn(PartyStreet))
	for _, tc := range []struct {
		name   string
		do     func() (Letter, error)
		status Status
		err    error
		key    string
	}{
		{name: "OKIssue", do: func() (Letter, error) { return Issue(draft, at) }, status: StatusIssued},
		{name: "ErrIssueTwice", do: func() (Letter, error) { return Issue(base, at) }, err: ErrState},
		{name: "OKWithdrawIssued", do: func() (Letter, error) { return Withdraw(base, "单位搬离", at) }, status: StatusWithdrawn},
		{name: "OKWithdrawDraft", do: func() (Letter, error) { return Withdraw(draft, "重复", at) }, status: StatusWithdrawn},
		{name: "ErrWithdrawNoReason", do: func() (Letter, error) { return Withdraw(base, "  ", at) }, key: "err.required"},
		{name: "ErrWithdrawSigned", do: func() (Letter, error) { return Withdraw(signed, "x", at) }, err: ErrSigned},
		{name: "OKArchive", do: func() (Letter, error) { return Archive(signed, at) }, status: StatusArchived},
		{name: "ErrArchiveIssued", do: func() (Letter, error) { return Archive(base, at) }, err: ErrState},
		{name: "OKReviseUnsigned", do: func() (Letter, error) { return Revise(base, "新", "新文本", nil) }, status: StatusIssued},
		{name: "ErrReviseSigned", do: func() (Letter, error) { return Revise(signed, "新", "新文本", nil) }, err: ErrSigned},
		{name: "ErrRevisePartlySigned", do: func() (Letter, error) { return Revise(unitSigned, "新", "新文本", nil) }, err: ErrPartySigned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.do()
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			case tc.key != "":
				if errKey(err) != tc.key {
					t.Fatalf("err = %v, want %s", err, tc.key)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if got.Status != tc.status || got.SHA256 != Hash(got.Text) {
				t.Fatalf("status %s hash ok %v", got.Status, got.SHA256 == Hash(got.Text))
			}
		})
	}
	for s, want := range map[Status]string{StatusSigned: BucketSigned, StatusArchived: BucketSigned, StatusIssued: BucketIssued,
		StatusDraft: BucketNotIssued, StatusWithdrawn: BucketNotIssued, "": BucketNotIssued} {
		if got := Bucket(s); got != want {
			t.Errorf("Bucket(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestBreaches(t *testing.T) {
	clauses := tmpl().Clauses // L001; none; 08 (a parent)
	parents := map[string]string{"L001": "L", "08004": "08", "08011": "08", "06010": "06"}
	for _, tc := range []struct {
		name   string
		counts map[string]int
		want   []int
	}{
		{"OK", map[string]int{"L001": 2, "08004": 3, "08011": 1, "06010": 5}, []int{2, 0, 4}},
		{"OKNone", map[string]int{}, []int{0, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Breaches(clauses, tc.counts, parents)
			for i := range tc.want {
				if got[i] != tc.want[i] {
					t.Fatalf("Breaches = %v, want %v", got, tc.want)
				}
			}
		})
	}
}
