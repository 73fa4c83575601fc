package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/lantian-org/lantian/internal/apperr"
)

// xlsxUnzipLimit caps the uncompressed size of an XLSX file (a zip bomb guard).
const xlsxUnzipLimit = 512 << 20

// table yields a spreadsheet's rows one at a time with their row numbers as
// Excel shows them, never holding the whole sheet in memory.
type table struct {
	next  func() (row int, cells []string, err error) // io.EOF at the end
	close func() error
}

// openTable sniffs r: an XLSX (zip) file is read from its first sheet with
// excelize's row iterator; anything else is CSV in UTF-8 (with or without a
// BOM) or, when its start is not valid UTF-8, GB18030 (what Excel on Chinese
// Windows writes).
func openTable(r io.Reader) (*table, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return openXLSX(br)
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		// The OLE container of old .xls files (and of password-protected workbooks).
		return nil, apperr.New(apperr.Invalid, "import.xls_unsupported")
	}
	return openCSV(br)
}

func openXLSX(r io.Reader) (*table, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: xlsxUnzipLimit})
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "import.file_unreadable")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, apperr.New(apperr.Invalid, "import.file_empty")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, apperr.Wrap(err, apperr.Invalid, "import.file_unreadable")
	}
	n := 0
	raw := excelize.Options{RawCellValue: true} // numbers as stored, not as formatted
	return &table{
		next: func() (int, []string, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return 0, nil, apperr.Wrap(err, apperr.Invalid, "import.file_unreadable")
				}
				return 0, nil, io.EOF
			}
			n++ // Next steps through every row number, missing rows included
			cells, err := rows.Columns(raw)
			if err != nil {
				return 0, nil, apperr.Wrap(err, apperr.Invalid, "import.file_unreadable")
			}
			return n, cells, nil
		},
		close: func() error { return errors.Join(rows.Close(), f.Close()) },
	}, nil
}

func openCSV(br *bufio.Reader) (*table, error) {
	head, _ := br.Peek(64 << 10)
	var src io.Reader = br
	checkUTF8 := true
	if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
		head = head[3:]
	} else if !validUTF8Prefix(head) {
		src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
		head, _ = simplifiedchinese.GB18030.NewDecoder().Bytes(head)
		checkUTF8 = false
	}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.Comma = sniffComma(head)
	// Excel shows one row per record, blank lines included; encoding/csv
	// skips blank lines, so rows are counted from the records' line numbers.
	row, endLine := 0, 0
	return &table{
		next: func() (int, []string, error) {
			rec, err := cr.Read()
			if err == io.EOF {
				return 0, nil, io.EOF
			}
			if err != nil {
				var pe *csv.ParseError
				line := endLine + 1
				if errors.As(err, &pe) {
					line = pe.StartLine
				}
				return 0, nil, apperr.Wrap(err, apperr.Invalid, "import.csv_syntax", line)
			}
			start, _ := cr.FieldPos(0)
			last, _ := cr.FieldPos(len(rec) - 1)
			row += 1 + max(0, start-endLine-1)
			endLine = last + strings.Count(rec[len(rec)-1], "\n")
			if checkUTF8 {
				for _, c := range rec {
					if !utf8.ValidString(c) {
						// UTF-8 at the start, something else further on.
						return 0, nil, apperr.New(apperr.Invalid, "import.bad_encoding", row)
					}
				}
			}
			return row, rec, nil
		},
		close: func() error { return nil },
	}, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut off at its end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// sniffComma picks tab when the first line has tabs but no commas (text
// copied out of Excel), else comma.
func sniffComma(head []byte) rune {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if bytes.Count(line, []byte("\t")) > 0 && bytes.Count(line, []byte(",")) == 0 {
		return '\t'
	}
	return ','
}

// column describes one accepted column: our field name and the header texts
// that name it, the canonical Chinese one first.
type column struct {
	field    string
	names    []string
	required bool
}

// header maps a file's header row to fields.
type header struct {
	row   int
	cols  []column
	index map[string]int    // field → cell index
	text  map[string]string // field → header text as in the file
}

