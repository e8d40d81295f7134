-- The rows of an export: exactly the workspace's filtered feedback, with the full geometry (lines
-- and areas of contributions stay lines and areas) in %(srid)s, and a point on it for CSV columns.
-- {personal_report} and {personal_contribution} are either empty or the constant column lists of
-- personal data (workspace/exports.py); aliases as in feedback.sql.
SELECT
    'report:' || r.id AS schluessel,
    'meldung' AS art,
    r.id AS nummer,
    a.key AS behoerde,
    '' AS verfahren,
    c.code AS kategorie,
    c.name AS kategorie_name,
    r.status AS status,
    COALESCE(%(status_names)s::jsonb ->> r.status, r.status) AS status_name,
    to_char(r.created_at AT TIME ZONE %(time_zone)s, 'YYYY-MM-DD"T"HH24:MI:SS') AS eingegangen,
    r.description AS text,
    (SELECT count(*) FROM reports_support AS s WHERE s.report_id = r.id)::int AS unterstuetzungen,
    (r.published_at IS NOT NULL AND r.hidden_at IS NULL) AS oeffentlich,
    r.created_at AS sort_at,
    ST_Transform(r.location, %(srid)s) AS geom
    {personal_report}
FROM reports_report AS r
JOIN reports_category AS c ON c.id = r.category_id
JOIN geo_authority AS a ON a.id = r.authority_id
LEFT JOIN auth_user AS ru ON ru.id = r.reporter_id
WHERE {report_conditions}
UNION ALL
SELECT
    'contribution:' || k.id,
    'beitrag',
    k.id,
    pa.key,
    p.slug,
    'beitrag',
    %(contribution_category_name)s,
    '',
    '',
    to_char(k.created_at AT TIME ZONE %(time_zone)s, 'YYYY-MM-DD"T"HH24:MI:SS'),
    k.text,
    (SELECT count(*) FROM procedures_contributionsupport AS s WHERE s.contribution_id = k.id)::int,
    (k.published_at IS NOT NULL AND k.hidden_at IS NULL),
    k.created_at,
    ST_Transform(k.geometry, %(srid)s)
    {personal_contribution}
FROM procedures_contribution AS k
JOIN procedures_procedure AS p ON p.id = k.procedure_id
JOIN geo_authority AS pa ON pa.id = p.authority_id
LEFT JOIN auth_user AS ku ON ku.id = k.author_id
WHERE {contribution_conditions}
