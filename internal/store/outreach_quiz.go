package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/outreach"
)

// ---- The question bank ----

// QuestionFilter selects questions of the bank.
type QuestionFilter struct {
	Kind    outreach.Kind
	Tag     string
	Q       string // in the text
	Retired bool   // list the retired questions instead of the active ones
	Page    Page
}

const questionCols = `q.id, q.kind, q.text, q.options, q.answer, q.explanation, q.tags, q.active, q.created_at, q.updated_at, q.version`

func scanQuestion(sc interface{ Scan(...any) error }) (outreach.Question, error) {
	var q outreach.Question
	var options, answer, tags string
	var active int
	var created, updated int64
	if err := sc.Scan(&q.ID, &q.Kind, &q.Text, &options, &answer, &q.Explanation, &tags, &active, &created, &updated, &q.Version); err != nil {
		return q, err
	}
	q.Active, q.CreatedAt, q.UpdatedAt = active != 0, fromMS(created), fromMS(updated)
	return q, decodeQuestion(&q, options, answer, tags)
}

func decodeQuestion(q *outreach.Question, options, answer, tags string) error {
	if err := json.Unmarshal([]byte(options), &q.Options); err != nil {
		return err
	}
	if len(q.Options) == 0 {
		q.Options = nil
	}
	var err error
	if q.Answer, err = jsonInts(answer); err != nil {
		return err
	}
	if tags != "" {
		return json.Unmarshal([]byte(tags), &q.Tags)
	}
	return nil
}

func questionSummary(q outreach.Question) map[string]any {
	return map[string]any{"kind": q.Kind, "text": q.Text, "options": q.Options, "answer": q.Answer, "explanation": q.Explanation,
		"tags": q.Tags, "active": q.Active, "version": q.Version}
}

func (f QuestionFilter) where(args *[]any) string {
	*args = append(*args, b2i(!f.Retired))
	w := []string{"q.active = " + ph(len(*args))}
	if f.Kind != "" {
		*args = append(*args, string(f.Kind))
		w = append(w, "q.kind = "+ph(len(*args)))
	}
	if f.Tag != "" {
		*args = append(*args, f.Tag)
		w = append(w, "q.id IN (SELECT question_id FROM question_tags WHERE tag = "+ph(len(*args))+")")
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		*args = append(*args, "%"+likeEscape(strings.ToLower(s))+"%")
		w = append(w, "LOWER(q.text) LIKE "+ph(len(*args))+` ESCAPE '\'`)
	}
	return strings.Join(w, " AND ")
}

// Question returns one question of the bank.
func (db *DB) Question(ctx context.Context, id int64) (outreach.Question, error) {
	q, err := scanQuestion(db.r.QueryRowContext(ctx, `SELECT `+questionCols+` FROM questions q WHERE q.id = $1`, id))
	return q, mapErr(err)
}

// Questions lists questions matching f in the order they were added, with the total.
func (db *DB) Questions(ctx context.Context, f QuestionFilter) ([]outreach.Question, int, error) {
	var args []any
	w := f.where(&args)
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM questions q WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	args = append(args, p.Size, p.Offset())
	rows, err := db.r.QueryContext(ctx, `SELECT `+questionCols+` FROM questions q WHERE `+w+` ORDER BY q.id LIMIT `+ph(len(args)-1)+` OFFSET `+ph(len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanQuestion)
	return list, total, err
}

// EachQuestion calls fn for every question matching f (pages ignored), in id order.
func (db *DB) EachQuestion(ctx context.Context, f QuestionFilter, fn func(outreach.Question) error) error {
	var args []any
	rows, err := db.r.QueryContext(ctx, `SELECT `+questionCols+` FROM questions q WHERE `+f.where(&args)+` ORDER BY q.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanQuestion(rows)
		if err != nil {
			return err
		}
		if err := fn(q); err != nil {
			return err
		}
	}
	return rows.Err()
}

// QuestionsByID returns the active questions among ids, keyed by id.
func (db *DB) QuestionsByID(ctx context.Context, ids []int64) (map[int64]outreach.Question, error) {
	out := map[int64]outreach.Question{}
	if len(ids) == 0 {
		return out, nil
	}
	var args []any
	var phs []string
	for _, id := range ids {
		args = append(args, id)
		phs = append(phs, ph(len(args)))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+questionCols+` FROM questions q WHERE q.active = 1 AND q.id IN (`+strings.Join(phs, ",")+`)`, args...)
	if err != nil {
		return nil, err
	}
	list, err := scanAll(rows, scanQuestion)
	for _, q := range list {
		out[q.ID] = q
	}
	return out, err
}

// QuestionIDsTagged lists the active questions carrying any of tags (all active ones when tags is empty).
func (db *DB) QuestionIDsTagged(ctx context.Context, tags []string) ([]int64, error) {
	q, args := `SELECT q.id FROM questions q WHERE q.active = 1`, []any{}
	if len(tags) > 0 {
		var phs []string
		for _, t := range tags {
			args = append(args, t)
			phs = append(phs, ph(len(args)))
		}
		q += ` AND q.id IN (SELECT question_id FROM question_tags WHERE tag IN (` + strings.Join(phs, ",") + `))`
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY q.id`, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	})
}

