-- Month-end clean-ups (月末综合整治), the materials store with its ledger of
-- moves, outdoor publicity events, handouts (倡议书 / 温馨提示) with their
-- distributions, and each person's secret calendar feed.
-- Dates a person picks (a campaign's day, an event's day) are local dates
-- YYYY-MM-DD; instants are Unix milliseconds.

CREATE TABLE campaigns (
    id          {{pk}},
    street      TEXT NOT NULL REFERENCES regions(code),
    title       TEXT NOT NULL,
    day         TEXT NOT NULL,
    month       TEXT NOT NULL,
    status      TEXT NOT NULL,
    proposed    INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
-- Lantian proposes one campaign per street and month, never a second (even
-- after the first is cancelled).
CREATE UNIQUE INDEX campaigns_proposed ON campaigns(street, month) WHERE proposed = 1;
CREATE INDEX campaigns_day ON campaigns(day, id);

-- The regions a campaign covers; lists and the calendar find campaigns by them.
CREATE TABLE campaign_regions (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    region       TEXT NOT NULL REFERENCES regions(code),
    PRIMARY KEY (campaign_id, region)
);
CREATE INDEX campaign_regions_region ON campaign_regions(region, campaign_id);

-- Tasks, each with its result (the counts are the tally so far).
CREATE TABLE campaign_tasks (
    id           {{pk}},
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    region       TEXT NOT NULL REFERENCES regions(code),
    unit_id      BIGINT REFERENCES units(id),
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    done         INTEGER NOT NULL DEFAULT 0,
    ads          INTEGER NOT NULL DEFAULT 0,
    corners      INTEGER NOT NULL DEFAULT 0,
    bags         INTEGER NOT NULL DEFAULT 0,
    tonnes       DOUBLE PRECISION NOT NULL DEFAULT 0,
    vehicles     INTEGER NOT NULL DEFAULT 0,
    people       INTEGER NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    recorded_at  BIGINT NOT NULL DEFAULT 0,
    recorded_by  BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX campaign_tasks_campaign ON campaign_tasks(campaign_id, id);
CREATE INDEX campaign_tasks_unit ON campaign_tasks(unit_id, campaign_id);

-- Participants: people by name, and units asked to take part with the
-- headcount they sent (0 until they come).
CREATE TABLE campaign_people (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    person_id    BIGINT NOT NULL REFERENCES people(id),
    PRIMARY KEY (campaign_id, person_id)
);
CREATE TABLE campaign_units (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    headcount    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, unit_id)
);
CREATE INDEX campaign_units_unit ON campaign_units(unit_id, campaign_id);

CREATE TABLE campaign_photos (
    id           {{pk}},
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    task_id      BIGINT NOT NULL REFERENCES campaign_tasks(id) ON DELETE CASCADE,
    photo_id     TEXT NOT NULL REFERENCES photos(id),
    step         TEXT NOT NULL,
    at           BIGINT NOT NULL,
    by_id        BIGINT
);
CREATE UNIQUE INDEX campaign_photos_unique ON campaign_photos(task_id, photo_id, step);
CREATE INDEX campaign_photos_campaign ON campaign_photos(campaign_id, id);
CREATE INDEX campaign_photos_photo ON campaign_photos(photo_id);

-- Problems found that could not be fixed that day: cases with source
-- 'campaign', linked to the task.
CREATE TABLE campaign_findings (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    task_id      BIGINT NOT NULL REFERENCES campaign_tasks(id) ON DELETE CASCADE,
    case_number  TEXT NOT NULL REFERENCES cases(number),
    created_at   BIGINT NOT NULL,
    created_by   BIGINT,
    PRIMARY KEY (task_id, case_number)
);
CREATE INDEX campaign_findings_campaign ON campaign_findings(campaign_id);
CREATE INDEX campaign_findings_case ON campaign_findings(case_number);

-- The materials store of a street (or a community): the balance can never go
-- below zero, and every change is a move in the ledger.
CREATE TABLE materials (
    id          {{pk}},
    region      TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    stock       INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    low         INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX materials_region ON materials(region, id);

CREATE TABLE publicity (
    id          {{pk}},
    day         TEXT NOT NULL,
    region      TEXT NOT NULL REFERENCES regions(code),
    unit_id     BIGINT REFERENCES units(id),
    venue       TEXT NOT NULL,
    lat         DOUBLE PRECISION,
    lon         DOUBLE PRECISION,
    kind        TEXT NOT NULL,
    reach       INTEGER NOT NULL DEFAULT 0,
    people      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX publicity_day ON publicity(day, id);
CREATE INDEX publicity_region ON publicity(region, day);

CREATE TABLE material_moves (
    id            {{pk}},
    material_id   BIGINT NOT NULL REFERENCES materials(id),
    at            BIGINT NOT NULL,
    delta         INTEGER NOT NULL,
    stock_after   INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    region        TEXT REFERENCES regions(code),
    publicity_id  BIGINT REFERENCES publicity(id),
    by_id         BIGINT,
    by_name       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX material_moves_material ON material_moves(material_id, id);
CREATE INDEX material_moves_publicity ON material_moves(publicity_id);

CREATE TABLE publicity_photos (
    publicity_id  BIGINT NOT NULL REFERENCES publicity(id) ON DELETE CASCADE,
    photo_id      TEXT NOT NULL REFERENCES photos(id),
    at            BIGINT NOT NULL,
    by_id         BIGINT,
    PRIMARY KEY (publicity_id, photo_id)
);
CREATE INDEX publicity_photos_photo ON publicity_photos(photo_id);

CREATE TABLE handouts (
    id          {{pk}},
    region      TEXT NOT NULL REFERENCES regions(code),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    day         TEXT NOT NULL,
    created_by  BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX handouts_region ON handouts(region, id);

CREATE TABLE handout_distributions (
    id          {{pk}},
    handout_id  BIGINT NOT NULL REFERENCES handouts(id) ON DELETE CASCADE,
    region      TEXT NOT NULL REFERENCES regions(code),
    building    TEXT NOT NULL DEFAULT '',
    households  INTEGER NOT NULL,
    day         TEXT NOT NULL,
    by_id       BIGINT,
    by_name     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX handout_distributions_handout ON handout_distributions(handout_id, region);

-- Each person's private calendar feed: only the hash of the secret in its URL
-- is kept, so the URL is shown once and a reset makes the old one fail.
CREATE TABLE calendar_feeds (
    person_id    BIGINT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL
);
