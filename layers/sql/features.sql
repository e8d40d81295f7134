-- One page of a data layer as a whole GeoJSON FeatureCollection, built by PostgreSQL in one statement.
-- {source}, {id}, {geometry}, {properties} and {conditions} are fragments of the layer registry
-- (code, never request text), {output_geometry} the transform (and axis swap) of `geom` chosen in
-- layers/features.py; every value a request brings is a bound parameter, %(links)s a JSON array.
-- One row more than the limit is read to tell whether a next page exists (keyset, no OFFSET).
WITH page AS (
    SELECT {id} AS id, {geometry} AS geom, {properties} AS properties
    FROM {source}
    WHERE {conditions} AND {id} > %(after)s
    ORDER BY {id}
    LIMIT %(limit)s + 1
),
shown AS (
    SELECT id, geom, properties FROM page ORDER BY id LIMIT %(limit)s
),
next AS (
    SELECT CASE
        WHEN (SELECT count(*) FROM page) > %(limit)s THEN %(next_prefix)s || (SELECT max(id) FROM shown)::text
    END AS url
)
SELECT
    json_build_object(
        'type', 'FeatureCollection',
        'numberReturned', (SELECT count(*) FROM shown),
        'features', COALESCE(
            (
                SELECT json_agg(
                    json_build_object(
                        'type', 'Feature',
                        'id', id,
                        'geometry', ST_AsGeoJSON({output_geometry}, %(precision)s)::json,
                        'properties', properties
                    )
                    ORDER BY id
                )
                FROM shown
            ),
            '[]'::json
        ),
        'links', %(links)s::jsonb || CASE
            WHEN (SELECT url FROM next) IS NULL THEN '[]'::jsonb
            ELSE jsonb_build_array(
                jsonb_build_object('rel', 'next', 'type', 'application/geo+json', 'href', (SELECT url FROM next))
            )
        END
    )::text AS body,
    (SELECT url FROM next) AS next_url
