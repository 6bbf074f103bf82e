-- Asset events: materializations, failed attempts and observations, from our own runs and from work the
-- tools did on their own (a Fivetran scheduled sync). Exactly-once recording lives here: an event is unique
-- per (asset, dedupe key), and writers insert with ON CONFLICT DO NOTHING, so an observer that sees the same
-- sync again after a restart, or a launcher and an observer that both see one sync, store it once.
CREATE TABLE asset_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The asset key in its string form (a/b/c).
  asset_key text NOT NULL CHECK (asset_key <> ''),
  kind text NOT NULL CHECK (kind IN ('materialization', 'materialization_failure', 'observation')),
  -- The tool ('fivetran', 'dbt', 'census') and the location whose tool did it.
  tool text NOT NULL CHECK (tool <> ''),
  location_name text NOT NULL CHECK (location_name <> ''),
  -- The tool's id of the run or sync, when it has one.
  run_id text,
  -- When it happened (the tool's own time where it reports one), and when we recorded it.
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  dedupe_key text NOT NULL CHECK (dedupe_key <> ''),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT asset_events_dedupe_unique UNIQUE (asset_key, dedupe_key)
);

-- History per asset, newest first; and the latest event per asset.
CREATE INDEX asset_events_by_asset ON asset_events (asset_key, occurred_at DESC, id DESC);
