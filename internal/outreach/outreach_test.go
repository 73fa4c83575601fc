package outreach

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// fieldKey returns the message key of err's field f, or "".
func fieldKey(err error, f string) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Fields[f].Key
}

func TestQuestionValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		q     Question
		field string // "" for valid
		key   string
	}{
		{"OKSingle", Question{Kind: Single, Text: "禁放烟花爆竹的区域由谁划定？", Options: []string{"市政府", "物业", "居委会"}, Answer: []int{0}}, "", ""},
		{"OKMultiple", Question{Kind: Multiple, Text: "扬尘治理“六个百分之百”包括？", Options: []string{"围挡", "覆盖", "洒水"}, Answer: []int{2, 0}}, "", ""},
		{"OKTrueFalse", Question{Kind: TrueFalse, Text: "12369 是环保举报热线。", Answer: []int{0}}, "", ""},
		{"ErrKind", Question{Kind: "essay", Text: "x", Answer: []int{0}}, "kind", "err.invalid_choice"},
		{"ErrNoText", Question{Kind: TrueFalse, Answer: []int{1}}, "text", "err.required"},
		{"ErrOneOption", Question{Kind: Single, Text: "x", Options: []string{"a"}, Answer: []int{0}}, "options", "err.outreach.options_few"},
		{"ErrBlankOption", Question{Kind: Single, Text: "x", Options: []string{"a", "", "c"}, Answer: []int{0}}, "options", "err.outreach.option_blank"},
		{"ErrRepeatedOption", Question{Kind: Single, Text: "x", Options: []string{"a", "a"}, Answer: []int{0}}, "options", "err.outreach.option_repeated"},
		{"ErrNoAnswer", Question{Kind: Single, Text: "x", Options: []string{"a", "b"}}, "answer", "err.outreach.answer_none"},
		{"ErrSingleTwoAnswers", Question{Kind: Single, Text: "x", Options: []string{"a", "b"}, Answer: []int{0, 1}}, "answer", "err.outreach.answer_one"},
		{"ErrTrueFalseTwoAnswers", Question{Kind: TrueFalse, Text: "x", Answer: []int{0, 1}}, "answer", "err.outreach.answer_one"},
		{"ErrAnswerRange", Question{Kind: Single, Text: "x", Options: []string{"a", "b"}, Answer: []int{2}}, "answer", "err.outreach.answer_range"},
		{"ErrTrueFalseRange", Question{Kind: TrueFalse, Text: "x", Answer: []int{2}}, "answer", "err.outreach.answer_range"},
		{"ErrAnswerRepeated", Question{Kind: Multiple, Text: "x", Options: []string{"a", "b"}, Answer: []int{1, 1}}, "answer", "err.outreach.answer_repeated"},
		{"ErrTooManyTags", Question{Kind: TrueFalse, Text: "x", Answer: []int{0}, Tags: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}}, "tags", "err.outreach.tags_many"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Normalize()
			err := q.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if got := fieldKey(err, tc.field); got != tc.key {
				t.Fatalf("field %s: key %q, want %q (err %v)", tc.field, got, tc.key, err)
			}
		})
	}
}

func TestNormalizeSortsAnswerAndDropsTrueFalseOptions(t *testing.T) {
	q := Question{Kind: TrueFalse, Text: " 对吗 ", Options: []string{"对", "错"}, Answer: []int{1}, Tags: []string{"扬尘", " 扬尘", ""}}
	q.Normalize()
	if q.Options != nil || q.Text != "对吗" || !slices.Equal(q.Tags, []string{"扬尘"}) {
		t.Fatalf("normalized: %+v", q)
	}
	m := Question{Kind: Multiple, Options: []string{"a", "b", "c", " "}, Answer: []int{2, 0}}
	m.Normalize()
	if !slices.Equal(m.Answer, []int{0, 2}) || len(m.Options) != 3 {
		t.Fatalf("multiple normalized: %+v", m)
	}
}

