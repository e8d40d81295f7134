-- Counts per category name, largest first.
WITH feedback AS (
{feedback}
)
SELECT category_name, count(*) FROM feedback GROUP BY 1 ORDER BY 2 DESC, 1
