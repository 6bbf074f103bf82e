/** The entry of connectors/fivetran/simulator: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./server.ts";
