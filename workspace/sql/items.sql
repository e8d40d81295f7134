-- One page of the workspace's list, newest first; keyset on (created_at, key), never OFFSET.
-- {item_conditions}: TRUE, the keyset condition or a list of keys (workspace/selectors.py).
WITH feedback AS (
{feedback}
)
SELECT
    key,
    kind,
    id,
    category,
    category_name,
    status,
    created_at,
    left(text, 300),
    ST_X(ST_Transform(geom, 4326)),
    ST_Y(ST_Transform(geom, 4326)),
    title
FROM feedback
WHERE {item_conditions}
ORDER BY created_at DESC, key DESC
LIMIT %(limit)s
