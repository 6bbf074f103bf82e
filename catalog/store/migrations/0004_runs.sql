-- Runs: what Tributary launched, step by step, with their logs and check results; and the scheduler's cursor.
--
-- Exactly-once lives here, in SQL:
-- - a run is reserved under an idempotency key before anything outside is called: a tick's run is keyed by
--   (tick, group), so a tick replayed after a crash finds its runs already there (ON CONFLICT DO NOTHING);
-- - a step is claimed by one worker at a time (claim token, guarded UPDATE); a worker that takes over a step
--   after a crash gets the progress the launcher saved, and follows the outside work instead of starting it again;
-- - the scheduler's cursor moves only from the evaluation id it was read at (a guarded UPDATE), so two daemons
--   that both believe they lead can never both commit a tick.

CREATE TABLE runs (
  id text PRIMARY KEY,
  -- 'tick:<evaluation id>:<group>' for the scheduler's runs; a fresh value for manual launches.
  idempotency_key text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
  -- policy | manual | reexecution | retry, and its details (tick, user, parent run, attempt).
  launched_by_kind text NOT NULL CHECK (launched_by_kind IN ('policy', 'manual', 'reexecution', 'retry')),
  launched_by jsonb NOT NULL,
  tick bigint,
  parent_run_id text REFERENCES runs (id),
  -- 1 for a first attempt, 2… for retries of a failed run (per-policy retries).
  attempt integer NOT NULL DEFAULT 1,
  -- Every asset the run targets (key strings), for "runs of this asset" and for runs in progress.
  asset_keys text[] NOT NULL,
  message text,
  cancel_requested boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  ended_at timestamptz
);

CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_by_status ON runs (status) WHERE status IN ('queued', 'running');
CREATE INDEX runs_by_asset ON runs USING gin (asset_keys);

CREATE TABLE run_steps (
  run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_index integer NOT NULL CHECK (step_index >= 0),
  tool text NOT NULL,
  location_name text NOT NULL,
  -- [{assetKey, runTargetId, checks}] as the launcher receives them.
  targets jsonb NOT NULL,
  asset_keys text[] NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'canceled')),
  -- The job queue's name and job id of the step's current attempt.
  queue text NOT NULL,
  job_id text,
  -- The worker attempt that owns the step: every write of a running step is guarded by it.
  claim text,
  claimed_by text,
  attempts integer NOT NULL DEFAULT 0,
  heartbeat_at timestamptz,
  -- What the launcher saved so that a worker taking over can follow the outside work (never restart it).
  progress jsonb,
  message text,
  failed_keys text[] NOT NULL DEFAULT '{}',
  skipped_keys text[] NOT NULL DEFAULT '{}',
  tool_run_id text,
  url text,
  started_at timestamptz,
  ended_at timestamptz,
  PRIMARY KEY (run_id, step_index)
);

CREATE INDEX run_steps_running ON run_steps (heartbeat_at) WHERE status = 'running';

CREATE TABLE run_logs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_index integer,
  at timestamptz NOT NULL DEFAULT now(),
  level text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message text NOT NULL,
  asset_key text,
  data jsonb
);

CREATE INDEX run_logs_by_run ON run_logs (run_id, id);

-- Check results (dbt tests), unique per (asset, check, dedupe key) like asset events.
CREATE TABLE check_results (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  asset_key text NOT NULL CHECK (asset_key <> ''),
  check_name text NOT NULL CHECK (check_name <> ''),
  outcome text NOT NULL CHECK (outcome IN ('pass', 'warn', 'fail', 'error', 'skipped')),
  failures bigint,
  tool text NOT NULL,
  location_name text NOT NULL,
  tool_run_id text,
  run_id text,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  dedupe_key text NOT NULL CHECK (dedupe_key <> ''),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT check_results_dedupe_unique UNIQUE (asset_key, check_name, dedupe_key)
);

CREATE INDEX check_results_by_check ON check_results (asset_key, check_name, occurred_at DESC, id DESC);

-- The Tributary run that recorded an event (null for work a tool did on its own): which assets the run
-- selected decides `executed_with_root_target`.
ALTER TABLE asset_events ADD COLUMN tributary_run_id text;
CREATE INDEX asset_events_by_run ON asset_events (tributary_run_id) WHERE tributary_run_id IS NOT NULL;

-- Events recorded since a moment (the daemon reads what is new since its previous tick).
CREATE INDEX asset_events_by_recorded ON asset_events (recorded_at);

-- The scheduler's cursor, moved by the leader's tick in the same transaction that stores the tick's
-- evaluations and reserves its runs: one head row (the tick), and one row per asset holding what its
-- condition remembers. A tick rewrites only the assets whose memory changed.
CREATE TABLE automation_cursor (
  id integer PRIMARY KEY CHECK (id = 1),
  evaluation_id bigint NOT NULL,
  evaluated_at timestamptz NOT NULL,
  last_event_id bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE automation_asset_cursors (
  asset_key text PRIMARY KEY,
  cursor jsonb NOT NULL
);

-- One row per tick that did something (evaluated assets or requested runs), for the daemon's status.
CREATE TABLE automation_ticks (
  evaluation_id bigint PRIMARY KEY,
  evaluated_at timestamptz NOT NULL,
  leader text NOT NULL,
  evaluated integer NOT NULL,
  requested integer NOT NULL,
  run_ids text[] NOT NULL,
  duration_ms double precision NOT NULL
);
