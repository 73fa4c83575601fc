package outreachsvc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/importer"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/store"
)

// MaxImportRows caps the rows of one question file.
const MaxImportRows = 2000

// QuestionFilter is what the question list may be narrowed by.
type QuestionFilter = store.QuestionFilter

// Questions lists the bank's questions (anyone who may read outreach).
func (s *Service) Questions(ctx context.Context, p *auth.Principal, f QuestionFilter) ([]outreach.Question, int, error) {
	if !p.CanSomewhere(auth.OutreachRead) {
		return nil, 0, apperr.ErrForbidden
	}
	return s.DB.Questions(ctx, f)
}

// QuestionTags lists the bank's tags with their counts.
func (s *Service) QuestionTags(ctx context.Context, p *auth.Principal) ([]store.TagCount, error) {
	if !p.CanSomewhere(auth.OutreachRead) {
		return nil, apperr.ErrForbidden
	}
	return s.DB.QuestionTags(ctx)
}

// Question returns one question of the bank.
func (s *Service) Question(ctx context.Context, p *auth.Principal, id int64) (outreach.Question, error) {
	if !p.CanSomewhere(auth.OutreachRead) {
		return outreach.Question{}, apperr.ErrNotFound
	}
	return s.DB.Question(ctx, id)
}

// CanEditBank reports whether p may change the question bank.
func CanEditBank(p *auth.Principal) bool { return p.CanSomewhere(auth.OutreachBank) }

// CreateQuestion adds a question to the bank.
func (s *Service) CreateQuestion(ctx context.Context, who store.Actor, p *auth.Principal, q outreach.Question) (outreach.Question, error) {
	if !CanEditBank(p) {
		return q, apperr.ErrForbidden
	}
	q.Normalize()
	if err := q.Validate(); err != nil {
		return q, err
	}
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.InsertQuestion(ctx, &q) })
	return q, err
}

// UpdateQuestion changes a question of the bank (its version, when given,
// must be the stored one). Quizzes already made keep their copy.
func (s *Service) UpdateQuestion(ctx context.Context, who store.Actor, p *auth.Principal, id int64, q outreach.Question) (outreach.Question, error) {
	old, err := s.Question(ctx, p, id)
	if err != nil {
		return q, err
	}
	if !CanEditBank(p) {
		return q, apperr.ErrForbidden
	}
	if q.Version != 0 && q.Version != old.Version {
		return q, apperr.New(apperr.Conflict, "err.outreach.stale")
	}
	q.Normalize()
	if err := q.Validate(); err != nil {
		return q, err
	}
	q.Active = old.Active
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateQuestion(ctx, old, &q) })
	return q, err
}

// RetireQuestion takes a question out of the bank: new quizzes no longer
// use it; quizzes already made keep their copy.
func (s *Service) RetireQuestion(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (outreach.Question, error) {
	old, err := s.Question(ctx, p, id)
	if err != nil {
		return old, err
	}
	if !CanEditBank(p) {
		return old, apperr.ErrForbidden
	}
	if !old.Active {
		return old, nil
	}
	q := old
	q.Tags = slices.Clone(old.Tags)
	q.Active = false
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateQuestion(ctx, old, &q) })
	return q, err
}

// ImportError lists the bad rows of a question file; nothing of the file was written.
type ImportError struct {
	Problems []importer.Problem
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("question import: %d problems", len(e.Problems))
}

// RowFields translates an import error's problems into field messages keyed
// "row N" (the row as the spreadsheet shows it), each naming its column; nil
// when err is not an import error. The pages and the API show these.
func RowFields(p locale.Printer, err error) map[string]string {
	var ie *ImportError
	if !errors.As(err, &ie) {
		return nil
	}
	out := map[string]string{}
	for _, pr := range ie.Problems {
		key := "row " + strconv.Itoa(pr.Row)
		msg := pr.Column + p.T("punct.colon") + p.T(pr.Key, pr.Args...)
		if prev, ok := out[key]; ok {
			out[key] = prev + p.T("punct.semicolon") + msg
			continue
		}
		out[key] = p.T("outreach.import.row", pr.Row) + " " + msg
	}
	return out
}

