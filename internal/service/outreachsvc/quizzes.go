package outreachsvc

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Draw asks for questions drawn at random from the bank: Count of those
// carrying any of Tags (any question when Tags is empty).
type Draw struct {
	Tags  []string
	Count int
}

// QuizInput is a quiz as an organiser gives it: chosen questions, or a draw.
type QuizInput struct {
	Title     string
	Intro     string
	Questions []int64
	Draw      *Draw
	TimeLimit time.Duration
	OpensAt   time.Time
	ClosesAt  time.Time
	Prizes    []int
	Regions   []string // the audience; empty means the organiser's own area
}

// QuizView is a quiz with what the viewer may do to it.
type QuizView struct {
	outreach.Quiz
	Role    outreach.Role
	State   outreach.State
	Actions []outreach.Action
}

// Can reports whether the viewer may take action a now.
func (v QuizView) Can(a outreach.Action) bool { return slices.Contains(v.Actions, a) }

func (s *Service) quizView(z outreach.Quiz, r outreach.Role) QuizView {
	st := z.State(s.Now())
	return QuizView{Quiz: z, Role: r, State: st, Actions: outreach.AllowedQuiz(r, st)}
}

// CreateQuiz makes a quiz of chosen questions or of a draw from the bank,
// copying the questions as they are now, with a fresh public code.
func (s *Service) CreateQuiz(ctx context.Context, who store.Actor, p *auth.Principal, in QuizInput) (QuizView, error) {
	if !p.CanSomewhere(auth.OutreachManage) {
		return QuizView{}, apperr.ErrForbidden
	}
	z := outreach.Quiz{Title: in.Title, Intro: in.Intro, TimeLimit: in.TimeLimit, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt,
		Prizes: in.Prizes, Regions: in.Regions, CreatedBy: p.PersonID}
	z.Normalize()
	f := apperr.Fields{}
	ids := in.Questions
	if len(ids) == 0 && in.Draw != nil {
		var err error
		if ids, err = s.draw(ctx, *in.Draw, f); err != nil {
			return QuizView{}, err
		}
	}
	if len(ids) > 0 {
		bank, err := s.DB.QuestionsByID(ctx, ids)
		if err != nil {
			return QuizView{}, err
		}
		for _, id := range ids {
			q, ok := bank[id]
			if !ok {
				f.Add("questions", "err.outreach.question_unknown", id)
				continue
			}
			z.Questions = append(z.Questions, outreach.QuizQuestion{Question: q})
		}
	}
	if err := z.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			if k == "questions" && in.Draw != nil && len(in.Questions) == 0 {
				k = "draw"
			}
			f.Add(k, m.Key, m.Args...)
		}
	}
	homes, err := s.audience(ctx, p, z.Regions, nil, f)
	if err != nil {
		return QuizView{}, err
	}
	if len(f) == 0 {
		if len(homes) == 0 {
			// No audience named: the organiser's own area (the first, if several).
			roots := p.Scopes(auth.OutreachManage)
			slices.Sort(roots)
			homes = roots[:min(1, len(roots))]
		}
		z.Region = outreach.Home(homes)
		if z.Region == "" || !p.Can(auth.OutreachManage, auth.Target{Region: z.Region}) {
			f.Add("regions", "err.outreach.audience_scope")
		}
	}
	if err := f.Err(); err != nil {
		return QuizView{}, err
	}
	z.Code = NewCode()
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.InsertQuiz(ctx, &z) })
	return s.quizView(z, outreach.Organiser), err
}

