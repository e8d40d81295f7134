-- One page of a data layer as a whole GeoJSON FeatureCollection, built by PostgreSQL in one statement.
-- {source}, {id}, {geometry}, {properties} and {conditions} are fragments of the layer registry
-- (code, never request text); every value a request brings is a bound parameter.
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
                        'geometry', ST_AsGeoJSON(ST_Transform(geom, %(srid)s), %(precision)s)::json,
                        'properties', properties
                    )
                    ORDER BY id
                )
                FROM shown
            ),
            '[]'::json
        ),
        'links', CASE
            WHEN (SELECT url FROM next) IS NULL THEN '[]'::json
            ELSE json_build_array(
                json_build_object('rel', 'next', 'type', 'application/geo+json', 'href', (SELECT url FROM next))
            )
        END
    )::text AS body,
    (SELECT url FROM next) AS next_url
