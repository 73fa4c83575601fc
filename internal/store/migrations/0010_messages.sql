-- The work group: outbound channels and the durable outbox that feeds them,
-- notices with their recipients' receipts and attachments, the feed of
-- posts and comments, each person's delivery settings, and the scheduled
-- summaries already made. Outbox rows are written in the transaction of the
-- event that caused them (store.Tx.Notify) and delivered by the worker.

CREATE TABLE channels (
    id            {{pk}},
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    url           TEXT NOT NULL,
    secret        TEXT NOT NULL DEFAULT '',
    region        TEXT NOT NULL REFERENCES regions(code),
    events        TEXT NOT NULL DEFAULT '',
    enabled       INTEGER NOT NULL DEFAULT 1,
    -- Delivery state: the times (Unix ms, comma-separated) of the recent
    -- sends the rate limit counts, and how long the channel rests after a
    -- failure or a robot's "too many" answer.
    sends         TEXT NOT NULL DEFAULT '',
    rest_until    BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    last_sent_at  BIGINT NOT NULL DEFAULT 0,
    created_by    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX channels_region ON channels(region, id);

CREATE TABLE outbox (
    id            {{pk}},
    channel_id    BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    person_id     BIGINT REFERENCES people(id) ON DELETE CASCADE,
    event         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    record_kind   TEXT NOT NULL DEFAULT '',
    record_id     BIGINT NOT NULL DEFAULT 0,
    record_ref    TEXT NOT NULL DEFAULT '',
    region        TEXT NOT NULL DEFAULT '',
    facts         TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       BIGINT NOT NULL,
    -- Retries stop GiveUpAfter past this: the event's time, or an admin's retry.
    since         BIGINT NOT NULL,
    lease_until   BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    sent_at       BIGINT NOT NULL DEFAULT 0
);
-- The worker's "which channels have messages due" and each channel's claim.
CREATE INDEX outbox_due ON outbox(status, next_at, channel_id);
CREATE INDEX outbox_claim ON outbox(channel_id, status, next_at, id);
-- The outbox page: by status, and by channel and status, newest first.
CREATE INDEX outbox_status ON outbox(status, id);
CREATE INDEX outbox_channel ON outbox(channel_id, status, id);

CREATE TABLE notices (
    id           {{pk}},
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    audience     TEXT NOT NULL,
    receipt      INTEGER NOT NULL DEFAULT 0,
    due          TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL REFERENCES regions(code),
    sender_id    BIGINT NOT NULL REFERENCES people(id),
    sender_name  TEXT NOT NULL,
    recipients   INTEGER NOT NULL DEFAULT 0,
    read_n       INTEGER NOT NULL DEFAULT 0,
    ack_n        INTEGER NOT NULL DEFAULT 0,
    reminded_at  BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX notices_sender ON notices(sender_id, id);
CREATE INDEX notices_region ON notices(region, id);

CREATE TABLE notice_recipients (
    notice_id   BIGINT NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    person_id   BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    read_at     BIGINT NOT NULL DEFAULT 0,
    acked_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (notice_id, person_id)
);
CREATE INDEX notice_recipients_person ON notice_recipients(person_id, notice_id);

-- Attachments as uploaded (by whom, under which name), before and after a
-- notice takes them; the bytes are on disk under their SHA-256 (file_id).
CREATE TABLE uploads (
    id          {{pk}},
    file_id     TEXT NOT NULL,
    person_id   BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX uploads_person ON uploads(person_id, id);

CREATE TABLE notice_files (
    notice_id  BIGINT NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    file_id    TEXT NOT NULL,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    size       BIGINT NOT NULL,
    PRIMARY KEY (notice_id, position)
);

CREATE TABLE posts (
    id           {{pk}},
    region       TEXT NOT NULL REFERENCES regions(code),
    author_id    BIGINT NOT NULL REFERENCES people(id),
    author_name  TEXT NOT NULL,
    body         TEXT NOT NULL,
    photos       TEXT NOT NULL DEFAULT '',
    record_kind  TEXT NOT NULL DEFAULT '',
    record_ref   TEXT NOT NULL DEFAULT '',
    comments     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX posts_region ON posts(region, id);

CREATE TABLE post_comments (
    id           {{pk}},
    post_id      BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_id    BIGINT NOT NULL REFERENCES people(id),
    author_name  TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX post_comments_post ON post_comments(post_id, id);

CREATE TABLE person_settings (
    person_id   BIGINT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    email       TEXT NOT NULL DEFAULT '',
    quiet_from  TEXT NOT NULL DEFAULT '',
    quiet_to    TEXT NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL
);

-- The kinds of notification each person has e-mailed to them; keyed by kind,
-- so that every notifying write finds who wants its kind through the index.
CREATE TABLE person_mail_kinds (
    kind       TEXT NOT NULL,
    person_id  BIGINT NOT NULL REFERENCES person_settings(person_id) ON DELETE CASCADE,
    PRIMARY KEY (kind, person_id)
);
CREATE INDEX person_mail_kinds_person ON person_mail_kinds(person_id);

-- Scheduled summaries made (the daily digest, the weekly unsigned letters),
-- so that each is made once per region and day whatever restarts.
CREATE TABLE summaries (
    kind        TEXT NOT NULL,
    region      TEXT NOT NULL,
    day         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (kind, region, day)
);
