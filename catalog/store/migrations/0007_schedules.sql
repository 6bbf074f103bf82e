-- Schedules: each tick a schedule fires is claimed here, once, in the transaction that creates its run.
--
-- Exactly once lives in the primary key: a daemon inserts (schedule, tick_at) with ON CONFLICT DO NOTHING and
-- creates the run only when its insert won, in the same transaction; a second daemon, or the same one after a
-- restart, finds the tick claimed. The newest claimed tick is also where the next pass starts, so a tick
-- missed while no daemon ran is found (and run once, or skipped, by the schedule's catch_up).

CREATE TABLE schedule_states (
  schedule text PRIMARY KEY,
  -- Ticks at or before this instant are never fired: when the schedule was first seen, or last started.
  since timestamptz NOT NULL,
  -- Set when a person started or stopped it; null: the declared default status holds.
  status text CHECK (status IN ('running', 'stopped')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);

CREATE TABLE schedule_ticks (
  schedule text NOT NULL,
  tick_at timestamptz NOT NULL,
  -- launched: a run was created; skipped: nothing to run (why in reason); failed: the job could not be run.
  status text NOT NULL CHECK (status IN ('launched', 'skipped', 'failed')),
  job text NOT NULL,
  run_id text REFERENCES runs (id) ON DELETE SET NULL,
  reason text,
  -- Earlier ticks of the same schedule that passed while no daemon ran and were not run (catch-up).
  missed integer NOT NULL DEFAULT 0,
  claimed_by text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule, tick_at)
);

CREATE INDEX schedule_ticks_newest ON schedule_ticks (schedule, tick_at DESC);

-- A run a schedule launched names it as its launcher.
ALTER TABLE runs DROP CONSTRAINT runs_launched_by_kind_check;
ALTER TABLE runs ADD CONSTRAINT runs_launched_by_kind_check CHECK (launched_by_kind IN ('policy', 'manual', 'reexecution', 'retry', 'schedule'));
