package outreach

import (
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Role is how someone stands to one lecture or quiz.
type Role string

// The roles the rules know.
const (
	// Organiser may manage the event: a leader or admin whose scope holds its home region.
	Organiser Role = "organiser"
	// Reader may look at it: an inspector (or a leader) whose scope holds its home region.
	Reader Role = "reader"
	// Public is anyone holding the event's code: a resident's phone.
	Public Role = "public"
)

// Action is something done to a lecture or a quiz.
type Action string

// The actions on lectures.
const (
	LectureRead    Action = "lecture.read"    // see it and its attendance, mobiles masked
	LectureEdit    Action = "lecture.edit"    // change its fields and sign-in window
	LectureCancel  Action = "lecture.cancel"  // call it off
	LecturePhotos  Action = "lecture.photos"  // add photos taken at it
	LectureMobiles Action = "lecture.mobiles" // see the attendees' mobiles unmasked
	LectureSignIn  Action = "lecture.signin"  // sign in from a phone
	LectureDesk    Action = "lecture.desk"    // sign someone in at the desk (no phone)
)

// The actions on quizzes.
const (
	QuizRead    Action = "quiz.read"    // see it, its leaderboard and entries, mobiles masked
	QuizClose   Action = "quiz.close"   // stop taking entries now
	QuizCancel  Action = "quiz.cancel"  // call it off
	QuizMobiles Action = "quiz.mobiles" // see the entrants' mobiles and export the winners
	QuizEnter   Action = "quiz.enter"   // start an entry from a phone
	QuizAnswer  Action = "quiz.answer"  // submit an entry's answers (the entry's deadline decides too)
)

// rule says who may take an action and in which states; outside them the
// action fails with the rule's own error.
type rule struct {
	roles  []Role
	states []State
	err    *apperr.Error // when the state does not allow it
}

var (
	all     = States
	staff   = []Role{Organiser, Reader}
	errOver = apperr.New(apperr.Conflict, "err.outreach.over")
)

// lectureRules is the table of who may do what to a lecture in which state.
var lectureRules = map[Action]rule{
	LectureRead:    {staff, all, nil},
	LectureEdit:    {[]Role{Organiser}, []State{Upcoming, Open}, errOver},
	LectureCancel:  {[]Role{Organiser}, []State{Upcoming, Open}, errOver},
	LecturePhotos:  {[]Role{Organiser}, []State{Open, Closed}, apperr.New(apperr.Conflict, "err.outreach.photos_after")},
	LectureMobiles: {[]Role{Organiser}, all, nil},
	// The message names the window; the service fills in its times.
	LectureSignIn: {[]Role{Public}, []State{Open}, apperr.New(apperr.Invalid, "err.outreach.signin_window")},
	LectureDesk:   {[]Role{Organiser}, []State{Open, Closed}, apperr.New(apperr.Invalid, "err.outreach.desk_window")},
}

// quizRules is the table of who may do what to a quiz in which state.
var quizRules = map[Action]rule{
	QuizRead:    {staff, all, nil},
	QuizClose:   {[]Role{Organiser}, []State{Open}, apperr.New(apperr.Conflict, "err.outreach.not_open")},
	QuizCancel:  {[]Role{Organiser}, []State{Upcoming, Open}, errOver},
	QuizMobiles: {[]Role{Organiser}, all, nil},
	// The message names the opening times; the service fills them in.
	QuizEnter:  {[]Role{Public}, []State{Open}, apperr.New(apperr.Invalid, "err.outreach.quiz_window")},
	QuizAnswer: {[]Role{Public}, []State{Open, Closed}, apperr.New(apperr.Invalid, "err.outreach.quiz_cancelled")},
}

func decide(rules map[Action]rule, r Role, s State, a Action) error {
	ru, ok := rules[a]
	if !ok || !slices.Contains(ru.roles, r) {
		return apperr.ErrForbidden
	}
	if !slices.Contains(ru.states, s) {
		if s == Cancelled {
			return apperr.New(apperr.Conflict, "err.outreach.cancelled")
		}
		if ru.err == nil {
			return apperr.New(apperr.Conflict, "err.outreach.over")
		}
		e := *ru.err // a copy, so that the service may add arguments
		return &e
	}
	return nil
}

func allowed(rules map[Action]rule, r Role, s State) []Action {
	var out []Action
	for a := range rules {
		if decide(rules, r, s, a) == nil {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// DecideLecture says whether role r may take action a on a lecture in state
// s: nil, forbidden (403) for the wrong role, or the action's own error for
// the wrong state (a sign-in outside its window is 422; a cancelled lecture
// is a 409 conflict).
func DecideLecture(r Role, s State, a Action) error { return decide(lectureRules, r, s, a) }

// AllowedLecture lists the actions role r may take on a lecture in state s.
func AllowedLecture(r Role, s State) []Action { return allowed(lectureRules, r, s) }

// DecideQuiz says whether role r may take action a on a quiz in state s, as DecideLecture.
func DecideQuiz(r Role, s State, a Action) error { return decide(quizRules, r, s, a) }

// AllowedQuiz lists the actions role r may take on a quiz in state s.
func AllowedQuiz(r Role, s State) []Action { return allowed(quizRules, r, s) }
