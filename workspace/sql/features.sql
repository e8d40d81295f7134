-- The filtered feedback as one GeoJSON FeatureCollection of points in lon/lat, built by PostGIS.
WITH feedback AS (
{feedback}
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'id', key,
                'geometry', ST_AsGeoJSON(ST_Transform(geom, 4326), 7)::json,
                'properties', json_build_object(
                    'key', key,
                    'kind', kind,
                    'category', category,
                    'category_name', category_name,
                    'status', status,
                    'created_at', created_at
                )
            )
            ORDER BY created_at DESC, key DESC
        ),
        '[]'::json
    )
)::text
FROM feedback
WHERE geom IS NOT NULL
