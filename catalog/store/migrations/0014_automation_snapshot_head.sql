-- The stop snapshot (migration 0009) records the tick it was written at: a tick that moves the cursor then
-- leaves the stale snapshot in place instead of clearing it (`snapshot = NULL` deleted its TOAST chunks in the
-- restarted daemon's first tick, the one tick a restart is meant to make cheap), and a start tells a stale one
-- from the current one by this column, without reading or decoding it. A snapshot stored before this migration
-- was current (the tick that moved the cursor cleared it).
ALTER TABLE automation_cursor ADD COLUMN snapshot_evaluation_id bigint;
UPDATE automation_cursor SET snapshot_evaluation_id = evaluation_id WHERE snapshot IS NOT NULL;
