-- DBSCAN clusters of the filtered feedback in true metres (EPSG:25832), with counts by category and
-- status, the convex hull (buffered by %(hull_buffer_m)s m when it is a point or a line: one or two
-- distinct places) and the sorted member keys. A cluster's key is its smallest member key.
-- Everything is measured in 25832; only the output is transformed to lon/lat.
WITH feedback AS (
{feedback}
),
clustered AS (
    SELECT key, category, status, geom, ST_ClusterDBSCAN(geom, %(eps)s, %(min_points)s) OVER () AS cid
    FROM feedback
    WHERE geom IS NOT NULL
),
members AS (
    SELECT key, category, status, geom, cid FROM clustered WHERE cid IS NOT NULL
),
categories AS (
    SELECT cid, jsonb_object_agg(category, n) AS by_category
    FROM (SELECT cid, category, count(*) AS n FROM members GROUP BY cid, category) AS counted
    GROUP BY cid
),
statuses AS (
    SELECT cid, jsonb_object_agg(status, n) AS by_status
    FROM (SELECT cid, status, count(*) AS n FROM members WHERE status <> '' GROUP BY cid, status) AS counted
    GROUP BY cid
),
shapes AS (
    SELECT
        cid,
        count(*) AS size,
        min(key) AS key,
        array_agg(key ORDER BY key) AS member_keys,
        ST_ConvexHull(ST_Collect(geom)) AS hull
    FROM members
    GROUP BY cid
),
outlined AS (
    SELECT
        cid,
        size,
        key,
        member_keys,
        CASE WHEN ST_GeometryType(hull) = 'ST_Polygon' THEN hull ELSE ST_Buffer(hull, %(hull_buffer_m)s) END AS hull,
        ST_Transform(ST_Centroid(hull), 4326) AS center
    FROM shapes
)
SELECT
    o.key,
    o.size,
    COALESCE(c.by_category, '{}'::jsonb)::text,
    COALESCE(s.by_status, '{}'::jsonb)::text,
    ST_AsGeoJSON(ST_Transform(o.hull, 4326), 7),
    ST_X(o.center),
    ST_Y(o.center),
    o.member_keys
FROM outlined AS o
LEFT JOIN categories AS c USING (cid)
LEFT JOIN statuses AS s USING (cid)
ORDER BY o.size DESC, o.key
