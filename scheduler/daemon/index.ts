/** The entry of scheduler/daemon: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./daemon.ts";
export * from "./leader.ts";
export * from "./state.ts";
export * from "./tick-state.ts";
