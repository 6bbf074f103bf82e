-- Partitions and backfills.
--
-- A partitioned asset's events name their partition. What each partition's latest outcome is lives in a compact
-- cache per asset, as Dagster's partition status cache does: sorted ranges of partition indexes (365 daily
-- partitions built in one stretch are one pair of numbers), the definition's fingerprint they were counted with,
-- and the last event folded in. A read folds in the newer events; a changed definition recounts from the events.
ALTER TABLE asset_events ADD COLUMN partition_key text;
CREATE INDEX asset_events_by_partition ON asset_events (asset_key, id) WHERE partition_key IS NOT NULL;

CREATE TABLE asset_partition_status (
  asset_key text PRIMARY KEY,
  fingerprint text NOT NULL,
  last_event_id bigint NOT NULL,
  -- [[first, last], …] inclusive index ranges, sorted and disjoint.
  materialized jsonb NOT NULL,
  failed jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The partition a run materializes (key, window, and what dbt is told); null for an unpartitioned run.
ALTER TABLE runs ADD COLUMN partition jsonb;
CREATE INDEX runs_partitioned_active ON runs (created_at) WHERE partition IS NOT NULL AND status IN ('queued', 'running');
ALTER TABLE runs DROP CONSTRAINT runs_launched_by_kind_check;
ALTER TABLE runs ADD CONSTRAINT runs_launched_by_kind_check
  CHECK (launched_by_kind IN ('policy', 'manual', 'reexecution', 'retry', 'schedule', 'backfill'));

-- A backfill: a range of partitions of some assets, one run per partition (and partitioning), run in parallel.
CREATE TABLE backfills (
  id text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  asset_keys text[] NOT NULL,
  -- The range asked for, as keys of the first asset's partitioning, and the window it covers.
  from_key text NOT NULL,
  to_key text NOT NULL,
  range_start timestamptz NOT NULL,
  range_end timestamptz NOT NULL,
  launched_by text,
  cancel_requested boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX backfills_by_created ON backfills (created_at DESC, id DESC);

-- One partition of one partitioning of a backfill. Its state is its current run's (run_id); a row with no run
-- waits for the partitions it depends on (depends_on: seqs of this backfill, e.g. a monthly partition on the
-- daily ones of its month), and is sent in the transaction that finishes the last of them.
CREATE TABLE backfill_partitions (
  backfill_id text NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  partitioning text NOT NULL,
  partition_key text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  asset_keys text[] NOT NULL,
  depends_on integer[] NOT NULL DEFAULT '{}',
  -- What its runs are made of, planned when the backfill was made: a partition sent later (after its
  -- dependencies, or again after a failure) needs no catalog to plan it.
  run_steps jsonb NOT NULL,
  run_partition jsonb NOT NULL,
  -- Deferred: the transaction that sends a partition names its run before reserving it.
  run_id text REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
  attempts integer NOT NULL DEFAULT 0,
  PRIMARY KEY (backfill_id, seq)
);
CREATE INDEX backfill_partitions_by_run ON backfill_partitions (run_id) WHERE run_id IS NOT NULL;
