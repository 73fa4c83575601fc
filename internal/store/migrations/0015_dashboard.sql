-- The leaders' dashboard's chart of the last 90 days, each from a narrow
-- covering index read in the grouping's order:
-- reported per day by (street, day), half the width of cases_assess's
-- entries, so that reading a street's 90 days touches half the pages;
CREATE INDEX cases_street_day ON cases(street, day, community, region);
-- closed per day by (street, closed_at) among the closed cases alone, in
-- place of the closed_at index plus a fetch of every row from the table
-- (status is repeated in the columns: SQLite counts a partial index as
-- covering only when it holds every column the query names).
CREATE INDEX cases_closed ON cases(street, closed_at, community, region, status)
    WHERE status = 'closed';
