// Package outreach holds the popular-science lectures (科普大讲堂) and the
// prize quizzes (有奖竞赛) of measure 6: lectures with their QR sign-in, the
// question bank, quizzes taken on residents' phones with the time kept by the
// server, and the ranking that picks the winners. It has no I/O: the service
// (internal/service/outreachsvc) loads, decides here, and stores.
package outreach

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
)

// Limits on what organisers type.
const (
	MaxTitle       = 100
	MaxName        = 100 // a speaker's or venue's name
	MaxMaterials   = 1000
	MaxPersonName  = 30 // a resident's name
	MaxAudience    = 50 // regions or units in an audience
	MaxQuestion    = 500
	MaxOption      = 200
	MinOptions     = 2
	MaxOptions     = 8
	MaxExplanation = 1000
	MaxTag         = 20
	MaxTags        = 10
	MaxQuizSize    = 100 // questions in one quiz
	MaxPrizeLevels = 5   // first, second, third… prize
	MaxPrizeCount  = 1000
	MinTimeLimit   = 30 * time.Second
	MaxTimeLimit   = 2 * time.Hour
	MaxLecture     = 24 * time.Hour // the longest a lecture may last
)

// Defaults of an event's times.
const (
	// SignInLead is how long before a lecture's start the sign-in opens by default.
	SignInLead = 30 * time.Minute
	// Grace is how long after an entry's deadline its answers are still taken:
	// the phone's last tap may travel a slow network.
	Grace = 10 * time.Second
)

// Lecture is one popular-science lecture.
type Lecture struct {
	ID      int64
	Code    string // the unguessable token of the public sign-in URL
	Title   string
	Speaker string
	// The venue is a unit (VenueUnitID, with VenueName its name when loaded)
	// or a named place (VenueName alone).
	VenueUnitID int64
	VenueName   string
	// Region is the lecture's home: the smallest region holding its whole
	// audience. Who may manage or read it is decided there.
	Region   string
	Regions  []string // audience regions
	UnitIDs  []int64  // audience units
	StartsAt time.Time
	EndsAt   time.Time
	// OpensAt and ClosesAt bound the sign-in (30 minutes before the start to the end by default).
	OpensAt     time.Time
	ClosesAt    time.Time
	Expected    int
	Materials   string
	CancelledAt time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
	Photos      []string // photo ids, taken afterwards
	Attendance  int      // sign-ins, when loaded
}

// SignIn is one resident's sign-in at a lecture.
type SignIn struct {
	ID        int64
	LectureID int64
	Name      string
	Region    string // the resident's community
	Mobile    string // optional
	Device    string // a hash of the phone's cookie, "" when none
	Desk      bool   // typed in by an organiser for someone without a phone
	At        time.Time
}

// Kind is a question's kind.
type Kind string

