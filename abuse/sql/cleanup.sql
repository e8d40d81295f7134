-- Remove counters whose window ended before the cutoff. Parameters: cutoff.
DELETE FROM abuse_throttlecounter WHERE window_end < %(cutoff)s;
