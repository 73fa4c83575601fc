-- What a street office trips over (issue 16): a public reporter's tracking
-- secret (stored as its SHA-256) and their one word on whether the problem
-- was solved, which the assessment counts as the satisfaction rate.

CREATE TABLE case_public (
    case_id        BIGINT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    tracking_hash  TEXT NOT NULL,
    feedback_at    BIGINT NOT NULL DEFAULT 0,
    solved         INTEGER NOT NULL DEFAULT 0,
    comment        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_public_feedback ON case_public(feedback_at);

-- Flags on a case that the ledger shows beside it: "position" when the
-- reporter set the point by hand (no location from the phone).
CREATE TABLE case_flags (
    case_id  BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    flag     TEXT NOT NULL,
    PRIMARY KEY (case_id, flag)
);
