-- Count one hit of an action by a client in the current fixed window, atomically across processes.
-- The window is computed from the database's clock, so every worker agrees on where it starts.
-- Parameters: action, client_key, window_seconds. Returns the hits so far and the seconds left.
WITH win AS (
    SELECT to_timestamp(floor(extract(epoch FROM clock_timestamp()) / %(window_seconds)s) * %(window_seconds)s) AS start
)
INSERT INTO abuse_throttlecounter AS counter (action, client_key, window_start, window_end, hits)
SELECT %(action)s, %(client_key)s, win.start, win.start + make_interval(secs => %(window_seconds)s), 1
FROM win
ON CONFLICT (action, client_key, window_start) DO UPDATE SET hits = counter.hits + 1
RETURNING counter.hits, ceil(extract(epoch FROM counter.window_end - clock_timestamp()))::integer AS seconds_left;
