-- Patrols: each grid's plan, the patrols walked with their GPS tracks, key-site
-- visits, the cases found and the disputes and promotions recorded on the way,
-- and the missed-patrol alerts already sent. Client ids (uid) are the UUIDs the
-- field phones choose, so that a batch sent twice is stored once.

CREATE TABLE patrol_plans (
    grid        TEXT PRIMARY KEY REFERENCES regions(code),
    per_day     INTEGER NOT NULL,
    windows     TEXT NOT NULL,
    weekends    INTEGER NOT NULL DEFAULT 0,
    patrollers  TEXT NOT NULL DEFAULT '[]',
    points      TEXT NOT NULL DEFAULT '[]',
    updated_at  BIGINT NOT NULL
);

CREATE TABLE patrols (
    id            {{pk}},
    uid           TEXT NOT NULL UNIQUE,
    grid          TEXT NOT NULL REFERENCES regions(code),
    patroller_id  BIGINT NOT NULL REFERENCES people(id),
    day           TEXT NOT NULL,
    win           INTEGER NOT NULL DEFAULT 0,
    state         TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    ended_at      BIGINT NOT NULL DEFAULT 0,
    summary       TEXT NOT NULL DEFAULT '',
    points        INTEGER NOT NULL DEFAULT 0,
    duration_s    INTEGER NOT NULL DEFAULT 0,
    length_m      INTEGER NOT NULL DEFAULT 0,
    max_speed     DOUBLE PRECISION NOT NULL DEFAULT 0,
    outside       DOUBLE PRECISION NOT NULL DEFAULT 0,
    flags         INTEGER NOT NULL DEFAULT 0,
    visits        INTEGER NOT NULL DEFAULT 0,
    findings      INTEGER NOT NULL DEFAULT 0,
    records       INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- A grid's days are summed into patrol_days from this index.
CREATE INDEX patrols_grid_day ON patrols(grid, day, state);
-- Lists across the district, and the missed-patrol job's "who started today".
CREATE INDEX patrols_started ON patrols(started_at);
CREATE INDEX patrols_patroller ON patrols(patroller_id, started_at);

CREATE TABLE patrol_points (
    patrol_id  BIGINT NOT NULL REFERENCES patrols(id) ON DELETE CASCADE,
    t          BIGINT NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    acc        DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX patrol_points_t ON patrol_points(patrol_id, t);

CREATE TABLE patrol_visits (
    id          {{pk}},
    uid         TEXT NOT NULL UNIQUE,
    patrol_id   BIGINT NOT NULL REFERENCES patrols(id) ON DELETE CASCADE,
    grid        TEXT NOT NULL,
    day         TEXT NOT NULL,
    site        TEXT NOT NULL,
    unit_id     BIGINT REFERENCES units(id),
    at          BIGINT NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    photo       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX patrol_visits_patrol ON patrol_visits(patrol_id, at);
CREATE INDEX patrol_visits_grid_day ON patrol_visits(grid, day, site);

CREATE TABLE patrol_findings (
    patrol_id    BIGINT NOT NULL REFERENCES patrols(id) ON DELETE CASCADE,
    case_number  TEXT NOT NULL REFERENCES cases(number),
    created_at   BIGINT NOT NULL,
    created_by   BIGINT,
    PRIMARY KEY (patrol_id, case_number)
);
CREATE INDEX patrol_findings_case ON patrol_findings(case_number);

CREATE TABLE patrol_records (
    id          {{pk}},
    uid         TEXT NOT NULL UNIQUE,
    patrol_id   BIGINT NOT NULL REFERENCES patrols(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    at          BIGINT NOT NULL,
    parties     TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL DEFAULT '',
    households  INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX patrol_records_patrol ON patrol_records(patrol_id, at);

-- Each grid's day of ended patrols, summed when a patrol ends (or its track
-- or visits change afterwards): compliance reads one row per grid and day.
CREATE TABLE patrol_days (
    grid        TEXT NOT NULL,
    day         TEXT NOT NULL,
    done        INTEGER NOT NULL,
    windows     INTEGER NOT NULL,
    doubtful    INTEGER NOT NULL,
    flags       INTEGER NOT NULL,
    duration_s  BIGINT NOT NULL,
    length_m    BIGINT NOT NULL,
    sites       INTEGER NOT NULL,
    PRIMARY KEY (grid, day)
);
CREATE INDEX patrol_days_cover ON patrol_days(grid, day, done, windows, doubtful, flags, duration_s, length_m, sites);

CREATE TABLE patrol_alerts (
    grid        TEXT NOT NULL,
    day         TEXT NOT NULL,
    win         INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (grid, day, win)
);
