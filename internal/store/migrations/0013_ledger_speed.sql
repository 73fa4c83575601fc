-- The ledger (issue 15): newest reported first through the indexes, and
-- only the indexes the ledger's filters and the other readers of cases use
-- (CaseFilter.index in internal/store/case_list.go names which serves what;
-- TestCasePlans checks every filter combination).
--
-- Each scope column (none, street, community, grid) has an index by report
-- time and one by status then report time, which filter and give the order
-- together; a person's or a unit's own cases have one each. (The category
-- and class filters need none of their own: they are checked in these.)
DROP INDEX cases_status;
DROP INDEX cases_community;
DROP INDEX cases_community_status;
DROP INDEX cases_street;
DROP INDEX cases_street_status;
DROP INDEX cases_day_level;
DROP INDEX cases_region;
DROP INDEX cases_category;
DROP INDEX cases_class;
DROP INDEX cases_day;
DROP INDEX cases_unit;
DROP INDEX cases_assignee_person;
DROP INDEX cases_reporter;

-- The columns after the order are the ledger's other filters: SQLite
-- checks them in the index and reads a case's row only for the page it
-- shows, and counts without reading rows at all.
CREATE INDEX cases_at ON cases(reported_at, id, status, class, category, level, deadline);
CREATE INDEX cases_status_at ON cases(status, reported_at, id, class, category, level, deadline);
CREATE INDEX cases_street_at ON cases(street, reported_at, id, status, class, category, level, deadline);
CREATE INDEX cases_street_status_at ON cases(street, status, reported_at, id, class, category, level, deadline);
CREATE INDEX cases_community_at ON cases(community, reported_at, id, status, class, category, level, deadline);
CREATE INDEX cases_community_status_at ON cases(community, status, reported_at, id, class, category, level, deadline);
CREATE INDEX cases_region_at ON cases(region, reported_at, id, status, class, category, level, deadline);
CREATE INDEX cases_region_status_at ON cases(region, status, reported_at, id, class, category, level, deadline);
CREATE INDEX cases_unit_at ON cases(unit_id, reported_at, id);
CREATE INDEX cases_assignee_unit_at ON cases(assignee_unit, reported_at, id);
CREATE INDEX cases_assignee_at ON cases(assignee_person, reported_at, id);
CREATE INDEX cases_reporter_at ON cases(reporter_id, reported_at, id);
