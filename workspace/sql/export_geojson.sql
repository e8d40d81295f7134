-- An export as one GeoJSON FeatureCollection built by PostGIS; {crs_member} is empty for lon/lat
-- (RFC 7946) and names EPSG:25832 in the older "crs" member otherwise, which GDAL and QGIS read.
WITH exported AS (
{rows}
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'name', %(name)s,
    {crs_member}
    'features', COALESCE(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'id', schluessel,
                'geometry', ST_AsGeoJSON(geom, %(precision)s)::json,
                'properties', json_build_object({properties})
            )
            ORDER BY sort_at DESC, schluessel DESC
        ),
        '[]'::json
    )
)::text
FROM exported
