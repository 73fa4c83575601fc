-- Lectures and prize quizzes (科普大讲堂, 有奖竞赛): lectures with their
-- audience and sign-ins, the question bank with its tags, quizzes holding a
-- copy of their questions, and the residents' entries with the layout each
-- was dealt. Public codes are unguessable tokens; entries are found by the
-- hash of their token.

CREATE TABLE lectures (
    id             {{pk}},
    code           TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    speaker        TEXT NOT NULL DEFAULT '',
    venue_unit_id  BIGINT REFERENCES units(id),
    venue_name     TEXT NOT NULL DEFAULT '',
    region         TEXT NOT NULL,
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    opens_at       BIGINT NOT NULL,
    closes_at      BIGINT NOT NULL,
    expected       INTEGER NOT NULL DEFAULT 0,
    materials      TEXT NOT NULL DEFAULT '',
    cancelled_at   BIGINT NOT NULL DEFAULT 0,
    created_by     BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX lectures_starts ON lectures(starts_at, id);
CREATE INDEX lectures_region_starts ON lectures(region, starts_at);

-- The audience: regions and units (the venue unit is listed too, for the counts by unit).
CREATE TABLE lecture_regions (
    lecture_id  BIGINT NOT NULL REFERENCES lectures(id) ON DELETE CASCADE,
    region      TEXT NOT NULL,
    PRIMARY KEY (lecture_id, region)
);
CREATE TABLE lecture_units (
    lecture_id  BIGINT NOT NULL REFERENCES lectures(id) ON DELETE CASCADE,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    venue       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (lecture_id, unit_id)
);
CREATE INDEX lecture_units_unit ON lecture_units(unit_id, lecture_id);

CREATE TABLE lecture_signins (
    id          {{pk}},
    lecture_id  BIGINT NOT NULL REFERENCES lectures(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    region      TEXT NOT NULL,
    mobile      TEXT,
    device      TEXT,
    desk        INTEGER NOT NULL DEFAULT 0,
    at          BIGINT NOT NULL
);
-- One sign-in per mobile and per phone for a lecture (NULLs do not collide).
CREATE UNIQUE INDEX lecture_signins_mobile ON lecture_signins(lecture_id, mobile);
CREATE UNIQUE INDEX lecture_signins_device ON lecture_signins(lecture_id, device);
CREATE INDEX lecture_signins_lecture ON lecture_signins(lecture_id, at, id);
CREATE INDEX lecture_signins_region ON lecture_signins(region, lecture_id);

CREATE TABLE lecture_photos (
    lecture_id  BIGINT NOT NULL REFERENCES lectures(id) ON DELETE CASCADE,
    photo_id    TEXT NOT NULL,
    added_by    BIGINT,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (lecture_id, photo_id)
);
CREATE INDEX lecture_photos_photo ON lecture_photos(photo_id);

CREATE TABLE questions (
    id           {{pk}},
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    options      TEXT NOT NULL DEFAULT '[]',
    answer       TEXT NOT NULL DEFAULT '[]',
    explanation  TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '[]',
    active       INTEGER NOT NULL DEFAULT 1,
    created_by   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX questions_active ON questions(active, id);
CREATE INDEX questions_kind ON questions(active, kind, id);

CREATE TABLE question_tags (
    question_id  BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    PRIMARY KEY (question_id, tag)
);
CREATE INDEX question_tags_tag ON question_tags(tag, question_id);

CREATE TABLE quizzes (
    id            {{pk}},
    code          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    intro         TEXT NOT NULL DEFAULT '',
    region        TEXT NOT NULL,
    time_limit_s  INTEGER NOT NULL,
    opens_at      BIGINT NOT NULL,
    closes_at     BIGINT NOT NULL,
    prizes        TEXT NOT NULL DEFAULT '[]',
    cancelled_at  BIGINT NOT NULL DEFAULT 0,
    created_by    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX quizzes_opens ON quizzes(opens_at, id);
CREATE INDEX quizzes_region_opens ON quizzes(region, opens_at);

CREATE TABLE quiz_regions (
    quiz_id  BIGINT NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    region   TEXT NOT NULL,
    PRIMARY KEY (quiz_id, region)
);

-- A copy of each question as it was when the quiz was made.
CREATE TABLE quiz_questions (
    quiz_id      BIGINT NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    pos          INTEGER NOT NULL,
    question_id  BIGINT NOT NULL REFERENCES questions(id),
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    options      TEXT NOT NULL,
    answer       TEXT NOT NULL,
    explanation  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (quiz_id, pos)
);
CREATE UNIQUE INDEX quiz_questions_question ON quiz_questions(quiz_id, question_id);
CREATE INDEX quiz_questions_bank ON quiz_questions(question_id);

CREATE TABLE quiz_entries (
    id            {{pk}},
    quiz_id       BIGINT NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    region        TEXT NOT NULL,
    mobile        TEXT NOT NULL,
    layout        TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    deadline      BIGINT NOT NULL,
    submitted_at  BIGINT NOT NULL DEFAULT 0,
    answers       TEXT NOT NULL DEFAULT '{}',
    score         INTEGER NOT NULL DEFAULT 0,
    max_score     INTEGER NOT NULL DEFAULT 0,
    taken_ms      BIGINT NOT NULL DEFAULT 0
);
-- One entry per mobile per quiz.
CREATE UNIQUE INDEX quiz_entries_mobile ON quiz_entries(quiz_id, mobile);
CREATE INDEX quiz_entries_quiz ON quiz_entries(quiz_id, started_at, id);
-- The leaderboard: submitted entries by score, time taken, submission.
CREATE INDEX quiz_entries_rank ON quiz_entries(quiz_id, score DESC, taken_ms, submitted_at, id) WHERE submitted_at > 0;
CREATE INDEX quiz_entries_region ON quiz_entries(region, quiz_id);
