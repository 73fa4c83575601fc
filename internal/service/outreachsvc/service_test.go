package outreachsvc_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/outreach"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

func setup(t *testing.T, backend string) *app.App {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, backend)
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Data = t.TempDir()
	loc, _ := cfg.Validate()
	a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func principal(t *testing.T, a *app.App, username string) (*auth.Principal, store.Actor) {
	t.Helper()
	p, _, err := a.DB.Credentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}, store.Actor{ID: p.ID, Name: p.Username}
}

// public is the actor of a phone at ip.
func public(ip string) store.Actor { return store.Actor{Name: "public", IP: ip} }

func wantCode(t *testing.T, what string, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %s", what, code)
	}
	e := apperr.As(err)
	if e.Code != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
	return e
}

// TestLectureSignIn runs a community's lecture: the organiser creates it,
// residents sign in from phones inside the window only, once per mobile
// and per phone, naming one of the street's communities; the attendance
// counts by community and masks mobiles for all but the organiser.
func TestLectureSignIn(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			a := setup(t, backend)
			svc := a.Outreach
			start := time.Date(2026, 12, 1, 9, 30, 0, 0, a.Loc)
			clock := start.Add(-2 * time.Hour)
			svc.Now = func() time.Time { return clock }
			org, who := principal(t, a, "community1")
			in := outreachsvc.LectureInput{Title: "冬季清洁取暖知识讲座", Speaker: "王建国", VenueName: "社区活动室", StartsAt: start,
				EndsAt: start.Add(90 * time.Minute), Regions: []string{demo.CommunityCode(0)}, Expected: 40}
			l, err := svc.CreateLecture(ctx, who, org, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Code) < 16 || !outreachsvc.ValidCode(l.Code) || l.Region != demo.CommunityCode(0) || !l.OpensAt.Equal(start.Add(-30*time.Minute)) {
				t.Fatalf("created %+v", l.Lecture)
			}
			// Another community's leader neither sees it nor may name it.
			other, otherWho := principal(t, a, "community2")
			if _, err := svc.Lecture(ctx, other, l.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("community2 reads community1's lecture: %v", err)
			}
			bad := in
			bad.Regions = []string{demo.CommunityCode(0)}
			e := wantCode(t, "community2 names community1", func() error { _, err := svc.CreateLecture(ctx, otherWho, other, bad); return err }(), apperr.Invalid)
			if e.Fields["regions"].Key != "err.region_unknown" {
				t.Fatalf("fields %v", e.Fields)
			}
			patrol, _ := principal(t, a, "patrol01")
			if _, err := svc.CreateLecture(ctx, who, patrol, in); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("patroller creates a lecture: %v", err)
			}
			// Before the window: 422 naming the window.
			resident := outreachsvc.SignInInput{Person: outreach.Person{Name: "张三明", Region: demo.CommunityCode(1), Mobile: "13800001111"}, Device: "phone-a"}
			_, err = svc.SignIn(ctx, public("10.0.0.1"), l.Code, resident)
			e = wantCode(t, "sign-in before the window", err, apperr.Invalid)
			p := locale.New("zh-CN")
			if msg := p.Msg(e.Msg); !strings.Contains(msg, "2026-12-01 09:00") || !strings.Contains(msg, "2026-12-01 11:00") {
				t.Fatalf("window message %q does not name the window", msg)
			}
			clock = start.Add(-10 * time.Minute)
			if _, err := svc.SignIn(ctx, public("10.0.0.1"), l.Code, resident); err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			// The same mobile from another phone, and another mobile from the same phone: 409.
			again := resident
			again.Device = "phone-b"
			e = wantCode(t, "same mobile", func() error { _, err := svc.SignIn(ctx, public("10.0.0.1"), l.Code, again); return err }(), apperr.Conflict)
			if _, ok := e.Fields["mobile"]; !ok {
				t.Fatalf("same mobile: fields %v", e.Fields)
			}
			samePhone := resident
			samePhone.Mobile, samePhone.Name = "13800002222", "李四"
			wantCode(t, "same phone", func() error { _, err := svc.SignIn(ctx, public("10.0.0.1"), l.Code, samePhone); return err }(), apperr.Conflict)
			// Bad input: a region outside the street, a bad mobile, an unknown code.
			outside := outreachsvc.SignInInput{Person: outreach.Person{Name: "王五", Region: "620502005001000", Mobile: "12345"}}
			e = wantCode(t, "bad sign-in", func() error { _, err := svc.SignIn(ctx, public("10.0.0.2"), l.Code, outside); return err }(), apperr.Invalid)
			if e.Fields["region"].Key != "err.outreach.region_street" || e.Fields["mobile"].Key != "err.mobile" {
				t.Fatalf("fields %v", e.Fields)
			}
			if _, err := svc.SignIn(ctx, public("10.0.0.2"), "abcdefghijklmnopqrstuvwxyz", resident); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("unknown code: %v", err)
			}
			// A resident without a mobile, and one at the desk.
			noMobile := outreachsvc.SignInInput{Person: outreach.Person{Name: "赵六", Region: demo.CommunityCode(0)}, Device: "phone-c"}
			if _, err := svc.SignIn(ctx, public("10.0.0.3"), l.Code, noMobile); err != nil {
				t.Fatalf("sign-in without a mobile: %v", err)
			}
			if _, err := svc.DeskSignIn(ctx, who, org, l.ID, outreach.Person{Name: "钱七", Region: demo.CommunityCode(0), Mobile: "13900003333"}); err != nil {
				t.Fatalf("desk sign-in: %v", err)
			}
			// After the end: closed.
			clock = start.Add(2 * time.Hour)
			late := outreachsvc.SignInInput{Person: outreach.Person{Name: "孙八", Region: demo.CommunityCode(0)}}
			wantCode(t, "sign-in after the end", func() error { _, err := svc.SignIn(ctx, public("10.0.0.4"), l.Code, late); return err }(), apperr.Invalid)

			att, err := svc.Attendance(ctx, org, l.ID, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if att.Total != 3 || att.ByRegion[demo.CommunityCode(0)] != 2 || att.ByRegion[demo.CommunityCode(1)] != 1 || !att.Mobiles {
				t.Fatalf("attendance %+v", att)
			}
			if !slices.ContainsFunc(att.Items, func(s outreach.SignIn) bool { return s.Mobile == "13800001111" }) {
				t.Fatalf("organiser does not see the mobile: %+v", att.Items)
			}
			insp, _ := principal(t, a, "inspector")
			att, err = svc.Attendance(ctx, insp, l.ID, store.Page{})
			if err != nil || att.Mobiles {
				t.Fatalf("inspector's attendance: %v %v", att.Mobiles, err)
			}
			for _, s := range att.Items {
				if s.Mobile != "" && !strings.Contains(s.Mobile, "****") {
					t.Fatalf("inspector sees mobile %s", s.Mobile)
				}
			}
			// The inspector reads but may not cancel.
			if _, err := svc.CancelLecture(ctx, who, insp, l.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("inspector cancels: %v", err)
			}
			// Editing after the sign-in closed is refused.
			if _, err := svc.UpdateLecture(ctx, who, org, l.ID, in); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("edit after the end: %v", err)
			}
			// Counts for the assessment.
			tally, err := svc.Counts(ctx, org, outreachsvc.CountFilter{From: start.AddDate(0, 0, -1), To: start.AddDate(0, 0, 1)})
			if err != nil || tally.Lectures != 1 || tally.Attendance != 3 {
				t.Fatalf("counts %+v %v", tally, err)
			}
			if _, err := svc.Counts(ctx, org, outreachsvc.CountFilter{Region: demo.CommunityCode(3)}); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("counts outside scope: %v", err)
			}
		})
	}
}

