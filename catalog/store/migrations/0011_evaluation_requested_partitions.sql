-- The partition keys a tick requested for a partitioned asset (AssetEvaluation.requestedPartitions), kept with
-- its evaluation so the history shows them after a restart and on another serve. Null for an unpartitioned
-- asset, and for rows written before this migration (their requests were not kept: read as not known).
ALTER TABLE condition_evaluations ADD COLUMN requested_partitions text[];
