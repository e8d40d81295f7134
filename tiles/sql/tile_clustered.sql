-- One vector tile of a point layer with its points clustered on a metre grid in 25832, as MVT bytes.
-- {source}, {id}, {geometry} and {public_filter} are fragments of the layer registry (code, never
-- request text); every value a request brings is a bound parameter. The envelope is built as in tile.sql.
-- MATERIALIZED: computed once. Inlined, PostgreSQL would rebuild the envelope for every row it tests.
WITH bounds AS MATERIALIZED (
    SELECT
        ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
        ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS padded
),
lonlat AS (
    SELECT ST_Segmentize(
        ST_Transform(
            ST_Intersection(
                padded,
                ST_Transform(
                    ST_MakeEnvelope(%(domain_minx)s, %(domain_miny)s, %(domain_maxx)s, %(domain_maxy)s, 4326), 3857
                )
            ),
            4326
        ),
        0.05
    ) AS area
    FROM bounds
),
area AS MATERIALIZED (
    SELECT CASE WHEN ST_IsEmpty(area) THEN NULL ELSE ST_Transform(area, %(storage_srid)s) END AS box
    FROM lonlat
),
points AS (
    SELECT {id} AS id, {geometry} AS geom, ST_Transform({geometry}, 3857) AS merc
    FROM {source}, area
    WHERE {geometry} && area.box AND ({public_filter})
),
inside AS (
    -- Only the tile itself, without buffer and with half-open edges: every point counts in exactly one tile.
    SELECT points.*
    FROM points, bounds
    WHERE ST_X(merc) >= ST_XMin(bounds.tile) AND ST_X(merc) < ST_XMax(bounds.tile)
        AND ST_Y(merc) > ST_YMin(bounds.tile) AND ST_Y(merc) <= ST_YMax(bounds.tile)
),
cells AS (
    -- Grid cells anchored at the CRS origin, so a cell is the same in every request.
    SELECT count(*) AS count, min(id) AS id, ST_Centroid(ST_Collect(merc)) AS merc
    FROM inside
    GROUP BY floor(ST_X(geom) / %(cell)s), floor(ST_Y(geom) / %(cell)s)
    ORDER BY count(*) DESC, min(id)
    LIMIT %(max_features)s
),
shown AS (
    SELECT
        count,
        CASE WHEN count = 1 THEN id END AS id,
        ST_AsMVTGeom(merc, bounds.tile, %(extent)s, %(buffer)s, true) AS geom
    FROM cells, bounds
)
SELECT
    COALESCE((SELECT ST_AsMVT(shown, %(layer)s, %(extent)s, 'geom') FROM shown), ''::bytea) AS body,
    (SELECT count(*) FROM shown) AS features,
    (SELECT COALESCE(max(version), 0) FROM tiles_layerversion WHERE layer = %(layer)s) AS version
