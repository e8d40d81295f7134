-- Hexagons of edge %(cell)s metres (ST_HexagonGrid's size) in EPSG:25832: each point looks up the
-- hexagon it lies in (a point on an edge takes the lowest cell), so only cells holding feedback exist.
WITH feedback AS (
{feedback}
),
placed AS (
    SELECT DISTINCT ON (f.key) f.key, f.category, h.i, h.j, h.geom AS cell
    FROM feedback AS f
    CROSS JOIN LATERAL ST_HexagonGrid(%(cell)s, f.geom) AS h
    WHERE f.geom IS NOT NULL AND ST_Intersects(h.geom, f.geom)
    ORDER BY f.key, h.i, h.j
),
counted AS (
    SELECT i, j, category, count(*) AS n, min(cell) AS cell FROM placed GROUP BY i, j, category
),
cells AS (
    SELECT i, j, sum(n)::int AS total, jsonb_object_agg(category, n) AS by_category, min(cell) AS cell
    FROM counted
    GROUP BY i, j
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'geometry', ST_AsGeoJSON(ST_Transform(cell, 4326), 7)::json,
                'properties', json_build_object('count', total, 'by_category', by_category)
            )
            ORDER BY total DESC, i, j
        ),
        '[]'::json
    )
)::text
FROM cells