// draw picks d.Count questions at random among the active ones carrying any of d.Tags.
func (s *Service) draw(ctx context.Context, d Draw, f apperr.Fields) ([]int64, error) {
	if d.Count < 1 || d.Count > outreach.MaxQuizSize {
		f.Add("draw", "err.outreach.range", 1, outreach.MaxQuizSize)
		return nil, nil
	}
	var tags []string
	for _, t := range d.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	ids, err := s.DB.QuestionIDsTagged(ctx, tags)
	if err != nil {
		return nil, err
	}
	if len(ids) < d.Count {
		f.Add("draw", "err.outreach.draw_short", len(ids), d.Count)
		return nil, nil
	}
	for i := len(ids) - 1; i > 0; i-- {
		j := intn(i + 1)
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids[:d.Count], nil
}

// Quiz returns a quiz p may read (404 otherwise), with its questions and answers.
func (s *Service) Quiz(ctx context.Context, p *auth.Principal, id int64) (QuizView, error) {
	z, err := s.DB.Quiz(ctx, id)
	if err != nil {
		return QuizView{}, err
	}
	r, ok := roleOf(p, z.Region)
	if !ok {
		return QuizView{}, apperr.ErrNotFound
	}
	return s.quizView(z, r), nil
}

func (s *Service) decideQuiz(ctx context.Context, p *auth.Principal, id int64, a outreach.Action) (QuizView, error) {
	v, err := s.Quiz(ctx, p, id)
	if err != nil {
		return v, err
	}
	return v, outreach.DecideQuiz(v.Role, v.State, a)
}

// QuizFilter is what the quiz list may be narrowed by.
type QuizFilter struct {
	From, To time.Time
	Q        string
	Page     store.Page
}

// Quizzes lists the quizzes p may read.
func (s *Service) Quizzes(ctx context.Context, p *auth.Principal, f QuizFilter) ([]QuizView, int, error) {
	if !p.CanSomewhere(auth.OutreachRead) {
		return nil, 0, apperr.ErrForbidden
	}
	list, total, err := s.DB.Quizzes(ctx, store.QuizFilter{Scope: scope(p), From: f.From, To: f.To, Q: f.Q, Page: f.Page})
	if err != nil {
		return nil, 0, err
	}
	out := make([]QuizView, 0, len(list))
	for _, z := range list {
		r, _ := roleOf(p, z.Region)
		out = append(out, s.quizView(z, r))
	}
	return out, total, nil
}

// CloseQuiz stops a quiz taking entries now; entries already started keep their time.
func (s *Service) CloseQuiz(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (QuizView, error) {
	v, err := s.decideQuiz(ctx, p, id, outreach.QuizClose)
	if err != nil {
		return v, err
	}
	if err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.CloseQuiz(ctx, v.Quiz, s.Now()) }); err != nil {
		return v, err
	}
	return s.Quiz(ctx, p, id)
}

// CancelQuiz calls a quiz off.
func (s *Service) CancelQuiz(ctx context.Context, who store.Actor, p *auth.Principal, id int64) (QuizView, error) {
	v, err := s.decideQuiz(ctx, p, id, outreach.QuizCancel)
	if err != nil {
		return v, err
	}
	if err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.CancelQuiz(ctx, v.Quiz) }); err != nil {
		return v, err
	}
	return s.Quiz(ctx, p, id)
}

// BoardRow is one line of the projector's leaderboard: no mobile, the name shortened.
type BoardRow struct {
	Rank    int
	Name    string
	Region  string
	Score   int
	Max     int
	Seconds float64
}

// Board is a quiz's leaderboard as the projector shows it.
type Board struct {
	Quiz      QuizView
	Rows      []BoardRow
	Submitted int
}

// Wire is the leaderboard as both doors send it (the API and the projector's
// polling): ranks, shortened names, communities with names, scores, times.
func (b Board) Wire(names func(string) string) map[string]any {
	items := make([]map[string]any, 0, len(b.Rows))
	for _, row := range b.Rows {
		items = append(items, map[string]any{"rank": row.Rank, "name": row.Name, "region": row.Region, "region_name": names(row.Region),
			"score": row.Score, "seconds": row.Seconds})
	}
	return map[string]any{"items": items, "submitted": b.Submitted, "entries": b.Quiz.Entries, "max": b.Quiz.Max(), "state": b.Quiz.State}
}

// Leaderboard returns the top n submitted entries of a quiz (n ≤ 100) in
// rank order, names shortened (张*明) and no mobiles.
func (s *Service) Leaderboard(ctx context.Context, p *auth.Principal, id int64, n int) (Board, error) {
	v, err := s.decideQuiz(ctx, p, id, outreach.QuizRead)
	if err != nil {
		return Board{}, err
	}
	list, total, err := s.DB.Leaderboard(ctx, id, store.Page{Page: 1, Size: n})
	if err != nil {
		return Board{}, err
	}
	b := Board{Quiz: v, Submitted: total, Rows: make([]BoardRow, 0, len(list))}
	for _, e := range list {
		b.Rows = append(b.Rows, BoardRow{Rank: e.Rank, Name: outreach.ShortName(e.Name), Region: e.Region, Score: e.Score, Max: e.Max,
			Seconds: float64(e.Taken.Milliseconds()) / 1000})
	}
	return b, nil
}

// Winner is a ranked entry with its prize (1 first, 2 second…).
type Winner struct {
	outreach.Entry
	Prize int
}

// Winners returns the entries that win a prize, by rank: the quiz's prizes
// counted down the leaderboard. Mobiles are masked unless p organises the
// quiz. While the quiz is open the list is provisional.
func (s *Service) Winners(ctx context.Context, p *auth.Principal, id int64) (QuizView, []Winner, error) {
	v, err := s.decideQuiz(ctx, p, id, outreach.QuizRead)
	if err != nil {
		return v, nil, err
	}
	n := v.Winners()
	if n == 0 {
		return v, nil, nil
	}
	var out []Winner
	for page := 1; len(out) < n; page++ {
		list, _, err := s.DB.Leaderboard(ctx, id, store.Page{Page: page, Size: 100})
		if err != nil {
			return v, nil, err
		}
		for _, e := range list {
			if len(out) == n {
				break
			}
			out = append(out, Winner{Entry: e, Prize: v.PrizeOf(e.Rank)})
		}
		if len(list) < 100 {
			break
		}
	}
	if !v.Can(outreach.QuizMobiles) {
		for i := range out {
			out[i].Mobile = outreach.MaskMobile(out[i].Mobile)
		}
	}
	return v, out, nil
}