// TagCount is a tag of the bank with how many active questions carry it.
type TagCount struct {
	Tag string
	N   int
}

// QuestionTags lists the tags of the active questions, most used first.
func (db *DB) QuestionTags(ctx context.Context) ([]TagCount, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT t.tag, COUNT(*) FROM question_tags t JOIN questions q ON q.id = t.question_id
		WHERE q.active = 1 GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(sc interface{ Scan(...any) error }) (TagCount, error) {
		var t TagCount
		return t, sc.Scan(&t.Tag, &t.N)
	})
}

// InsertQuestion stores a new question with its tags, audited; it sets q.ID.
func (tx *Tx) InsertQuestion(ctx context.Context, q *outreach.Question) error {
	q.Version, q.Active = 1, true
	err := tx.QueryRowContext(ctx, `INSERT INTO questions (kind, text, options, answer, explanation, tags, active, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) RETURNING id`,
		string(q.Kind), q.Text, jsonText(q.Options), jsonText(q.Answer), q.Explanation, jsonText(q.Tags), nullID(tx.actor.ID), tx.now).Scan(&q.ID)
	if err != nil {
		return err
	}
	q.CreatedAt, q.UpdatedAt = fromMS(tx.now), fromMS(tx.now)
	if err := tx.questionTags(ctx, *q); err != nil {
		return err
	}
	return tx.Audit(ctx, "question", q.ID, "create", nil, questionSummary(*q))
}

func (tx *Tx) questionTags(ctx context.Context, q outreach.Question) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM question_tags WHERE question_id = $1`, q.ID); err != nil {
		return err
	}
	for _, t := range q.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO question_tags (question_id, tag) VALUES ($1, $2)`, q.ID, t); err != nil {
			return err
		}
	}
	return nil
}

// UpdateQuestion saves q over old (same id) and bumps the version, audited;
// a version changed since old was read is a conflict. Quizzes already made
// keep their copy.
func (tx *Tx) UpdateQuestion(ctx context.Context, old outreach.Question, q *outreach.Question) error {
	q.ID, q.Version, q.CreatedAt, q.UpdatedAt = old.ID, old.Version+1, old.CreatedAt, fromMS(tx.now)
	res, err := tx.ExecContext(ctx, `UPDATE questions SET kind = $3, text = $4, options = $5, answer = $6, explanation = $7, tags = $8, active = $9,
		updated_at = $10, version = $11 WHERE id = $1 AND version = $2`, old.ID, old.Version, string(q.Kind), q.Text, jsonText(q.Options),
		jsonText(q.Answer), q.Explanation, jsonText(q.Tags), b2i(q.Active), tx.now, q.Version)
	if err := staleIfNone(res, err); err != nil {
		return err
	}
	if err := tx.questionTags(ctx, *q); err != nil {
		return err
	}
	action := "update"
	if old.Active && !q.Active {
		action = "retire_question"
	}
	return tx.Audit(ctx, "question", q.ID, action, questionSummary(old), questionSummary(*q))
}

// ---- Quizzes ----

// QuizFilter selects quizzes: in scope, opening in [From, To) when set,
// matching Q in the title; newest first.
type QuizFilter struct {
	Scope    OutreachScope
	From, To time.Time
	Q        string
	Page     Page
}

