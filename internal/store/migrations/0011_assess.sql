-- Assessment (考核): rubrics per year and subject kind over an area, the
-- scores entered by hand with their reasons, and bulletins (通报): frozen
-- snapshots of a period's scores, stored as the exact bytes their SHA-256
-- was taken of. Instants are Unix milliseconds.

CREATE TABLE assess_rubrics (
    id          {{pk}},
    year        INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    region      TEXT NOT NULL REFERENCES regions(code),
    title       TEXT NOT NULL,
    items       TEXT NOT NULL,
    copied_from BIGINT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_by  BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX assess_rubrics_year ON assess_rubrics(year, kind, id);

CREATE TABLE assess_manual (
    rubric_id   BIGINT NOT NULL REFERENCES assess_rubrics(id),
    period      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    item        TEXT NOT NULL,
    points      DOUBLE PRECISION NOT NULL,
    reason      TEXT NOT NULL,
    by_id       BIGINT,
    by_name     TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    PRIMARY KEY (rubric_id, period, subject, item)
);

CREATE TABLE assess_bulletins (
    id             {{pk}},
    rubric_id      BIGINT NOT NULL REFERENCES assess_rubrics(id),
    period         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    region         TEXT NOT NULL,
    title          TEXT NOT NULL,
    public         INTEGER NOT NULL DEFAULT 0,
    snapshot       TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    supersedes     BIGINT REFERENCES assess_bulletins(id),
    superseded_by  BIGINT NOT NULL DEFAULT 0,
    created_by     BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX assess_bulletins_current ON assess_bulletins(rubric_id, period) WHERE superseded_by = 0;
CREATE INDEX assess_bulletins_rubric ON assess_bulletins(rubric_id, id);
CREATE INDEX assess_bulletins_created ON assess_bulletins(created_at, id);

-- The dashboard counts cases closed per day.
CREATE INDEX cases_closed_at ON cases(closed_at);
-- The indicators read a street's cases of a period from this index alone:
-- a year's assessment over 1,000,000 cases went from scanning every case of
-- the street through the table to reading half the index (4× faster). Each
-- index costs every new case a write; this one pays for the assessment.
CREATE INDEX cases_assess ON cases(street, day, community, region, status, merged_into, class, source, rework, closed_at, deadline, unit_id, reporter_id);

-- The dashboard counts the open cases of an area by level, timer and
-- community from this index alone; it holds the open cases only.
CREATE INDEX cases_open ON cases(street, community, level, status, deadline, deadline_from, region)
    WHERE status IN ('reported', 'filed', 'assigned', 'handled');

-- Daily air quality imported from the national monitoring station's
-- exports, shown beside the work done (optional input).
CREATE TABLE air_days (
    region       TEXT NOT NULL REFERENCES regions(code),
    day          TEXT NOT NULL,
    aqi          INTEGER NOT NULL,
    pm25         DOUBLE PRECISION,
    pm10         DOUBLE PRECISION,
    imported_at  BIGINT NOT NULL,
    PRIMARY KEY (region, day)
);
