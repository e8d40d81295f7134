-- Heatmap points: the feedback counted per %(cell)s m square, at each cell's centre in lon/lat.
WITH feedback AS (
{feedback}
),
cells AS (
    SELECT floor(ST_X(geom) / %(cell)s) AS i, floor(ST_Y(geom) / %(cell)s) AS j, count(*) AS n
    FROM feedback
    WHERE geom IS NOT NULL
    GROUP BY 1, 2
),
centres AS (
    SELECT ST_Transform(ST_SetSRID(ST_MakePoint((i + 0.5) * %(cell)s, (j + 0.5) * %(cell)s), 25832), 4326) AS p, n
    FROM cells
)
SELECT ST_Y(p), ST_X(p), n FROM centres ORDER BY n DESC
