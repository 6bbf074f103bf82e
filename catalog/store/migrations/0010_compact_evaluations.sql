-- Condition evaluations in a compact form (catalog/store/evaluation-codec.ts): a tree's static parts (each
-- node's id, name and label and the structure, with dependency ids as placeholders) are stored once per distinct
-- shape, and each evaluation stores only its values — the dependency ids, each node's value and reason, and the
-- partitions of nodes evaluated over partitions. At 10k eager assets a tick's evaluations were 74 MB of jsonb
-- (7.6 KB each); they are now about 0.5 KB each and a few shapes. Rows written before keep their whole `tree`,
-- and read as before; a tree the compact form cannot hold exactly is still stored whole.
CREATE TABLE condition_tree_shapes (
  -- md5 (hex) of the shape's JSON text as written.
  shape_hash text PRIMARY KEY,
  shape jsonb NOT NULL
);

ALTER TABLE condition_evaluations
  ALTER COLUMN tree DROP NOT NULL,
  ADD COLUMN shape_hash text REFERENCES condition_tree_shapes (shape_hash),
  ADD COLUMN node_values jsonb,
  ADD CONSTRAINT condition_evaluations_one_form CHECK (
    (tree IS NOT NULL AND shape_hash IS NULL AND node_values IS NULL) OR (tree IS NULL AND shape_hash IS NOT NULL AND node_values IS NOT NULL)
  );