func TestLectureValidate(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ok := Lecture{Title: "冬季大气污染防治知识讲座", VenueName: "社区活动室", StartsAt: start, EndsAt: start.Add(2 * time.Hour), Regions: []string{"620502004001000"}}
	ok.Normalize()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid lecture: %v", err)
	}
	if !ok.OpensAt.Equal(start.Add(-30*time.Minute)) || !ok.ClosesAt.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("sign-in window defaults: %v – %v", ok.OpensAt, ok.ClosesAt)
	}
	for _, tc := range []struct {
		name   string
		change func(*Lecture)
		field  string
		key    string
	}{
		{"ErrTitle", func(l *Lecture) { l.Title = "" }, "title", "err.required"},
		{"ErrVenue", func(l *Lecture) { l.VenueName = "" }, "venue", "err.required"},
		{"VenueUnitIsEnough", func(l *Lecture) { l.VenueName, l.VenueUnitID = "", 7 }, "", ""},
		{"ErrEndBeforeStart", func(l *Lecture) { l.EndsAt = l.StartsAt }, "ends_at", "err.outreach.end_before_start"},
		{"ErrTooLong", func(l *Lecture) { l.EndsAt = l.StartsAt.Add(25 * time.Hour) }, "ends_at", "err.outreach.too_long_event"},
		{"ErrWindow", func(l *Lecture) { l.ClosesAt = l.OpensAt.Add(-time.Minute) }, "closes_at", "err.outreach.end_before_start"},
		{"ErrNoAudience", func(l *Lecture) { l.Regions = nil }, "regions", "err.required"},
		{"UnitsAreAnAudience", func(l *Lecture) { l.Regions, l.UnitIDs = nil, []int64{3} }, "", ""},
		{"ErrExpected", func(l *Lecture) { l.Expected = -1 }, "expected", "err.outreach.range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := ok
			tc.change(&l)
			err := l.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if got := fieldKey(err, tc.field); got != tc.key {
				t.Fatalf("field %s: key %q, want %q (err %v)", tc.field, got, tc.key, err)
			}
		})
	}
}

func TestQuizValidate(t *testing.T) {
	opens := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	q := QuizQuestion{Question: Question{ID: 1, Kind: TrueFalse, Text: "x", Answer: []int{0}}}
	ok := Quiz{Title: "环保知识有奖竞答", TimeLimit: 5 * time.Minute, OpensAt: opens, ClosesAt: opens.Add(time.Hour), Prizes: []int{1, 2, 3}, Questions: []QuizQuestion{q}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid quiz: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Quiz)
		field  string
		key    string
	}{
		{"ErrNoQuestions", func(z *Quiz) { z.Questions = nil }, "questions", "err.outreach.quiz_empty"},
		{"ErrQuestionTwice", func(z *Quiz) { z.Questions = []QuizQuestion{q, q} }, "questions", "err.outreach.question_twice"},
		{"ErrShortLimit", func(z *Quiz) { z.TimeLimit = 10 * time.Second }, "time_limit_s", "err.outreach.range"},
		{"ErrLongLimit", func(z *Quiz) { z.TimeLimit = 3 * time.Hour }, "time_limit_s", "err.outreach.range"},
		{"ErrCloseBeforeOpen", func(z *Quiz) { z.ClosesAt = z.OpensAt }, "closes_at", "err.outreach.end_before_start"},
		{"ErrNegativePrize", func(z *Quiz) { z.Prizes = []int{1, -1} }, "prizes", "err.outreach.range"},
		{"ErrPrizeLevels", func(z *Quiz) { z.Prizes = []int{1, 1, 1, 1, 1, 1} }, "prizes", "err.outreach.prizes_many"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := ok
			tc.change(&z)
			if got := fieldKey(z.Validate(), tc.field); got != tc.key {
				t.Fatalf("field %s: key %q, want %q", tc.field, got, tc.key)
			}
		})
	}
}