// ImportQuestions adds the questions of a spreadsheet (XLSX or CSV with the
// template's headers) to the bank in one transaction. A file with any bad
// row writes nothing and fails with an *ImportError naming every bad row.
func (s *Service) ImportQuestions(ctx context.Context, who store.Actor, p *auth.Principal, r io.Reader) (int, error) {
	if !CanEditBank(p) {
		return 0, apperr.ErrForbidden
	}
	rows, rep, err := importer.ParseQuestions(r, MaxImportRows)
	if err != nil {
		return 0, err
	}
	if !rep.OK() {
		return 0, &apperr.Error{Code: apperr.Invalid, Msg: apperr.Msg{Key: "import.has_problems", Args: []any{len(rep.Problems)}},
			Err: &ImportError{Problems: rep.Problems}}
	}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		for i := range rows {
			if err := tx.InsertQuestion(ctx, &rows[i].Question); err != nil {
				return fmt.Errorf("row %d: %w", rows[i].Row, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// questionHeaders are the sheet's headers in p's language: the Chinese ones
// of the template, or the English ones the import also accepts.
func questionHeaders(p locale.Printer) []string {
	if p.Lang == "en" {
		return importer.QuestionEnglishHeaders()
	}
	return importer.QuestionHeaders()
}

// kindLabel is how a kind is written in a sheet, in p's language.
func kindLabel(p locale.Printer, k outreach.Kind) string {
	return p.T("outreach.kind_cell." + string(k))
}

// answerCell writes a question's answer as the import reads it: letters, or 正确/错误.
func answerCell(p locale.Printer, q outreach.Question) string {
	if q.Kind == outreach.TrueFalse {
		if len(q.Answer) == 1 && q.Answer[0] == 1 {
			return p.T("outreach.false")
		}
		return p.T("outreach.true")
	}
	var b strings.Builder
	for _, i := range q.Answer {
		if i >= 0 && i < 8 {
			b.WriteByte("ABCDEFGH"[i])
		}
	}
	return b.String()
}

func questionRow(p locale.Printer, q outreach.Question) []any {
	row := []any{kindLabel(p, q.Kind), q.Text}
	for i := range 8 {
		v := ""
		if i < len(q.Options) {
			v = q.Options[i]
		}
		row = append(row, v)
	}
	return append(row, answerCell(p, q), q.Explanation, strings.Join(q.Tags, "、"))
}

// writeQuestionSheet streams headers and rows into a one-sheet workbook.
func writeQuestionSheet(w io.Writer, p locale.Printer, each func(add func(outreach.Question) error) error) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := p.T("outreach.sheet.questions")
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	widths := []float64{8, 50, 18, 18, 18, 18, 12, 12, 12, 12, 8, 40, 20}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	var head []any
	for _, h := range questionHeaders(p) {
		head = append(head, h)
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	n := 1
	err = each(func(q outreach.Question) error {
		n++
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, questionRow(p, q))
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}

// ExportQuestions writes the bank's questions matching f as a workbook the
// import reads back.
func (s *Service) ExportQuestions(ctx context.Context, p *auth.Principal, w io.Writer, pr locale.Printer, f QuestionFilter) error {
	if !p.CanSomewhere(auth.OutreachRead) {
		return apperr.ErrForbidden
	}
	return writeQuestionSheet(w, pr, func(add func(outreach.Question) error) error { return s.DB.EachQuestion(ctx, f, add) })
}

// QuestionTemplate writes an empty question file with the headers and one
// example row of each kind.
func QuestionTemplate(w io.Writer, p locale.Printer) error {
	examples := []outreach.Question{
		{Kind: outreach.Single, Text: p.T("outreach.template.single"), Options: []string{"12345", "12369", "12315", "110"}, Answer: []int{1},
			Explanation: p.T("outreach.template.single_why"), Tags: []string{p.T("outreach.template.tag")}},
		{Kind: outreach.Multiple, Text: p.T("outreach.template.multiple"), Options: strings.Split(p.T("outreach.template.multiple_options"), "|"),
			Answer: []int{0, 1, 2}, Explanation: p.T("outreach.template.multiple_why"), Tags: []string{p.T("outreach.template.tag")}},
		{Kind: outreach.TrueFalse, Text: p.T("outreach.template.truefalse"), Answer: []int{1}, Explanation: p.T("outreach.template.truefalse_why")},
	}
	return writeQuestionSheet(w, p, func(add func(outreach.Question) error) error {
		for _, q := range examples {
			if err := add(q); err != nil {
				return err
			}
		}
		return nil
	})
}
