-- Square cells of %(cell)s metres aligned to the origin of EPSG:25832 (as ST_SquareGrid's), counted
-- by arithmetic on each point: only cells holding feedback exist, so no extent can explode.
WITH feedback AS (
{feedback}
),
counted AS (
    SELECT floor(ST_X(geom) / %(cell)s)::int AS i, floor(ST_Y(geom) / %(cell)s)::int AS j, category, count(*) AS n
    FROM feedback
    WHERE geom IS NOT NULL
    GROUP BY 1, 2, 3
),
cells AS (
    SELECT i, j, sum(n)::int AS total, jsonb_object_agg(category, n) AS by_category
    FROM counted
    GROUP BY i, j
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'geometry', ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_Square(%(cell)s, i, j), 25832), 4326), 7)::json,
                'properties', json_build_object('count', total, 'by_category', by_category)
            )
            ORDER BY total DESC, i, j
        ),
        '[]'::json
    )
)::text
FROM cells
