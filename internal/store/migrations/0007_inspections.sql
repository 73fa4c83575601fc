-- Weekly inspections (每周督查) and tracked hot/hard problems (热点难点问题):
-- the yearly checklist template, one inspection per community and week (and
-- extra ones), its inspectors, scores, findings, photos and acknowledgement,
-- and the problems leaders adopt from the hotspots the records show.

CREATE TABLE inspection_checklists (
    year        INTEGER PRIMARY KEY,
    items       TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL,
    updated_by  BIGINT
);

CREATE TABLE inspections (
    id           {{pk}},
    region       TEXT NOT NULL REFERENCES regions(code),
    street       TEXT NOT NULL,
    date         TEXT NOT NULL,
    -- slot is the Monday of the week a scheduled inspection was made for
    -- (kept when it moves); NULL for extra inspections and corrections.
    slot         TEXT,
    status       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    items        TEXT NOT NULL,
    score        DOUBLE PRECISION,
    max          INTEGER NOT NULL,
    agenda       TEXT NOT NULL DEFAULT '',
    agenda_at    BIGINT NOT NULL DEFAULT 0,
    ack_name     TEXT NOT NULL DEFAULT '',
    ack_by       BIGINT REFERENCES people(id),
    ack_at       BIGINT NOT NULL DEFAULT 0,
    ack_file     TEXT NOT NULL DEFAULT '',
    corrects     BIGINT REFERENCES inspections(id),
    reason       TEXT NOT NULL DEFAULT '',
    opened_at    BIGINT NOT NULL DEFAULT 0,
    closed_at    BIGINT NOT NULL DEFAULT 0,
    closed_by    BIGINT REFERENCES people(id),
    created_at   BIGINT NOT NULL,
    created_by   BIGINT,
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   BIGINT NOT NULL
);
-- One scheduled inspection per community and week, whatever became of it.
CREATE UNIQUE INDEX inspections_slot ON inspections(region, slot);
CREATE INDEX inspections_region_date ON inspections(region, date, id);
CREATE INDEX inspections_street_date ON inspections(street, date, id);
CREATE INDEX inspections_date ON inspections(date, id);
CREATE INDEX inspections_corrects ON inspections(corrects);

CREATE TABLE inspection_people (
    inspection_id  BIGINT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    person_id      BIGINT NOT NULL REFERENCES people(id),
    PRIMARY KEY (inspection_id, person_id)
);
CREATE INDEX inspection_people_person ON inspection_people(person_id, inspection_id);

CREATE TABLE inspection_findings (
    inspection_id  BIGINT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    case_id        BIGINT NOT NULL REFERENCES cases(id),
    number         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (inspection_id, case_id)
);
CREATE INDEX inspection_findings_case ON inspection_findings(case_id);

CREATE TABLE inspection_photos (
    inspection_id  BIGINT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    item           TEXT NOT NULL,
    photo_id       TEXT NOT NULL REFERENCES photos(id),
    at             BIGINT NOT NULL,
    by_id          BIGINT,
    PRIMARY KEY (inspection_id, item, photo_id)
);
CREATE INDEX inspection_photos_photo ON inspection_photos(photo_id);

-- Weekly summaries already sent to the street's leaders.
CREATE TABLE inspection_weeks (
    street   TEXT NOT NULL,
    week     TEXT NOT NULL,
    sent_at  BIGINT NOT NULL,
    PRIMARY KEY (street, week)
);

CREATE TABLE problems (
    id           {{pk}},
    region       TEXT NOT NULL REFERENCES regions(code),
    street       TEXT NOT NULL,
    title        TEXT NOT NULL,
    owner_id     BIGINT NOT NULL REFERENCES people(id),
    due          TEXT NOT NULL,
    status       TEXT NOT NULL,
    hotspot      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    created_by   BIGINT,
    resolved_at  BIGINT NOT NULL DEFAULT 0,
    closed_at    BIGINT NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX problems_region ON problems(region, status, id);
CREATE INDEX problems_street ON problems(street, status, id);
CREATE INDEX problems_hotspot ON problems(hotspot, status);

CREATE TABLE problem_cases (
    problem_id  BIGINT NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    number      TEXT NOT NULL,
    PRIMARY KEY (problem_id, case_id)
);
CREATE INDEX problem_cases_case ON problem_cases(case_id);

CREATE TABLE problem_notes (
    id          {{pk}},
    problem_id  BIGINT NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    by_id       BIGINT,
    by_name     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    note        TEXT NOT NULL
);
CREATE INDEX problem_notes_problem ON problem_notes(problem_id, id);

-- What the agenda and the hotspots read from the case ledger. The hotspot
-- search reads a window of report days of some communities: this index
-- holds every column it needs, so it never visits the table (a visit per
-- case was most of its time over a million cases). The agenda counts a
-- community's overdue cases by deadline, and finds escalations by time.
CREATE INDEX cases_hotspot ON cases(community, day, category, lat, lon, unit_id, rework, status, number, id);
CREATE INDEX cases_community_deadline ON cases(community, status, deadline);
CREATE INDEX case_events_action_at ON case_events(action, at);