// Entries lists a quiz's entries in the order they started; mobiles are
// masked unless p organises the quiz.
func (s *Service) Entries(ctx context.Context, p *auth.Principal, id int64, page store.Page) (QuizView, []outreach.Entry, int, error) {
	v, err := s.decideQuiz(ctx, p, id, outreach.QuizRead)
	if err != nil {
		return v, nil, 0, err
	}
	list, total, err := s.DB.Entries(ctx, id, page)
	if err != nil {
		return v, nil, 0, err
	}
	if !v.Can(outreach.QuizMobiles) {
		for i := range list {
			list[i].Mobile = outreach.MaskMobile(list[i].Mobile)
		}
	}
	return v, list, total, nil
}

// ExportWinners writes the winners with their full details (mobile
// included) as a workbook; only the quiz's organisers may.
func (s *Service) ExportWinners(ctx context.Context, p *auth.Principal, id int64, w io.Writer, pr locale.Printer, names func(string) string) error {
	v, err := s.decideQuiz(ctx, p, id, outreach.QuizMobiles)
	if err != nil {
		return err
	}
	_, winners, err := s.Winners(ctx, p, id)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := pr.T("outreach.sheet.winners")
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, wd := range []float64{6, 10, 12, 16, 14, 8, 10, 18, 18} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", []any{v.Title}); err != nil {
		return err
	}
	var head []any
	for _, k := range []string{"rank", "prize", "name", "community", "mobile", "score", "seconds", "started_at", "submitted_at"} {
		head = append(head, pr.T("outreach.col."+k))
	}
	if err := sw.SetRow("A2", head); err != nil {
		return err
	}
	for i, e := range winners {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		row := []any{e.Rank, pr.T(fmt.Sprintf("outreach.prize.%d", e.Prize)), e.Name, names(e.Region), e.Mobile, e.Score, float64(e.Taken.Milliseconds()) / 1000,
			s.fmtTime(e.StartedAt), s.fmtTime(e.SubmittedAt)}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}

// PublicQuiz is what the phone's quiz page shows before an entry: the quiz
// without its questions and the communities a resident may pick.
type PublicQuiz struct {
	Quiz        outreach.Quiz // Questions removed
	Questions   int
	State       outreach.State
	Communities []region.Region
}

// PublicQuiz returns the quiz with a public code (404 for none). Its
// questions are left out: nothing of them, answers least of all, reaches a
// phone before an entry starts.
func (s *Service) PublicQuiz(ctx context.Context, code string) (PublicQuiz, error) {
	if !ValidCode(code) {
		return PublicQuiz{}, apperr.ErrNotFound
	}
	z, err := s.DB.QuizByCode(ctx, code)
	if err != nil {
		return PublicQuiz{}, err
	}
	out := PublicQuiz{Questions: len(z.Questions), State: z.State(s.Now())}
	z.Questions = nil
	out.Quiz = z
	out.Communities, err = s.Communities(ctx, z.Region)
	return out, err
}

// EntryView is an entry as its phone sees it: before submission the
// questions as dealt (no answers), after it the score, rank and results.
type EntryView struct {
	Token     string
	Entry     outreach.Entry
	Quiz      outreach.Quiz // Questions removed
	Questions []outreach.Shown
	Now       time.Time // the server's clock, for the phone's countdown
	// After submission:
	Results []outreach.Result
	Rank    int
}

