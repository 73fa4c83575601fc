package importer

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/apperr"
)

// zipOf builds a zip from parts; a part with a nil body is written raw with
// the declared sizes given, as a hostile file would.
type zipPart struct {
	name          string
	body          []byte
	method        uint16
	declared, raw uint64 // for raw parts: uncompressed and compressed sizes
}

func zipOf(t *testing.T, parts ...zipPart) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.body == nil {
			w, err = zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, UncompressedSize64: p.declared, CompressedSize64: p.raw})
			if err == nil {
				_, err = w.Write(make([]byte, p.raw))
			}
		} else {
			w, err = zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: p.method})
			if err == nil {
				_, err = w.Write(p.body)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readAll reads a table to its end and returns the error that stopped it.
func readAll(t *testing.T, data []byte, maxRows int) error {
	t.Helper()
	tb, err := openTable(bytes.NewReader(data), maxRows)
	if err != nil {
		return err
	}
	defer tb.close()
	for {
		if _, _, err := tb.next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func wantErr(t *testing.T, name string, err error, key string) {
	t.Helper()
	if e := apperr.As(err); err == nil || e.Msg.Key != key {
		t.Errorf("%s: %v, want %s", name, err, key)
	}
}

// TestXLSXBombs: workbooks are refused from their zip directory before
// excelize unpacks them — too many parts, too much declared in all, a part
// that inflates too far, too many shared strings — and while reading, too
// many rows counting blank ones.
func TestXLSXBombs(t *testing.T) {
	var many []zipPart
	for i := 0; i <= maxXLSXEntries; i++ {
		many = append(many, zipPart{name: "xl/media/p" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ".bin", body: []byte{}})
	}
	var si bytes.Buffer
	si.WriteString(`<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for range maxSharedStrings + 1 {
		si.WriteString("<si/>")
	}
	si.WriteString("</sst>")
	spaces := bytes.Repeat([]byte(" "), 20<<20)

	for _, tc := range []struct {
		name string
		data []byte
		key  string
	}{
		{"ManyParts", zipOf(t, many...), "import.xlsx_bomb"},
		{"DeclaredTooMuch", zipOf(t, zipPart{name: "xl/worksheets/sheet1.xml", declared: 100 << 20, raw: 2 << 20},
			zipPart{name: "xl/worksheets/sheet2.xml", declared: 100 << 20, raw: 2 << 20}), "import.xlsx_unpacked"},
		{"DeclaredRatio", zipOf(t, zipPart{name: "xl/worksheets/sheet1.xml", declared: 50 << 20, raw: 1000}), "import.xlsx_bomb"},
		{"RealRatio", zipOf(t, zipPart{name: "xl/worksheets/sheet1.xml", body: spaces, method: zip.Deflate}), "import.xlsx_bomb"},
		{"SharedStrings", zipOf(t, zipPart{name: "xl/sharedStrings.xml", body: si.Bytes(), method: zip.Store}), "import.too_many_strings"},
	} {
		wantErr(t, tc.name, readAll(t, tc.data, DefaultMaxRows), tc.key)
	}

	// A lone cell in the last row of a sheet: a million blank rows.
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"名称"})
	sw.SetRow("A1048576", []any{"x"})
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "LastRow", readAll(t, b.Bytes(), 100), "import.too_many_rows")

	// An ordinary workbook passes the checks.
	f = excelize.NewFile()
	for r := 1; r <= 200; r++ {
		for c := 1; c <= 15; c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			f.SetCellValue("Sheet1", cell, "单位"+cell)
		}
	}
	b.Reset()
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	if err := readAll(t, b.Bytes(), 200); err != nil {
		t.Errorf("ordinary workbook: %v", err)
	}
}

func TestTableColumnsAndCells(t *testing.T) {
	wide := strings.Repeat("x,", MaxColumns) + "x\n"
	if err := readAll(t, []byte("a,b\n"+wide), 100); apperr.As(err).Msg.Key != "import.too_many_columns" || apperr.As(err).Msg.Args[0] != 2 {
		t.Errorf("wide row: %v", err)
	}
	// Empty cells at the end of a row (a formatted column far right) do not count.
	if err := readAll(t, []byte("a,b"+strings.Repeat(",", 5000)+"\n1,2\n"), 100); err != nil {
		t.Errorf("trailing empty cells: %v", err)
	}
	row := strings.Repeat("x,", 39) + "x\n"                                                       // 40 cells
	wantErr(t, "cells", readAll(t, []byte(strings.Repeat(row, 20)), 10), "import.too_many_cells") // 800 > 64 × 10
	if err := readAll(t, []byte(strings.Repeat(row, 16)), 10); err != nil {                       // 640
		t.Errorf("at the cell limit: %v", err)
	}
}

func TestCountElements(t *testing.T) {
	xml := `<?xml version="1.0"?><x:sst xmlns:x="ns"><x:si><x:t>a</x:t></x:si><si/><si ><t>&lt;si&gt;</t></si><sis/><s/></x:sst>`
	n, err := countElements(strings.NewReader(xml), "si")
	if err != nil || n != 3 {
		t.Errorf("countElements = %d, %v; want 3", n, err)
	}
}
