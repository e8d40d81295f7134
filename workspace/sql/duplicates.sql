-- Candidate duplicate pairs among the filtered reports: same category, within %(distance)s m
-- (EPSG:25832, so true metres), descriptions at least %(min_similarity)s alike (pg_trgm). Reports
-- already marked duplicate take no part. `a` is the older report (the original to keep), `b` the newer.
--
-- Pairs are found by grid hashing, not by one index probe per report (630 ms for Köln's 7,000
-- open reports at 1,000,000 rows): each report falls into a square cell as wide as the distance,
-- so a partner can only lie in the same or one of the 8 neighbouring cells, which a join on
-- (category, cell) finds; ST_DWithin then keeps the pairs truly within the distance.
WITH candidates AS MATERIALIZED (
    SELECT
        r.id,
        r.location,
        r.category_id,
        r.description,
        floor(ST_X(r.location) / %(distance)s)::int AS i,
        floor(ST_Y(r.location) / %(distance)s)::int AS j
    FROM reports_report AS r
    JOIN reports_category AS c ON c.id = r.category_id
    WHERE {report_conditions} AND r.status <> 'duplicate'
),
cells AS MATERIALIZED (
    -- Narrow rows (integers only): the join below sorts or hashes them by the ten thousand.
    SELECT id, category_id, i, j FROM candidates
),
shifted AS MATERIALIZED (
    -- Each report once per cell of half its neighbourhood (its own and 4 of the 8 around it):
    -- of two reports in neighbouring cells exactly one sees the other, so each pair is found once.
    -- Materialized so that the join below matches on all of (category, i, j) at once.
    SELECT cells.id, cells.category_id, cells.i + n.di AS i, cells.j + n.dj AS j, n.di = 0 AND n.dj = 0 AS own
    FROM cells
    CROSS JOIN (VALUES (0, 0), (0, 1), (1, -1), (1, 0), (1, 1)) AS n (di, dj)
),
near AS (
    SELECT least(a.id, b.id) AS a_id, greatest(a.id, b.id) AS b_id
    FROM shifted AS a
    JOIN cells AS b ON b.category_id = a.category_id AND b.i = a.i AND b.j = a.j
    WHERE b.id > a.id OR NOT a.own
),
pairs AS (
    SELECT
        near.a_id,
        near.b_id,
        ST_Distance(a.location, b.location) AS distance,
        similarity(a.description, b.description) AS alike
    FROM near
    JOIN candidates AS a ON a.id = near.a_id
    JOIN candidates AS b ON b.id = near.b_id
    WHERE ST_DWithin(a.location, b.location, %(distance)s)
)
SELECT a_id, b_id, distance, alike, 0.7 * alike + 0.3 * (1 - distance / %(distance)s) AS score
FROM pairs
WHERE alike >= %(min_similarity)s
ORDER BY score DESC, a_id, b_id
LIMIT %(limit)s