const quizCols = `z.id, z.code, z.title, z.intro, z.region, z.time_limit_s, z.opens_at, z.closes_at, z.prizes, z.cancelled_at,
	COALESCE(z.created_by, 0), z.created_at, z.updated_at, z.version,
	(SELECT COUNT(*) FROM quiz_entries e WHERE e.quiz_id = z.id),
	(SELECT COUNT(*) FROM quiz_entries e WHERE e.quiz_id = z.id AND e.submitted_at > 0)`

func scanQuiz(sc interface{ Scan(...any) error }) (outreach.Quiz, error) {
	var z outreach.Quiz
	var limit int
	var opens, closes, cancelled, created, updated int64
	var prizes string
	if err := sc.Scan(&z.ID, &z.Code, &z.Title, &z.Intro, &z.Region, &limit, &opens, &closes, &prizes, &cancelled, &z.CreatedBy,
		&created, &updated, &z.Version, &z.Entries, &z.Submitted); err != nil {
		return z, err
	}
	z.TimeLimit = time.Duration(limit) * time.Second
	z.OpensAt, z.ClosesAt, z.CancelledAt, z.CreatedAt, z.UpdatedAt = fromMS(opens), fromMS(closes), fromMS(cancelled), fromMS(created), fromMS(updated)
	var err error
	z.Prizes, err = jsonInts(prizes)
	return z, err
}

func quizSummary(z outreach.Quiz) map[string]any {
	ids := make([]int64, len(z.Questions))
	for i, q := range z.Questions {
		ids[i] = q.ID
	}
	return map[string]any{"title": z.Title, "intro": z.Intro, "region": z.Region, "regions": z.Regions, "time_limit_s": int(z.TimeLimit.Seconds()),
		"opens_at": ms(z.OpensAt), "closes_at": ms(z.ClosesAt), "prizes": z.Prizes, "questions": ids, "version": z.Version}
}

// Quiz returns one quiz with its audience and questions.
func (db *DB) Quiz(ctx context.Context, id int64) (outreach.Quiz, error) {
	return db.loadQuiz(ctx, "z.id = $1", id)
}

// QuizByCode returns the quiz with a public code.
func (db *DB) QuizByCode(ctx context.Context, code string) (outreach.Quiz, error) {
	return db.loadQuiz(ctx, "z.code = $1", code)
}

