-- Places whose feedback grew most: counts per %(cell)s m square in the period before and the period
-- after, ranked by growth (after − before), then by the count after. Only cells that grew are listed.
WITH feedback AS (
{feedback}
),
counted AS (
    SELECT
        floor(ST_X(geom) / %(cell)s)::int AS i,
        floor(ST_Y(geom) / %(cell)s)::int AS j,
        count(*) FILTER (WHERE created_at >= %(before_start)s AND created_at < %(before_end)s) AS before,
        count(*) FILTER (WHERE created_at >= %(after_start)s AND created_at < %(after_end)s) AS after
    FROM feedback
    WHERE geom IS NOT NULL
    GROUP BY 1, 2
),
ranked AS (
    SELECT i, j, before, after, ST_SetSRID(ST_Square(%(cell)s, i, j), 25832) AS cell
    FROM counted
    WHERE after > before
    ORDER BY after - before DESC, after DESC, i, j
    LIMIT %(limit)s
)
SELECT
    ST_AsGeoJSON(ST_Transform(cell, 4326), 7),
    ST_X(ST_Transform(ST_Centroid(cell), 4326)),
    ST_Y(ST_Transform(ST_Centroid(cell), 4326)),
    before,
    after
FROM ranked
ORDER BY after - before DESC, after DESC, i, j
