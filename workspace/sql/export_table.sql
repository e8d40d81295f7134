-- An export as a table: attributes, a point on each geometry (x, y) and the geometry as WKB and WKT,
-- rounded to about 1 cm (%(precision)s decimals), newest first.
WITH exported AS (
{rows}
)
SELECT
    {columns},
    round(ST_X(ST_PointOnSurface(geom))::numeric, %(precision)s)::float8 AS x,
    round(ST_Y(ST_PointOnSurface(geom))::numeric, %(precision)s)::float8 AS y,
    ST_AsText(geom, %(precision)s) AS wkt,
    ST_AsBinary(geom) AS wkb
FROM exported
ORDER BY sort_at DESC, schluessel DESC
