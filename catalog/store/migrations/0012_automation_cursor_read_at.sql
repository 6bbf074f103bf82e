-- What the tick that wrote the cursor read of partition materializations, so that the next tick counts one whose
-- transaction committed late (a lower id than the cursor's last_event_id, on a Postgres server) as newly updated
-- exactly once (scheduler/daemon/state.ts): the database's time of that tick's read (its transaction's start)
-- and the ids of the partition materializations it had seen that were recorded within the overlap before it.
-- Null for a cursor written before this migration: its next tick looks for late events from its own read only.
ALTER TABLE automation_cursor ADD COLUMN read_at timestamptz, ADD COLUMN recent_partition_event_ids bigint[];
