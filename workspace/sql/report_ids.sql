-- Which of the given report ids belong to the workspace (its authority, and its procedure's area).
SELECT r.id
FROM reports_report AS r
JOIN reports_category AS c ON c.id = r.category_id
WHERE r.id = ANY(%(ids)s) AND {report_conditions}
