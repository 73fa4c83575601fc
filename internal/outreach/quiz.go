package outreach

import (
	"cmp"
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
)

// NewLayout deals a new entry its questions: the questions in a shuffled
// order and each question's options shuffled (true/false stays 正确, 错误,
// the order people expect). intn(n) returns a number in [0, n); the service
// gives it a cryptographic source, tests a fixed one.
func NewLayout(qs []QuizQuestion, intn func(n int) int) []Slot {
	out := make([]Slot, len(qs))
	for i, q := range qs {
		perm := make([]int, q.OptionCount())
		for j := range perm {
			perm[j] = j
		}
		if q.Kind != TrueFalse {
			shuffle(perm, intn)
		}
		out[i] = Slot{Q: q.ID, Perm: perm}
	}
	shuffle(out, intn)
	return out
}

// shuffle is Fisher–Yates over intn.
func shuffle[T any](s []T, intn func(int) int) {
	for i := len(s) - 1; i > 0; i-- {
		j := intn(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}

// Shown is a question as one entry sees it: nothing in it tells the answer.
type Shown struct {
	ID   int64
	Kind Kind
	Text string
	// Options are in the order this entry sees them; for true/false they are
	// nil and the page labels the two positions 正确 and 错误.
	Options []string
}

// ShownQuestions returns the entry's questions in its order, options permuted.
func (z Quiz) ShownQuestions(layout []Slot) []Shown {
	out := make([]Shown, 0, len(layout))
	for _, sl := range layout {
		q, ok := z.Question(sl.Q)
		if !ok {
			continue
		}
		s := Shown{ID: q.ID, Kind: q.Kind, Text: q.Text}
		if q.Kind != TrueFalse {
			s.Options = make([]string, len(sl.Perm))
			for i, b := range sl.Perm {
				if b >= 0 && b < len(q.Options) {
					s.Options[i] = q.Options[b]
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// Check turns an entry's answers, given as option positions as the entry saw
// them, into bank indices. An unknown question, a position out of range, or
// two choices for a one-answer question is a field error on "answers";
// questions left out are unanswered.
func Check(z Quiz, layout []Slot, given map[int64][]int) (map[int64][]int, error) {
	slots := map[int64]Slot{}
	for _, sl := range layout {
		slots[sl.Q] = sl
	}
	out := map[int64][]int{}
	for id, shown := range given {
		sl, ok := slots[id]
		q, known := z.Question(id)
		if !ok || !known {
			return nil, apperr.Field("answers", "err.outreach.answer_unknown", id)
		}
		var bank []int
		for _, i := range shown {
			if i < 0 || i >= len(sl.Perm) {
				return nil, apperr.Field("answers", "err.outreach.answer_range", len(sl.Perm))
			}
			if !slices.Contains(bank, sl.Perm[i]) {
				bank = append(bank, sl.Perm[i])
			}
		}
		if len(bank) > 1 && q.Kind != Multiple {
			return nil, apperr.Field("answers", "err.outreach.answer_one")
		}
		slices.Sort(bank)
		if len(bank) > 0 {
			out[id] = bank
		}
	}
	return out, nil
}

// Result is one question's outcome for an entry, in the entry's positions.
type Result struct {
	ID   int64
	Kind Kind
	Text string
	// Options are in the entry's order (nil for true/false); after the
	// submission they may be shown beside the answer.
	Options     []string
	Correct     bool
	Chosen      []int // the positions the entry chose
	Answer      []int // the correct positions
	Explanation string
}

// Results scores an entry: one point for each question whose chosen options
// are exactly the correct ones (all of them for multiple-choice). answers
// are bank indices by question id; the results follow the entry's order.
func Results(z Quiz, layout []Slot, answers map[int64][]int) ([]Result, int) {
	score := 0
	out := make([]Result, 0, len(layout))
	for _, sl := range layout {
		q, ok := z.Question(sl.Q)
		if !ok {
			continue
		}
		pos := make(map[int]int, len(sl.Perm)) // bank index → position
		for i, b := range sl.Perm {
			pos[b] = i
		}
		toShown := func(bank []int) []int {
			s := []int{}
			for _, b := range bank {
				s = append(s, pos[b])
			}
			slices.Sort(s)
			return s
		}
		got := answers[q.ID]
		r := Result{ID: q.ID, Kind: q.Kind, Text: q.Text, Correct: slices.Equal(got, q.Answer), Chosen: toShown(got), Answer: toShown(q.Answer),
			Explanation: q.Explanation}
		if q.Kind != TrueFalse {
			for _, b := range sl.Perm {
				if b >= 0 && b < len(q.Options) {
					r.Options = append(r.Options, q.Options[b])
				}
			}
		}
		if r.Correct {
			score++
		}
		out = append(out, r)
	}
	return out, score
}

// Compare orders submitted entries for the ranking: the higher score first,
// then the shorter time taken, then the earlier submission (and the earlier
// entry, so that no two entries ever tie).
func Compare(a, b Entry) int {
	return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Taken, b.Taken),
		a.SubmittedAt.Compare(b.SubmittedAt), cmp.Compare(a.ID, b.ID))
}
