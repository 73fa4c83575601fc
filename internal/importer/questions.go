package importer

import (
	"io"
	"strings"
	"unicode"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/outreach"
)

// Questions is the kind of a question-bank file.
const Questions Kind = "questions"

// optionLetters name the option columns, A to H.
const optionLetters = "ABCDEFGH"

// questionColumns are the columns of a question-bank file, in template
// order, with the accepted header texts, the canonical Chinese one first.
var questionColumns = func() []column {
	cols := []column{
		{"kind", []string{"题型", "类型", "kind", "type"}, true},
		{"text", []string{"题目", "题干", "question", "text"}, true},
	}
	for _, l := range optionLetters {
		s := string(l)
		cols = append(cols, column{"option_" + strings.ToLower(s), []string{"选项" + s, s, "option " + s, "option_" + strings.ToLower(s)}, false})
	}
	return append(cols,
		column{"answer", []string{"答案", "正确答案", "answer"}, true},
		column{"explanation", []string{"解析", "答案解析", "explanation"}, false},
		column{"tags", []string{"标签", "关键词", "tags"}, false},
	)
}()

// QuestionHeaders returns the canonical Chinese headers of a question-bank file, for its template.
func QuestionHeaders() []string { return canonical(questionColumns) }

// QuestionEnglishHeaders returns the English headers a question-bank file may use instead
// (each column's third name).
func QuestionEnglishHeaders() []string {
	out := make([]string, len(questionColumns))
	for i, c := range questionColumns {
		out[i] = c.names[2]
	}
	return out
}

// QuestionKindLabels maps the kind column's texts to kinds.
var QuestionKindLabels = map[string]outreach.Kind{
	"单选": outreach.Single, "单选题": outreach.Single, "single": outreach.Single,
	"多选": outreach.Multiple, "多选题": outreach.Multiple, "multiple": outreach.Multiple,
	"判断": outreach.TrueFalse, "判断题": outreach.TrueFalse, "truefalse": outreach.TrueFalse, "true/false": outreach.TrueFalse,
}

// trueFalseAnswers maps what people write for true and false to the two positions.
var trueFalseAnswers = map[string]int{
	"正确": 0, "对": 0, "是": 0, "√": 0, "✓": 0, "T": 0, "TRUE": 0, "A": 0, "Y": 0,
	"错误": 1, "错": 1, "否": 1, "×": 1, "✗": 1, "X": 1, "F": 1, "FALSE": 1, "B": 1, "N": 1,
}

// QuestionRow is one question read from a file, with its row number.
type QuestionRow struct {
	Row      int
	Question outreach.Question
}

// ParseQuestions reads a question-bank file (XLSX or CSV): one question per
// row, with its kind, text, options A–H, answer as letters (“AC”) or, for
// true/false, 正确/错误, an explanation and tags. Every row is checked by
// the rules of package outreach; the report names each bad row and column.
// Nothing here writes: the caller stores the rows only when the report is clean.
func ParseQuestions(r io.Reader, maxRows int) ([]QuestionRow, Report, error) {
	rep := Report{Kind: Questions, Problems: []Problem{}}
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	t, err := openTable(r, maxRows)
	if err != nil {
		return nil, rep, err
	}
	defer t.close()
	h, err := readHeader(t, questionColumns)
	if err != nil {
		return nil, rep, err
	}
	var out []QuestionRow
	seen := map[string]int{}
	for {
		row, cells, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, rep, err
		}
		if blank(cells) {
			continue
		}
		if rep.Rows++; rep.Rows > maxRows {
			return nil, rep, apperr.New(apperr.TooLarge, "import.too_many_rows", maxRows)
		}
		q, f := parseQuestion(h, cells)
		if len(f) == 0 {
			if first, ok := seen[q.Text]; ok {
				f.add("text", "import.duplicate_row", first)
			} else {
				seen[q.Text] = row
			}
		}
		if len(f) == 0 {
			rep.Valid++
			out = append(out, QuestionRow{Row: row, Question: q})
		}
		f.report(&rep, h, row)
	}
	if rep.Rows == 0 {
		return nil, rep, apperr.New(apperr.Invalid, "import.file_empty")
	}
	return out, rep, nil
}

func parseQuestion(h *header, cells []string) (outreach.Question, fieldProblems) {
	f := fieldProblems{}
	q := outreach.Question{Text: h.cell(cells, "text"), Explanation: h.cell(cells, "explanation"), Tags: splitList(h.cell(cells, "tags"))}
	kindText := h.cell(cells, "kind")
	kind, ok := QuestionKindLabels[strings.ToLower(kindText)]
	switch {
	case kindText == "":
		f.add("kind", "err.required")
	case !ok:
		f.add("kind", "err.invalid_choice")
	}
	q.Kind = kind
	for _, l := range optionLetters {
		q.Options = append(q.Options, h.cell(cells, "option_"+strings.ToLower(string(l))))
	}
	// A gap before the last option given is a blank option, which Validate refuses.
	answer := strings.ToUpper(strings.TrimSpace(h.cell(cells, "answer")))
	switch {
	case answer == "":
		f.add("answer", "err.required")
	case kind == outreach.TrueFalse:
		if i, ok := trueFalseAnswers[answer]; ok {
			q.Answer = []int{i}
		} else {
			f.add("answer", "err.outreach.answer_truefalse")
		}
	default:
		for _, r := range answer {
			if unicode.IsSpace(r) || strings.ContainsRune(",，、;；/", r) {
				continue
			}
			i := strings.IndexRune(optionLetters, r)
			if i < 0 {
				f.add("answer", "err.outreach.answer_letters")
				break
			}
			q.Answer = append(q.Answer, i)
		}
	}
	q.Normalize()
	if len(f) == 0 {
		alias := map[string]string{"options": "option_a"}
		f.merge(q.Validate(), alias)
	}
	return q, f
}
