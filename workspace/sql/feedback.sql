-- The feedback a workspace shows: reports and contributions as one row set in EPSG:25832.
-- {report_conditions} and {contribution_conditions} are fragments chosen by workspace/selectors.py
-- (code, never request text); every value is a bound parameter. Aliases: r report, c category,
-- k contribution, p procedure. A contribution's place is a point on its surface (lines and areas
-- cluster by one point); contributions without a place have geom NULL.
SELECT
    'report:' || r.id AS key,
    'report' AS kind,
    r.id,
    r.location AS geom,
    c.code AS category,
    c.name AS category_name,
    r.status,
    r.created_at,
    r.description AS text,
    c.name AS title
FROM reports_report AS r
JOIN reports_category AS c ON c.id = r.category_id
WHERE {report_conditions}
UNION ALL
SELECT
    'contribution:' || k.id,
    'contribution',
    k.id,
    ST_PointOnSurface(k.geometry),
    'beitrag',
    %(contribution_category_name)s,
    '',
    k.created_at,
    k.text,
    p.title
FROM procedures_contribution AS k
JOIN procedures_procedure AS p ON p.id = k.procedure_id
WHERE {contribution_conditions}
