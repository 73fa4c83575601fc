-- The deadline indexes (issue 15) carry the ledger's other filters and the
-- area columns after (status, deadline), so that overdue counts with a class,
-- category or level filter, and deadline order over a street or a grid, check
-- them in the index instead of reading each case's row.
DROP INDEX cases_deadline;
CREATE INDEX cases_deadline ON cases(status, deadline, class, category, level, street, community, region);
DROP INDEX cases_community_deadline;
CREATE INDEX cases_community_deadline ON cases(community, status, deadline, class, category, level, region);