// The three kinds of question.
const (
	Single    Kind = "single"    // one correct option
	Multiple  Kind = "multiple"  // one or more correct options, all to be chosen
	TrueFalse Kind = "truefalse" // 正确 / 错误; its options are implicit
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{Single, Multiple, TrueFalse}

// TrueFalseOptions is how many options a true/false question has: 0 is "true", 1 is "false".
const TrueFalseOptions = 2

// Question is one question of the bank.
type Question struct {
	ID          int64
	Kind        Kind
	Text        string
	Options     []string // none for true/false
	Answer      []int    // the correct options' indices, ascending
	Explanation string
	Tags        []string
	Active      bool // false once retired from the bank
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// OptionCount returns how many options the question shows.
func (q Question) OptionCount() int {
	if q.Kind == TrueFalse {
		return TrueFalseOptions
	}
	return len(q.Options)
}

// Normalize trims the text, drops blank trailing options and tags, sorts the
// answer and removes repeated tags.
func (q *Question) Normalize() {
	q.Text = strings.TrimSpace(q.Text)
	q.Explanation = strings.TrimSpace(q.Explanation)
	for i := range q.Options {
		q.Options[i] = strings.TrimSpace(q.Options[i])
	}
	for len(q.Options) > 0 && q.Options[len(q.Options)-1] == "" {
		q.Options = q.Options[:len(q.Options)-1]
	}
	if q.Kind == TrueFalse {
		q.Options = nil
	}
	q.Answer = slices.Clone(q.Answer)
	slices.Sort(q.Answer)
	var tags []string
	for _, t := range q.Tags {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	q.Tags = tags
}

// Validate checks a normalized question: its kind, text, options (2 to 8,
// none blank or repeated), the correct answer (one for single-choice and
// true/false, at least one for multiple-choice, every index an option) and tags.
func (q Question) Validate() error {
	f := apperr.Fields{}
	if !slices.Contains(Kinds, q.Kind) {
		f.Add("kind", "err.invalid_choice")
	}
	checkText(f, "text", q.Text, MaxQuestion, true)
	checkText(f, "explanation", q.Explanation, MaxExplanation, false)
	if q.Kind == Single || q.Kind == Multiple {
		switch n := len(q.Options); {
		case n < MinOptions:
			f.Add("options", "err.outreach.options_few", MinOptions)
		case n > MaxOptions:
			f.Add("options", "err.outreach.options_many", MaxOptions)
		}
		seen := map[string]bool{}
		for _, o := range q.Options {
			switch {
			case o == "":
				f.Add("options", "err.outreach.option_blank")
			case utf8.RuneCountInString(o) > MaxOption:
				f.Add("options", "err.too_long", MaxOption)
			case seen[o]:
				f.Add("options", "err.outreach.option_repeated", o)
			}
			seen[o] = true
		}
	}
	n := q.OptionCount()
	for i, a := range q.Answer {
		if a < 0 || a >= n {
			f.Add("answer", "err.outreach.answer_range", n)
		} else if i > 0 && q.Answer[i-1] == a {
			f.Add("answer", "err.outreach.answer_repeated")
		}
	}
	switch {
	case len(q.Answer) == 0:
		f.Add("answer", "err.outreach.answer_none")
	case len(q.Answer) > 1 && q.Kind != Multiple:
		f.Add("answer", "err.outreach.answer_one")
	}
	if len(q.Tags) > MaxTags {
		f.Add("tags", "err.outreach.tags_many", MaxTags)
	}
	for _, t := range q.Tags {
		if utf8.RuneCountInString(t) > MaxTag {
			f.Add("tags", "err.too_long", MaxTag)
		}
	}
	return f.Err()
}

// Quiz is one prize quiz.
type Quiz struct {
	ID    int64
	Code  string // the unguessable token of the public quiz URL
	Title string
	Intro string
	// Region is the quiz's home, as a lecture's: the smallest region holding its audience.
	Region      string
	Regions     []string // audience regions
	TimeLimit   time.Duration
	OpensAt     time.Time
	ClosesAt    time.Time
	Prizes      []int // how many first, second, third… prizes
	Questions   []QuizQuestion
	CancelledAt time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
	Entries     int // entries, when loaded
	Submitted   int // submitted entries, when loaded
}

// QuizQuestion is a question as the quiz holds it: a copy of the bank's
// question when the quiz was made, so that later edits of the bank never
// change a quiz already run.
type QuizQuestion struct {
	Question
	Pos int
}

// Max returns the highest score of the quiz: one point a question.
func (z Quiz) Max() int { return len(z.Questions) }

// Winners returns how many entries win a prize.
func (z Quiz) Winners() int {
	n := 0
	for _, p := range z.Prizes {
		n += p
	}
	return n
}

// PrizeOf returns the prize level (1 first, 2 second…) of rank, 0 for none.
func (z Quiz) PrizeOf(rank int) int {
	top := 0
	for i, p := range z.Prizes {
		top += p
		if rank <= top {
			return i + 1
		}
	}
	return 0
}

// Question returns the quiz's question with bank id id.
func (z Quiz) Question(id int64) (QuizQuestion, bool) {
	for _, q := range z.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return QuizQuestion{}, false
}

// Entry is one resident's go at a quiz.
type Entry struct {
	ID     int64
	QuizID int64
	Name   string
	Region string // the resident's community
	Mobile string // required, for the prize
	// Layout is the order of the questions and of each question's options as
	// this entry was shown them.
	Layout      []Slot
	StartedAt   time.Time
	Deadline    time.Time
	SubmittedAt time.Time
	// Answers are the chosen options by question id, as bank indices.
	Answers map[int64][]int
	Score   int
	Max     int
	Taken   time.Duration // from the start to the submission
	Rank    int           // when ranked
}

// Submitted reports whether the entry's answers are in.
func (e Entry) Submitted() bool { return !e.SubmittedAt.IsZero() }

// Late reports whether answers arriving at now come too late: past the
// deadline and its grace.
func (e Entry) Late(now time.Time) bool { return now.After(e.Deadline.Add(Grace)) }

// Slot is one question as an entry sees it: Perm[i] is the bank index of the
// option shown in position i.
type Slot struct {
	Q    int64 `json:"q"`
	Perm []int `json:"p"`
}

// ShortName shortens a name for a public board: 张三明 → 张*明, 张三 → 张*,
// 欧阳娜娜 → 欧**娜. Nothing longer than one character is shown whole.
func ShortName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0, 1:
		return string(r)
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskMobile is how a resident's mobile is shown to everyone but the organiser
// (138****5678). It is the one place to change when the masking rule does.
func MaskMobile(m string) string {
	if m == "" {
		return ""
	}
	return people.MaskMobile(m)
}

// NormalizeMobile strips spaces, dashes and a +86 prefix from a typed mobile.
func NormalizeMobile(s string) string {
	s = strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(strings.TrimSpace(s))
	return strings.TrimPrefix(s, "+86")
}

// Home returns the smallest region holding every code: the audience's
// common ancestor ("" when codes is empty or holds a malformed code).
func Home(codes []string) string {
	home := ""
	for _, c := range codes {
		if !region.ValidCode(c) {
			return ""
		}
		if home == "" {
			home = c
			continue
		}
		for home != "" && !region.Contains(home, c) {
			home = region.ParentOf(home)
		}
	}
	return home
}

// Person is a resident as a sign-in or an entry names them.
type Person struct {
	Name   string
	Region string
	Mobile string
}

// Normalize trims the fields and tidies the mobile.
func (p *Person) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Region = strings.TrimSpace(p.Region)
	p.Mobile = NormalizeMobile(p.Mobile)
}

// Validate checks a resident's name and mobile (required for quizzes, for
// the prize); whether the region is one of the street's communities is for
// the service to say.
func (p Person) Validate(mobileRequired bool) error {
	f := apperr.Fields{}
	checkText(f, "name", p.Name, MaxPersonName, true)
	if p.Region == "" {
		f.Add("region", "err.required")
	}
	switch {
	case p.Mobile == "" && mobileRequired:
		f.Add("mobile", "err.required")
	case p.Mobile != "" && !people.ValidMobile(p.Mobile):
		f.Add("mobile", "err.mobile")
	}
	return f.Err()
}

func checkText(f apperr.Fields, field, s string, max int, required bool) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		f.Add(field, "err.required")
	case n > max:
		f.Add(field, "err.too_long", max)
	}
}
