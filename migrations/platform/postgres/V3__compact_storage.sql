-- Storage shape v10 (issue 15): SQLite's platform file stores ids as 16-byte BLOBs from this
-- version. PostgreSQL keeps text, so nothing changes here; the version keeps both trees in step.
SELECT 1;
