package importer

import (
	"archive/zip"
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

// Limits of a spreadsheet, checked before or while it is read. An XLSX is a
// zip of XML: its directory states each part's size (archive/zip refuses
// a part that inflates past it), so the sizes are checked from the
// directory before excelize opens anything. excelize keeps every part but
// the large sheets in memory and every shared string as an entry, so
// their total and their number are bounded too.
const (
	// MaxColumns bounds the cells of one row (an import has about 15 columns).
	MaxColumns = 256
	// maxXLSXEntries bounds the parts of a workbook (an ordinary one has 10 to 30).
	maxXLSXEntries = 1000
	// maxXLSXUnpacked bounds the declared uncompressed size of all parts:
	// 50,000 rows of 15 columns take about 50 MB of XML.
	maxXLSXUnpacked = 128 << 20
	// maxXLSXRatio bounds how far a part over a megabyte may inflate:
	// spreadsheet XML packs 5 to 30 times, a zip bomb thousands.
	maxXLSXRatio = 100
	// maxSharedStrings bounds the distinct texts of a workbook.
	maxSharedStrings = 1_000_000
)

// table yields a spreadsheet's rows one at a time with their row numbers as
// Excel shows them, never holding the whole sheet in memory.
type table struct {
	next  func() (row int, cells []string, err error) // io.EOF at the end
	close func() error
}

// openTable sniffs r by its content: an XLSX (zip) file is read from its
// first sheet with excelize's row iterator; anything else is CSV in UTF-8
// (with or without a BOM) or, when its start is not valid UTF-8, GB18030
// (what Excel on Chinese Windows writes). maxRows is the data rows the
// caller accepts: reading stops with an error at a row of more than
// MaxColumns cells, at more than CellsPerRow × maxRows cells in all, and
// (XLSX) past row 4 × maxRows + 1,000, blank rows included.
func openTable(r io.Reader, maxRows int) (*table, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	var (
		t   *table
		err error
	)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		t, err = openXLSX(br, 4*maxRows+1000)
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		// The OLE container of old .xls files (and of password-protected workbooks).
		return nil, apperr.New(apperr.Invalid, "import.xls_unsupported")
	default:
		t, err = openCSV(br)
	}
	if err != nil {
		return nil, err
	}
	return t.bounded(CellsPerRow * maxRows), nil
}

// CellsPerRow is the average of non-empty cells a row may have, for the
// limit on a file's cells.
const CellsPerRow = 64

// bounded wraps t.next with the column and cell limits. Trailing empty
// cells (a formatted column far right) do not count.
func (t *table) bounded(maxCells int) *table {
	next, cells := t.next, 0
	t.next = func() (int, []string, error) {
		row, c, err := next()
		if err != nil {
			return row, c, err
		}
		for len(c) > 0 && strings.TrimSpace(c[len(c)-1]) == "" {
			c = c[:len(c)-1]
		}
		if len(c) > MaxColumns {
			return 0, nil, apperr.New(apperr.TooLarge, "import.too_many_columns", row, MaxColumns)
		}
		if cells += len(c); cells > maxCells {
			return 0, nil, apperr.New(apperr.TooLarge, "import.too_many_cells", maxCells)
		}
		return row, c, nil
	}
	return t
}

func openXLSX(r io.Reader, maxSheetRows int) (*table, error) {
	// excelize reads the whole file into memory anyway; reading it first
	// lets the zip directory be checked before excelize unpacks anything.
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if err := checkXLSX(data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxXLSXUnpacked})
	data = nil
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
			if n > maxSheetRows {
				// Next steps through missing rows too: a lone row at
				// 1,048,576 is a million empty ones.
				return 0, nil, apperr.New(apperr.TooLarge, "import.too_many_rows", maxSheetRows)
			}
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

// checkXLSX checks a workbook's zip directory before it is unpacked: how
// many parts, their declared uncompressed sizes, in all and against their
// compressed sizes, and how many shared strings it declares (counted by
// streaming through that part, which archive/zip stops at its declared size).
func checkXLSX(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "import.file_unreadable")
	}
	if len(zr.File) > maxXLSXEntries {
		return apperr.New(apperr.Invalid, "import.xlsx_bomb")
	}
	var total uint64
	var strs *zip.File
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxXLSXUnpacked {
			return apperr.New(apperr.TooLarge, "import.xlsx_unpacked", maxXLSXUnpacked>>20)
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > maxXLSXRatio*max(f.CompressedSize64, 1) {
			return apperr.New(apperr.Invalid, "import.xlsx_bomb")
		}
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), "xl/sharedStrings.xml") {
			strs = f
		}
	}
	if strs == nil {
		return nil
	}
	rc, err := strs.Open()
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "import.file_unreadable")
	}
	defer rc.Close()
	n, err := countElements(rc, "si")
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "import.file_unreadable")
	}
	if n > maxSharedStrings {
		return apperr.New(apperr.TooLarge, "import.too_many_strings", maxSharedStrings)
	}
	return nil
}

// countElements counts the start tags named name (with any namespace
// prefix) in an XML stream, by bytes: "<si>", "<si ", "<si/>", "<x:si>".
// Markup cannot hide inside text ('<' is escaped there); a CDATA section
// holding such a tag only makes the count higher, which is the safe side.
func countElements(r io.Reader, name string) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	n := 0
	for {
		if _, err := br.ReadSlice('<'); err == bufio.ErrBufferFull {
			continue
		} else if err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
		// The tag name, up to a delimiter, at most 64 bytes.
		tag, err := br.Peek(64)
		if err != nil && err != io.EOF {
			return n, err
		}
		end := bytes.IndexAny(tag, " \t\r\n/>")
		if end < 0 {
			continue
		}
		tag = tag[:end]
		if i := bytes.IndexByte(tag, ':'); i >= 0 {
			tag = tag[i+1:]
		}
		if string(tag) == name {
			n++
		}
	}
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
