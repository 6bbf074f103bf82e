-- Condition evaluations: for each asset and tick, the value of every node of its condition tree with a
-- reason ("why did / didn't this run?"). Written by the scheduler's tick (only evaluations that changed or
-- requested something), read by Asset.evaluations. The tree is JSON written and read whole.
CREATE TABLE condition_evaluations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The asset key in its string form (a/b/c).
  asset_key text NOT NULL CHECK (asset_key <> ''),
  -- The tick's evaluation id (1, 2, 3…) and time.
  tick bigint NOT NULL,
  evaluated_at timestamptz NOT NULL,
  requested boolean NOT NULL,
  -- Hash of the condition tree's structure: evaluations of an edited condition are told apart.
  tree_hash text NOT NULL,
  tree jsonb NOT NULL,
  CONSTRAINT condition_evaluations_unique UNIQUE (asset_key, tick)
);

CREATE INDEX condition_evaluations_by_asset ON condition_evaluations (asset_key, tick DESC);
