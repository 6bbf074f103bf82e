/** The entry of scheduler/runs: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./engine.ts";
export * from "./queue.ts";
export * from "./backfills.ts";
