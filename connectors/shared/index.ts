/** The entry of connectors/shared: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./duckdb.ts";
export * from "./http-client.ts";
export * from "./poll.ts";
export * from "./safe-origin.ts";
export * from "./simulator.ts";
export * from "./step-launch.ts";
export * from "./tool-state.ts";
