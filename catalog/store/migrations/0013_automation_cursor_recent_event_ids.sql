-- The cursor's recent ids (migration 0012) now hold every materialization and observation its tick had seen
-- that was recorded within the overlap before its read, not only partition materializations: the next tick
-- counts an unpartitioned dependency's update that committed late (a lower id than last_event_id, on a Postgres
-- server) as newly updated exactly once too (scheduler/daemon/state.ts). A cursor written before this migration
-- remembers partition materializations only, so its next tick would count the other recent events again: its
-- read_at is cleared, and that tick looks for late events from its own read only (as after migration 0012).
ALTER TABLE automation_cursor RENAME COLUMN recent_partition_event_ids TO recent_event_ids;
UPDATE automation_cursor SET read_at = NULL, recent_event_ids = NULL;