func TestPersonValidate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		p        Person
		required bool
		field    string
		key      string
	}{
		{"OK", Person{Name: "张三明", Region: "620502004001000", Mobile: "138 0000 1234"}, true, "", ""},
		{"OKNoMobileForLecture", Person{Name: "张三明", Region: "620502004001000"}, false, "", ""},
		{"ErrMobileRequired", Person{Name: "张三明", Region: "620502004001000"}, true, "mobile", "err.required"},
		{"ErrMobile", Person{Name: "张三明", Region: "620502004001000", Mobile: "1380000123"}, false, "mobile", "err.mobile"},
		{"ErrLandline", Person{Name: "张三明", Region: "620502004001000", Mobile: "09388212345"}, false, "mobile", "err.mobile"},
		{"ErrName", Person{Region: "620502004001000"}, false, "name", "err.required"},
		{"ErrRegion", Person{Name: "张三明"}, false, "region", "err.required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.Normalize()
			err := p.Validate(tc.required)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if got := fieldKey(err, tc.field); got != tc.key {
				t.Fatalf("field %s: key %q, want %q", tc.field, got, tc.key)
			}
		})
	}
}

// TestLectureRules states the lecture table as role × state × action.
func TestLectureRules(t *testing.T) {
	type want int
	const (
		yes want = iota
		no403
		no409
		no422
	)
	for _, tc := range []struct {
		role   Role
		state  State
		action Action
		want   want
	}{
		{Organiser, Upcoming, LectureEdit, yes},
		{Organiser, Open, LectureEdit, yes},
		{Organiser, Closed, LectureEdit, no409},
		{Organiser, Cancelled, LectureEdit, no409},
		{Reader, Upcoming, LectureEdit, no403},
		{Public, Open, LectureEdit, no403},
		{Organiser, Upcoming, LectureCancel, yes},
		{Organiser, Closed, LectureCancel, no409},
		{Reader, Open, LectureCancel, no403},
		{Organiser, Upcoming, LecturePhotos, no409},
		{Organiser, Closed, LecturePhotos, yes},
		{Reader, Closed, LecturePhotos, no403},
		{Organiser, Closed, LectureRead, yes},
		{Reader, Cancelled, LectureRead, yes},
		{Public, Open, LectureRead, no403},
		{Organiser, Open, LectureMobiles, yes},
		{Reader, Open, LectureMobiles, no403},
		{Public, Open, LectureSignIn, yes},
		{Public, Upcoming, LectureSignIn, no422},
		{Public, Closed, LectureSignIn, no422},
		{Public, Cancelled, LectureSignIn, no409},
		{Organiser, Open, LectureSignIn, no403},
		{Organiser, Closed, LectureDesk, yes},
		{Organiser, Upcoming, LectureDesk, no422},
		{Reader, Open, LectureDesk, no403},
	} {
		t.Run(string(tc.role)+"/"+string(tc.state)+"/"+string(tc.action), func(t *testing.T) {
			checkDecision(t, DecideLecture(tc.role, tc.state, tc.action), int(tc.want))
		})
	}
}

// TestQuizRules states the quiz table as role × state × action.
func TestQuizRules(t *testing.T) {
	for _, tc := range []struct {
		role   Role
		state  State
		action Action
		want   int // 0 allowed, else the HTTP status of the refusal
	}{
		{Organiser, Open, QuizClose, 0},
		{Organiser, Upcoming, QuizClose, 409},
		{Organiser, Closed, QuizClose, 409},
		{Reader, Open, QuizClose, 403},
		{Organiser, Upcoming, QuizCancel, 0},
		{Organiser, Open, QuizCancel, 0},
		{Organiser, Closed, QuizCancel, 409},
		{Public, Open, QuizCancel, 403},
		{Public, Open, QuizEnter, 0},
		{Public, Upcoming, QuizEnter, 422},
		{Public, Closed, QuizEnter, 422},
		{Public, Cancelled, QuizEnter, 409},
		{Reader, Open, QuizEnter, 403},
		{Public, Open, QuizAnswer, 0},
		{Public, Closed, QuizAnswer, 0}, // the entry's own deadline decides
		{Public, Cancelled, QuizAnswer, 409},
		{Organiser, Closed, QuizMobiles, 0},
		{Reader, Closed, QuizMobiles, 403},
		{Reader, Closed, QuizRead, 0},
		{Public, Open, QuizRead, 403},
	} {
		t.Run(string(tc.role)+"/"+string(tc.state)+"/"+string(tc.action), func(t *testing.T) {
			want := map[int]int{0: 0, 403: 1, 409: 2, 422: 3}[tc.want]
			checkDecision(t, DecideQuiz(tc.role, tc.state, tc.action), want)
		})
	}
}