func (db *DB) loadQuiz(ctx context.Context, where string, arg any) (outreach.Quiz, error) {
	z, err := scanQuiz(db.r.QueryRowContext(ctx, `SELECT `+quizCols+` FROM quizzes z WHERE `+where, arg))
	if err != nil {
		return z, mapErr(err)
	}
	if z.Regions, err = strings1(ctx, db, `SELECT region FROM quiz_regions WHERE quiz_id = $1 ORDER BY region`, z.ID); err != nil {
		return z, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT pos, question_id, kind, text, options, answer, explanation FROM quiz_questions WHERE quiz_id = $1 ORDER BY pos`, z.ID)
	if err != nil {
		return z, err
	}
	z.Questions, err = scanAll(rows, func(sc interface{ Scan(...any) error }) (outreach.QuizQuestion, error) {
		var q outreach.QuizQuestion
		var options, answer string
		if err := sc.Scan(&q.Pos, &q.ID, &q.Kind, &q.Text, &options, &answer, &q.Explanation); err != nil {
			return q, err
		}
		q.Active = true
		return q, decodeQuestion(&q.Question, options, answer, "")
	})
	return z, err
}

// Quizzes lists quizzes matching f, newest opening first, with the total.
func (db *DB) Quizzes(ctx context.Context, f QuizFilter) ([]outreach.Quiz, int, error) {
	var args []any
	where := []string{f.Scope.clause("z.region", &args)}
	if !f.From.IsZero() {
		args = append(args, ms(f.From))
		where = append(where, "z.opens_at >= "+ph(len(args)))
	}
	if !f.To.IsZero() {
		args = append(args, ms(f.To))
		where = append(where, "z.opens_at < "+ph(len(args)))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		args = append(args, "%"+likeEscape(strings.ToLower(q))+"%")
		where = append(where, "LOWER(z.title) LIKE "+ph(len(args))+` ESCAPE '\'`)
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM quizzes z WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Clamp()
	args = append(args, p.Size, p.Offset())
	rows, err := db.r.QueryContext(ctx, `SELECT `+quizCols+` FROM quizzes z WHERE `+w+` ORDER BY z.opens_at DESC, z.id DESC LIMIT `+ph(len(args)-1)+` OFFSET `+ph(len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanQuiz)
	return list, total, err
}

// InsertQuiz stores a new quiz with its audience and a copy of its
// questions, audited; it sets z.ID.
func (tx *Tx) InsertQuiz(ctx context.Context, z *outreach.Quiz) error {
	z.Version = 1
	err := tx.QueryRowContext(ctx, `INSERT INTO quizzes (code, title, intro, region, time_limit_s, opens_at, closes_at, prizes, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`, z.Code, z.Title, z.Intro, z.Region, int(z.TimeLimit.Seconds()),
		ms(z.OpensAt), ms(z.ClosesAt), jsonText(z.Prizes), nullID(z.CreatedBy), tx.now).Scan(&z.ID)
	if err != nil {
		return mapErr(err)
	}
	z.CreatedAt, z.UpdatedAt = fromMS(tx.now), fromMS(tx.now)
	for _, r := range z.Regions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO quiz_regions (quiz_id, region) VALUES ($1, $2)`, z.ID, r); err != nil {
			return err
		}
	}
	for i := range z.Questions {
		q := &z.Questions[i]
		q.Pos = i + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO quiz_questions (quiz_id, pos, question_id, kind, text, options, answer, explanation)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, z.ID, q.Pos, q.ID, string(q.Kind), q.Text, jsonText(q.Options), jsonText(q.Answer), q.Explanation); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, "quiz", z.ID, "create", nil, quizSummary(*z))
}

// CloseQuiz moves a quiz's closing to at (no new entries from then), audited.
func (tx *Tx) CloseQuiz(ctx context.Context, z outreach.Quiz, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE quizzes SET closes_at = $3, updated_at = $4, version = version + 1 WHERE id = $1 AND version = $2`,
		z.ID, z.Version, ms(at), tx.now)
	if err := staleIfNone(res, err); err != nil {
		return err
	}
	return tx.Audit(ctx, "quiz", z.ID, "close_quiz", map[string]any{"closes_at": ms(z.ClosesAt)}, map[string]any{"closes_at": ms(at)})
}

// CancelQuiz marks a quiz cancelled, audited.
func (tx *Tx) CancelQuiz(ctx context.Context, z outreach.Quiz) error {
	res, err := tx.ExecContext(ctx, `UPDATE quizzes SET cancelled_at = $3, updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2`, z.ID, z.Version, tx.now)
	if err := staleIfNone(res, err); err != nil {
		return err
	}
	return tx.Audit(ctx, "quiz", z.ID, "cancel_quiz", nil, map[string]any{"title": z.Title})
}

// ---- Entries ----

const entryCols = `id, quiz_id, name, region, mobile, layout, started_at, deadline, submitted_at, answers, score, max_score, taken_ms`

func scanEntry(sc interface{ Scan(...any) error }) (outreach.Entry, error) {
	var e outreach.Entry
	var layout, answers string
	var started, deadline, submitted, taken int64
	if err := sc.Scan(&e.ID, &e.QuizID, &e.Name, &e.Region, &e.Mobile, &layout, &started, &deadline, &submitted, &answers,
		&e.Score, &e.Max, &taken); err != nil {
		return e, err
	}
	e.StartedAt, e.Deadline, e.SubmittedAt, e.Taken = fromMS(started), fromMS(deadline), fromMS(submitted), time.Duration(taken)*time.Millisecond
	if err := json.Unmarshal([]byte(layout), &e.Layout); err != nil {
		return e, err
	}
	return e, json.Unmarshal([]byte(answers), &e.Answers)
}

// InsertEntry stores a new entry under the hash of its token, audited (the
// mobile masked); it sets e.ID and e.StartedAt. The mobile already entered
// in the quiz is a conflict naming the field.
func (tx *Tx) InsertEntry(ctx context.Context, e *outreach.Entry, tokenHash string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_entries WHERE quiz_id = $1 AND mobile = $2`, e.QuizID, e.Mobile).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &apperr.Error{Code: apperr.Conflict, Msg: apperr.Msg{Key: "err.outreach.entered"},
			Fields: map[string]apperr.Msg{"mobile": {Key: "err.outreach.entered"}}}
	}
	layout, err := json.Marshal(e.Layout)
	if err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO quiz_entries (quiz_id, token_hash, name, region, mobile, layout, started_at, deadline, max_score)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, e.QuizID, tokenHash, e.Name, e.Region, e.Mobile, string(layout),
		ms(e.StartedAt), ms(e.Deadline), e.Max).Scan(&e.ID)
	if err != nil {
		return mapErr(err)
	}
	return tx.Audit(ctx, "quiz_entry", e.ID, "create", nil, map[string]any{"quiz_id": e.QuizID, "name": e.Name, "region": e.Region,
		"mobile": outreach.MaskMobile(e.Mobile), "deadline": ms(e.Deadline)})
}

// EntryByToken returns a quiz's entry by the hash of its token.
func (db *DB) EntryByToken(ctx context.Context, quizID int64, tokenHash string) (outreach.Entry, error) {
	e, err := scanEntry(db.r.QueryRowContext(ctx, `SELECT `+entryCols+` FROM quiz_entries WHERE quiz_id = $1 AND token_hash = $2`, quizID, tokenHash))
	return e, mapErr(err)
}

// SubmitEntry records an entry's answers and score, audited; answers
// already submitted are a conflict.
func (tx *Tx) SubmitEntry(ctx context.Context, e *outreach.Entry) error {
	answers, err := json.Marshal(e.Answers)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE quiz_entries SET submitted_at = $2, answers = $3, score = $4, taken_ms = $5 WHERE id = $1 AND submitted_at = 0`,
		e.ID, ms(e.SubmittedAt), string(answers), e.Score, e.Taken.Milliseconds())
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return apperr.New(apperr.Conflict, "err.outreach.submitted")
	}
	return tx.Audit(ctx, "quiz_entry", e.ID, "submit_entry", nil, map[string]any{"score": e.Score, "max": e.Max, "taken_ms": e.Taken.Milliseconds()})
}

