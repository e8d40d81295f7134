-- One vector tile of a data layer as MVT bytes, built by PostGIS in one statement.
-- {source}, {id}, {geometry}, {properties} and {public_filter} are fragments of the layer registry
-- (code, never request text); every value a request brings is a bound parameter.
-- The stored 25832 column is compared untransformed with the tile's envelope transformed to 25832;
-- only the selected rows' geometries are transformed, to Web Mercator, for ST_AsMVTGeom.
-- MATERIALIZED: computed once. Inlined, PostgreSQL would rebuild the envelope for every row it tests.
WITH bounds AS MATERIALIZED (
    SELECT
        ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
        -- The buffer around the tile, so that shapes crossing its edge are drawn seamlessly.
        ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS padded
),
lonlat AS (
    -- A Mercator rectangle is a lon/lat rectangle. Cut to the storage CRS's domain first (in Mercator, where
    -- a padded tile may reach past the antimeridian without wrapping), so that no point UTM 32N cannot hold
    -- is ever transformed; densify so that the box of the UTM outline covers its curved edges.
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
    -- NULL outside the domain: `geometry && NULL` selects nothing, and the tile is empty.
    SELECT CASE WHEN ST_IsEmpty(area) THEN NULL ELSE ST_Transform(area, %(storage_srid)s) END AS box
    FROM lonlat
),
-- MATERIALIZED: ST_AsMVTGeom runs once per row, not again for the filter on its result.
candidates AS MATERIALIZED (
    SELECT
        {id} AS mvt_id,
        {properties},
        ST_AsMVTGeom(
            -- Cutting to the box in 25832 first keeps large polygons from being transformed whole.
            ST_Transform(ST_ClipByBox2D({geometry}, area.box::box2d), 3857),
            bounds.tile,
            %(extent)s,
            %(buffer)s,
            true
        ) AS geom
    FROM {source}, area, bounds
    WHERE {geometry} && area.box AND ({public_filter})
),
shown AS (
    SELECT * FROM candidates WHERE geom IS NOT NULL ORDER BY mvt_id LIMIT %(max_features)s
)
SELECT
    COALESCE((SELECT ST_AsMVT(shown, %(layer)s, %(extent)s, 'geom', 'mvt_id') FROM shown), ''::bytea) AS body,
    (SELECT count(*) FROM shown) AS features,
    -- Read in the same snapshot as the rows, so the tile is cached under the version of its own data.
    (SELECT COALESCE(max(version), 0) FROM tiles_layerversion WHERE layer = %(layer)s) AS version