func checkDecision(t *testing.T, err error, want int) {
	t.Helper()
	codes := []apperr.Code{"", apperr.Forbidden, apperr.Conflict, apperr.Invalid}
	if want == 0 {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		return
	}
	if err == nil || apperr.As(err).Code != codes[want] {
		t.Fatalf("decision %v, want code %s", err, codes[want])
	}
}

func TestAllowedMatchesDecide(t *testing.T) {
	got := AllowedLecture(Organiser, Open)
	for _, a := range []Action{LectureRead, LectureEdit, LectureCancel, LecturePhotos, LectureMobiles, LectureDesk} {
		if !slices.Contains(got, a) {
			t.Errorf("organiser of an open lecture lacks %s: %v", a, got)
		}
	}
	if slices.Contains(got, LectureSignIn) {
		t.Errorf("the phone's sign-in is listed for an organiser: %v", got)
	}
	if got := AllowedQuiz(Reader, Closed); !slices.Equal(got, []Action{QuizRead}) {
		t.Errorf("reader of a closed quiz: %v", got)
	}
}

func TestStates(t *testing.T) {
	opens := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := Lecture{OpensAt: opens, ClosesAt: opens.Add(time.Hour)}
	for _, tc := range []struct {
		at   time.Time
		want State
	}{
		{opens.Add(-time.Second), Upcoming}, {opens, Open}, {opens.Add(59 * time.Minute), Open}, {opens.Add(time.Hour), Closed},
	} {
		if got := l.State(tc.at); got != tc.want {
			t.Errorf("state at %v = %s, want %s", tc.at, got, tc.want)
		}
	}
	l.CancelledAt = opens
	if l.State(opens.Add(time.Minute)) != Cancelled {
		t.Error("cancelled lecture not cancelled")
	}
}