// TestQuizFlow runs a prize quiz: drawn from the bank, three residents
// enter, answers are scored by the positions each was shown, one answers too
// late and is refused, the ranking orders by score then time, winners follow
// the prizes, and the phone never receives the answers before submitting.
func TestQuizFlow(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			a := setup(t, backend)
			if _, err := demo.SeedOutreach(ctx, a.DB, a.Loc, time.Date(2026, 11, 1, 12, 0, 0, 0, a.Loc)); err != nil {
				t.Fatal(err)
			}
			svc := a.Outreach
			opens := time.Date(2026, 12, 5, 9, 0, 0, 0, a.Loc)
			clock := opens.Add(-time.Hour)
			svc.Now = func() time.Time { return clock }
			org, who := principal(t, a, "street")
			in := outreachsvc.QuizInput{Title: "烟花爆竹禁放知识竞答", Draw: &outreachsvc.Draw{Tags: []string{"烟花爆竹"}, Count: 3},
				TimeLimit: 5 * time.Minute, OpensAt: opens, ClosesAt: opens.Add(2 * time.Hour), Prizes: []int{1, 1}}
			empty := in
			empty.Draw = nil
			e := wantCode(t, "quiz without questions", func() error { _, err := svc.CreateQuiz(ctx, who, org, empty); return err }(), apperr.Invalid)
			if e.Fields["questions"].Key != "err.outreach.quiz_empty" {
				t.Fatalf("fields %v", e.Fields)
			}
			tooMany := in
			tooMany.Draw = &outreachsvc.Draw{Tags: []string{"烟花爆竹"}, Count: 99}
			e = wantCode(t, "draw beyond the bank", func() error { _, err := svc.CreateQuiz(ctx, who, org, tooMany); return err }(), apperr.Invalid)
			if e.Fields["draw"].Key != "err.outreach.draw_short" {
				t.Fatalf("fields %v", e.Fields)
			}
			unknown := in
			unknown.Draw, unknown.Questions = nil, []int64{999999}
			e = wantCode(t, "unknown question", func() error { _, err := svc.CreateQuiz(ctx, who, org, unknown); return err }(), apperr.Invalid)
			if e.Fields["questions"].Key != "err.outreach.question_unknown" {
				t.Fatalf("fields %v", e.Fields)
			}
			z, err := svc.CreateQuiz(ctx, who, org, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(z.Questions) != 3 || z.Region != demo.StreetCode {
				t.Fatalf("quiz %+v", z.Quiz)
			}
			for _, q := range z.Questions {
				if !slices.Contains(q.Tags, "烟花爆竹") && q.Tags != nil {
					// Copies carry no tags; check against the bank.
				}
				bq, err := a.DB.Question(ctx, q.ID)
				if err != nil || !slices.Contains(bq.Tags, "烟花爆竹") {
					t.Fatalf("drawn question %d not tagged: %v %v", q.ID, bq.Tags, err)
				}
			}
			person := func(name, mobile string) outreach.Person {
				return outreach.Person{Name: name, Region: demo.CommunityCode(2), Mobile: mobile}
			}
			if _, err := svc.StartEntry(ctx, public("10.1.0.1"), z.Code, person("张三明", "13800001111")); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("entry before opening: %v", err)
			}
			clock = opens.Add(time.Minute)
			// The phone's view carries no answer and no explanation.
			ea, err := svc.StartEntry(ctx, public("10.1.0.1"), z.Code, person("张三明", "13800001111"))
			if err != nil {
				t.Fatal(err)
			}
			if ea.Quiz.Questions != nil || len(ea.Questions) != 3 || !ea.Entry.Deadline.Equal(clock.Add(5*time.Minute)) {
				t.Fatalf("entry view %+v", ea)
			}
			if _, err := svc.StartEntry(ctx, public("10.1.0.1"), z.Code, person("张三", "13800001111")); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("same mobile twice: %v", err)
			}
			if _, err := svc.StartEntry(ctx, public("10.1.0.1"), z.Code, outreach.Person{Name: "无号", Region: demo.CommunityCode(2)}); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("entry without mobile: %v", err)
			}
			clock = clock.Add(10 * time.Second)
			eb, err := svc.StartEntry(ctx, public("10.1.0.2"), z.Code, person("李四", "13800002222"))
			if err != nil {
				t.Fatal(err)
			}
			ec, err := svc.StartEntry(ctx, public("10.1.0.3"), z.Code, person("王小五", "13800003333"))
			if err != nil {
				t.Fatal(err)
			}
			// right answers as this entry was shown them; wrong ones for some.
			answersFor := func(v outreachsvc.EntryView, right int) map[int64][]int {
				out := map[int64][]int{}
				for i, sl := range v.Entry.Layout {
					q, _ := z.Question(sl.Q)
					var shown []int
					for pos, bank := range sl.Perm {
						if slices.Contains(q.Answer, bank) == (i < right) {
							shown = append(shown, pos)
						}
					}
					if i >= right {
						shown = shown[:1] // one wrong option
					}
					out[sl.Q] = shown
				}
				return out
			}
			// Bad answers: an index out of range.
			badIdx := map[int64][]int{ea.Entry.Layout[0].Q: {9}}
			e = wantCode(t, "index out of range", func() error { _, err := svc.Submit(ctx, public("10.1.0.1"), z.Code, ea.Token, badIdx); return err }(), apperr.Invalid)
			if e.Fields["answers"].Key != "err.outreach.answer_range" {
				t.Fatalf("fields %v", e.Fields)
			}
			// B answers all right after 2 minutes, A two right after 1 minute.
			clock = opens.Add(3 * time.Minute)
			rb, err := svc.Submit(ctx, public("10.1.0.2"), z.Code, eb.Token, answersFor(eb, 3))
			if err != nil || rb.Entry.Score != 3 || rb.Rank != 1 || len(rb.Results) != 3 || rb.Results[0].Explanation == "" {
				t.Fatalf("B's submission %+v %v", rb, err)
			}
			clock = opens.Add(2 * time.Minute)
			ra, err := svc.Submit(ctx, public("10.1.0.1"), z.Code, ea.Token, answersFor(ea, 2))
			if err != nil || ra.Entry.Score != 2 || ra.Rank != 2 {
				t.Fatalf("A's submission %+v %v", ra, err)
			}
			if _, err := svc.Submit(ctx, public("10.1.0.1"), z.Code, ea.Token, answersFor(ea, 3)); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("second submission: %v", err)
			}
			// C is past the deadline and the grace.
			clock = ec.Entry.Deadline.Add(outreach.Grace + time.Second)
			if _, err := svc.Submit(ctx, public("10.1.0.3"), z.Code, ec.Token, answersFor(ec, 3)); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("late submission: %v", err)
			}
			// Within the grace is still fine — checked on a fresh entry's clock.
			board, err := svc.Leaderboard(ctx, org, z.ID, 10)
			if err != nil || len(board.Rows) != 2 || board.Rows[0].Name != "李*" || board.Rows[1].Name != "张*明" {
				t.Fatalf("board %+v %v", board.Rows, err)
			}
			_, winners, err := svc.Winners(ctx, org, z.ID)
			if err != nil || len(winners) != 2 || winners[0].Prize != 1 || winners[1].Prize != 2 || winners[0].Mobile != "13800002222" {
				t.Fatalf("winners %+v %v", winners, err)
			}
			insp, _ := principal(t, a, "inspector")
			_, winners, err = svc.Winners(ctx, insp, z.ID)
			if err != nil || winners[0].Mobile != "138****2222" {
				t.Fatalf("inspector's winners %+v %v", winners, err)
			}
			var buf bytes.Buffer
			if err := svc.ExportWinners(ctx, insp, z.ID, &buf, locale.New("zh-CN"), func(string) string { return "" }); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("inspector exports winners: %v", err)
			}
			if err := svc.ExportWinners(ctx, org, z.ID, &buf, locale.New("zh-CN"), func(string) string { return "" }); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows(x.GetSheetList()[0])
			if len(rows) != 4 || !slices.Contains(rows[2], "13800002222") || !slices.Contains(rows[2], "李四") {
				t.Fatalf("winners sheet %v", rows)
			}
			// Closing, and the counts.
			if _, err := svc.CloseQuiz(ctx, who, org, z.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.StartEntry(ctx, public("10.1.0.4"), z.Code, person("后来者", "13800004444")); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("entry after closing: %v", err)
			}
			tally, err := svc.Counts(ctx, org, outreachsvc.CountFilter{From: opens.AddDate(0, 0, -1), To: opens.AddDate(0, 0, 1)})
			if err != nil || tally.Quizzes != 1 || tally.Entries != 3 || tally.Submitted != 2 {
				t.Fatalf("counts %+v %v", tally, err)
			}
		})
	}
}

