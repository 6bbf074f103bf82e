-- What the scheduler's leader keeps in memory between ticks (the cursor of every asset and the latest events
-- per asset), written as one compressed value when the daemon stops and cleared by the next tick that moves the
-- cursor: a restarted daemon's first tick reads it back instead of every asset's cursor row and every asset's
-- latest events (scheduler/daemon/tick-state.ts). Without it (after a crash) the tick reads the rows, as before.
ALTER TABLE automation_cursor ADD COLUMN snapshot bytea;