// normHeader folds a header cell for matching: no spaces or BOM, no "*"
// required-marks, no parenthesised notes like "纬度（WGS-84）", lower case.
func normHeader(s string) string {
	s = strings.ReplaceAll(s, "\ufeff", "")
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "*＊ ")
	for _, open := range []string{"(", "（"} {
		if i := strings.Index(s, open); i > 0 {
			s = s[:i]
		}
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// readHeader reads up to the first non-blank row and maps it to cols.
// Unknown, repeated and missing required columns are errors naming them.
func readHeader(t *table, cols []column) (*header, error) {
	var row int
	var cells []string
	for {
		r, c, err := t.next()
		if err == io.EOF {
			return nil, apperr.New(apperr.Invalid, "import.file_empty")
		}
		if err != nil {
			return nil, err
		}
		if !blank(c) {
			row, cells = r, c
			break
		}
	}
	byName := map[string]string{}
	for _, c := range cols {
		for _, n := range c.names {
			byName[normHeader(n)] = c.field
		}
	}
	h := &header{row: row, cols: cols, index: map[string]int{}, text: map[string]string{}}
	var unknown, repeated []string
	for i, cell := range cells {
		key := normHeader(cell)
		if key == "" {
			continue // an unnamed column is ignored
		}
		field, ok := byName[key]
		switch {
		case !ok:
			unknown = append(unknown, strings.TrimSpace(cell))
		case h.has(field):
			repeated = append(repeated, strings.TrimSpace(cell))
		default:
			h.index[field], h.text[field] = i, strings.TrimSpace(cell)
		}
	}
	if len(unknown) > 0 {
		return nil, apperr.New(apperr.Invalid, "import.unknown_header", strings.Join(unknown, "、"))
	}
	if len(repeated) > 0 {
		return nil, apperr.New(apperr.Invalid, "import.duplicate_header", strings.Join(repeated, "、"))
	}
	var missing []string
	for _, c := range cols {
		if c.required && !h.has(c.field) {
			missing = append(missing, c.names[0])
		}
	}
	if len(missing) > 0 {
		return nil, apperr.New(apperr.Invalid, "import.missing_header", strings.Join(missing, "、"))
	}
	return h, nil
}

func (h *header) has(field string) bool { _, ok := h.index[field]; return ok }

// column returns the header text for field as in the file, or its canonical name.
func (h *header) column(field string) string {
	if t, ok := h.text[field]; ok {
		return t
	}
	for _, c := range h.cols {
		if c.field == field {
			return c.names[0]
		}
	}
	return field
}

// cell returns the trimmed value of field's column in a row.
func (h *header) cell(cells []string, field string) string {
	i, ok := h.index[field]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// digits undoes what spreadsheets do to long numbers typed as numbers:
// "6.20502004001001E+14" and "13800001234.0" become plain digits.
func digits(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return r == 'e' || r == 'E' || r == '.' }) < 0 {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f >= 1e18 {
		return s
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

// fieldProblems collects one row's problems, the first per field, and emits
// them in column order.
type fieldProblems map[string]apperr.Msg

func (f fieldProblems) add(field, key string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = apperr.Msg{Key: key, Args: args}
	}
}

// merge adds the field messages of a validation error, renaming fields
// through alias (a Validate method's name → our column field).
func (f fieldProblems) merge(err error, alias map[string]string) {
	if err == nil {
		return
	}
	ae := apperr.As(err)
	if len(ae.Fields) == 0 {
		f.add("", ae.Msg.Key, ae.Msg.Args...)
		return
	}
	for field, m := range ae.Fields {
		if a, ok := alias[field]; ok {
			field = a
		}
		f.add(field, m.Key, m.Args...)
	}
}

// report appends the problems to rep in h's column order.
func (f fieldProblems) report(rep *Report, h *header, row int) {
	done := map[string]bool{}
	for _, c := range h.cols {
		if m, ok := f[c.field]; ok {
			rep.add(row, h.column(c.field), c.field, m.Key, m.Args...)
			done[c.field] = true
		}
	}
	var rest []string
	for field := range f {
		if !done[field] {
			rest = append(rest, field)
		}
	}
	slices.Sort(rest)
	for _, field := range rest {
		m := f[field]
		rep.add(row, h.column(field), field, m.Key, m.Args...)
	}
}
