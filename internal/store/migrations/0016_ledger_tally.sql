-- "Assigned to me" (issue 15): the cases assigned to a region (a grid or a
-- community the person leads or patrols), newest first, so that the filter
-- walks those cases instead of checking every case in the viewer's scope.
-- Partial: a case waiting for assignment adds no entry.
CREATE INDEX cases_assignee_region_at ON cases(assignee_region, reported_at, id) WHERE assignee_region IS NOT NULL;
