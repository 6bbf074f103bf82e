-- Definitions: what each location said at each load, and every load attempt.
--
-- A location's "current" definitions are those of its latest successful load. The pointer to it lives in
-- `locations` and moves in the same transaction that stores the snapshot, so a batch of locations becomes
-- current together or not at all, and a failed load never moves it.

-- One row per distinct content of a location's definitions. A reload with the same content reuses the row.
CREATE TABLE definition_snapshots (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  location_name text NOT NULL CHECK (location_name <> ''),
  -- sha256 (hex) of the uncompressed payload.
  content_hash text NOT NULL,
  -- How `payload` is encoded ('json+gzip') and the version of the JSON's shape: old snapshots stay readable
  -- after the model changes, or fail with a clear error.
  encoding text NOT NULL,
  format_version integer NOT NULL,
  payload bytea NOT NULL,
  -- Size of the uncompressed JSON, and counts, so listings need not decompress anything.
  payload_bytes bigint NOT NULL,
  asset_count integer NOT NULL,
  diagnostic_count integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT definition_snapshots_content_unique UNIQUE (location_name, content_hash)
);

-- The payload is already compressed: store it out of line without trying pglz on it again.
ALTER TABLE definition_snapshots ALTER COLUMN payload SET STORAGE EXTERNAL;

-- Every load attempt, successful or not.
CREATE TABLE location_loads (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  location_name text NOT NULL CHECK (location_name <> ''),
  -- The location's configuration at that attempt (a location may change kind or origin over time).
  location_kind text NOT NULL,
  origin text NOT NULL,
  status text NOT NULL CHECK (status IN ('loaded', 'failed')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL CHECK (duration_ms >= 0),
  -- Set for a successful load; becomes null only if the snapshot is pruned later.
  snapshot_id bigint REFERENCES definition_snapshots (id) ON DELETE SET NULL,
  error_code text,
  error_message text,
  error_file text,
  error_node_id text,
  error_json_path text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT location_loads_failure_has_error CHECK (
    (status = 'failed') = (error_code IS NOT NULL AND error_message IS NOT NULL)
  )
);

CREATE INDEX location_loads_by_location ON location_loads (location_name, id);
CREATE INDEX location_loads_by_snapshot ON location_loads (snapshot_id);

-- One row per location ever loaded: where its current definitions and its latest attempt are.
CREATE TABLE locations (
  name text PRIMARY KEY CHECK (name <> ''),
  -- The latest successful load (its snapshot is what the location serves); null until one succeeds.
  current_load_id bigint REFERENCES location_loads (id),
  -- The latest attempt, successful or not.
  latest_load_id bigint NOT NULL REFERENCES location_loads (id),
  updated_at timestamptz NOT NULL DEFAULT now()
);
