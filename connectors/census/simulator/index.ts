/** The entry of connectors/census/simulator: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./demo-workspace.ts";
export * from "./server.ts";