// TestGraceAndCap checks the server's clock: answers 10 seconds after the
// deadline still count, and an entry started near the closing gets no more
// time than the quiz has left.
func TestGraceAndCap(t *testing.T) {
	ctx := context.Background()
	a := setup(t, "sqlite")
	if _, err := demo.SeedOutreach(ctx, a.DB, a.Loc, time.Date(2026, 11, 1, 12, 0, 0, 0, a.Loc)); err != nil {
		t.Fatal(err)
	}
	svc := a.Outreach
	opens := time.Date(2026, 12, 5, 9, 0, 0, 0, a.Loc)
	clock := opens
	svc.Now = func() time.Time { return clock }
	org, who := principal(t, a, "street")
	z, err := svc.CreateQuiz(ctx, who, org, outreachsvc.QuizInput{Title: "竞答", Draw: &outreachsvc.Draw{Count: 2}, TimeLimit: time.Minute,
		OpensAt: opens, ClosesAt: opens.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.StartEntry(ctx, public("10.2.0.1"), z.Code, outreach.Person{Name: "甲", Region: demo.CommunityCode(0), Mobile: "13700001111"})
	if err != nil {
		t.Fatal(err)
	}
	clock = v.Entry.Deadline.Add(outreach.Grace)
	if _, err := svc.Submit(ctx, public("10.2.0.1"), z.Code, v.Token, map[int64][]int{}); err != nil {
		t.Fatalf("submission within the grace: %v", err)
	}
	clock = opens.Add(time.Hour - 20*time.Second)
	v, err = svc.StartEntry(ctx, public("10.2.0.2"), z.Code, outreach.Person{Name: "乙", Region: demo.CommunityCode(0), Mobile: "13700002222"})
	if err != nil || !v.Entry.Deadline.Equal(z.ClosesAt) {
		t.Fatalf("deadline near closing: %v, want %v (%v)", v.Entry.Deadline, z.ClosesAt, err)
	}
}

// TestPublicLimit checks that one address is refused past the limit, with
// the same answer through whichever door.
func TestPublicLimit(t *testing.T) {
	ctx := context.Background()
	a := setup(t, "sqlite")
	a.Outreach.Public = outreachsvc.NewLimiter(3, time.Minute)
	for i := range 4 {
		_, err := a.Outreach.SignIn(ctx, public("10.3.0.1"), "abcdefghijklmnopqrstuvwxyz", outreachsvc.SignInInput{Person: outreach.Person{Name: "甲", Region: demo.CommunityCode(0)}})
		if i < 3 && !apperr.Is(err, apperr.NotFound) || i == 3 && !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if _, err := a.Outreach.SignIn(ctx, public("10.3.0.2"), "abcdefghijklmnopqrstuvwxyz", outreachsvc.SignInInput{Person: outreach.Person{Name: "甲", Region: demo.CommunityCode(0)}}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another address is limited too: %v", err)
	}
}

// sheet builds an XLSX file of rows.
func sheet(t *testing.T, rows [][]any) *bytes.Buffer {
	t.Helper()
	x := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// TestQuestionImport imports a good file, refuses one with a bad row
// naming the row (and writing nothing), and round-trips the export.
func TestQuestionImport(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			a := setup(t, backend)
			svc := a.Outreach
			org, who := principal(t, a, "street")
			head := []any{"题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "标签"}
			good := [][]any{head,
				{"单选", "全国环保举报热线是？", "12369", "12345", "12315", "110", "A", "12369是环保举报热线。", "举报渠道"},
				{"多选", "清洁取暖方式有？", "空气源热泵", "天然气壁挂炉", "集中供热", "劣质散煤", "ABC", "", "清洁取暖、取暖"},
				{"判断", "秋季落叶可以就地焚烧。", "", "", "", "", "错误", "应收集清运。", "露天焚烧"},
			}
			n, err := svc.ImportQuestions(ctx, who, org, sheet(t, good))
			if err != nil || n != 3 {
				t.Fatalf("import = %d, %v", n, err)
			}
			_, total, _ := a.DB.Questions(ctx, store.QuestionFilter{})
			bad := [][]any{head,
				{"单选", "新题一", "甲", "乙", "", "", "A", "", ""},
				{"单选", "新题二", "甲", "乙", "", "", "AB", "", ""},
				{"判断", "新题三", "", "", "", "", "也许", "", ""},
				{"多选", "新题四", "甲", "乙", "", "", "E", "", ""},
			}
			_, err = svc.ImportQuestions(ctx, who, org, sheet(t, bad))
			wantCode(t, "bad file", err, apperr.Invalid)
			fields := outreachsvc.RowFields(locale.New("zh-CN"), err)
			for _, row := range []string{"row 3", "row 4", "row 5"} {
				if !strings.HasPrefix(fields[row], "第 "+row[4:]+" 行") {
					t.Errorf("%s: %q", row, fields[row])
				}
			}
			if _, ok := fields["row 2"]; ok || !strings.Contains(fields["row 3"], "答案") {
				t.Errorf("row fields %v", fields)
			}
			if _, after, _ := a.DB.Questions(ctx, store.QuestionFilter{}); after != total {
				t.Fatalf("a bad file wrote %d questions", after-total)
			}
			// A community leader may not edit the street's bank.
			comm, commWho := principal(t, a, "community1")
			if _, err := svc.ImportQuestions(ctx, commWho, comm, sheet(t, good)); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("community leader imports: %v", err)
			}
			// Export, then import the export back: the same questions again.
			var buf bytes.Buffer
			if err := svc.ExportQuestions(ctx, org, &buf, locale.New("zh-CN"), outreachsvc.QuestionFilter{}); err != nil {
				t.Fatal(err)
			}
			if n, err := svc.ImportQuestions(ctx, who, org, &buf); err != nil || n != 3 {
				t.Fatalf("re-import of the export = %d, %v", n, err)
			}
			buf.Reset()
			if err := outreachsvc.QuestionTemplate(&buf, locale.New("en")); err != nil {
				t.Fatal(err)
			}
			if n, err := svc.ImportQuestions(ctx, who, org, &buf); err != nil || n != 3 {
				t.Fatalf("import of the English template = %d, %v", n, err)
			}
		})
	}
}

// principalOf builds a principal from a person's fields.
func principalOf(id int64, username string, roles []people.Assignment) *auth.Principal {
	return &auth.Principal{PersonID: id, Username: username, Roles: roles}
}