// StartEntry begins a resident's entry: one per mobile per quiz, while the
// quiz is open. The entry's deadline is its start plus the time limit (and
// no later than the quiz's closing); its questions and options are dealt in
// an order of its own. The returned token is the entry's only key.
func (s *Service) StartEntry(ctx context.Context, who store.Actor, code string, in outreach.Person) (EntryView, error) {
	if err := s.allow(who); err != nil {
		return EntryView{}, err
	}
	in.Normalize()
	f := apperr.Fields{}
	if err := in.Validate(true); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if _, bad := f["name"]; bad {
		return EntryView{}, f.Err()
	}
	if _, bad := f["mobile"]; bad {
		return EntryView{}, f.Err()
	}
	if !ValidCode(code) {
		return EntryView{}, apperr.ErrNotFound
	}
	z, err := s.DB.QuizByCode(ctx, code)
	if err != nil {
		return EntryView{}, err
	}
	now := s.Now()
	if err := outreach.DecideQuiz(outreach.Public, z.State(now), outreach.QuizEnter); err != nil {
		return EntryView{}, withArgs(err, s.fmtTime(z.OpensAt), s.fmtTime(z.ClosesAt))
	}
	cs, err := s.Communities(ctx, z.Region)
	if err != nil {
		return EntryView{}, err
	}
	checkCommunity(f, cs, in.Region)
	if err := f.Err(); err != nil {
		return EntryView{}, err
	}
	e := outreach.Entry{QuizID: z.ID, Name: in.Name, Region: in.Region, Mobile: in.Mobile, Layout: outreach.NewLayout(z.Questions, intn),
		StartedAt: now, Deadline: now.Add(z.TimeLimit), Max: z.Max()}
	if e.Deadline.After(z.ClosesAt) {
		e.Deadline = z.ClosesAt
	}
	// Stored times are milliseconds; keep the same precision here.
	e.StartedAt, e.Deadline = e.StartedAt.Truncate(time.Millisecond), e.Deadline.Truncate(time.Millisecond)
	token := newToken(tokenBytes)
	if err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.InsertEntry(ctx, &e, hashToken(token)) }); err != nil {
		return EntryView{}, err
	}
	out := EntryView{Token: token, Entry: e, Questions: z.ShownQuestions(e.Layout), Now: now}
	z.Questions = nil
	out.Quiz = z
	return out, nil
}

// entry loads a quiz and one of its entries by code and token (404 for either unknown).
func (s *Service) entry(ctx context.Context, code, token string) (outreach.Quiz, outreach.Entry, error) {
	if !ValidCode(code) || !ValidCode(token) {
		return outreach.Quiz{}, outreach.Entry{}, apperr.ErrNotFound
	}
	z, err := s.DB.QuizByCode(ctx, code)
	if err != nil {
		return z, outreach.Entry{}, err
	}
	e, err := s.DB.EntryByToken(ctx, z.ID, hashToken(token))
	return z, e, err
}

// Entry returns an entry as its phone sees it, to pick up again after a
// reload: the questions until it is submitted, the results after.
func (s *Service) Entry(ctx context.Context, who store.Actor, code, token string) (EntryView, error) {
	if err := s.allow(who); err != nil {
		return EntryView{}, err
	}
	z, e, err := s.entry(ctx, code, token)
	if err != nil {
		return EntryView{}, err
	}
	out := EntryView{Token: token, Entry: e, Now: s.Now()}
	if e.Submitted() {
		out.Results, _ = outreach.Results(z, e.Layout, e.Answers)
		if out.Rank, err = s.DB.EntryRank(ctx, e); err != nil {
			return out, err
		}
	} else {
		out.Questions = z.ShownQuestions(e.Layout)
	}
	z.Questions = nil
	out.Quiz = z
	return out, nil
}

// Submit takes an entry's answers, given as option positions as the entry
// was shown them, by question id: once, and no later than the deadline plus
// a 10-second grace (the server's clock decides). It scores the entry and
// returns its results with the explanations and its rank.
func (s *Service) Submit(ctx context.Context, who store.Actor, code, token string, given map[int64][]int) (EntryView, error) {
	if err := s.allow(who); err != nil {
		return EntryView{}, err
	}
	if given == nil {
		return EntryView{}, apperr.Field("answers", "err.required")
	}
	z, e, err := s.entry(ctx, code, token)
	if err != nil {
		return EntryView{}, err
	}
	now := s.Now()
	if err := outreach.DecideQuiz(outreach.Public, z.State(now), outreach.QuizAnswer); err != nil {
		return EntryView{}, err
	}
	if e.Submitted() {
		return EntryView{}, apperr.New(apperr.Conflict, "err.outreach.submitted")
	}
	if e.Late(now) {
		return EntryView{}, apperr.New(apperr.Invalid, "err.outreach.too_late", s.fmtTime(e.Deadline))
	}
	answers, err := outreach.Check(z, e.Layout, given)
	if err != nil {
		return EntryView{}, err
	}
	results, score := outreach.Results(z, e.Layout, answers)
	e.Answers, e.Score = answers, score
	e.SubmittedAt = now.Truncate(time.Millisecond)
	e.Taken = e.SubmittedAt.Sub(e.StartedAt)
	if err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.SubmitEntry(ctx, &e) }); err != nil {
		return EntryView{}, err
	}
	out := EntryView{Token: token, Entry: e, Results: results, Now: now}
	if out.Rank, err = s.DB.EntryRank(ctx, e); err != nil {
		return out, err
	}
	z.Questions = nil
	out.Quiz = z
	return out, nil
}
