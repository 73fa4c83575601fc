package importer

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestCSVRowNumbers: rows are numbered as Excel shows them, counting blank
// lines and treating a quoted cell with line breaks as one row.
func TestCSVRowNumbers(t *testing.T) {
	type rec struct {
		Row   int
		Cells []string
	}
	cases := []struct {
		name string
		in   string
		want []rec
	}{
		{"plain", "a,b\n1,2\n", []rec{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}}},
		{"crlf and blank lines", "a,b\r\n\r\n1,2\r\n\r\n\r\n3,4", []rec{{1, []string{"a", "b"}}, {3, []string{"1", "2"}}, {6, []string{"3", "4"}}}},
		{"multi-line cell", "a,b\n\"x\ny\nz\",2\n3,4\n\n5,6\n", []rec{{1, []string{"a", "b"}}, {2, []string{"x\ny\nz", "2"}}, {3, []string{"3", "4"}}, {5, []string{"5", "6"}}}},
		{"bom", "\xEF\xBB\xBF名称,类型\n", []rec{{1, []string{"名称", "类型"}}}},
		{"tabs", "名称\t类型\n甲\t企业\n", []rec{{1, []string{"名称", "类型"}}, {2, []string{"甲", "企业"}}}},
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("名称,类型\n西关餐馆,餐饮\n")
	cases = append(cases, struct {
		name string
		in   string
		want []rec
	}{"gb18030", gb, []rec{{1, []string{"名称", "类型"}}, {2, []string{"西关餐馆", "餐饮"}}}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := openTable(strings.NewReader(c.in), DefaultMaxRows)
			if err != nil {
				t.Fatal(err)
			}
			var got []rec
			for {
				row, cells, err := tb.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, rec{row, append([]string(nil), cells...)})
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDigitsAndHeaders(t *testing.T) {
	for in, want := range map[string]string{
		"620502004001001":      "620502004001001",
		"6.20502004001001E+14": "620502004001001",
		"13800001234.0":        "13800001234",
		"1.5":                  "1.5",
		"abc":                  "abc",
		"":                     "",
	} {
		if got := digits(in); got != want {
			t.Errorf("digits(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"\ufeff名称":      "名称",
		"*网格编码":         "网格编码",
		"纬度（WGS-84）":    "纬度",
		" Latitude (°)": "latitude",
	} {
		if got := normHeader(in); got != want {
			t.Errorf("normHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != GeneratedPasswordLen || strings.ContainsAny(pw, "0O1lI") || seen[pw] {
			t.Fatalf("password %q", pw)
		}
		seen[pw] = true
	}
}
