-- How many rows the workspace's filter selects.
WITH feedback AS (
{feedback}
)
SELECT count(*) FROM feedback
