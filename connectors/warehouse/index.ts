/** The entry of connectors/warehouse: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./engine.ts";
export * from "./bigquery/engine.ts";
export * from "./duckdb/engine.ts";
export * from "./identifiers.ts";
export * from "./postgres/engine.ts";
export * from "./profile.ts";
export * from "./provider.ts";
export * from "./snowflake/engine.ts";
export * from "./tool-state.ts";
