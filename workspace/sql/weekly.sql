-- Counts per ISO week (its Monday, in local time) and category name.
WITH feedback AS (
{feedback}
)
SELECT date_trunc('week', created_at AT TIME ZONE %(time_zone)s)::date AS week, category_name, count(*)
FROM feedback
GROUP BY 1, 2
ORDER BY 1, 2