func TestShortName(t *testing.T) {
	for in, want := range map[string]string{"张三明": "张*明", "张三": "张*", "欧阳娜娜": "欧**娜", "王": "王", "": "", " 李四 ": "李*"} {
		if got := ShortName(in); got != want {
			t.Errorf("ShortName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHome(t *testing.T) {
	for _, tc := range []struct {
		codes []string
		want  string
	}{
		{[]string{"620502004001000"}, "620502004001000"},
		{[]string{"620502004001001", "620502004001003"}, "620502004001000"},
		{[]string{"620502004001000", "620502004002001"}, "620502004000000"},
		{[]string{"620502004001000", "x"}, ""},
		{nil, ""},
	} {
		if got := Home(tc.codes); got != tc.want {
			t.Errorf("Home(%v) = %q, want %q", tc.codes, got, tc.want)
		}
	}
}

func sampleQuiz() Quiz {
	return Quiz{Questions: []QuizQuestion{
		{Question: Question{ID: 10, Kind: Single, Text: "s", Options: []string{"A", "B", "C", "D"}, Answer: []int{2}, Explanation: "because C"}},
		{Question: Question{ID: 11, Kind: Multiple, Text: "m", Options: []string{"A", "B", "C"}, Answer: []int{0, 2}}},
		{Question: Question{ID: 12, Kind: TrueFalse, Text: "t", Answer: []int{1}}},
	}}
}

// TestLayoutAndScore deals a shuffled layout and answers by the positions
// shown: the right options score, a partial multiple-choice answer does not.
func TestLayoutAndScore(t *testing.T) {
	z := sampleQuiz()
	rnd := rand.New(rand.NewPCG(1, 2))
	layout := NewLayout(z.Questions, rnd.IntN)
	if len(layout) != 3 {
		t.Fatalf("layout %v", layout)
	}
	shown := z.ShownQuestions(layout)
	pos := func(id int64, opt string) int {
		for _, s := range shown {
			if s.ID == id {
				return slices.Index(s.Options, opt)
			}
		}
		return -1
	}
	for _, s := range shown {
		if s.ID == 12 {
			if s.Options != nil {
				t.Fatalf("true/false options %v", s.Options)
			}
			continue
		}
		q, _ := z.Question(s.ID)
		sorted := slices.Clone(s.Options)
		slices.Sort(sorted)
		if !slices.Equal(sorted, q.Options) {
			t.Fatalf("question %d shows %v, a permutation of %v expected", s.ID, s.Options, q.Options)
		}
	}
	given := map[int64][]int{10: {pos(10, "C")}, 11: {pos(11, "A")}, 12: {1}}
	bank, err := Check(z, layout, given)
	if err != nil {
		t.Fatal(err)
	}
	res, score := Results(z, layout, bank)
	if score != 2 {
		t.Fatalf("score %d, want 2 (single and true/false right, multiple partial): %+v", score, res)
	}
	for _, r := range res {
		if r.ID == 11 && (r.Correct || len(r.Answer) != 2) {
			t.Fatalf("multiple result %+v", r)
		}
		if r.ID == 10 && (!r.Correct || r.Explanation != "because C" || !slices.Equal(r.Answer, []int{pos(10, "C")})) {
			t.Fatalf("single result %+v", r)
		}
	}
	// The whole right answer scores.
	bank, _ = Check(z, layout, map[int64][]int{11: {pos(11, "C"), pos(11, "A")}})
	if _, score := Results(z, layout, bank); score != 1 {
		t.Fatalf("full multiple answer scored %d", score)
	}
}

func TestCheckRefusesBadAnswers(t *testing.T) {
	z := sampleQuiz()
	layout := NewLayout(z.Questions, func(int) int { return 0 })
	for name, given := range map[string]map[int64][]int{
		"err.outreach.answer_unknown": {99: {0}},
		"err.outreach.answer_range":   {10: {4}},
		"err.outreach.answer_one":     {12: {0, 1}},
	} {
		_, err := Check(z, layout, given)
		if got := fieldKey(err, "answers"); got != name {
			t.Errorf("answers %v: key %q, want %q", given, got, name)
		}
	}
	if _, err := Check(z, layout, map[int64][]int{10: {-1}}); fieldKey(err, "answers") != "err.outreach.answer_range" {
		t.Errorf("negative index: %v", err)
	}
}

func TestCompareRanks(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	es := []Entry{
		{ID: 1, Score: 8, Taken: 90 * time.Second, SubmittedAt: at},
		{ID: 2, Score: 9, Taken: 200 * time.Second, SubmittedAt: at.Add(time.Minute)},
		{ID: 3, Score: 8, Taken: 60 * time.Second, SubmittedAt: at.Add(2 * time.Minute)},
		{ID: 4, Score: 8, Taken: 60 * time.Second, SubmittedAt: at.Add(time.Minute)},
	}
	slices.SortFunc(es, Compare)
	var ids []int64
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, []int64{2, 4, 3, 1}) {
		t.Fatalf("ranking %v, want [2 4 3 1]", ids)
	}
}

func TestPrizes(t *testing.T) {
	z := Quiz{Prizes: []int{1, 2, 3}}
	want := []int{1, 2, 2, 3, 3, 3, 0}
	for rank := 1; rank <= 7; rank++ {
		if got := z.PrizeOf(rank); got != want[rank-1] {
			t.Errorf("PrizeOf(%d) = %d, want %d", rank, got, want[rank-1])
		}
	}
	if z.Winners() != 6 {
		t.Errorf("Winners = %d", z.Winners())
	}
}

func TestEntryLate(t *testing.T) {
	d := time.Date(2026, 12, 1, 9, 5, 0, 0, time.UTC)
	e := Entry{Deadline: d}
	if e.Late(d.Add(10*time.Second)) || !e.Late(d.Add(10*time.Second+time.Millisecond)) {
		t.Fatal("the grace is 10 seconds")
	}
}

func TestMaskMobile(t *testing.T) {
	if got := MaskMobile("13812345678"); got != "138****5678" {
		t.Fatalf("MaskMobile = %q", got)
	}
	if MaskMobile("") != "" {
		t.Fatal("empty mobile masked to something")
	}
}