// rankOrder is the leaderboard's order (outreach.Compare in SQL).
const rankOrder = ` ORDER BY score DESC, taken_ms, submitted_at, id`

// Leaderboard lists a quiz's submitted entries in rank order, with their
// ranks and the number of submitted entries; a zero page lists them all.
func (db *DB) Leaderboard(ctx context.Context, quizID int64, page Page) ([]outreach.Entry, int, error) {
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_entries WHERE quiz_id = $1 AND submitted_at > 0`, quizID).Scan(&total); err != nil {
		return nil, 0, err
	}
	q, args, first := `SELECT `+entryCols+` FROM quiz_entries WHERE quiz_id = $1 AND submitted_at > 0`+rankOrder, []any{quizID}, 1
	if page != (Page{}) {
		p := page.Clamp()
		q += ` LIMIT $2 OFFSET $3`
		args = append(args, p.Size, p.Offset())
		first = p.Offset() + 1
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanEntry)
	for i := range list {
		list[i].Rank = first + i
	}
	return list, total, err
}

// EntryRank returns a submitted entry's rank among its quiz's submitted entries.
func (db *DB) EntryRank(ctx context.Context, e outreach.Entry) (int, error) {
	var ahead int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_entries WHERE quiz_id = $1 AND submitted_at > 0 AND (score > $2
		OR (score = $2 AND (taken_ms < $3 OR (taken_ms = $3 AND (submitted_at < $4 OR (submitted_at = $4 AND id < $5))))))`,
		e.QuizID, e.Score, e.Taken.Milliseconds(), ms(e.SubmittedAt), e.ID).Scan(&ahead)
	return ahead + 1, err
}

// Entries lists a quiz's entries in the order they started, with the total.
func (db *DB) Entries(ctx context.Context, quizID int64, page Page) ([]outreach.Entry, int, error) {
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_entries WHERE quiz_id = $1`, quizID).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := page.Clamp()
	rows, err := db.r.QueryContext(ctx, `SELECT `+entryCols+` FROM quiz_entries WHERE quiz_id = $1 ORDER BY started_at, id LIMIT $2 OFFSET $3`, quizID, p.Size, p.Offset())
	if err != nil {
		return nil, 0, err
	}
	list, err := scanAll(rows, scanEntry)
	return list, total, err
}
