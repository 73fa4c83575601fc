-- Foundation: regions, units, people, roles, sessions and the audit log.
-- Portable SQL for SQLite and PostgreSQL; {{pk}} becomes each one's
-- auto-increment primary key. Times are Unix milliseconds (UTC).

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL,
    parent      TEXT REFERENCES regions(code),
    households  INTEGER NOT NULL DEFAULT 0,
    leader_id   BIGINT,
    geometry    TEXT,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent);

CREATE TABLE people (
    id             {{pk}},
    username       TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    mobile         TEXT UNIQUE,
    password_hash  TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    lang           TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE units (
    id           {{pk}},
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    credit_code  TEXT UNIQUE,
    address      TEXT NOT NULL DEFAULT '',
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    region       TEXT NOT NULL REFERENCES regions(code),
    contacts     TEXT NOT NULL DEFAULT '[]',
    status       TEXT NOT NULL DEFAULT 'active',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX units_region ON units(region, id);
CREATE INDEX units_kind ON units(kind, id);
CREATE INDEX units_name ON units(name);

CREATE TABLE unit_tags (
    unit_id  BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    PRIMARY KEY (unit_id, tag)
);
CREATE INDEX unit_tags_tag ON unit_tags(tag, unit_id);

CREATE TABLE role_assignments (
    id         {{pk}},
    person_id  BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    region     TEXT REFERENCES regions(code),
    unit_id    BIGINT REFERENCES units(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX role_assignments_person ON role_assignments(person_id);
CREATE INDEX role_assignments_region ON role_assignments(region, role);
CREATE INDEX role_assignments_unit ON role_assignments(unit_id);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments(person_id, role, COALESCE(region, ''), COALESCE(unit_id, 0));

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    lang        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE audit_log (
    id          {{pk}},
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, id);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
