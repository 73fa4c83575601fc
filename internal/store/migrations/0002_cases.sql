-- Cases: categories, the working-day calendar, the case ledger with its
-- timeline and photos, and the in-app inbox.

CREATE TABLE categories (
    code          TEXT PRIMARY KEY,
    parent        TEXT REFERENCES categories(code),
    name_zh       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    severity      TEXT NOT NULL DEFAULT 'minor',
    level         INTEGER NOT NULL DEFAULT 3,
    file_n        INTEGER NOT NULL DEFAULT 4,
    file_unit     TEXT NOT NULL DEFAULT 'hours',
    handle_n      INTEGER NOT NULL DEFAULT 2,
    handle_unit   TEXT NOT NULL DEFAULT 'days',
    verify_n      INTEGER NOT NULL DEFAULT 1,
    verify_unit   TEXT NOT NULL DEFAULT 'days',
    sort          INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX categories_parent ON categories(parent, sort);

INSERT INTO categories (code, parent, name_zh, name_en, severity, level, sort) VALUES ('08', NULL, '施工扬尘', 'Construction dust', 'minor', 3, 1);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, sort) VALUES ('06', NULL, '市容环境', 'Street environment', 'minor', 3, 2);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, sort) VALUES ('L', NULL, '其他大气污染', 'Other air pollution', 'minor', 3, 3);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('08004', '08', '工地扬尘', 'Building-site dust', 'major', 2, 1, 'days', 1);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('08007', '08', '施工工地围挡', 'Site hoarding', 'minor', 3, 2, 'days', 2);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('08008', '08', '工地道路未硬化', 'Unpaved site roads', 'minor', 3, 3, 'days', 3);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('08012', '08', '工地车轮夹带', 'Mud carried out on wheels', 'minor', 3, 1, 'days', 4);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('08011', '08', '渣土车未密闭', 'Uncovered muck truck', 'major', 2, 4, 'hours', 5);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('06014', '06', '道路遗撒', 'Spillage on the road', 'minor', 3, 4, 'hours', 1);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('06012', '06', '道路不洁', 'Dirty road', 'minor', 3, 1, 'days', 2);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('06010', '06', '暴露垃圾', 'Exposed rubbish', 'minor', 3, 1, 'days', 3);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('06020', '06', '焚烧垃圾树叶', 'Burning rubbish or leaves', 'minor', 3, 2, 'hours', 4);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('06027', '06', '油烟污染', 'Cooking fumes', 'minor', 3, 3, 'days', 5);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('06029', '06', '露天烧烤', 'Open-air barbecue', 'minor', 3, 4, 'hours', 6);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('L001', 'L', '燃放烟花爆竹', 'Fireworks', 'minor', 3, 2, 'hours', 1);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('L002', 'L', '散煤燃烧 / 燃煤小锅炉', 'Loose coal or small coal boiler', 'major', 2, 3, 'days', 2);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('L003', 'L', '机动车冒黑烟', 'Vehicle black smoke', 'minor', 3, 1, 'days', 3);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('L004', 'L', '工业废气', 'Industrial exhaust', 'major', 2, 3, 'days', 4);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('L005', 'L', '小广告牛皮癣', 'Illegal posters and small ads', 'minor', 3, 2, 'days', 5);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('L006', 'L', '卫生死角', 'Neglected dirty corner', 'minor', 3, 2, 'days', 6);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('L007', 'L', '环境纠纷', 'Environmental dispute', 'minor', 3, 3, 'days', 7);
INSERT INTO categories (code, parent, name_zh, name_en, severity, level, handle_n, handle_unit, sort) VALUES ('L999', 'L', '其他', 'Other', 'minor', 3, 3, 'days', 99);

CREATE TABLE calendar_days (
    date  TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    name  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE cases (
    id               {{pk}},
    number           TEXT NOT NULL UNIQUE,
    client_id        TEXT NOT NULL UNIQUE,
    category         TEXT NOT NULL REFERENCES categories(code),
    description      TEXT NOT NULL,
    lat              DOUBLE PRECISION NOT NULL,
    lon              DOUBLE PRECISION NOT NULL,
    address          TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL REFERENCES regions(code),
    community        TEXT NOT NULL,
    street           TEXT NOT NULL,
    unit_id          BIGINT REFERENCES units(id),
    source           TEXT NOT NULL,
    hotline_ref      TEXT NOT NULL DEFAULT '',
    class            TEXT NOT NULL,
    severity         TEXT NOT NULL,
    status           TEXT NOT NULL,
    level            INTEGER NOT NULL,
    held             TEXT NOT NULL,
    assignee         TEXT NOT NULL DEFAULT '',
    assignee_person  BIGINT,
    assignee_region  TEXT,
    assignee_unit    BIGINT,
    commitment       TEXT NOT NULL DEFAULT '',
    reporter_id      BIGINT,
    reporter_name    TEXT NOT NULL DEFAULT '',
    reporter_mobile  TEXT NOT NULL DEFAULT '',
    handled_by       BIGINT,
    deadline         BIGINT NOT NULL DEFAULT 0,
    deadline_from    BIGINT NOT NULL DEFAULT 0,
    reported_at      BIGINT NOT NULL,
    closed_at        BIGINT NOT NULL DEFAULT 0,
    day              TEXT NOT NULL,
    rework           INTEGER NOT NULL DEFAULT 0,
    merged_into      TEXT NOT NULL DEFAULT '',
    after_photos     INTEGER NOT NULL DEFAULT 0,
    overdue_noticed  INTEGER NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_community ON cases(community, id);
CREATE INDEX cases_community_status ON cases(community, status, id);
CREATE INDEX cases_street ON cases(street, id);
CREATE INDEX cases_street_status ON cases(street, status, id);
CREATE INDEX cases_day_level ON cases(day, level, status);
CREATE INDEX cases_region ON cases(region, id);
CREATE INDEX cases_category ON cases(category, id);
CREATE INDEX cases_class ON cases(class, id);
CREATE INDEX cases_day ON cases(day, id);
CREATE INDEX cases_unit ON cases(unit_id, id);
CREATE INDEX cases_assignee_person ON cases(assignee_person, status);
CREATE INDEX cases_deadline ON cases(status, deadline);
CREATE INDEX cases_reporter ON cases(reporter_id, id);
CREATE INDEX cases_geo ON cases(category, lat, lon);

CREATE TABLE case_events (
    id          {{pk}},
    case_id     BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    status      TEXT NOT NULL,
    level       INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, id);

CREATE TABLE photos (
    id          TEXT PRIMARY KEY,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    format      TEXT NOT NULL,
    taken_at    BIGINT NOT NULL DEFAULT 0,
    lat         DOUBLE PRECISION,
    lon         DOUBLE PRECISION,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT
);

CREATE TABLE case_photos (
    id        {{pk}},
    case_id   BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    event_id  BIGINT REFERENCES case_events(id),
    photo_id  TEXT NOT NULL REFERENCES photos(id),
    step      TEXT NOT NULL,
    at        BIGINT NOT NULL,
    by_id     BIGINT
);
CREATE INDEX case_photos_case ON case_photos(case_id, id);
CREATE UNIQUE INDEX case_photos_unique ON case_photos(case_id, photo_id, step);

CREATE TABLE case_numbers (
    day  TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
);

CREATE TABLE inbox (
    id          {{pk}},
    person_id   BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    case_id     BIGINT REFERENCES cases(id) ON DELETE CASCADE,
    number      TEXT NOT NULL DEFAULT '',
    args        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    read_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX inbox_person ON inbox(person_id, read_at, id);
