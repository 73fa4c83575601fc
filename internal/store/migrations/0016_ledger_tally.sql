-- "Assigned to me" (issue 15): the cases assigned to a region (a grid or a
-- community the person leads or patrols), newest first, so that the filter
-- walks those cases instead of checking every case in the viewer's scope.
-- Partial: a case waiting for assignment adds no entry.
CREATE INDEX cases_assignee_region_at ON cases(assignee_region, reported_at, id) WHERE assignee_region IS NOT NULL;

-- The ledger's totals (store/case_tally.go): how many cases each street,
-- community and grid holds of every status, category, class and level,
-- changed in the transaction of every write that adds a case or changes
-- its status or level.
CREATE TABLE case_tally (
    scope    TEXT NOT NULL,
    status   TEXT NOT NULL,
    category TEXT NOT NULL,
    class    TEXT NOT NULL,
    level    INTEGER NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (scope, status, category, class, level)
);
-- The same statement as rebuildTally in case_tally.go.
INSERT INTO case_tally (scope, status, category, class, level, n)
	SELECT scope, status, category, class, level, COUNT(*) FROM (
		SELECT street AS scope, status, category, class, level FROM cases WHERE street <> ''
		UNION ALL SELECT community, status, category, class, level FROM cases WHERE community <> '' AND community <> street
		UNION ALL SELECT region, status, category, class, level FROM cases WHERE region <> community AND region <> street
	) t GROUP BY scope, status, category, class, level;
