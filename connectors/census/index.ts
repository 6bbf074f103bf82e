/** The entry of connectors/census: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./client.ts";
export * from "./launcher.ts";
export * from "./observer.ts";
export * from "./provider.ts";
export * from "./tool-state.ts";
export * from "./translator.ts";
