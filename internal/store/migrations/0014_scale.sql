-- City scale: several servers on one database, many streets in one deployment.
--
-- Failed sign-ins are counted here rather than in each server's memory, so
-- that guesses spread over several servers add up (authn.Throttle); rows
-- older than the throttle's window are swept by the jobs.
CREATE TABLE signin_failures (
    key  TEXT NOT NULL,
    at   BIGINT NOT NULL
);
CREATE INDEX signin_failures_key ON signin_failures(key, at);
CREATE INDEX signin_failures_at ON signin_failures(at);

-- Settings that differ by street, with a district-wide default in the
-- district's own row: a street's row overrides the district's, which
-- overrides the server's configuration. Empty text, and -1 for numbers,
-- mean "not set here" (inherit).
CREATE TABLE street_settings (
    region            TEXT PRIMARY KEY REFERENCES regions(code),
    case_prefix       TEXT NOT NULL DEFAULT '',
    grace_minutes     INTEGER NOT NULL DEFAULT -1,
    inspect_weekday   INTEGER NOT NULL DEFAULT -1,
    updated_by        BIGINT,
    updated_at        BIGINT NOT NULL
);

-- Case numbers counted per prefix and day: with one counter a day for the
-- whole deployment, every case created anywhere in a city waited for the
-- same row lock. A prefix's count for a day starts after the old day-wide
-- counter (case_numbers, no longer advanced), so numbers issued before the
-- upgrade are never issued again.
CREATE TABLE case_counters (
    prefix  TEXT NOT NULL,
    day     TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (prefix, day)
);
