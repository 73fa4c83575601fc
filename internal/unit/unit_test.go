package unit

import (
	"testing"

	"github.com/lantian-org/lantian/internal/apperr"
)

func TestCheckCreditCode(t *testing.T) {
	for _, tc := range []struct {
		name, code, err string
	}{
		// A published code (a well-known state enterprise) with a correct check character.
		{"OK", "91110000100017643K", ""},
		{"OKCompleted", CompleteCreditCode("91620502MA71XG001"), ""},
		{"ErrLength", "9111000010001764", "err.credit_code_length"},
		{"ErrChars", "91110000I0001764 3K"[:18], "err.credit_code_chars"},
		{"ErrCheck", "91110000100017643A", "err.credit_code_check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckCreditCode(tc.code)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.err {
				t.Fatalf("CheckCreditCode(%q) = %q, want %q", tc.code, got, tc.err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := Unit{Name: "伏羲中学", Kind: "school", CreditCode: CompleteCreditCode("12620502MB0000001")}
	ok.Normalize()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid unit: %v", err)
	}
	courtyard := Unit{Name: "永红家园3号院", Kind: "courtyard"}
	courtyard.Normalize()
	if err := courtyard.Validate(); err != nil {
		t.Fatalf("courtyard without credit code: %v", err)
	}
	bad := Unit{Kind: "bank", CreditCode: "123", Tags: []string{"noise"}, Contacts: []Contact{{Name: "王", Phone: "12345"}}}
	bad.Normalize()
	err := bad.Validate()
	if err == nil {
		t.Fatal("invalid unit accepted")
	}
	for _, f := range []string{"name", "kind", "credit_code", "tags", "contact_phone"} {
		if _, ok := apperr.As(err).Fields[f]; !ok {
			t.Errorf("no error for field %s in %v", f, err)
		}
	}
}
